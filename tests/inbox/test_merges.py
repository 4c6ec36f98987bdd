"""Merging two contacts: proposed by a person, confirmed, audited, undone exactly."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from civique.contacts.models import Contact, ContactMerge
from civique.core.models import AuditEvent
from civique.inbox import merges
from civique.inbox.actions import ActionError
from civique.inbox.models import TimelineEntry
from tests.intake import deliver, request_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def by_email(webform_channel) -> Contact:
    return request_from(
        webform_channel, subject="Par courriel", name="Jeanne Roux", email="jeanne@example.org"
    ).contact


@pytest.fixture
def by_phone(phone_channel) -> Contact:
    return deliver(
        phone_channel, name="J. Roux", phone="0612345678", text="Appel."
    ).conversation.contact


def merge_url(source, target=None) -> str:
    url = reverse("contacts:merge", args=[source.pk])
    return f"{url}?cible={target.pk}" if target else url


def test_an_agent_cannot_merge(client, agent, by_email, by_phone):
    client.force_login(agent)

    assert client.get(merge_url(by_phone, by_email)).status_code == 403
    assert client.post(merge_url(by_phone), {"cible": by_email.pk}).status_code == 403
    by_phone.refresh_from_db()
    assert by_phone.merged_into is None


def test_the_merge_action_refuses_an_agent(agent, by_email, by_phone):
    with pytest.raises(ActionError):
        merges.merge_contacts(agent, by_phone, by_email)


def test_a_supervisor_finds_the_other_contact_and_sees_a_confirmation_page(
    client, supervisor, by_email, by_phone
):
    client.force_login(supervisor)

    search = client.get(merge_url(by_phone), {"q": "jeanne@example.org"})
    confirm = client.get(merge_url(by_phone, by_email))

    assert f"?cible={by_email.pk}" in search.text
    assert "Confirmer la fusion" in confirm.text
    assert "06 12 34 56 78" in confirm.text
    by_phone.refresh_from_db()
    assert by_phone.merged_into is None  # nothing happens before the confirmation


def test_a_confirmed_merge_moves_identities_conversations_and_messages(
    client, supervisor, by_email, by_phone
):
    client.force_login(supervisor)
    phone_conversation = by_phone.conversations.get()

    response = client.post(merge_url(by_phone), {"cible": by_email.pk})

    assert response["Location"] == reverse("contacts:detail", args=[by_email.pk])
    by_phone.refresh_from_db()
    assert by_phone.merged_into == by_email
    assert set(by_email.identities.values_list("kind", flat=True)) == {"email", "phone"}
    phone_conversation.refresh_from_db()
    assert phone_conversation.contact == by_email
    assert by_email.messages.count() == 2
    merge = ContactMerge.objects.get()
    assert merge.conversation_ids == [phone_conversation.pk]
    assert AuditEvent.objects.filter(verb="contact.merge", actor=supervisor).exists()
    assert TimelineEntry.objects.filter(conversation=phone_conversation, kind="contact").exists()
    html = unescape(client.get(reverse("contacts:detail", args=[by_email.pk])).text)
    assert "Appel." in html
    assert "Annuler la fusion de J. Roux" in html


def test_a_new_message_from_the_merged_identity_reaches_the_kept_contact(
    supervisor, by_email, by_phone, phone_channel
):
    merges.merge_contacts(supervisor, by_phone, by_email)

    message = deliver(phone_channel, phone="06 12 34 56 78", text="Encore moi.")

    assert message.conversation.contact == by_email


def test_undo_moves_exactly_what_was_merged_back(client, supervisor, by_email, by_phone):
    email_conversation = by_email.conversations.get()
    phone_conversation = by_phone.conversations.get()
    merge = merges.merge_contacts(supervisor, by_phone, by_email)
    client.force_login(supervisor)

    response = client.post(reverse("contacts:undo_merge", args=[merge.pk]))

    assert response["Location"] == reverse("contacts:detail", args=[by_phone.pk])
    by_phone.refresh_from_db()
    assert by_phone.merged_into is None
    assert list(by_phone.identities.values_list("kind", flat=True)) == ["phone"]
    assert list(by_email.identities.values_list("kind", flat=True)) == ["email"]
    phone_conversation.refresh_from_db()
    email_conversation.refresh_from_db()
    assert phone_conversation.contact == by_phone
    assert email_conversation.contact == by_email
    merge.refresh_from_db()
    assert merge.undone_by == supervisor
    assert AuditEvent.objects.filter(verb="contact.merge_undo").exists()
    assert (
        TimelineEntry.objects.filter(conversation=phone_conversation, kind="contact").count() == 2
    )


def test_undo_also_gives_back_what_the_merged_identity_sent_since(
    supervisor, by_email, by_phone, phone_channel, webform_channel
):
    merge = merges.merge_contacts(supervisor, by_phone, by_email)
    since_by_phone = deliver(phone_channel, phone="06 12 34 56 78", text="Encore moi.")
    since_by_email = deliver(webform_channel, email="jeanne@example.org", text="Et moi.")
    assert since_by_phone.conversation.contact == by_email

    merges.undo_merge(supervisor, merge)

    since_by_phone.refresh_from_db()
    since_by_email.refresh_from_db()
    assert since_by_phone.author_contact == by_phone
    assert since_by_phone.conversation.contact == by_phone
    assert since_by_email.author_contact == by_email
    assert since_by_email.conversation.contact == by_email
    undo = AuditEvent.objects.get(verb="contact.merge_undo")
    assert undo.changes["messages_since"] == [since_by_phone.pk]


def test_an_agent_cannot_undo_a_merge(client, agent, supervisor, by_email, by_phone):
    merge = merges.merge_contacts(supervisor, by_phone, by_email)
    client.force_login(agent)

    assert client.post(reverse("contacts:undo_merge", args=[merge.pk])).status_code == 403
    by_phone.refresh_from_db()
    assert by_phone.merged_into == by_email


def test_a_merge_is_undone_only_once(supervisor, by_email, by_phone):
    merge = merges.merge_contacts(supervisor, by_phone, by_email)
    merges.undo_merge(supervisor, merge)

    with pytest.raises(ActionError, match="déjà été annulée"):
        merges.undo_merge(supervisor, merge)


def test_a_contact_cannot_be_merged_into_itself(client, supervisor, by_email):
    client.force_login(supervisor)

    response = client.post(merge_url(by_email), {"cible": by_email.pk})

    assert response.status_code == 422
    assert "avec lui-même" in unescape(response.text)


def test_a_contact_cannot_be_merged_into_a_merged_contact(
    supervisor, by_email, by_phone, webform_channel
):
    third = request_from(webform_channel, email="autre@example.org").contact
    merges.merge_contacts(supervisor, by_phone, by_email)

    with pytest.raises(ActionError, match="fusionné dans une autre fiche"):
        merges.merge_contacts(supervisor, third, by_phone)


def test_the_merged_contact_page_points_to_the_kept_one(client, supervisor, by_email, by_phone):
    merges.merge_contacts(supervisor, by_phone, by_email)
    client.force_login(supervisor)

    html = unescape(client.get(reverse("contacts:detail", args=[by_phone.pk])).text)

    assert "Cette fiche a été fusionnée dans" in html
    assert reverse("contacts:detail", args=[by_email.pk]) in html
    assert "Annuler cette fusion" in html


def test_an_administrator_may_merge(admin_user, by_email, by_phone):
    merge = merges.merge_contacts(admin_user, by_phone, by_email)

    assert merge.actor == admin_user


def test_undo_gives_back_a_conversation_opened_by_a_mail_dated_before_the_merge(
    supervisor, by_email, by_phone, phone_channel
):
    from datetime import timedelta

    from django.utils import timezone

    merge = merges.merge_contacts(supervisor, by_phone, by_email)
    # Written two minutes before the merge, processed after it (a late mailbox poll).
    late = deliver(
        phone_channel,
        phone="06 12 34 56 78",
        text="Écrit avant.",
        occurred_at=(timezone.now() - timedelta(minutes=2)).isoformat(),
    )
    assert late.conversation.contact == by_email

    merges.undo_merge(supervisor, merge)

    late.refresh_from_db()
    assert late.conversation.contact == by_phone
