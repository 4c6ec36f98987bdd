"""The moderation queue in Chromium, under its CSP: accessible (axe-core, WCAG 2.1 A/AA), and a
decision taken with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from civique.moderation.models import CaseState, ModerationCase
from tests.e2e.conftest import axe_violations, signed_in
from tests.moderation.conftest import (  # noqa: F401 - fixtures
    analysed,
    finding,
    moderator,
    page_routes,
    receive,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue(page_routes, moderator):  # noqa: F811
    analysed(
        receive(page_routes, "Le maire est un incapable", author="13", name="Gérard"),
        finding("abuse.insult", 0.9, "incapable", 16),
    )
    analysed(
        receive(page_routes, "Trois semaines sans lumière rue des Lilas, ras le bol !"),
        finding("tone.angry", 0.8, "ras le bol", 41),
    )


def test_the_queue_is_accessible_and_works_with_the_keyboard(page, live_server, moderator, queue):  # noqa: F811
    signed_in(page, live_server, moderator)
    page.goto(f"{live_server.url}/moderation/")
    expect(page.get_by_role("heading", name="File de modération")).to_be_visible()
    assert axe_violations(page) == []
    assert page.console_errors == []

    dismiss = page.get_by_role("button", name="Classer sans suite").first
    dismiss.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Décision enregistrée")).to_be_visible()
    assert ModerationCase.objects.filter(state=CaseState.DISMISSED).count() == 1
    assert axe_violations(page) == []
