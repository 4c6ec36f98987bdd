"""The knowledge base in a real browser: suggestions inserted by HTMX, the keyboard shortcut of
the template search, the redirect form and the portal's FAQ, each scanned by axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from civique.demo.knowledge_base import load_knowledge_base
from tests.e2e.conftest import signed_in
from tests.e2e.test_accessibility import assert_accessible
from tests.intake import request_from

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def conversation(webform_channel):
    load_knowledge_base()
    return request_from(
        webform_channel,
        name="Paul Girard",
        email="paul.girard@example.fr",
        subject="Lampadaire",
        text="bjr le lampadere devant chez moi est en panne depuis 1 semaine",
    )


def test_an_agent_inserts_a_suggestion_and_a_template_from_the_keyboard(
    page, live_server, agent, conversation
):
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/demandes/{conversation.pk}/")
    panel = page.locator("#suggestions")
    expect(panel.locator(".suggestion").first).to_contain_text("lampadaire est en panne")
    assert_accessible(page)

    panel.locator(".suggestion").first.get_by_role("button").click()
    reply = page.locator("#id_reply-text")
    expect(reply).to_have_value(re.compile("numéro inscrit sur le mât"))
    expect(reply).to_be_focused()
    expect(page.locator("#annonce")).to_contain_text("insérée dans la réponse")

    page.keyboard.press("Alt+Shift+R")
    search = page.get_by_role("searchbox", name="Chercher une réponse type")
    expect(search).to_be_focused()
    search.fill("accuse reception")
    page.locator("#resultats-reponses-types").get_by_role(
        "button", name="Accusé de réception"
    ).click()
    expect(reply).to_have_value(re.compile("Paul Girard"))
    assert_accessible(page)


def test_the_redirect_form_is_accessible(page, live_server, agent, conversation):
    from civique.knowledge.models import Institution

    caf = Institution.objects.get(slug="caf")
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/connaissances/demandes/{conversation.pk}/orienter/{caf.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Orienter vers")
    assert_accessible(page)


def test_the_faq_is_accessible_listed_and_searched(page, live_server, db):
    load_knowledge_base()
    page.goto(f"{live_server.url}/portail/faq/")
    expect(page.get_by_role("link", name="Comment obtenir un passeport ?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Rechercher").fill("encombrant matelas")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator(".faq-results li").first).to_contain_text("encombrants")
    assert_accessible(page)
