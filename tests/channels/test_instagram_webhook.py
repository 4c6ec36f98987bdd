"""Instagram: Meta's documented payloads (tests/channels/fixtures/instagram/README.md names each
page), signed with a test app secret, replayed through the real webhook URL, then processed by
the worker."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civique.channels.connectors.base import ParsedMessage, ParseError
from civique.channels.models import Channel
from civique.contacts.models import Contact, Identity
from civique.inbox.models import Conversation, Message, TimelineEntry
from civique.ingest.actions import process_due_events
from civique.ingest.models import EventState, InboundEvent
from tests.channels.instagram import (
    IG_USER_ID,
    KARIM,
    MEDIA,
    RENEE,
    TOP,
    deliver,
    payload,
)
from tests.hooks import APP_SECRET, PAGE_ID, VERIFY_TOKEN, hook_url, post_signed, signature

FIRST_MID = json.loads(payload("direct-text.json"))["entry"][0]["messaging"][0]["message"]["mid"]


def parsed(channel, name: str) -> list[ParsedMessage]:
    return channel.connector.parse(channel, payload(name), "application/json")


# --- Comments ------------------------------------------------------------------------------


def test_a_comment_on_the_accounts_media_opens_a_public_conversation_with_its_author(
    client, instagram_channel, team
):
    deliver(client, instagram_channel, "comment-add.json")
    message = Message.objects.get()
    assert (message.kind, message.visibility, message.direction) == ("comment", "public", "in")
    assert message.external_id == TOP
    assert message.text.startswith("Bonjour, les encombrants ne sont toujours pas passés")
    assert message.platform_timestamp == datetime.fromtimestamp(1795000203, tz=UTC)
    assert message.meta["media_id"] == MEDIA
    assert message.meta["media_product_type"] == "FEED"
    assert message.meta["item"] == "comment"
    identity = Identity.objects.get(kind="instagram")
    assert identity.value == RENEE
    assert identity.contact.display_name == "renee.lefevre"
    conversation = message.conversation
    assert conversation.visibility == "public"
    assert conversation.thread_key == TOP
    assert conversation.contact == identity.contact
    assert conversation.team == team


def test_a_reply_in_the_thread_by_the_same_author_joins_the_conversation(client, instagram_channel):
    deliver(client, instagram_channel, "comment-add.json", "comment-reply-same-author.json")
    first, reply = Message.objects.order_by("id")
    assert reply.conversation == first.conversation
    assert reply.in_reply_to == TOP
    assert reply.meta["parent_id"] == TOP
    assert Conversation.objects.count() == 1


def test_a_reply_by_someone_else_names_the_top_level_comment_as_its_thread(instagram_channel):
    (other,) = parsed(instagram_channel, "comment-reply-other-author.json")
    assert other.thread_key == TOP
    assert other.in_reply_to == TOP
    assert (other.sender.identity_kind, other.sender.identity_value) == ("instagram", KARIM)
    assert other.sender.display_name == "karim.b.photo"


def test_the_accounts_own_reply_is_outbound_context_and_makes_no_contact(client, instagram_channel):
    deliver(client, instagram_channel, "comment-add.json", "comment-own-reply.json")
    request, answer = Message.objects.order_by("id")
    assert answer.direction == "out"
    assert answer.conversation == request.conversation
    assert answer.author_contact is None
    assert answer.meta["page_own"] is True
    assert answer.meta["author_name"] == "ville_de_valmont"
    assert not Identity.objects.filter(value=IG_USER_ID).exists()
    assert Contact.objects.count() == 1


def test_a_comment_under_a_reel_keeps_its_media_and_surface(instagram_channel):
    (comment,) = parsed(instagram_channel, "comment-reel.json")
    assert comment.meta["media_product_type"] == "REELS"
    assert comment.thread_key == comment.external_id == "17992831506624417"
    assert comment.in_reply_to == ""


def test_comments_on_a_live_broadcast_are_ignored(client, instagram_channel):
    deliver(client, instagram_channel, "live-comment.json")
    assert InboundEvent.objects.get().state == EventState.DONE
    assert not Message.objects.exists()


# --- Mentions ------------------------------------------------------------------------------


def test_a_mention_in_a_comment_is_a_public_message_that_keeps_its_ids(client, instagram_channel):
    deliver(client, instagram_channel, "mention-comment.json")
    message = Message.objects.get()
    assert (message.kind, message.visibility, message.direction) == ("comment", "public", "in")
    assert message.external_id == "mention:17920238422030506:17948262051234567"
    assert message.meta["item"] == "mention"
    assert message.meta["media_id"] == "17920238422030506"
    assert message.meta["comment_id"] == "17948262051234567"
    assert message.text.startswith("Mention du compte (@) dans un commentaire Instagram")
    assert message.author_contact is None  # Instagram names nobody
    assert message.conversation.thread_key == message.external_id


def test_a_mention_in_a_caption_names_the_media_alone(instagram_channel):
    (mention,) = parsed(instagram_channel, "mention-caption.json")
    assert mention.external_id == "mention:17920238422030999"
    assert mention.meta["comment_id"] == ""
    assert "légende d'une publication" in mention.text


# --- Instagram Direct ----------------------------------------------------------------------


def test_a_direct_message_opens_a_private_conversation(client, instagram_channel):
    deliver(client, instagram_channel, "direct-text.json")
    message = Message.objects.get()
    assert (message.kind, message.visibility, message.direction) == ("message", "private", "in")
    assert message.external_id == FIRST_MID and len(FIRST_MID) > 128  # kept whole
    assert message.text == "Bonjour, à quelle heure ouvre la mairie annexe le samedi ?"
    assert message.platform_timestamp == datetime.fromtimestamp(1795002000.321, tz=UTC)
    assert Identity.objects.get(kind="instagram").value == RENEE
    conversation = message.conversation
    assert conversation.visibility == "private"
    assert conversation.thread_key == f"instagram:{RENEE}"


def test_the_commenter_writing_in_private_is_the_same_contact(client, instagram_channel):
    deliver(client, instagram_channel, "comment-add.json", "direct-text.json")
    comment, direct = Message.objects.order_by("id")
    assert comment.author_contact == direct.author_contact
    assert comment.conversation != direct.conversation  # public and private stay apart


def test_the_persons_next_messages_join_their_conversation(client, instagram_channel):
    deliver(
        client,
        instagram_channel,
        "direct-text.json",
        "direct-reply.json",
        "direct-attachment.json",
        "direct-postback.json",
    )
    first, reply, photo, postback = Message.objects.order_by("id")
    assert {m.conversation_id for m in (reply, photo, postback)} == {first.conversation_id}
    assert reply.in_reply_to == FIRST_MID
    assert photo.meta["attachments"][0]["type"] == "image"
    notice = TimelineEntry.objects.get(message=photo, kind="system")
    assert notice.data["text"].startswith("Pièce jointe Instagram (image) non téléchargée")
    assert postback.text == "Signaler un problème"
    assert postback.meta["postback_payload"] == "SIGNALER_PROBLEME"


def test_an_edit_names_the_message_it_replaces(instagram_channel):
    (edit,) = parsed(instagram_channel, "direct-edit.json")
    reply_mid = json.loads(payload("direct-reply.json"))["entry"][0]["messaging"][0]
    assert edit.edit_of == reply_mid["message"]["mid"]
    assert edit.external_id == f"{edit.edit_of}#edit:1"
    assert edit.text == "Et faut-il prendre rendez-vous pour un passeport ?"
    assert edit.thread_key == f"instagram:{RENEE}"


def test_an_unsent_message_is_told_removed_without_text(client, instagram_channel):
    (removal,) = parsed(instagram_channel, "direct-deleted.json")
    photo = json.loads(payload("direct-attachment.json"))["entry"][0]["messaging"][0]
    assert removal.removed
    assert removal.external_id == photo["message"]["mid"]
    assert removal.text == "" and not removal.edit_of and not removal.notices
    deliver(client, instagram_channel, "direct-attachment.json", "direct-deleted.json")
    photo = Message.objects.get()
    assert photo.removed_at is not None  # marked, never erased
    assert photo.meta["attachments"][0]["type"] == "image"


def test_an_edited_direct_message_shows_its_new_text_and_keeps_the_old_one(
    client, instagram_channel
):
    deliver(client, instagram_channel, "direct-text.json", "direct-reply.json", "direct-edit.json")
    _question, reply = Message.objects.order_by("id")
    assert reply.text == "Et faut-il prendre rendez-vous pour un passeport ?"
    (revision,) = reply.revisions.all()
    assert revision.text == "Et faut-il prendre rendez-vous ?"


def test_an_echo_of_the_accounts_own_message_is_outbound_context(client, instagram_channel):
    deliver(client, instagram_channel, "direct-text.json", "direct-echo.json")
    question, echo = Message.objects.order_by("id")
    assert echo.direction == "out"
    assert echo.conversation == question.conversation
    assert echo.meta["page_own"] is True
    assert Contact.objects.count() == 1


def test_content_instagram_does_not_pass_on_is_said_on_the_timeline(client, instagram_channel):
    deliver(client, instagram_channel, "direct-unsupported.json")
    # (The message is two weeks old: the timeline also says its commitments are missed.)
    notices = [e.data["text"] for e in TimelineEntry.objects.filter(kind="system")]
    assert any("GIF, autocollant" in text for text in notices)


@pytest.mark.parametrize("name", ["direct-reaction.json", "direct-seen.json"])
def test_reactions_and_reads_are_ignored(client, instagram_channel, name):
    deliver(client, instagram_channel, name)
    assert not Message.objects.exists()


def test_the_agent_sees_the_conversations_in_the_inbox(client, instagram_channel, agent):
    deliver(
        client,
        instagram_channel,
        "comment-add.json",
        "comment-own-reply.json",
        "mention-comment.json",
        "direct-text.json",
        "direct-attachment.json",
    )
    client.force_login(agent)
    assert client.get("/").status_code == 200
    for conversation in Conversation.objects.all():
        assert client.get(f"/demandes/{conversation.pk}/").status_code == 200
    thread = Conversation.objects.get(thread_key=TOP)
    html = client.get(f"/demandes/{thread.pk}/").content.decode()
    assert "Merci, nous avons prévenu le service propreté." in html


# --- The webhook door ----------------------------------------------------------------------


def test_it_answers_the_subscription_check_with_the_channels_token(client, instagram_channel):
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    wrong = client.get(hook_url(instagram_channel), {**query, "hub.verify_token": "devine"})
    assert wrong.status_code == 403
    right = client.get(hook_url(instagram_channel), {**query, "hub.verify_token": VERIFY_TOKEN})
    assert (right.status_code, right.content) == (200, b"1158201444")


@pytest.mark.parametrize(
    "sign", ["", "sha256=" + "0" * 64, signature(payload("comment-add.json"), "un-autre-secret")]
)
def test_a_wrong_or_missing_signature_is_refused_and_nothing_stored(
    client, instagram_channel, sign
):
    response = post_signed(client, instagram_channel, payload("comment-add.json"), sign=sign)
    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_a_redelivery_stores_nothing_new(client, instagram_channel):
    deliver(client, instagram_channel, "comment-add.json", "direct-text.json")
    # The same bodies again, then both entries batched in one body with their keys reordered.
    deliver(client, instagram_channel, "comment-add.json", "direct-text.json")
    comment, direct = (json.loads(payload(n)) for n in ("comment-add.json", "direct-text.json"))
    batch = {"entry": comment["entry"] + direct["entry"], "object": "instagram"}
    deliver(client, instagram_channel, json.dumps(batch, indent=1).encode())
    assert InboundEvent.objects.count() == 2
    # A replay of the stored events by the worker.
    InboundEvent.objects.update(state=EventState.PENDING, attempts=0)
    process_due_events()
    assert Message.objects.count() == 2
    assert Conversation.objects.count() == 2


def test_an_entry_of_another_account_is_parked_with_the_account_named(client, instagram_channel):
    body = payload("comment-add.json").replace(IG_USER_ID.encode(), b"17841400000000001")
    assert post_signed(client, instagram_channel, body).status_code == 200
    process_due_events()
    event = InboundEvent.objects.get()
    assert event.state == EventState.PARKED
    assert event.last_error.startswith("Entrée du compte Instagram 17841400000000001")


def test_a_payload_of_another_platform_is_parked_with_its_reason(client, instagram_channel):
    body = json.dumps({"object": "page", "entry": [{"id": IG_USER_ID}]}).encode()
    post_signed(client, instagram_channel, body)
    process_due_events()
    event = InboundEvent.objects.get()
    assert event.state == EventState.PARKED
    assert event.last_error == "Objet « page » inattendu (« instagram » attendu)."


def test_a_channel_created_from_the_command_line_keeps_its_secrets_apart(client, team):
    out = io.StringIO()
    call_command(
        "channel",
        "create",
        "instagram",
        "--name",
        "Ville de Valmont (Instagram)",
        "--team",
        team.slug,
        f"--setting=ig_user_id={IG_USER_ID}",
        f"--setting=page_id={PAGE_ID}",
        "--setting=page_access_token=jeton",
        f"--setting=app_secret={APP_SECRET}",
        f"--setting=verify_token={VERIFY_TOKEN}",
        stdout=out,
    )
    channel = Channel.objects.get(pk=int(out.getvalue().splitlines()[-1]))
    assert channel.settings == {"ig_user_id": IG_USER_ID, "page_id": PAGE_ID}
    assert set(channel.secrets) == {"page_access_token", "app_secret", "verify_token"}
    deliver(client, channel, "comment-add.json")
    assert Message.objects.get().channel == channel


# --- Whatever comes in: never a 500, and every stored event ends done or parked ---------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
FUZZED = [
    "comment-add.json",
    "comment-reply-same-author.json",
    "mention-comment.json",
    "mention-caption.json",
    "direct-text.json",
    "direct-reply.json",
    "direct-attachment.json",
    "direct-edit.json",
    "direct-deleted.json",
    "direct-echo.json",
    "direct-postback.json",
]


def _places(node, found: list) -> list[tuple[dict | list, str | int]]:
    """Every (container, key) of a JSON document, nested ones included."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        found.append((node, key))
        if isinstance(value, dict | list):
            _places(value, found)
    return found


WRONG_VALUES = [None, [], {}, [{}], 7, -1.5, True, "", "9" * 5000, {"id": []}]


@pytest.mark.parametrize("name", FUZZED)
def test_every_field_of_the_wrong_type_is_read_or_refused_with_a_reason(instagram_channel, name):
    """parse() meets each field of each documented payload replaced by a wrong value: it reads
    it or raises ParseError (the event is parked with the reason), never another exception
    (the event would be retried for nothing)."""
    base = payload(name)
    for index in range(len(_places(json.loads(base)["entry"], []))):
        for wrong in WRONG_VALUES:
            body = json.loads(base)
            container, key = _places(body["entry"], [])[index]
            container[key] = wrong
            try:
                result = instagram_channel.connector.parse(
                    instagram_channel, json.dumps(body).encode(), "application/json"
                )
            except ParseError:
                continue
            assert all(len(m.external_id) <= 255 for m in result), (key, wrong)


@st.composite
def instagram_bodies(draw) -> bytes:
    """Bodies near what Meta sends: a fixture truncated, any of its fields (nested ones too) of
    the wrong type or huge, random JSON, random bytes."""
    base = json.loads(payload(draw(st.sampled_from(FUZZED))))
    choice = draw(st.integers(0, 4))
    if choice == 0:
        raw = json.dumps(base).encode()
        return raw[: draw(st.integers(0, len(raw)))]
    if choice in (1, 2):
        container, key = draw(st.sampled_from(_places(base["entry"], [])))
        huge = "9" * draw(st.integers(100, 5000))
        container[key] = draw(json_values) if choice == 1 else huge
        return json.dumps(base).encode()
    if choice == 3:
        return json.dumps({"object": "instagram", "entry": draw(json_values)}).encode()
    return draw(st.binary(max_size=300))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=instagram_bodies(), signed=st.booleans())
def test_no_body_ever_gets_a_500_nor_leaves_an_event_to_retry(
    client, instagram_channel, body, signed
):
    response = post_signed(client, instagram_channel, body, sign=None if signed else "sha256=x")
    assert response.status_code == (200 if signed else 403)
    process_due_events()
    stuck = InboundEvent.objects.exclude(state__in=[EventState.DONE, EventState.PARKED])
    assert not stuck.exists(), [(e.state, e.last_error) for e in stuck]
