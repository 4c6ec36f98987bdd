"""Facebook Page, outbound: what the inbox queues reaches the local fake of the Graph API
(tests/fakes/graph.py) through the real outbox (``deliver_due``), as Meta documents the calls;
each documented error ends in the right delivery state, explained in French on the timeline."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from civique.inbox.actions import (
    ActionError,
    block_author,
    delete_message,
    hide_message,
    reply_privately,
    reply_to_conversation,
    unhide_message,
)
from civique.inbox.models import Attachment, Delivery, DeliveryState, Message
from civique.inbox.outbox import deliver_due
from tests.channels.facebook import (  # noqa: F401 - page_fixture is the fixture "page"
    PAGE_TOKEN,
    PSID,
    SAME_AUTHOR_REPLY,
    TOP,
    arrive,
    page_fixture,
)
from tests.hooks import PAGE_ID

pytestmark = pytest.mark.django_db

MESSAGES = rf"{PAGE_ID}/messages"


def sole(graph_api, method: str, path: str):
    (call,) = graph_api.made(method, path)
    assert call.headers["authorization"] == f"Bearer {PAGE_TOKEN}"
    return call


def outcome(message: Message) -> Delivery:
    """The delivery that sends ``message``, as it now stands."""
    delivery = message.delivery
    delivery.refresh_from_db()
    return delivery


def failure(delivery: Delivery) -> str:
    """The delivery's failure as the conversation's timeline shows it."""
    entry = delivery.message.conversation.timeline.filter(kind="delivery").last()
    assert entry.data["state"] == "failed"
    return entry.data["error"]


# --- Comments: public reply, private reply, moderation --------------------------------------


def test_a_public_reply_answers_under_the_comment(agent, page, graph_api):
    comment = arrive(page, "comment-add.json")
    graph_api.route("POST", rf"{TOP}/comments", {"id": f"{TOP}_900"})

    reply = reply_to_conversation(agent, comment.conversation, "Un passage est prévu jeudi.")
    assert deliver_due() == 1

    call = sole(graph_api, "POST", rf"{TOP}/comments")
    assert call.json == {"message": "Un passage est prévu jeudi."}
    reply.refresh_from_db()
    assert reply.external_id == f"{TOP}_900"  # the Page's own comment: it threads on it
    assert reply.delivery.state == DeliveryState.SENT
    assert (reply.visibility, reply.in_reply_to) == ("public", TOP)


def test_a_reply_to_a_reply_goes_under_the_top_level_comment(agent, page, graph_api):
    arrive(page, "comment-add.json")
    answered = arrive(page, "comment-reply-same-author.json")
    graph_api.route("POST", rf"{TOP}/comments", {"id": f"{TOP}_901"})

    reply = reply_to_conversation(agent, answered.conversation, "Nous l'enlevons ce matin.")
    deliver_due()

    assert reply.in_reply_to == SAME_AUTHOR_REPLY  # it records what it answers...
    sole(graph_api, "POST", rf"{TOP}/comments")  # ...and Facebook nests one level only
    assert not graph_api.made("POST", rf"{SAME_AUTHOR_REPLY}/comments")


def test_a_private_reply_to_a_comment_goes_to_its_author_in_messenger(agent, page, graph_api):
    comment = arrive(page, "comment-add.json", ago=timedelta(days=6))
    graph_api.route("POST", MESSAGES, {"recipient_id": "9911", "message_id": "m_prive_1"})

    reply = reply_privately(agent, comment, "Pouvez-vous nous donner le numéro de la rue ?")
    deliver_due()

    call = sole(graph_api, "POST", MESSAGES)
    assert call.json == {
        "recipient": {"comment_id": TOP},
        "message": {"text": "Pouvez-vous nous donner le numéro de la rue ?"},
    }
    reply.refresh_from_db()
    assert (reply.external_id, reply.delivery.state) == ("m_prive_1", "sent")
    assert (reply.visibility, reply.conversation) == ("private", comment.conversation)


def test_a_private_reply_is_refused_before_calling_once_the_comment_is_7_days_old(
    agent, page, graph_api
):
    comment = arrive(page, "comment-add.json", ago=timedelta(days=7, minutes=1))
    reply = reply_privately(agent, comment, "Bonjour.")
    deliver_due()

    assert graph_api.writes() == []
    delivery = outcome(reply)
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    assert "dans les 7 jours qui suivent sa publication" in delivery.last_error
    assert "en public sous le commentaire" in failure(delivery)


def test_a_second_private_reply_to_one_comment_is_refused_by_the_inbox(agent, page, graph_api):
    comment = arrive(page, "comment-add.json")
    graph_api.route("POST", MESSAGES, {"recipient_id": "9911", "message_id": "m_prive_1"})
    reply_privately(agent, comment, "Bonjour.")
    deliver_due()

    with pytest.raises(ActionError, match="déjà été envoyée"):
        reply_privately(agent, comment, "Encore bonjour.")
    assert len(graph_api.writes()) == 1


def test_hiding_and_showing_again_set_is_hidden(agent, page, graph_api):
    comment = arrive(page, "comment-add.json")
    graph_api.route("POST", TOP, {"success": True})

    hide_message(agent, comment)
    deliver_due()
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    unhide_message(agent, comment)
    deliver_due()
    comment.refresh_from_db()

    assert [c.json for c in graph_api.made("POST", TOP)] == [
        {"is_hidden": True},
        {"is_hidden": False},
    ]
    assert comment.hidden_at is None


def test_deleting_a_comment_calls_delete_and_keeps_our_copy(agent, page, graph_api):
    comment = arrive(page, "comment-add.json")
    graph_api.route("DELETE", TOP, {"success": True})

    delete_message(agent, comment)
    deliver_due()

    sole(graph_api, "DELETE", TOP)
    comment.refresh_from_db()
    assert comment.removed_at is not None and comment.text.startswith("Bonjour")


def published_reply(agent, page, graph_api, text: str) -> Message:
    """Our public reply under comment-add.json, published as ``{TOP}_900``."""
    comment = arrive(page, "comment-add.json")
    graph_api.route("POST", rf"{TOP}/comments", {"id": f"{TOP}_900"})
    reply = reply_to_conversation(agent, comment.conversation, text)
    deliver_due()
    reply.refresh_from_db()
    return reply


def test_our_public_reply_can_be_deleted_by_the_id_meta_gave_it(agent, page, graph_api):
    reply = published_reply(agent, page, graph_api, "Réponse publiée par erreur.")
    graph_api.route("DELETE", rf"{TOP}_900", {"success": True})

    delete_message(agent, reply)
    deliver_due()

    sole(graph_api, "DELETE", rf"{TOP}_900")


def test_an_edit_of_our_reply_posts_its_new_text(agent, page, graph_api):
    reply = published_reply(agent, page, graph_api, "Passage jeudi.")
    graph_api.route("POST", rf"{TOP}_900", {"success": True})
    Message.objects.filter(pk=reply.pk).update(text="Passage vendredi.")

    edit = Delivery.objects.create(message=reply, kind="edit")
    deliver_due()

    assert sole(graph_api, "POST", rf"{TOP}_900").json == {"message": "Passage vendredi."}
    edit.refresh_from_db()
    assert edit.state == "sent"


def test_blocking_a_comment_s_author_bans_them_from_the_page(agent, page, graph_api):
    comment = arrive(page, "comment-add.json")
    author = comment.author_identity.value
    graph_api.route("POST", rf"{PAGE_ID}/blocked", {author: True})

    block_author(agent, comment)
    assert deliver_due() == 1

    call = sole(graph_api, "POST", rf"{PAGE_ID}/blocked")
    assert call.json == {"user": author}
    assert Delivery.objects.get(kind="block").state == DeliveryState.SENT
    entry = comment.conversation.timeline.filter(kind="delivery").last()
    assert (entry.data["operation"], entry.data["state"]) == ("block", "sent")


def test_a_block_facebook_refuses_fails_for_good(agent, page, graph_api):
    comment = arrive(page, "comment-add.json")
    graph_api.route("POST", rf"{PAGE_ID}/blocked", {comment.author_identity.value: False})
    block_author(agent, comment)
    deliver_due()
    delivery = Delivery.objects.get(kind="block")
    assert delivery.state == DeliveryState.FAILED
    assert "n'a pas bloqué" in failure(delivery)


def test_a_private_messenger_message_cannot_be_hidden(agent, page, graph_api):
    message = arrive(page, "messenger-text.json")
    with pytest.raises(ActionError, match="Seul un message public"):
        hide_message(agent, message)
    assert Delivery.objects.count() == 0


# --- Documented errors ---------------------------------------------------------------------


def reply_in_private(agent, message: Message) -> Delivery:
    return reply_privately(agent, message, "Bonjour.").delivery


def reply(agent, message: Message) -> Delivery:
    return reply_to_conversation(agent, message.conversation, "Bonjour.").delivery


@pytest.mark.parametrize(
    ("arrived", "queue", "method", "path", "error", "words"),
    [
        (
            "comment-add.json",
            reply_in_private,
            "POST",
            MESSAGES,
            "already_replied",
            "Une réponse privée a déjà été envoyée pour ce commentaire",
        ),
        ("comment-add.json", hide_message, "POST", TOP, "deleted", "n'existe plus sur la"),
        (
            "comment-add.json",
            reply,
            "POST",
            rf"{TOP}/comments",
            "expired_token",
            "jeton d'accès de ce canal a expiré",
        ),
        ("messenger-text.json", reply, "POST", MESSAGES, "window_closed", "Hors de la fenêtre"),
    ],
)
def test_a_documented_refusal_fails_for_good_and_is_explained_on_the_timeline(
    agent, page, graph_api, arrived, queue, method, path, error, words
):
    message = arrive(page, arrived)
    graph_api.fail(method, path, error)
    delivery = queue(agent, message)
    deliver_due()

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    assert words in failure(delivery)
    assert words in delivery.last_error
    message.refresh_from_db()
    assert message.hidden_at is None


def test_a_rate_limit_waits_for_the_time_meta_gives(agent, page, graph_api):
    comment = arrive(page, "comment-add.json")
    usage = {PAGE_ID: [{"type": "pages", "estimated_time_to_regain_access": 42}]}
    graph_api.fail("POST", TOP, "rate_limit", {"X-Business-Use-Case-Usage": json.dumps(usage)})
    graph_api.route("POST", TOP, {"success": True})
    delivery = hide_message(agent, comment)
    before = timezone.now()
    deliver_due()

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.RETRYING
    assert "Meta limite le nombre d'envois" in delivery.last_error
    assert delivery.next_attempt_at >= before + timedelta(minutes=42)
    assert deliver_due() == 0  # not before Meta's wait
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    deliver_due()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)


def test_a_channel_without_its_page_token_fails_for_good(agent, facebook_channel, graph_api):
    comment = arrive(facebook_channel, "comment-add.json")
    delivery = hide_message(agent, comment)
    deliver_due()

    delivery.refresh_from_db()
    assert delivery.state == "failed" and "Aucun jeton d'accès" in delivery.last_error
    assert graph_api.writes() == []


# --- Messenger: the 24-hour window, the HUMAN_AGENT tag up to 7 days, nothing beyond -------


def answer_in_messenger(agent, page, graph_api, ago: timedelta) -> Delivery:
    message = arrive(page, "messenger-text.json", ago=ago)
    graph_api.route("POST", MESSAGES, {"recipient_id": PSID, "message_id": "m_rep_1"})
    reply = reply_to_conversation(agent, message.conversation, "Elle ouvre à 9 h.")
    deliver_due()
    delivery = outcome(reply)
    return delivery


def test_within_24_hours_messenger_answers_as_a_response(agent, page, graph_api):
    delivery = answer_in_messenger(agent, page, graph_api, ago=timedelta(hours=23))

    assert sole(graph_api, "POST", MESSAGES).json == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Elle ouvre à 9 h."},
    }
    assert (delivery.state, delivery.message.external_id) == ("sent", "m_rep_1")


def test_between_24_hours_and_7_days_messenger_answers_with_the_human_agent_tag(
    agent, page, graph_api
):
    answer_in_messenger(agent, page, graph_api, ago=timedelta(days=6, hours=23))

    call = sole(graph_api, "POST", MESSAGES)
    assert (call.json["messaging_type"], call.json["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_beyond_7_days_messenger_is_not_called_and_the_agent_is_told_why(agent, page, graph_api):
    delivery = answer_in_messenger(agent, page, graph_api, ago=timedelta(days=7, minutes=5))

    assert graph_api.writes() == []
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    error = failure(delivery)
    assert "plus de 7 jours après le dernier message de la personne" in error
    assert "Répondez par un autre canal de l'usager (courriel, téléphone" in error


def test_the_window_counts_from_the_persons_latest_message(agent, page, graph_api):
    arrive(page, "messenger-text.json", ago=timedelta(days=9))
    later = arrive(page, "messenger-reply.json", ago=timedelta(hours=2))
    graph_api.route("POST", MESSAGES, {"recipient_id": PSID, "message_id": "m_rep_2"})
    reply_to_conversation(agent, later.conversation, "Bien reçu.")
    deliver_due()

    assert sole(graph_api, "POST", MESSAGES).json["messaging_type"] == "RESPONSE"


def test_an_image_is_uploaded_as_a_messenger_attachment_after_the_text(agent, page, graph_api):
    message = arrive(page, "messenger-text.json")
    graph_api.route("POST", MESSAGES, {"recipient_id": PSID, "message_id": "m_rep_3"})
    reply = reply_to_conversation(agent, message.conversation, "Voici le plan.")
    attachment = Attachment(
        message=reply, filename="plan.png", content_type="image/png", size=8, sha256="ab" * 32
    )
    attachment.file.save("plan.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    deliver_due()

    text, image = graph_api.made("POST", MESSAGES)
    assert text.json["message"] == {"text": "Voici le plan."}
    assert image.headers["content-type"].startswith("multipart/form-data")
    assert b'name="filedata"; filename="plan.png"' in image.body
    assert b"\x89PNG\r\n\x1a\n" in image.body
    assert b'{"attachment": {"type": "image", "payload": {}}}' in image.body
    assert b'{"id": "24871035629418337"}' in image.body
    reply.refresh_from_db()
    assert reply.external_id == "m_rep_3"


def test_an_echo_stored_before_the_send_is_confirmed_does_not_break_the_delivery(
    agent, page, graph_api
):
    """Meta may post the echo of our message to the webhook, and another worker store it,
    before this worker records the send: the delivery still ends sent, once. (Played here in
    that order: the echo is stored before the send's answer is recorded.)"""
    message = arrive(page, "messenger-text.json")
    echo = arrive(page, "messenger-echo.json")
    graph_api.route("POST", MESSAGES, {"recipient_id": PSID, "message_id": echo.external_id})
    reply = reply_to_conversation(agent, message.conversation, "Elle ouvre à 9 h.")
    deliver_due()

    delivery = outcome(reply)
    assert (delivery.state, delivery.attempts) == ("sent", 1)
    assert delivery.provider_id == echo.external_id
    assert len(graph_api.made("POST", MESSAGES)) == 1
    assert deliver_due() == 0
    reply.refresh_from_db()
    assert reply.external_id is None  # the echo, stored first, keeps the platform's id
