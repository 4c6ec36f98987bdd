"""Email through the whole intake: InboundEvent → pipeline → contact, conversation, message."""

from __future__ import annotations

from civique.contacts.models import Contact, Identity
from civique.inbox.models import Conversation, Direction, Message, TimelineEntry
from civique.ingest.models import EventState, InboundEvent
from tests.channels.mail import eml, ingest, mail


def only_message(event: InboundEvent) -> Message:
    assert event.state == EventState.DONE, event.last_error
    (pk,) = event.message_ids
    return Message.objects.get(pk=pk)


def test_a_citizen_mail_becomes_a_contact_a_conversation_and_a_message(email_channel, team):
    message = only_message(ingest(email_channel, eml("depot-sauvage-windows-1252.eml")))
    identity = Identity.objects.get(kind="email")
    assert identity.value == "renee.lefevre@orange.fr"
    assert identity.contact.display_name == "Renée Lefèvre"
    conversation = message.conversation
    assert conversation.contact == identity.contact
    assert conversation.subject == "Dépôt sauvage rue des Tilleuls"
    assert conversation.team == team
    # The fixture is dated January 2025, long before it is received here: the clocks count from
    # its reception, the sender's date is kept for display.
    assert conversation.waiting_since == InboundEvent.objects.get().received_at
    assert message.platform_timestamp.year == 2025
    assert message.direction == Direction.INBOUND
    assert message.author_contact == identity.contact
    assert message.external_id == "<000a01db6660$4f2e1c30$ed8a5490$@orange.fr>"
    assert "200 € à la collectivité" in message.text
    assert not message.is_automated


def test_the_same_mail_twice_gives_one_message(email_channel):
    raw = eml("depot-sauvage-windows-1252.eml")
    first = ingest(email_channel, raw)
    again = ingest(email_channel, raw)
    # The same mail fetched again under another IMAP UIDVALIDITY: another event, same message.
    refetched = ingest(email_channel, raw, external_id="imap:2:1")
    assert again.pk == first.pk
    assert refetched.pk != first.pk and refetched.state == EventState.DONE
    assert refetched.message_ids == first.message_ids
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1


def test_a_reply_with_in_reply_to_lands_in_the_same_conversation(email_channel):
    first = only_message(ingest(email_channel, eml("depot-sauvage-windows-1252.eml")))
    reply = mail(
        sender="Renée Lefèvre <renee.lefevre@orange.fr>",
        subject="RE: Dépôt sauvage",
        message_id="<suite-1@orange.fr>",
        extra=f"In-Reply-To: {first.external_id}\nReferences: {first.external_id}\n",
    )
    second = only_message(ingest(email_channel, reply))
    assert second.conversation == first.conversation
    assert second.in_reply_to == first.external_id
    assert Conversation.objects.count() == 1


def test_a_reference_token_from_the_same_contact_threads(email_channel):
    first = only_message(ingest(email_channel, eml("depot-sauvage-windows-1252.eml")))
    token = f"[#{first.conversation.reference}]"
    again = mail(
        sender="renee.lefevre@orange.fr", subject=f"Toujours là {token}", message_id="<t@o.fr>"
    )
    assert only_message(ingest(email_channel, again)).conversation == first.conversation


def test_a_reference_token_from_someone_else_does_not_thread(email_channel):
    first = only_message(ingest(email_channel, eml("depot-sauvage-windows-1252.eml")))
    token = f"[#{first.conversation.reference}]"
    other = mail(sender="intrus@exemple.fr", subject=f"Re: {token}", message_id="<i@e.fr>")
    assert only_message(ingest(email_channel, other)).conversation != first.conversation


def test_attachments_and_inline_images_are_stored(email_channel):
    message = only_message(ingest(email_channel, eml("iphone-photo-et-pdf.eml")))
    photo, pdf = message.attachments.order_by("id")
    assert (photo.is_inline, photo.content_type) == (True, "image/jpeg")
    assert photo.content_id == "4F1A2B3C-0D4E-4F5A-8B6C-7D8E9F0A1B2C@home"
    assert (pdf.is_inline, pdf.content_type) == (False, "application/pdf")
    assert pdf.filename == "Justificatif de domicile été 2024.pdf"
    assert pdf.file.read().startswith(b"%PDF-")
    assert 'src="cid:4F1A2B3C-0D4E-4F5A-8B6C-7D8E9F0A1B2C@home"' in message.html


def test_html_mail_is_sanitised_and_searchable(email_channel):
    message = only_message(ingest(email_channel, eml("lettre-information-html.eml")))
    assert "<script" not in message.html
    assert "alert(" not in message.html
    assert "<strong>brocante de printemps</strong>" in message.html
    assert "brocante de printemps" in message.text


def test_automated_mail_is_kept_flagged_and_starts_no_waiting_clock(email_channel):
    message = only_message(ingest(email_channel, eml("outlook-reponse-automatique.eml")))
    assert message.is_automated
    assert "Auto-Submitted" in message.meta["automated_reason"]
    assert message.conversation.waiting_since is None
    assert message.conversation.last_inbound_at is None


def test_a_bounce_of_our_reply_lands_on_the_conversation(email_channel):
    citizen = only_message(ingest(email_channel, eml("depot-sauvage-windows-1252.eml")))
    Message.objects.create(
        conversation=citizen.conversation,
        channel=email_channel,
        direction=Direction.OUTBOUND,
        kind="message",
        visibility="private",
        text="Bonjour, le lampadaire sera remplacé jeudi.",
        external_id="<civique.42.a1b2c3d4e5f60718@valmont.example>",
    )
    bounce = only_message(ingest(email_channel, eml("postfix-non-remis.eml")))
    assert bounce.conversation == citizen.conversation
    assert bounce.is_automated
    assert bounce.meta["automated_kind"] == "bounce"


def test_a_mail_without_date_or_subject_is_kept(email_channel):
    event = ingest(email_channel, eml("sans-date-ni-objet.eml"))
    message = only_message(event)
    assert message.platform_timestamp is None
    assert message.conversation.subject.startswith("Bonjour, a quelle heure ouvre la mairie")


def test_a_malformed_sender_keeps_the_message_without_a_contact(email_channel):
    message = only_message(ingest(email_channel, eml("expediteur-invalide.eml")))
    assert message.author_contact is None
    assert Contact.objects.count() == 0
    notes = TimelineEntry.objects.filter(conversation=message.conversation, kind="system")
    assert any("Jean-Pierre Dumas chez free" in e.data["text"] for e in notes)


def test_invalid_bytes_give_a_kept_readable_message(email_channel):
    message = only_message(ingest(email_channel, eml("octets-invalides.eml")))
    message.refresh_from_db()
    assert message.subject == "Problème de ramassage des déchets"
    assert "n'ont pas été ramassées mardi" in message.text
    assert "\x00" not in message.text


def test_a_payload_that_is_not_an_email_is_parked_with_a_clear_error(email_channel):
    event = ingest(email_channel, b"Bonjour, ceci n'est pas un courriel.\n")
    assert event.state == EventState.PARKED
    assert event.last_error == "Ce contenu n'est pas un courriel (aucun en-tête de message)."
    assert Message.objects.count() == 0
    assert Conversation.objects.count() == 0
    assert bytes(event.payload) == b"Bonjour, ceci n'est pas un courriel.\n"  # kept for replay
