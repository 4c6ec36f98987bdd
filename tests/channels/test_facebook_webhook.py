"""Facebook Page: Meta's documented payloads (tests/channels/fixtures/facebook/README.md names
each page), signed with a test app secret, replayed through the real webhook URL, then processed
by the worker."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from civique.channels.connectors.base import ParsedMessage
from civique.contacts.models import Contact, Identity
from civique.inbox.models import Conversation, Message, TimelineEntry
from civique.ingest.actions import process_due_events
from civique.ingest.models import EventState, InboundEvent
from tests.hooks import PAGE_ID, fixture, post_signed

POST = f"{PAGE_ID}_872301445528771"
TOP = "872301445528771_1309664283512906"
PSID = "24871035629418337"


def deliver(client, channel, *names: str) -> None:
    """Post each fixture to the webhook (200 expected), then let the worker process them."""
    for name in names:
        assert post_signed(client, channel, fixture("facebook", name)).status_code == 200
    process_due_events()
    for event in InboundEvent.objects.all():
        assert event.state == EventState.DONE, event.last_error


def parsed(channel, name: str) -> list[ParsedMessage]:
    return channel.connector.parse(channel, fixture("facebook", name), "application/json")


# --- Comments ------------------------------------------------------------------------------


def test_a_comment_under_a_post_opens_a_public_conversation_with_its_author(
    client, facebook_channel, team
):
    deliver(client, facebook_channel, "comment-add.json")
    message = Message.objects.get()
    assert (message.kind, message.visibility, message.direction) == ("comment", "public", "in")
    assert message.external_id == TOP
    assert message.text.startswith("Bonjour, les encombrants ne sont pas passés")
    assert message.platform_timestamp == datetime.fromtimestamp(1795000200, tz=UTC)
    assert message.meta["post_id"] == POST
    assert message.meta["parent_id"] == POST
    assert message.meta["verb"] == "add"
    assert message.meta["permalink"].startswith("https://www.facebook.com/valmont.mairie/")
    identity = Identity.objects.get(kind="facebook")
    assert identity.value == "6231844129578201"
    assert identity.contact.display_name == "Renée Lefèvre"
    conversation = message.conversation
    assert conversation.visibility == "public"
    assert conversation.thread_key == TOP
    assert conversation.contact == identity.contact
    assert conversation.team == team
    assert conversation.waiting_since is not None


def test_a_reply_in_the_thread_by_the_same_author_joins_the_conversation(client, facebook_channel):
    deliver(client, facebook_channel, "comment-add.json", "comment-reply-same-author.json")
    first, reply = Message.objects.order_by("id")
    assert reply.conversation == first.conversation
    assert reply.in_reply_to == TOP
    assert reply.meta["parent_id"] == TOP
    assert Conversation.objects.count() == 1


def test_a_reply_in_the_thread_carries_its_top_level_comment_as_thread_key(facebook_channel):
    (other,) = parsed(facebook_channel, "comment-reply-other-author.json")
    assert other.thread_key == TOP
    assert other.in_reply_to == TOP
    assert other.sender.identity_value == "7019283746501122"


def test_the_pages_own_reply_is_outbound_context_and_makes_no_contact(client, facebook_channel):
    deliver(client, facebook_channel, "comment-add.json", "comment-page-reply.json")
    request, answer = Message.objects.order_by("id")
    assert answer.direction == "out"
    assert answer.conversation == request.conversation
    assert answer.author_contact is None
    assert answer.meta["page_own"] is True
    assert answer.meta["author_name"] == "Ville de Valmont"
    assert not Identity.objects.filter(value=PAGE_ID).exists()
    assert Contact.objects.count() == 1
    request.conversation.refresh_from_db()
    assert request.conversation.waiting_since is None  # the Page answered on Facebook


def test_an_edit_names_the_comment_it_replaces_and_its_own_version(facebook_channel):
    (edit,) = parsed(facebook_channel, "comment-edited.json")
    assert edit.edit_of == TOP
    assert edit.external_id.startswith(f"{TOP}#edit:1795000900:")
    assert edit.external_id != TOP
    assert "(n° 12 à 30)" in edit.text
    assert edit.meta["verb"] == "edited"
    assert not edit.removed
    # The same edit delivered again is the same version.
    (again,) = parsed(facebook_channel, "comment-edited.json")
    assert again.external_id == edit.external_id


def test_a_removal_says_which_comment_was_removed(facebook_channel):
    (removal,) = parsed(facebook_channel, "comment-remove.json")
    assert removal.removed
    assert removal.external_id == "872301445528771_1309680216844646"
    assert removal.text == ""
    assert removal.meta["verb"] == "remove"
    assert not removal.edit_of


def test_hiding_is_told_in_meta_on_the_comments_own_id(facebook_channel):
    (hidden,) = parsed(facebook_channel, "comment-hide.json")
    assert hidden.external_id == "872301445528771_1309680216844646"
    assert hidden.meta["verb"] == "hide"
    assert not hidden.removed and not hidden.edit_of


def test_reactions_are_ignored(client, facebook_channel):
    deliver(client, facebook_channel, "reaction.json")
    assert InboundEvent.objects.get().state == EventState.DONE
    assert not Message.objects.exists()


def test_a_redelivered_comment_gives_no_second_message(client, facebook_channel):
    deliver(client, facebook_channel, "comment-add.json")
    event = InboundEvent.objects.get()
    InboundEvent.objects.filter(pk=event.pk).update(state=EventState.PENDING, attempts=0)
    # A replay of the stored event, and the same comment batched with another entry.
    batch = json.loads(fixture("facebook", "comment-add.json"))
    batch["entry"] += json.loads(fixture("facebook", "reaction.json"))["entry"]
    post_signed(client, facebook_channel, json.dumps(batch).encode())
    process_due_events()
    assert Message.objects.count() == 1


def test_a_payload_of_another_platform_is_parked_with_its_reason(client, facebook_channel):
    body = json.dumps({"object": "instagram", "entry": [{"id": PAGE_ID}]}).encode()
    post_signed(client, facebook_channel, body)
    process_due_events()
    event = InboundEvent.objects.get()
    assert event.state == EventState.PARKED
    assert event.last_error == "Objet « instagram » inattendu (« page » attendu)."


# --- Messenger -----------------------------------------------------------------------------


def test_a_messenger_message_opens_a_private_conversation(client, facebook_channel):
    deliver(client, facebook_channel, "messenger-text.json")
    message = Message.objects.get()
    assert (message.kind, message.visibility, message.direction) == ("message", "private", "in")
    assert message.external_id == "m_Xq3lT0dRb9kY2hQ1nL0rWm5aZx8vJc4eNf7uPs6gHy1iBt"
    assert message.text == "Bonjour, à quelle heure ouvre la mairie annexe le samedi ?"
    assert message.platform_timestamp == datetime.fromtimestamp(1795002000.321, tz=UTC)
    assert Identity.objects.get(kind="facebook").value == PSID
    conversation = message.conversation
    assert conversation.visibility == "private"
    assert conversation.thread_key == f"messenger:{PSID}"


def test_the_persons_next_messages_join_their_conversation(client, facebook_channel):
    deliver(
        client,
        facebook_channel,
        "messenger-text.json",
        "messenger-reply.json",
        "messenger-postback.json",
        "messenger-attachment.json",
    )
    first, reply, postback, photo = Message.objects.order_by("id")
    assert {m.conversation_id for m in (reply, postback, photo)} == {first.conversation_id}
    assert reply.in_reply_to == first.external_id
    assert postback.text == "Signaler un problème"
    assert postback.meta["postback_payload"] == "SIGNALER_PROBLEME"
    assert photo.meta["attachments"][0]["type"] == "image"
    notice = TimelineEntry.objects.get(message=photo, kind="system")
    assert notice.data["text"].startswith("Pièce jointe Messenger (image) non téléchargée")


def test_a_messenger_edit_names_the_message_it_replaces(facebook_channel):
    (edit,) = parsed(facebook_channel, "messenger-edit.json")
    assert edit.edit_of == "m_Ty5uI8oP2aS4dF6gH9jK1lZ3xC7vB0nM8qW2eR4tY6uIoP"
    assert edit.external_id == f"{edit.edit_of}#edit:1"
    assert edit.text == "Merci, et le dimanche matin ?"
    assert edit.thread_key == f"messenger:{PSID}"


def test_an_echo_of_the_pages_own_message_is_outbound_context(client, facebook_channel):
    deliver(client, facebook_channel, "messenger-text.json", "messenger-echo.json")
    question, echo = Message.objects.order_by("id")
    assert echo.direction == "out"
    assert echo.conversation == question.conversation
    assert echo.meta["page_own"] is True
    assert Contact.objects.count() == 1


def test_read_receipts_are_ignored(client, facebook_channel):
    deliver(client, facebook_channel, "messenger-read.json")
    assert not Message.objects.exists()


def test_the_agent_sees_the_comment_thread_in_the_inbox(client, facebook_channel, agent):
    deliver(
        client,
        facebook_channel,
        "comment-add.json",
        "comment-reply-same-author.json",
        "comment-page-reply.json",
        "messenger-text.json",
        "messenger-attachment.json",
    )
    client.force_login(agent)
    assert client.get("/").status_code == 200
    for conversation in Conversation.objects.all():
        page = client.get(f"/demandes/{conversation.pk}/")
        assert page.status_code == 200
    thread = Conversation.objects.get(thread_key=TOP)
    html = client.get(f"/demandes/{thread.pk}/").content.decode()
    assert "matelas devant l&#x27;école" in html
    assert "Merci, nous avons prévenu le service propreté." in html


# --- The post as context ---------------------------------------------------------------------


def test_the_agent_sees_the_post_a_comment_was_written_under(
    client, facebook_channel, agent, graph_api
):
    facebook_channel.secrets = {**facebook_channel.secrets, "page_access_token": "jeton-page"}
    facebook_channel.save()
    graph_api.route(
        "GET",
        POST,
        {
            "message": "Collecte des encombrants : nouveau calendrier à partir du 17 novembre.",
            "permalink_url": "https://www.facebook.com/valmont.mairie/posts/pfbid02xK7Yq8",
            "created_time": "2026-11-18T08:02:11+0000",
            "id": POST,
        },
    )
    deliver(client, facebook_channel, "comment-add.json", "comment-reply-same-author.json")
    # One read per delivered comment: a reply by someone else opens its own conversation.
    calls = graph_api.made("GET", POST)
    assert len(calls) == 2
    assert all(c.query == {"fields": "message,permalink_url,created_time"} for c in calls)
    conversation = Conversation.objects.get()
    client.force_login(agent)
    page = " ".join(client.get(f"/demandes/{conversation.pk}/").content.decode().split())
    assert "Publication commentée" in page
    assert "Collecte des encombrants : nouveau calendrier" in page
    assert "Publiée le 18 novembre 2026" in page


def test_a_post_that_cannot_be_read_leaves_the_comment_whole(client, facebook_channel, graph_api):
    facebook_channel.secrets = {**facebook_channel.secrets, "page_access_token": "jeton-page"}
    facebook_channel.save()
    graph_api.fail("GET", POST, "expired_token")
    deliver(client, facebook_channel, "comment-add.json")
    message = Message.objects.get()
    assert "post" not in message.meta
    assert message.meta["permalink"].startswith("https://www.facebook.com/")


def test_conversations_of_one_comment_thread_point_to_each_other(
    client, facebook_channel, agent, outsider
):
    deliver(client, facebook_channel, "comment-add.json", "comment-reply-other-author.json")
    first, second = Conversation.objects.order_by("id")
    client.force_login(agent)
    page = client.get(f"/demandes/{second.pk}/").content.decode()
    assert "Autres demandes dans le même fil" in page
    assert f'href="/demandes/{first.pk}/"' in page
    # Someone who may not see the other conversation is not told of it.
    Conversation.objects.filter(pk=first.pk).update(team=outsider.teams.get())
    page = client.get(f"/demandes/{second.pk}/").content.decode()
    assert f'href="/demandes/{first.pk}/"' not in page
