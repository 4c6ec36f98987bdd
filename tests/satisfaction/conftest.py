"""The survey is off in the rest of the suite (tests/conftest.py); on here."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _surveys_on(settings):
    settings.CIVIQUE_SATISFACTION_SURVEY = True
