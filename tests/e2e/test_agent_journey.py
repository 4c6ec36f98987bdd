"""An agent's day, in the browser: log in, filter the inbox, answer an email (which really
leaves over SMTP, threaded), log a phone call, and find both on the citizen's history."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from civique.inbox.actions import change_status
from civique.inbox.models import Conversation, Message
from civique.inbox.outbox import deliver_due
from tests.channels.mail import eml, ingest
from tests.e2e.conftest import log_in, signed_in
from tests.intake import request_from

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITIZEN_MESSAGE_ID = "<000a01db6660$4f2e1c30$ed8a5490$@orange.fr>"


@pytest.fixture
def email_request(smtp_channel) -> Conversation:
    """Renée Lefèvre's real Outlook mail (windows-1252) about fly-tipping, through the intake."""
    event = ingest(smtp_channel, eml("depot-sauvage-windows-1252.eml"))
    assert event.state == "done", event.last_error
    return Message.objects.get(pk=event.message_ids[0]).conversation


@pytest.fixture
def web_requests(webform_channel, admin_user) -> tuple[Conversation, Conversation]:
    """Two portal requests: one still to handle, one already resolved."""
    lamp = request_from(
        webform_channel,
        name="Paul Girard",
        email="paul.girard@example.fr",
        subject="Lampadaire éteint",
        text="Le lampadaire de la rue des Écoles ne s'allume plus.",
    )
    bench = request_from(
        webform_channel,
        name="Chloé Bernard",
        email="chloe.bernard@example.fr",
        subject="Banc cassé au square",
        text="Le banc du square Victor-Hugo est cassé.",
        hours_ago=30,
    )
    change_status(admin_user, bench, "resolved")
    return lamp, bench


def rows(page):
    return page.locator("#resultats tbody tr")


def log_in_with_the_keyboard(page, live_server) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/connexion/?next=/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # The user name field has the focus on arrival; Tab reaches the password, Enter sends.
    expect(page.get_by_label("Nom d’utilisateur")).to_be_focused()
    page.keyboard.type("agent")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type("motdepasse-agent")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/")

    # On the inbox, the first Tab shows the skip link; Enter takes the focus to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def filter_the_inbox(page, email_request, lamp, bench) -> None:
    count = page.locator("#nombre-resultats")
    expect(page.get_by_role("heading", name="Boîte de réception", level=1)).to_be_visible()
    expect(count).to_have_text("2 demandes trouvées")
    expect(rows(page)).to_have_count(2)

    # Choosing a channel updates the list in place (htmx, under the CSP) and the address.
    with page.expect_request(lambda r: r.headers.get("hx-request") == "true"):
        page.get_by_label("Canal").select_option(label="contact@valmont.example")
    expect(count).to_have_text("1 demande trouvée")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(email_request.subject)
    expect(page).to_have_url(re.compile(rf"[?&]channel={email_request.channel_id}(&|$)"))

    # Status then channel back to all, applied with the Filtrer button.
    page.get_by_label("Statut").select_option(label="Résolue")
    page.get_by_label("Canal").select_option(label="Tous")
    page.get_by_role("button", name="Filtrer").click()
    expect(count).to_have_text("1 demande trouvée")
    expect(rows(page).first).to_contain_text(bench.subject)

    # Full-text search, typed and sent with Enter, over every status.
    page.get_by_label("Statut").select_option(label="Tous les statuts")
    expect(count).to_have_text("3 demandes trouvées")
    search = page.get_by_label("Rechercher")
    search.fill("matelas")
    search.press("Enter")
    expect(count).to_have_text("1 demande trouvée")
    expect(rows(page).first).to_contain_text(email_request.subject)
    expect(page.get_by_text(lamp.subject)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]q=matelas(&|$)"))


def answer_the_email(page, email_request, recorder) -> None:
    page.get_by_role("link", name=email_request.subject).click()
    expect(page.get_by_role("heading", name=email_request.subject, level=1)).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("un vieux matelas")

    page.get_by_label("Votre réponse").fill(
        "Bonjour Madame,\nUne équipe de la propreté passe demain matin.\nCordialement."
    )
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.locator("#annonce")).to_contain_text(
        f"Réponse enregistrée sur la demande {email_request.reference}"
    )
    reply = page.locator(".entry-out").last
    expect(reply).to_contain_text("Une équipe de la propreté passe demain matin.")
    expect(reply).to_contain_text("par Bruno Martin")
    expect(reply.locator(".delivery")).to_contain_text("En file d'attente")
    assert recorder.mails == []

    # The worker's outbox run: the answer leaves over SMTP, threaded in the citizen's client.
    assert deliver_due() == 1
    (sent,) = recorder.mails
    assert sent["In-Reply-To"] == CITIZEN_MESSAGE_ID
    assert CITIZEN_MESSAGE_ID in sent["References"]
    assert f"[#{email_request.reference}]" in sent["Subject"]
    assert sent["To"] == "Renée Lefèvre <renee.lefevre@orange.fr>"
    assert (
        "Une équipe de la propreté passe demain matin." in sent.get_body(("plain",)).get_content()
    )

    page.reload()
    expect(page.locator(".entry-out").last.locator(".delivery")).to_contain_text("Envoyé")
    expect(page.locator(".timeline")).to_contain_text("Réponse envoyée")


def log_a_call(page, email_request, phone_channel) -> None:
    page.locator(".facts").get_by_role("link", name="Renée Lefèvre").click()
    expect(page.get_by_role("heading", name="Renée Lefèvre", level=1)).to_be_visible()
    page.get_by_role("link", name="Consigner un appel ou une visite").click()

    page.get_by_label("Type d'échange et canal").select_option(str(phone_channel.pk))
    page.get_by_label("Reçu : l'usager nous a contactés ou s'est présenté").check()
    page.get_by_label("Durée en minutes (facultatif)").fill("6")
    page.get_by_label("Résumé de l'échange").fill(
        "Mme Lefèvre rappelle : les gravats sont toujours devant le 12."
    )
    page.get_by_label("Issue").select_option(label="Rappel prévu")
    page.get_by_label("Demande concernée").select_option(str(email_request.pk))
    page.get_by_role("button", name="Enregistrer l'échange").click()

    expect(page.get_by_role("heading", name="Renée Lefèvre", level=1)).to_be_visible()
    expect(page.locator(".flash")).to_contain_text(
        f"Échange consigné sur la demande {email_request.reference} : Appel téléphonique."
    )
    history = page.locator(".history-table tbody tr")
    expect(history).to_have_count(3)
    call = history.filter(has_text="Appel téléphonique")
    answer = history.filter(has_text="Envoyé (Bruno Martin)")
    mail = history.last  # the oldest exchange: the citizen's mail of January
    expect(call).to_contain_text("Standard")
    expect(call).to_contain_text("Appel téléphonique")
    expect(call).to_contain_text("les gravats sont toujours devant le 12")
    expect(call).to_contain_text("Rappel prévu")
    expect(answer).to_contain_text("contact@valmont.example")
    expect(answer).to_contain_text("Une équipe de la propreté passe demain matin.")
    expect(mail).to_contain_text("contact@valmont.example")
    expect(mail).to_contain_text("un vieux matelas")
    for row in (call, answer, mail):
        expect(row).to_contain_text(email_request.reference)


def test_an_agent_filters_the_inbox_answers_an_email_and_logs_a_call(
    page, live_server, agent, email_request, web_requests, phone_channel, smtp_server
):
    lamp, bench = web_requests
    _controller, recorder = smtp_server

    log_in_with_the_keyboard(page, live_server)
    filter_the_inbox(page, email_request, lamp, bench)
    answer_the_email(page, email_request, recorder)
    log_a_call(page, email_request, phone_channel)

    assert page.console_errors == []


def test_the_login_form_says_when_the_password_is_wrong(page, live_server, agent):
    log_in_page = f"{live_server.url}/connexion/"
    page.goto(log_in_page)
    page.get_by_label("Nom d’utilisateur").fill("agent")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Saisissez un nom d’utilisateur")
    expect(page).to_have_url(log_in_page)
    log_in(page, live_server, "agent", "motdepasse-agent")
    assert page.console_errors == []


def test_a_conversation_is_worked_with_the_keyboard_and_each_outcome_is_announced(
    page, live_server, agent, web_requests
):
    lamp, _bench = web_requests
    signed_in(page, live_server, agent)
    page.goto(f"{live_server.url}/demandes/{lamp.pk}/")
    announcement = page.locator("#annonce[role=status]")
    reply = page.get_by_label("Votre réponse")
    send = page.get_by_role("button", name="Envoyer la réponse")

    # Spaces only: refused, and the refusal is read out while the focus stays on the button.
    reply.focus()
    page.keyboard.type("   ")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Statut après réponse")).to_be_focused()
    page.keyboard.press("Tab")
    expect(send).to_be_focused()
    page.keyboard.press("Enter")
    expect(announcement).to_have_text(
        "Rien n'a été enregistré. Votre réponse : Ce champ est obligatoire."
    )
    expect(send).to_be_focused()
    expect(reply).to_have_attribute("aria-invalid", "true")

    # Back to the answer, written this time, and sent again from the keyboard.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(reply).to_be_focused()
    page.keyboard.type("Bonjour, la réparation est prévue vendredi.")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # then status: "En attente de l'usager"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(announcement).to_have_text(
        f"Réponse enregistrée sur la demande {lamp.reference} ; elle part par son canal."
    )
    expect(send).to_be_focused()
    expect(page.locator(".entry-out")).to_contain_text("la réparation est prévue vendredi.")
    expect(page.locator(".facts")).to_contain_text("En attente de l'usager")
    assert page.console_errors == []
