"""Threading does not depend on the order in which a mail and its reply are processed, nor on
how many workers process them (see ingest/serialise.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime

from django.db import connection, transaction
from django.utils import timezone

from civique.channels.connectors.base import ParsedMessage, Sender
from civique.inbox.models import Conversation, Message, TimelineEntry
from civique.ingest.models import EventState
from civique.ingest.serialise import advisory_key, hold_locks, lock_keys
from tests.channels.mail import ingest, mail


def dated(raw: bytes, when: datetime) -> bytes:
    return raw.replace(b"Wed, 22 Jan 2025 10:00:00 +0100", format_datetime(when).encode())


PARENT = mail(
    subject="Lampadaire éteint rue des Écoles",
    message_id="<parent-1@orange.fr>",
    body="Bonjour,\nle lampadaire du 12 est éteint.\n",
)
REPLY = mail(
    subject="RE: Lampadaire éteint rue des Écoles",
    message_id="<reply-1@orange.fr>",
    body="J'ajoute : celui du 14 aussi.\n",
    extra="In-Reply-To: <parent-1@orange.fr>\nReferences: <parent-1@orange.fr>\n",
)


def test_a_parent_stored_after_its_reply_joins_the_replys_conversation(email_channel):
    now = timezone.now()
    reply = ingest(email_channel, dated(REPLY, now - timedelta(minutes=5)))
    parent = ingest(email_channel, dated(PARENT, now - timedelta(minutes=30)))
    assert reply.state == parent.state == EventState.DONE
    assert Conversation.objects.count() == 1
    conversation = Conversation.objects.get()
    assert set(conversation.messages.values_list("external_id", flat=True)) == {
        "<parent-1@orange.fr>",
        "<reply-1@orange.fr>",
    }
    # The conversation starts with the parent: its subject, and its clock from the parent on.
    assert conversation.subject == "Lampadaire éteint rue des Écoles"
    parent_sent = (now - timedelta(minutes=30)).replace(microsecond=0)
    assert conversation.created_at == parent_sent
    assert conversation.waiting_since == parent_sent
    timeline = TimelineEntry.objects.filter(conversation=conversation, kind="message")
    assert [entry.message.external_id for entry in timeline] == [
        "<parent-1@orange.fr>",
        "<reply-1@orange.fr>",
    ]
    assert reply.state == parent.state == EventState.DONE


def test_a_late_parent_gives_its_subject_even_when_its_date_is_not_believed(email_channel):
    ingest(email_channel, REPLY)  # both dated January 2025: the reception time counts
    ingest(email_channel, PARENT)
    conversation = Conversation.objects.get()
    assert conversation.subject == "Lampadaire éteint rue des Écoles"


def test_a_parent_does_not_join_a_reply_written_by_someone_else(email_channel):
    neighbour_reply = REPLY.replace(b"renee.lefevre@orange.fr", b"voisin@example.org")
    ingest(email_channel, neighbour_reply)
    ingest(email_channel, PARENT)
    assert Conversation.objects.count() == 2
    assert {c.contact.identities.get().value for c in Conversation.objects.all()} == {
        "voisin@example.org",
        "renee.lefevre@orange.fr",
    }


def test_a_parent_does_not_join_a_closed_conversation_of_its_reply(email_channel):
    ingest(email_channel, REPLY)
    Conversation.objects.update(status="closed")
    ingest(email_channel, PARENT)
    assert Conversation.objects.count() == 2


def test_a_reply_then_its_parent_then_a_second_reply_make_one_conversation(email_channel):
    ingest(email_channel, REPLY)
    ingest(email_channel, PARENT)
    second = mail(
        subject="RE: Lampadaire",
        message_id="<reply-2@orange.fr>",
        extra=(
            "In-Reply-To: <reply-1@orange.fr>\n"
            "References: <parent-1@orange.fr> <reply-1@orange.fr>\n"
        ),
    )
    ingest(email_channel, second)
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 3


def test_lock_keys_name_every_identity_the_contact_and_the_thread(email_channel):
    parsed = [
        ParsedMessage(
            external_id="a",
            sender=Sender("email", "Renee.Lefevre@Orange.fr"),
            other_identities=[Sender("phone", "06 12 34 56 78"), Sender("phone", "pas un numéro")],
            thread_key="post-1",
        ),
        ParsedMessage(external_id="b", sender=None, contact_id=7),
    ]
    assert lock_keys(email_channel, parsed) == [
        "contact:7",
        "identity:email:renee.lefevre@orange.fr",
        "identity:phone:+33612345678",
        f"thread:{email_channel.pk}:post-1",
    ]


def test_advisory_keys_are_stable_signed_64_bit_numbers():
    key = advisory_key("identity:email:renee.lefevre@orange.fr")
    assert key == advisory_key("identity:email:renee.lefevre@orange.fr")
    assert -(2**63) <= key < 2**63
    assert key != advisory_key("identity:email:voisin@example.org")


def test_hold_locks_takes_one_advisory_lock_per_key_on_postgresql(email_channel):
    parsed = [ParsedMessage(external_id="a", sender=Sender("email", "a@example.org"))]
    with transaction.atomic():
        hold_locks(email_channel, parsed)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid()"
                )
                assert cursor.fetchone()[0] == 1
