"""The supervisors' dashboard in a real browser: axe-core finds no WCAG 2.1 A/AA violation in
its charts and tables, under the real CSP, with no JavaScript at all needed."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from civique.channels.models import Channel
from civique.inbox.actions import reply_to_conversation
from tests.e2e.conftest import axe_violations, signed_in
from tests.intake import request_from

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_with_charts_is_accessible(
    page, live_server, supervisor, webform_channel, team
):
    other_form = Channel.objects.create(kind="webform", name="Formulaire voirie", team=team)
    for i, channel in enumerate((webform_channel, other_form, webform_channel)):
        conversation = request_from(channel, hours_ago=30 * (i + 1), email=f"u{i}@example.org")
        if i:
            reply_to_conversation(supervisor, conversation, "C'est noté.")
    signed_in(page, live_server, supervisor)

    page.goto(f"{live_server.url}/engagements/")
    expect(page.get_by_role("img", name="Demandes reçues par canal et par période")).to_be_visible()
    assert axe_violations(page) == []
    assert page.console_errors == []

    page.get_by_label("ou l'année (indicateurs Services Publics+)").select_option(
        str(timezone.localdate().year)
    )
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", name="Indicateurs Services Publics+")).to_be_visible()
    expect(page.locator("#tableau-services-publics-manquants")).to_contain_text(
        "Taux de décroché téléphonique"
    )
    assert axe_violations(page) == []
    assert page.console_errors == []
