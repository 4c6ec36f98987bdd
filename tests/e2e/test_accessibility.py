"""Every page, scanned by axe-core for WCAG 2.1 A and AA violations, under its real CSP and
with no JavaScript error: the back office (French and English) and the citizen portal."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from civique.contacts.actions import create_contact
from civique.inbox.actions import (
    add_note,
    assign_conversation,
    reply_to_conversation,
)
from civique.inbox.merges import merge_contacts
from civique.inbox.models import Conversation, Delivery, DeliveryState, Message
from civique.inbox.outbox import deliver_due
from civique.ingest.actions import process_event, receive_event
from civique.ingest.logged import log_exchange
from civique.ingest.models import EventState
from tests.channels.mail import eml, ingest
from tests.e2e.conftest import axe_violations, signed_in
from tests.intake import request_from
from tests.smtp import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_accessible(page) -> None:
    """No WCAG 2.1 A/AA violation, no JavaScript error, no CSP violation on the page."""
    assert axe_violations(page) == []
    assert page.console_errors == []


@pytest.fixture
def email_conversation(smtp_channel, agent, admin_user) -> Conversation:
    """Karim Benali's iPhone mail (HTML, inline photo, PDF) with everything a timeline holds:
    an assignment, an internal note, an answer sent and an answer whose sending failed."""
    event = ingest(smtp_channel, eml("iphone-photo-et-pdf.eml"))
    assert event.state == "done", event.last_error
    conversation = Message.objects.get(pk=event.message_ids[0]).conversation
    assign_conversation(admin_user, conversation, agent)
    add_note(agent, conversation, "Voir avec la voirie : chantier prévu en mars ?")
    sent = reply_to_conversation(agent, conversation, "Bonjour, une équipe passe jeudi.")
    deliver_due()
    smtp_channel.settings["smtp_port"] = free_port()  # nobody listens there any more
    smtp_channel.save()
    failed = reply_to_conversation(agent, conversation, "Précision : jeudi matin.")
    deliver_due()
    assert Delivery.objects.get(message=sent).state == DeliveryState.SENT
    assert Delivery.objects.get(message=failed).state == DeliveryState.RETRYING
    conversation.refresh_from_db()
    return conversation


@pytest.fixture
def web_conversation(webform_channel) -> Conversation:
    return request_from(
        webform_channel,
        name="Paul Girard",
        email="paul.girard@example.fr",
        subject="Lampadaire éteint",
        text="Le lampadaire de la rue des Écoles ne s'allume plus.",
    )


# --- Back office ----------------------------------------------------------------------------


def test_the_login_page_is_accessible_blank_and_with_an_error(page, live_server, agent):
    page.goto(f"{live_server.url}/connexion/")
    assert_accessible(page)
    page.get_by_label("Nom d’utilisateur").fill("agent")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


def test_the_inbox_with_requests_is_accessible(
    page, live_server, agent, email_conversation, web_conversation
):
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/")
    expect(page.locator("#resultats tbody tr")).to_have_count(2)
    assert_accessible(page)


def test_the_inbox_filtered_in_place_by_htmx_is_accessible(
    page, live_server, agent, email_conversation, web_conversation
):
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as answer:
        page.get_by_label("Canal").select_option(label="Portail citoyen")
    assert answer.value.status == 200
    expect(page.locator("#nombre-resultats")).to_have_text("1 demande trouvée")
    expect(page.locator("#resultats")).to_contain_text("Lampadaire éteint")
    assert_accessible(page)

    # The same filters, loaded as a full page from the address htmx pushed.
    page.reload()
    expect(page.get_by_label("Canal")).to_have_value(str(web_conversation.channel_id))
    expect(page.locator("#resultats tbody tr")).to_have_count(1)
    assert_accessible(page)


def test_the_empty_inbox_is_accessible(page, live_server, agent):
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text("Aucune demande ne correspond à ces filtres.")).to_be_visible()
    assert_accessible(page)


def test_the_inbox_in_english_is_accessible_and_says_so(
    page, live_server, agent, email_conversation
):
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/")
    switch = page.get_by_role("button", name="English")
    expect(switch).to_have_attribute("lang", "en")
    switch.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/")
    # Back to French is offered in French, marked as such.
    expect(page.get_by_role("button", name="Français")).to_have_attribute("lang", "fr")
    assert_accessible(page)


def test_the_conversation_page_with_a_full_timeline_is_accessible(
    page, live_server, agent, email_conversation
):
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/demandes/{email_conversation.pk}/")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Attribuée à Bruno Martin")
    expect(timeline).to_contain_text("chantier prévu en mars")
    expect(timeline.locator(".delivery-sent")).to_contain_text("Envoyé")
    expect(timeline.locator(".delivery-retrying")).to_contain_text("Dernière erreur")
    expect(timeline.locator(".attachments").get_by_role("link")).to_have_count(2)
    assert_accessible(page)

    # The formatted version of the mail, opened.
    page.get_by_text("Afficher la version mise en forme").first.click()
    expect(page.locator(".message-html").first).to_be_visible()
    assert_accessible(page)

    # An action sent by htmx swaps the conversation and announces the result.
    page.get_by_role("textbox", name="Note interne").fill("Photo transmise à la voirie.")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.locator("#annonce")).to_contain_text("Note interne ajoutée")
    expect(timeline).to_contain_text("Photo transmise à la voirie.")
    assert_accessible(page)


def test_the_conversation_page_of_a_supervisor_is_accessible(
    page, live_server, supervisor, email_conversation
):
    signed_in(page, live_server, supervisor)
    page.goto(f"{live_server.url}/demandes/{email_conversation.pk}/")
    expect(page.get_by_label("Transférer au service")).to_be_visible()
    assert_accessible(page)


def logged_call(user, channel, contact, summary: str):
    """A call of a few minutes logged now by ``user``; the message."""
    return log_exchange(
        user,
        channel,
        contact,
        occurred_at=timezone.now(),
        summary=summary,
        duration_minutes=3,
        outcome="resolved",
    )


def test_the_conversation_page_of_a_phone_call_is_accessible(
    page, live_server, agent, phone_channel
):
    contact = create_contact(agent, display_name="Marcel Dupuis", phone="06 11 22 33 44")
    message = logged_call(agent, phone_channel, contact, "Demande d'horaires de la déchetterie.")
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/demandes/{message.conversation_id}/")
    expect(page.locator(".notice")).to_contain_text("ne permet pas de répondre")
    assert_accessible(page)


def test_a_conversation_form_with_an_error_is_accessible(
    page, live_server, agent, email_conversation
):
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/demandes/{email_conversation.pk}/")
    # Blank but for spaces: the browser lets it go, the server refuses it.
    page.get_by_label("Votre réponse").fill("   ")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.locator(".field-invalid")).to_have_count(1)
    assert_accessible(page)


def test_the_contact_list_is_accessible(
    page, live_server, agent, email_conversation, phone_channel
):
    # Agents list the contacts of their teams' conversations: give the association one.
    tilleuls = create_contact(agent, display_name="Association des Tilleuls", is_organisation=True)
    logged_call(agent, phone_channel, tilleuls, "Demande de salle.")
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/usagers/")
    expect(page.locator("#resultats tbody tr")).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("searchbox", name="Rechercher un usager").fill("Benali")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#resultats tbody tr")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("searchbox", name="Rechercher un usager").fill("personne de ce nom")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_text("Aucun usager trouvé.")).to_be_visible()
    assert_accessible(page)


def test_the_contact_page_with_its_history_is_accessible(
    page, live_server, supervisor, email_conversation
):
    karim = email_conversation.contact
    twin = create_contact(supervisor, display_name="K. Benali", phone="06 98 76 54 32")
    merge_contacts(supervisor, twin, karim)
    signed_in(page, live_server, supervisor)
    page.goto(f"{live_server.url}/usagers/{karim.pk}/")
    expect(page.locator(".history-table tbody tr")).to_have_count(4)
    expect(page.get_by_text("Fiches fusionnées dans celle-ci")).to_be_visible()
    assert_accessible(page)

    # The merged-away contact says where it went and offers the undo.
    page.get_by_role("link", name="K. Benali").click()
    expect(page.get_by_role("button", name="Annuler cette fusion")).to_be_visible()
    assert_accessible(page)


def test_the_new_contact_form_is_accessible_blank_and_with_errors(page, live_server, agent):
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/usagers/nouveau/")
    assert_accessible(page)
    page.get_by_label("Adresse électronique (facultatif)").fill("pas-une-adresse")
    page.get_by_label("Téléphone (facultatif)").fill("12")
    page.get_by_role("button", name="Créer la fiche").click()
    expect(page.locator(".field-invalid")).to_have_count(3)
    assert_accessible(page)


def test_the_log_exchange_form_is_accessible_blank_and_with_errors(
    page, live_server, agent, phone_channel, counter_channel, email_conversation
):
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/usagers/{email_conversation.contact_id}/consigner/")
    expect(page.get_by_label("Reçu : l'usager nous a contactés ou s'est présenté")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Résumé de l'échange").fill("")
    page.get_by_label("Durée en minutes (facultatif)").fill("-4")
    page.get_by_role("button", name="Enregistrer l'échange").click()
    expect(page.locator(".field-invalid")).to_have_count(2)
    assert_accessible(page)


def test_the_merge_pages_of_a_supervisor_are_accessible(
    page, live_server, supervisor, email_conversation, phone_channel
):
    karim = email_conversation.contact
    twin = create_contact(supervisor, display_name="K. Benali", phone="06 98 76 54 32")
    # A twin is born of an exchange logged under a new card: it is the team's contact.
    logged_call(supervisor, phone_channel, twin, "Appel.")
    signed_in(page, live_server, supervisor)
    page.goto(f"{live_server.url}/usagers/{twin.pk}/fusionner/")
    assert_accessible(page)
    page.get_by_role("searchbox", name="Rechercher un usager").fill("Benali")
    page.get_by_role("button", name="Rechercher").click()
    assert_accessible(page)
    page.get_by_role("link", name="Choisir Karim Benali").click()
    expect(page.get_by_role("button", name="Confirmer la fusion")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer la fusion").click()
    expect(page).to_have_url(f"{live_server.url}/usagers/{karim.pk}/")
    assert_accessible(page)


def test_the_failed_events_page_of_an_administrator_is_accessible(
    page, live_server, admin_user, webform_channel
):
    received = receive_event(
        webform_channel, b"{pas du json", "application/json", "casse-1", enqueue=False
    )
    assert process_event(received.event.pk).state == EventState.PARKED
    signed_in(page, live_server, admin_user)
    page.goto(f"{live_server.url}/evenements/")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator(".error-text")).to_contain_text("Contenu JSON illisible")
    assert_accessible(page)
    page.get_by_role("button", name="Retraiter l'événement n°").click()
    expect(page.locator(".flash")).to_contain_text("1 événement remis en traitement.")
    assert_accessible(page)


# --- Citizen portal -------------------------------------------------------------------------


def test_the_portal_home_is_accessible_blank_and_with_errors(
    page, live_server, webform_channel, category
):
    page.goto(f"{live_server.url}/portail/")
    assert_accessible(page)
    page.get_by_label("Adresse électronique").fill("pas-une-adresse")
    page.get_by_label("Numéro de téléphone").fill("12")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient 3 erreurs")
    assert_accessible(page)


def test_the_confirmation_and_tracking_pages_are_accessible(
    page, live_server, webform_channel, category, agent
):
    page.goto(f"{live_server.url}/portail/")
    page.get_by_label("Votre nom").fill("Inès Moreau")
    page.get_by_label("Adresse électronique").fill("ines.moreau@example.fr")
    page.get_by_label("Thème").select_option(label="Voirie")
    page.get_by_label("Adresse ou lieu concerné").fill("8 rue Pasteur")
    page.get_by_label("Votre message").fill("Une plaque d'égout est descellée.")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("heading", name="Votre demande a bien été envoyée")).to_be_visible()
    assert_accessible(page)
    reference = page.locator(".reference strong").inner_text()

    page.get_by_role("link", name="Suivre une demande").last.click()
    assert_accessible(page)

    page.get_by_label("Référence de la demande").fill("V-99999")
    page.get_by_label("Adresse électronique").fill("ines.moreau@example.fr")
    page.get_by_role("button", name="Voir ma demande").click()
    expect(page.get_by_role("alert")).to_contain_text("Aucune demande ne correspond")
    assert_accessible(page)

    page.get_by_label("Référence de la demande").fill("")
    page.get_by_label("Adresse électronique").fill("")
    page.get_by_role("button", name="Voir ma demande").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient 2 erreurs")
    assert_accessible(page)

    conversation = Conversation.objects.get(pk=int(reference.split("-")[1]))
    reply_to_conversation(agent, conversation, "Bonjour, c'est réparé.", then_status="resolved")
    page.get_by_label("Référence de la demande").fill(reference)
    page.get_by_label("Adresse électronique").fill("ines.moreau@example.fr")
    page.get_by_role("button", name="Voir ma demande").click()
    expect(page.locator(".exchange-answer")).to_contain_text("c'est réparé")
    assert_accessible(page)


def test_the_rate_limited_page_is_accessible(page, live_server, webform_channel, settings):
    settings.PORTAL_RATE_LIMIT = "1/h"
    page.goto(f"{live_server.url}/portail/suivi/")
    page.get_by_role("button", name="Voir ma demande").click()
    page.get_by_role("button", name="Voir ma demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trop de demandes")
    assert_accessible(page)


def test_the_unavailable_portal_page_is_accessible(page, live_server):
    response = page.goto(f"{live_server.url}/portail/")
    assert response.status == 503
    expect(page.get_by_role("heading", level=1)).to_contain_text("ne peut pas recevoir")
    assert axe_violations(page) == []
    # Chromium logs the 503 itself; nothing else may go wrong.
    assert [e for e in page.console_errors if "status of 503" not in e] == []


# --- The checks themselves ------------------------------------------------------------------


def test_the_checks_catch_a_violation_a_csp_breach_and_a_script_error(page, live_server):
    """The assertions above would fail if a page broke a rule: nothing here passes vacuously."""
    page.goto(f"{live_server.url}/connexion/")
    page.evaluate(
        """() => {
            document.body.append(Object.assign(document.createElement("img"),
                                               {src: "/static/civique/favicon.svg"}));
            document.body.append(Object.assign(document.createElement("script"),
                                               {textContent: "window.inline = true"}));
            setTimeout(() => { throw new Error("boum"); });
        }"""
    )
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")  # after "boum"
    assert any(v.startswith("image-alt:") for v in axe_violations(page))
    assert page.evaluate("window.inline") is None
    assert any("Content Security Policy" in e for e in page.console_errors)
    assert any(e.startswith("pageerror:") and "boum" in e for e in page.console_errors)
