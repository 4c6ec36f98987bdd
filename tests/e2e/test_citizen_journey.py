"""A citizen, on a phone: makes a request on the portal, notes its reference, tracks it, and
reads the answer once an agent has replied. Mistakes are announced and easy to reach."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from civique.inbox.actions import reply_to_conversation
from civique.inbox.models import Conversation
from civique.inbox.outbox import deliver_due
from tests.e2e.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = re.compile(r"V-\d+")


def fits_the_screen(page) -> bool:
    """No sideways scrolling on the phone (WCAG 1.4.10, reflow)."""
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def make_a_request(page, live_server) -> str:
    page.goto(f"{live_server.url}/portail/")
    expect(page.get_by_role("heading", name="Faire une demande", level=1)).to_be_visible()
    assert fits_the_screen(page)
    page.get_by_label("Votre nom").fill("Inès Moreau")
    page.get_by_label("Adresse électronique").fill("Ines.Moreau@example.fr")
    page.get_by_label("Thème").select_option(label="Voirie")
    page.get_by_label("Votre message").fill(
        "Bonjour, une plaque d'égout est descellée devant le 8 rue Pasteur."
    )
    page.get_by_role("button", name="Envoyer ma demande").tap()

    expect(page).to_have_url(f"{live_server.url}/portail/merci/")
    expect(page.get_by_role("heading", name="Votre demande a bien été envoyée")).to_be_visible()
    assert fits_the_screen(page)
    reference = page.locator(".reference strong").inner_text()
    assert REFERENCE.fullmatch(reference)
    return reference


def track(page, live_server, reference: str, email: str) -> None:
    page.get_by_label("Référence de la demande").fill(reference)
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_role("button", name="Voir ma demande").tap()


def test_a_citizen_makes_a_request_on_a_phone_and_tracks_it_until_it_is_answered(
    phone_page, live_server, webform_channel, category, admin_user
):
    page = phone_page
    reference = make_a_request(page, live_server)

    page.get_by_role("link", name="Suivre une demande").last.tap()
    expect(page).to_have_url(f"{live_server.url}/portail/suivi/")
    track(page, live_server, reference, "ines.moreau@example.fr")
    expect(page.get_by_role("heading", name=f"Demande {reference}", level=1)).to_be_visible()
    expect(page.locator(".summary")).to_contain_text(
        "Reçue : elle va être confiée au service concerné."
    )
    expect(page.locator(".summary")).to_contain_text("Voirie")
    expect(page.locator(".exchange-mine")).to_contain_text("plaque d'égout est descellée")
    expect(page.locator(".exchange-answer")).to_have_count(0)
    assert fits_the_screen(page)

    conversation = Conversation.objects.get(pk=int(reference.split("-")[1]))
    reply_to_conversation(
        admin_user,
        conversation,
        "Bonjour Madame, la plaque a été remise en place ce matin.",
        then_status="resolved",
    )
    deliver_due()

    page.get_by_role("link", name="Suivre une autre demande").tap()
    track(page, live_server, reference.lower(), "INES.MOREAU@example.fr")
    expect(page.locator(".summary")).to_contain_text("Traitée : une réponse vous a été apportée.")
    answer = page.locator(".exchange-answer")
    expect(answer).to_have_count(1)
    expect(answer).to_contain_text("Réponse : Service")
    expect(answer).to_contain_text("la plaque a été remise en place ce matin.")
    assert fits_the_screen(page)
    assert page.console_errors == []


def test_a_citizen_who_forgets_fields_gets_a_summary_whose_links_lead_to_them(
    phone_page, live_server, webform_channel, category
):
    page = phone_page
    page.goto(f"{live_server.url}/portail/")
    page.get_by_label("Adresse électronique").fill("pas-une-adresse")
    page.get_by_role("button", name="Envoyer ma demande").tap()

    expect(page).to_have_title(re.compile(r"^Erreur"))
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Le formulaire contient 2 erreurs")
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        [
            "Adresse électronique : Indiquez une adresse électronique valide, "
            "par exemple nom@exemple.fr.",
            "Votre message : Écrivez votre message.",
        ]
    )
    # Each link takes the focus to its field, whose own error is read with it.
    links.nth(1).tap()
    message = page.get_by_label("Votre message")
    expect(message).to_be_focused()
    expect(page.locator("#id_message_error")).to_contain_text("Écrivez votre message.")
    links.nth(0).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Adresse électronique")).to_be_focused()
    expect(page.get_by_label("Adresse électronique")).to_have_value("pas-une-adresse")
    assert fits_the_screen(page)

    # Corrected, the request goes through.
    page.get_by_label("Adresse électronique").fill("ines.moreau@example.fr")
    message.fill("Le trottoir est encombré.")
    page.get_by_role("button", name="Envoyer ma demande").tap()
    expect(page.get_by_role("heading", name="Votre demande a bien été envoyée")).to_be_visible()
    assert page.console_errors == []


def test_a_citizen_with_a_wrong_email_is_told_nothing_matches(
    phone_page, live_server, webform_channel
):
    page = phone_page
    page.goto(f"{live_server.url}/portail/")
    page.get_by_label("Adresse électronique").fill("ines.moreau@example.fr")
    page.get_by_label("Votre message").fill("Le trottoir est encombré.")
    page.get_by_role("button", name="Envoyer ma demande").tap()
    reference = page.locator(".reference strong").inner_text()

    page.goto(f"{live_server.url}/portail/suivi/")
    track(page, live_server, reference, "quelquun.dautre@example.fr")
    expect(page.get_by_role("alert")).to_contain_text("Aucune demande ne correspond")
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_text("Le trottoir est encombré.")).to_have_count(0)
    assert page.console_errors == []
