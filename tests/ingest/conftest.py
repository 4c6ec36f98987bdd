"""Fixtures shared by the ingest tests that run ``civique`` in subprocesses."""

from __future__ import annotations

import pytest

from tests.ingest.procs import civique, isolated_env

EMAIL_SEED = """
from civique.core.models import Team
from civique.channels.models import Channel
team = Team.objects.create(slug="accueil", name="Accueil")
Channel.objects.create(kind="email", name="contact@valmont.example", team=team, is_active=False)
"""


@pytest.fixture(params=["sqlite", "postgres"])
def ingest_env(request, tmp_path):
    """A fresh database (SQLite file, then PostgreSQL) with one inactive email channel."""
    with isolated_env(request.param, tmp_path) as env:
        # The default backoff: the mail a killed run was on is not due again for 30 s.
        env["CIVIQUE_RETRY_BASE_SECONDS"] = "30"
        civique(env, "migrate", "--verbosity", "0")
        civique(env, "shell", "-c", EMAIL_SEED)
        yield env
