"""Instagram outbound: replies, private replies, Direct messages and moderation queued by the
inbox actions and delivered by the real outbox to the local fake of the Graph API
(tests/fakes/graph.py), which answers as Meta documents, errors included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from civique.channels.connectors.base import (
    OutboundAttachment,
    OutboundOperation,
    Recipient,
    TransportError,
)
from civique.inbox.actions import (
    ActionError,
    delete_message,
    hide_message,
    reply_privately,
    reply_to_conversation,
    unhide_message,
)
from civique.inbox.models import Delivery, Message
from civique.inbox.outbox import deliver_due
from tests.channels.instagram import (
    IG_USER_ID,
    PAGE_TOKEN,
    RENEE,
    TOP,
    deliver,
    payload,
)
from tests.hooks import PAGE_ID

HOUR = 3600
DAY = 24 * HOUR
SENT_DM = {"recipient_id": RENEE, "message_id": "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx"}


def received(client, channel, name: str, seconds_ago: float = HOUR) -> Message:
    """The message of fixture ``name``, received through the webhook as if written
    ``seconds_ago`` seconds ago."""
    before = set(Message.objects.values_list("pk", flat=True))
    deliver(client, channel, payload(name, seconds_ago=seconds_ago))
    return Message.objects.exclude(pk__in=before).get()


def outcome(message: Message, kind: str) -> Delivery:
    assert deliver_due() >= 1
    return Delivery.objects.get(message=message, kind=kind)


# --- Comments ------------------------------------------------------------------------------


def test_a_public_reply_answers_the_comment_under_it(client, instagram_channel, agent, graph_api):
    graph_api.route("POST", rf"{TOP}/replies", {"id": "17999475621938204"})
    comment = received(client, instagram_channel, "comment-add.json")
    reply = reply_to_conversation(agent, comment.conversation, "Merci, le service est prévenu.")
    delivery = outcome(reply, "reply_public")
    assert delivery.state == "sent", delivery.last_error
    (call,) = graph_api.made("POST", rf"{TOP}/replies")
    assert call.json == {"message": "Merci, le service est prévenu."}
    assert call.headers["authorization"] == f"Bearer {PAGE_TOKEN}"
    reply.refresh_from_db()
    assert reply.external_id == "17999475621938204"  # so that it can be deleted later


def test_an_accepted_reply_without_an_id_is_not_posted_twice(
    client, instagram_channel, agent, graph_api
):
    graph_api.route("POST", rf"{TOP}/replies", {})
    comment = received(client, instagram_channel, "comment-add.json")
    reply = reply_to_conversation(agent, comment.conversation, "Merci !")
    assert outcome(reply, "reply_public").state == "sent"
    assert len(graph_api.made("POST", rf"{TOP}/replies")) == 1


def test_our_own_reply_can_be_deleted_afterwards(client, instagram_channel, agent, graph_api):
    graph_api.route("POST", rf"{TOP}/replies", {"id": "17999475621938204"})
    graph_api.route("DELETE", r"17999475621938204", {"success": True})
    comment = received(client, instagram_channel, "comment-add.json")
    reply = reply_to_conversation(agent, comment.conversation, "Réponse envoyée par erreur.")
    deliver_due()
    reply.refresh_from_db()
    delivery = delete_message(agent, reply)
    deliver_due()
    delivery.refresh_from_db()
    reply.refresh_from_db()
    assert delivery.state == "sent", delivery.last_error
    assert reply.removed_at is not None


def test_a_mention_is_answered_through_the_mentions_edge(
    client, instagram_channel, agent, graph_api
):
    graph_api.route("POST", rf"{IG_USER_ID}/mentions", {"id": "17873440459141999"})
    mention = received(client, instagram_channel, "mention-comment.json")
    reply = reply_to_conversation(agent, mention.conversation, "Merci de votre message !")
    assert outcome(reply, "reply_public").state == "sent"
    (call,) = graph_api.made("POST", rf"{IG_USER_ID}/mentions")
    assert call.json == {
        "media_id": "17920238422030506",
        "comment_id": "17948262051234567",
        "message": "Merci de votre message !",
    }


def test_hiding_then_showing_a_comment_again(client, instagram_channel, agent, graph_api):
    graph_api.route("POST", TOP, {"success": True})
    comment = received(client, instagram_channel, "comment-add.json")
    hide_message(agent, comment)
    assert outcome(comment, "hide").state == "sent"
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    unhide_message(agent, comment)
    assert outcome(comment, "unhide").state == "sent"
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert [c.json for c in graph_api.made("POST", TOP)] == [{"hide": True}, {"hide": False}]


def test_deleting_a_comment_marks_it_removed_once_instagram_confirms(
    client, instagram_channel, agent, graph_api
):
    graph_api.route("DELETE", TOP, {"success": True})
    comment = received(client, instagram_channel, "comment-add.json")
    delete_message(agent, comment)
    assert outcome(comment, "delete").state == "sent"
    comment.refresh_from_db()
    assert comment.removed_at is not None
    assert Message.objects.filter(pk=comment.pk).exists()  # marked, never erased


def test_a_comment_already_gone_is_explained_in_french(client, instagram_channel, agent, graph_api):
    graph_api.fail("POST", TOP, "deleted")
    comment = received(client, instagram_channel, "comment-add.json")
    hide_message(agent, comment)
    delivery = outcome(comment, "hide")
    assert delivery.state == "failed"
    assert "n'existe plus" in delivery.last_error
    comment.refresh_from_db()
    assert comment.hidden_at is None


@pytest.mark.parametrize("moderate", [hide_message, delete_message])
def test_a_private_message_cannot_be_moderated_and_the_agent_is_told_at_once(
    client, instagram_channel, agent, graph_api, moderate
):
    message = received(client, instagram_channel, "direct-text.json")
    with pytest.raises(ActionError, match="Seul un message public"):
        moderate(agent, message)
    assert graph_api.calls == []


@pytest.mark.parametrize(
    ("name", "moderate", "kind", "words"),
    [
        ("mention-comment.json", hide_message, "hide", "seul son propriétaire"),
        ("mention-comment.json", delete_message, "delete", "seul son propriétaire"),
    ],
)
def test_what_instagram_cannot_moderate_is_refused_without_calling(
    client, instagram_channel, agent, graph_api, name, moderate, kind, words
):
    """A mention under someone else's media."""
    message = received(client, instagram_channel, name)
    moderate(agent, message)
    delivery = outcome(message, kind)
    assert delivery.state == "failed"
    assert words in delivery.last_error
    assert graph_api.calls == []


# --- Private reply to a comment ------------------------------------------------------------


def test_a_private_reply_reaches_the_commenter_through_the_send_api(
    client, instagram_channel, agent, graph_api
):
    graph_api.route("POST", rf"{PAGE_ID}/messages", SENT_DM)
    comment = received(client, instagram_channel, "comment-add.json", seconds_ago=6 * DAY)
    answer = reply_privately(agent, comment, "Pouvez-vous nous donner le numéro de la rue ?")
    delivery = outcome(answer, "reply_private")
    assert delivery.state == "sent", delivery.last_error
    (call,) = graph_api.made("POST", rf"{PAGE_ID}/messages")
    assert call.json == {
        "recipient": {"comment_id": TOP},
        "message": {"text": "Pouvez-vous nous donner le numéro de la rue ?"},
    }
    answer.refresh_from_db()
    assert answer.external_id == SENT_DM["message_id"]


def test_a_private_reply_after_seven_days_is_refused_before_calling(
    client, instagram_channel, agent, graph_api
):
    comment = received(client, instagram_channel, "comment-add.json", seconds_ago=8 * DAY)
    answer = reply_privately(agent, comment, "Bonjour, pouvez-vous préciser ?")
    delivery = outcome(answer, "reply_private")
    assert delivery.state == "failed"
    assert "dans les 7 jours qui suivent le commentaire" in delivery.last_error
    assert "Répondez en public" in delivery.last_error
    assert graph_api.calls == []


def test_a_second_private_reply_is_refused_by_instagram_in_plain_french(
    client, instagram_channel, agent, graph_api
):
    graph_api.fail("POST", rf"{PAGE_ID}/messages", "already_replied")
    comment = received(client, instagram_channel, "comment-add.json")
    answer = reply_privately(agent, comment, "Bonjour !")
    delivery = outcome(answer, "reply_private")
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    assert "une seule permise" in delivery.last_error


# --- Instagram Direct ----------------------------------------------------------------------


def direct_reply(client, channel, agent, seconds_ago: float) -> Message:
    question = received(client, channel, "direct-text.json", seconds_ago=seconds_ago)
    return reply_to_conversation(agent, question.conversation, "Le samedi de 9 h à 12 h.")


def test_a_reply_within_24_hours_is_a_plain_response(client, instagram_channel, agent, graph_api):
    graph_api.route("POST", rf"{PAGE_ID}/messages", SENT_DM)
    reply = direct_reply(client, instagram_channel, agent, seconds_ago=23 * HOUR)
    delivery = outcome(reply, "send")
    assert delivery.state == "sent", delivery.last_error
    (call,) = graph_api.made("POST", rf"{PAGE_ID}/messages")
    assert call.json == {
        "recipient": {"id": RENEE},
        "messaging_type": "RESPONSE",
        "message": {"text": "Le samedi de 9 h à 12 h."},
    }
    reply.refresh_from_db()
    assert reply.external_id == SENT_DM["message_id"]


def test_between_24_hours_and_7_days_the_reply_carries_the_human_agent_tag(
    client, instagram_channel, agent, graph_api
):
    graph_api.route("POST", rf"{PAGE_ID}/messages", SENT_DM)
    reply = direct_reply(client, instagram_channel, agent, seconds_ago=3 * DAY)
    assert outcome(reply, "send").state == "sent"
    (call,) = graph_api.made("POST", rf"{PAGE_ID}/messages")
    assert (call.json["messaging_type"], call.json["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_beyond_7_days_the_agent_is_told_why_and_what_to_do(
    client, instagram_channel, agent, graph_api
):
    reply = direct_reply(client, instagram_channel, agent, seconds_ago=8 * DAY)
    delivery = outcome(reply, "send")
    assert delivery.state == "failed"
    assert "dans les 24 heures, ou dans les 7 jours" in delivery.last_error
    assert "par un autre canal" in delivery.last_error
    assert graph_api.calls == []


def test_the_window_counts_from_the_persons_latest_message(
    client, instagram_channel, agent, graph_api
):
    graph_api.route("POST", rf"{PAGE_ID}/messages", SENT_DM)
    received(client, instagram_channel, "direct-text.json", seconds_ago=10 * DAY)
    latest = received(client, instagram_channel, "direct-reply.json", seconds_ago=HOUR)
    reply = reply_to_conversation(agent, latest.conversation, "Non, sans rendez-vous.")
    assert outcome(reply, "send").state == "sent"
    (call,) = graph_api.made("POST", rf"{PAGE_ID}/messages")
    assert call.json["messaging_type"] == "RESPONSE"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("window_closed", "Hors de la fenêtre de réponse"),
        ("expired_token", "jeton d'accès de ce canal a expiré"),
    ],
)
def test_instagrams_own_refusals_fail_for_good_in_plain_french(
    client, instagram_channel, agent, graph_api, error, words
):
    graph_api.fail("POST", rf"{PAGE_ID}/messages", error)
    reply = direct_reply(client, instagram_channel, agent, seconds_ago=HOUR)
    delivery = outcome(reply, "send")
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    assert words in delivery.last_error


def test_a_rate_limit_is_retried_after_its_wait_and_then_goes_through(
    client, instagram_channel, agent, graph_api
):
    graph_api.fail("POST", rf"{PAGE_ID}/messages", "rate_limit")
    graph_api.route("POST", rf"{PAGE_ID}/messages", SENT_DM)
    reply = direct_reply(client, instagram_channel, agent, seconds_ago=HOUR)
    delivery = outcome(reply, "send")
    assert delivery.state == "retrying"
    assert delivery.next_attempt_at >= timezone.now() + timedelta(minutes=4)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert outcome(reply, "send").state == "sent"
    assert len(graph_api.made("POST", rf"{PAGE_ID}/messages")) == 2


def test_without_a_page_token_nothing_is_called(client, instagram_channel, agent, graph_api):
    instagram_channel.secrets = {
        k: v for k, v in instagram_channel.secrets.items() if k != "page_access_token"
    }
    instagram_channel.save()
    reply = direct_reply(client, instagram_channel, agent, seconds_ago=HOUR)
    delivery = outcome(reply, "send")
    assert delivery.state == "failed"
    assert "Aucun jeton d'accès" in delivery.last_error
    assert graph_api.calls == []


def test_a_file_is_refused_with_a_clear_reason(instagram_channel, graph_api):
    operation = OutboundOperation(
        kind="send",
        text="Voici le plan.",
        attachments=[OutboundAttachment("plan.pdf", "application/pdf", b"%PDF-1.4")],
    )
    with pytest.raises(TransportError) as caught:
        instagram_channel.connector.perform(instagram_channel, operation)
    assert caught.value.permanent
    assert "retirez la pièce jointe" in str(caught.value)
    assert graph_api.calls == []


def test_nobody_is_written_to_who_never_wrote_in_private(instagram_channel, graph_api):
    operation = OutboundOperation(
        kind="send", recipient=Recipient("instagram", RENEE), text="Bonjour.", last_inbound_at=None
    )
    with pytest.raises(TransportError) as caught:
        instagram_channel.connector.perform(instagram_channel, operation)
    assert caught.value.permanent
    assert "qui a d'abord écrit au compte" in str(caught.value)
    assert graph_api.calls == []


def test_the_agent_is_told_the_window_before_writing(instagram_channel):
    connector = instagram_channel.connector
    now = timezone.now()
    assert connector.send_window
    assert connector.send_notice(now - timedelta(hours=2), now) == ""
    tagged = connector.send_notice(now - timedelta(days=3), now)
    assert "« agent humain » d'Instagram, permise jusqu'au" in tagged
    closed = connector.send_notice(now - timedelta(days=8), now)
    assert closed.startswith("Cette réponse ne pourra pas partir par Instagram.")
