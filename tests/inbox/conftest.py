from __future__ import annotations

import pytest

from civique.core.models import Role, User


@pytest.fixture
def colleague(team) -> User:
    user = User.objects.create_user(
        "collegue", password="motdepasse-col", role=Role.AGENT, first_name="Denis"
    )
    user.teams.add(team)
    return user


def as_htmx(**extra) -> dict:
    return {"HTTP_HX_REQUEST": "true", **extra}
