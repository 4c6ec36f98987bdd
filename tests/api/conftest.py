"""Fixtures of the API tests: a token for a user, and a channel of the other team."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from civique.api.actions import create_token
from civique.channels.models import Channel


@pytest.fixture
def auth():
    """``auth(user)`` gives the headers of a request made with a fresh token of that user."""

    def make(user) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_token(user).secret}"}

    return make


@pytest.fixture
def voirie_channel(other_team) -> Channel:
    return Channel.objects.create(kind="api", name="Signalements voirie", team=other_team)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The API's request budgets live in the cache; each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()
