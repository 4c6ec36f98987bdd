"""Contact pages: search, identities, history across channels, new contact, logged exchanges."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from civique.channels.models import Channel
from civique.contacts.models import Contact, Identity
from civique.core.models import AuditEvent
from civique.inbox.models import Message, MessageKind
from tests.intake import deliver, request_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def jeanne(webform_channel) -> Contact:
    conversation = request_from(
        webform_channel,
        hours_ago=48,
        subject="Lampadaire",
        name="Jeanne Roux",
        email="Jeanne.Roux@Example.org",
        text="Le lampadaire est éteint.",
    )
    contact = conversation.contact
    Identity.objects.create(contact=contact, kind="phone", value="+33612345678")
    return contact


def detail(contact) -> str:
    return reverse("contacts:detail", args=[contact.pk])


def log_url(contact) -> str:
    return reverse("contacts:log", args=[contact.pk])


def names(response) -> list[str]:
    return [c.display_name for c in response.context["page"].object_list]


def test_contact_pages_need_a_login(client, jeanne):
    assert client.get(reverse("contacts:list")).status_code == 302
    assert client.get(detail(jeanne)).status_code == 302


def test_it_finds_a_contact_by_name_email_or_phone(client, agent, admin_user, jeanne):
    Contact.objects.create(display_name="Paul Martin")  # no conversation: only the admin sees him
    client.force_login(agent)
    url = reverse("contacts:list")

    assert names(client.get(url, {"q": "roux"})) == ["Jeanne Roux"]
    assert names(client.get(url, {"q": "jeanne.roux@example"})) == ["Jeanne Roux"]
    assert names(client.get(url, {"q": "06 12 34 56 78"})) == ["Jeanne Roux"]
    assert names(client.get(url, {"q": "Martin"})) == []
    client.force_login(admin_user)
    assert names(client.get(url, {"q": "Martin"})) == ["Paul Martin"]


def test_the_contact_page_shows_every_identity_with_phones_in_national_form(client, agent, jeanne):
    client.force_login(agent)

    html = client.get(detail(jeanne)).text

    assert "jeanne.roux@example.org" in html.lower()
    assert "06 12 34 56 78" in html


def test_an_agent_of_another_team_cannot_open_the_contact(client, outsider, jeanne):
    client.force_login(outsider)

    response = client.get(detail(jeanne))

    assert response.status_code == 404
    assert "jeanne.roux@example.org" not in response.text.lower()
    assert client.get(log_url(jeanne)).status_code == 404


def test_the_history_mixes_channels_newest_first(client, agent, jeanne, phone_channel):
    deliver(
        phone_channel,
        contact_id=jeanne.pk,
        text="Appel pour relancer.",
        occurred_at=(timezone.now() - timedelta(hours=1)).isoformat(),
    )
    client.force_login(agent)

    html = client.get(detail(jeanne)).text

    assert html.index("Appel pour relancer.") < html.index("Le lampadaire est éteint.")
    assert "Appel téléphonique" in html
    assert "Standard" in html


def test_a_new_contact_is_created_with_normalised_identities(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("contacts:create"),
        {
            "display_name": "Marc Petit",
            "email": " Marc@Example.ORG ",
            "phone": "06 11 22 33 44",
            "next": "log",
        },
    )

    contact = Contact.objects.get(display_name="Marc Petit")
    assert response["Location"] == log_url(contact)
    assert set(contact.identities.values_list("kind", "value")) == {
        ("email", "marc@example.org"),
        ("phone", "+33611223344"),
    }
    assert AuditEvent.objects.filter(verb="contact.create", object_id=str(contact.pk)).exists()


def test_an_identity_already_taken_is_a_clear_error_and_nothing_is_merged(client, agent, jeanne):
    client.force_login(agent)

    response = client.post(
        reverse("contacts:create"),
        {"display_name": "Jeanne R.", "email": "jeanne.roux@example.org", "next": "contact"},
    )

    assert response.status_code == 422
    html = unescape(response.text)
    assert "appartient déjà à l'usager « Jeanne Roux »" in html
    assert detail(jeanne) in html
    assert not Contact.objects.filter(display_name="Jeanne R.").exists()


def test_an_invalid_phone_is_refused(client, agent):
    client.force_login(agent)

    response = client.post(reverse("contacts:create"), {"display_name": "Marc", "phone": "12"})

    assert response.status_code == 422
    assert "Numéro de téléphone invalide" in unescape(response.text)
    assert not Contact.objects.exists()


def log_form(channel: Channel, **overrides) -> dict:
    data = {
        "channel": channel.pk,
        "direction": "in",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "7",
        "summary": "Demande d'acte de naissance.",
        "outcome": "resolved",
    }
    data.update(overrides)
    return data


def test_an_agent_logs_a_call_and_a_visit_and_sees_them_on_the_history(
    client, agent, jeanne, phone_channel, counter_channel
):
    client.force_login(agent)

    call = client.post(log_url(jeanne), log_form(phone_channel, summary="Appel : acte."))
    visit = client.post(
        log_url(jeanne), log_form(counter_channel, summary="Visite : pièce d'identité.")
    )

    assert call.status_code == 302
    assert visit.status_code == 302
    kinds = set(Message.objects.filter(conversation__contact=jeanne).values_list("kind", flat=True))
    assert {MessageKind.CALL, MessageKind.VISIT} <= kinds
    call_message = Message.objects.get(kind=MessageKind.CALL)
    assert call_message.author_agent == agent
    assert call_message.meta["duration_minutes"] == 7
    html = unescape(client.get(detail(jeanne)).text)
    assert "Appel : acte." in html
    assert "Visite : pièce d'identité." in html
    assert "Visite à l'accueil" in html


def test_a_call_logged_on_a_conversation_joins_its_timeline(client, agent, jeanne, phone_channel):
    conversation = jeanne.conversations.get()
    client.force_login(agent)

    page = client.get(log_url(jeanne) + f"?demande={conversation.pk}")
    client.post(
        log_url(jeanne),
        log_form(phone_channel, conversation=conversation.pk, summary="Rappel de l'usagère."),
    )

    assert page.context["form"]["conversation"].initial == conversation.pk
    assert Message.objects.get(kind=MessageKind.CALL).conversation == conversation
    html = unescape(client.get(reverse("inbox:detail", args=[conversation.pk])).text)
    assert "Rappel de l'usagère." in html
    assert "Durée : 7 minutes" in html


def test_the_conversation_page_links_to_logging_an_exchange(client, agent, jeanne):
    conversation = jeanne.conversations.get()
    client.force_login(agent)

    html = client.get(reverse("inbox:detail", args=[conversation.pk])).text

    assert f"{log_url(jeanne)}?demande={conversation.pk}" in html


def test_an_exchange_in_the_future_is_refused(client, agent, jeanne, phone_channel):
    client.force_login(agent)
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(log_url(jeanne), log_form(phone_channel, occurred_at=tomorrow))

    assert response.status_code == 422
    assert "dans le futur" in response.text
    assert not Message.objects.filter(kind=MessageKind.CALL).exists()


def test_an_exchange_dated_before_1900_is_refused_with_a_form_error(
    client, agent, jeanne, phone_channel
):
    client.force_login(agent)

    response = client.post(log_url(jeanne), log_form(phone_channel, occurred_at="0001-01-01T00:00"))

    assert response.status_code == 422
    assert "antérieure à 1900" in response.text
    assert not Message.objects.filter(kind=MessageKind.CALL).exists()


def test_only_phone_and_counter_channels_of_the_agents_teams_are_offered(
    client, agent, phone_channel, counter_channel, webform_channel, other_team, jeanne
):
    Channel.objects.create(kind="phone", name="Standard voirie", team=other_team)
    client.force_login(agent)

    form = client.get(log_url(jeanne)).context["form"]

    assert set(form.fields["channel"].queryset) == {phone_channel, counter_channel}


def test_a_channel_of_another_team_is_refused(client, agent, other_team, jeanne):
    foreign = Channel.objects.create(kind="phone", name="Standard voirie", team=other_team)
    client.force_login(agent)

    response = client.post(log_url(jeanne), log_form(foreign))

    assert response.status_code == 422
    assert not Message.objects.filter(kind=MessageKind.CALL).exists()


def test_the_date_field_defaults_to_now_in_paris_time(client, agent, jeanne, phone_channel):
    client.force_login(agent)

    html = client.get(log_url(jeanne)).text

    assert 'type="datetime-local"' in html
    assert timezone.localtime().strftime("%Y-%m-%dT") in html


def test_an_htmx_search_gets_only_the_results(client, agent, jeanne):
    client.force_login(agent)

    response = client.get(reverse("contacts:list"), {"q": "roux"}, HTTP_HX_REQUEST="true")

    assert "<html" not in response.text
    assert "Jeanne Roux" in response.text
    assert 'hx-swap-oob="innerHTML"' in response.text


def test_the_history_orders_a_mail_with_an_absurd_date_by_its_reception(
    client, agent, email_channel
):
    from civique.inbox.access import contact_history
    from civique.ingest.actions import receive_and_process

    def mail(message_id: str, date: str, text: str) -> bytes:
        return (
            f"From: jeanne@example.org\r\nTo: contact@valmont.example\r\nSubject: {text}\r\n"
            f"Message-ID: {message_id}\r\nDate: {date}\r\n\r\n{text}"
        ).encode()

    receive_and_process(
        email_channel, mail("<a@x>", "Mon, 1 Jan 2001 10:00:00 +0000", "Vieux"), "message/rfc822"
    )
    receive_and_process(
        email_channel, mail("<b@x>", "Mon, 1 Jan 2001 09:00:00 +0000", "Bis"), "message/rfc822"
    )
    from civique.contacts.models import Contact

    messages = contact_history(agent, Contact.objects.get())
    # Both received just now; the later reception comes first, whatever the sender claimed.
    assert [m.text.strip() for m in messages] == ["Bis", "Vieux"]
    assert all(m.at.year > 2001 for m in messages)
