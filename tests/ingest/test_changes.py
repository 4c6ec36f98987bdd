"""What platforms say about messages already delivered — edits, removals, hides, delivery
statuses — through the real webhook and worker, in and out of order, delivered twice."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from civique.channels.connectors.base import ParsedMessage
from civique.inbox.models import Conversation, Message, MessageRevision, TimelineEntry
from civique.ingest.actions import process_due_events, receive_event
from civique.ingest.models import EventState, InboundEvent, Tombstone
from civique.ingest.pipeline import RetryLater, prepare, run_pipeline
from tests.hooks import PAGE_ID, fixture, post_signed

TOP = "872301445528771_1309664283512906"
OTHER = "872301445528771_1309680216844646"
ORIGINAL_TEXT = "Bonjour, les encombrants ne sont pas passés"


def deliver(client, channel, *names: str, body: bytes | None = None) -> None:
    for name in names:
        assert post_signed(client, channel, fixture("facebook", name)).status_code == 200
    if body is not None:
        assert post_signed(client, channel, body).status_code == 200
    process_due_events()
    for event in InboundEvent.objects.all():
        assert event.state == EventState.DONE, event.last_error


def variant(name: str, **changes) -> bytes:
    data = json.loads(fixture("facebook", name))
    data["entry"][0]["changes"][0]["value"].update(changes)
    return json.dumps(data).encode()


def notes(message: Message) -> list[str]:
    entries = TimelineEntry.objects.filter(message=message, kind="system")
    return [entry.data["text"] for entry in entries]


def test_an_edited_comment_shows_its_new_text_and_keeps_the_old_one(client, facebook_channel):
    deliver(client, facebook_channel, "comment-add.json", "comment-edited.json")
    message = Message.objects.get()
    assert message.external_id == TOP
    assert "(n° 12 à 30)" in message.text
    (revision,) = message.revisions.all()
    assert revision.text.startswith(ORIGINAL_TEXT) and "(n° 12 à 30)" not in revision.text
    assert any("modifié par son auteur" in note for note in notes(message))


def test_the_same_edit_delivered_twice_is_one_edit(client, facebook_channel):
    deliver(client, facebook_channel, "comment-add.json", "comment-edited.json")
    edited = fixture("facebook", "comment-edited.json")
    # Redelivered under another delivery (Meta retries), not as the same bytes.
    receive_event(facebook_channel, edited, "application/json", "redelivery-1", enqueue=False)
    process_due_events()
    assert Message.objects.count() == 1
    assert MessageRevision.objects.count() == 1


def test_an_edit_before_its_comment_ends_in_the_same_state(client, facebook_channel):
    deliver(client, facebook_channel, "comment-edited.json")
    deliver(client, facebook_channel, "comment-add.json")
    message = Message.objects.get()
    assert message.external_id == TOP
    assert "(n° 12 à 30)" in message.text
    (revision,) = message.revisions.all()
    assert revision.text.startswith(ORIGINAL_TEXT) and "(n° 12 à 30)" not in revision.text
    assert Conversation.objects.count() == 1


def test_a_removed_comment_is_marked_never_erased(client, facebook_channel):
    deliver(client, facebook_channel, "comment-add.json", "comment-reply-other-author.json")
    deliver(client, facebook_channel, "comment-remove.json")
    removed = Message.objects.get(external_id=OTHER)
    assert removed.removed_at is not None
    assert removed.text == "Pareil avenue Jean-Jaurès !"
    assert Message.objects.count() == 2
    assert any("Supprimé de la plateforme" in note for note in notes(removed))


def test_a_removal_before_its_comment_applies_when_the_comment_arrives(client, facebook_channel):
    deliver(client, facebook_channel, "comment-add.json", "comment-remove.json")
    assert not Message.objects.filter(external_id=OTHER).exists()
    assert Tombstone.objects.filter(external_id=OTHER, removed_at__isnull=False).exists()
    deliver(client, facebook_channel, "comment-reply-other-author.json")
    arrived = Message.objects.get(external_id=OTHER)
    assert arrived.removed_at is not None
    assert arrived.text == "Pareil avenue Jean-Jaurès !"
    assert not Tombstone.objects.exists()


def test_a_comment_hidden_then_shown_on_the_platform_itself(client, facebook_channel):
    deliver(client, facebook_channel, "comment-add.json", "comment-reply-other-author.json")
    deliver(client, facebook_channel, "comment-hide.json")
    assert Message.objects.get(external_id=OTHER).hidden_at is not None
    deliver(client, facebook_channel, body=variant("comment-hide.json", verb="unhide"))
    assert Message.objects.get(external_id=OTHER).hidden_at is None


def test_someone_else_replying_in_a_thread_opens_their_own_conversation(client, facebook_channel):
    deliver(client, facebook_channel, "comment-add.json", "comment-reply-other-author.json")
    first, second = Conversation.objects.order_by("id")
    assert first.contact != second.contact
    assert first.thread_key == second.thread_key == TOP  # linked by the same comment thread
    assert second.messages.get().external_id == OTHER


def test_the_pages_reply_joins_the_thread_as_an_answer(client, facebook_channel):
    deliver(client, facebook_channel, "comment-add.json", "comment-page-reply.json")
    conversation = Conversation.objects.get()
    assert list(conversation.messages.values_list("direction", flat=True)) == ["in", "out"]


def test_the_pages_own_top_level_comment_opens_no_conversation(client, facebook_channel):
    body = variant("comment-page-reply.json", parent_id=f"{PAGE_ID}_872301445528771")
    deliver(client, facebook_channel, body=body)
    assert Conversation.objects.count() == 0
    assert Message.objects.count() == 0


# --- Delivery statuses of our own messages -------------------------------------------------


def run_parsed(channel, item: ParsedMessage) -> InboundEvent:
    """One parsed delivery through the pipeline's stages, as the worker runs them."""
    event = receive_event(channel, b"{}", "application/json", enqueue=False).event
    contexts = prepare(event, [item])
    with transaction.atomic():
        messages = run_pipeline(event, contexts)
    event.message_ids = [m.pk for m in messages]
    return event


@pytest.fixture
def our_reply(facebook_channel):
    """One answer of ours, sent: the platform gave it the id ``m_our_reply``."""
    conversation = Conversation.objects.create(channel=facebook_channel, subject="Question")
    return Message.objects.create(
        conversation=conversation,
        channel=facebook_channel,
        direction="out",
        kind="message",
        visibility="private",
        text="Bonjour, c'est noté.",
        external_id="m_our_reply",
    )


def test_statuses_of_our_message_keep_the_furthest_one(facebook_channel, our_reply):
    for status in ["delivered", "read", "delivered"]:
        run_parsed(
            facebook_channel, ParsedMessage("", None, status_of="m_our_reply", status=status)
        )
    our_reply.refresh_from_db()
    assert our_reply.meta["platform_status"] == "read"
    assert Message.objects.count() == 1


def test_a_failed_status_reaches_the_agent(facebook_channel, our_reply):
    run_parsed(
        facebook_channel,
        ParsedMessage(
            "", None, status_of="m_our_reply", status="failed", text="Numéro injoignable."
        ),
    )
    our_reply.refresh_from_db()
    assert our_reply.meta["platform_status"] == "failed"
    entry = TimelineEntry.objects.get(kind="delivery", message=our_reply)
    assert entry.data == {"state": "failed", "error": "Numéro injoignable."}


def test_a_status_before_its_message_is_known_waits_then_is_dropped(facebook_channel):
    status = ParsedMessage("", None, status_of="m_not_yet", status="delivered")
    with pytest.raises(RetryLater):
        run_parsed(facebook_channel, status)
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(minutes=6))
    event = InboundEvent.objects.first()
    contexts = prepare(event, [status])
    with transaction.atomic():
        assert run_pipeline(event, contexts) == []


def test_the_pages_reply_joins_the_conversation_of_the_comment_it_answers(client, facebook_channel):
    deliver(client, facebook_channel, "comment-add.json", "comment-reply-other-author.json")
    deliver(client, facebook_channel, "comment-page-reply.json")  # answers the top comment
    first, second = Conversation.objects.order_by("id")
    assert list(first.messages.values_list("direction", flat=True)) == ["in", "out"]
    assert list(second.messages.values_list("direction", flat=True)) == ["in"]
