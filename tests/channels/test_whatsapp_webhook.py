"""WhatsApp Cloud API, inbound: Meta's documented payloads (tests/channels/fixtures/whatsapp/
README.md names each page), signed with a test app secret, replayed through the real webhook URL,
then processed by the worker; media fetched from the local fake of the Graph API."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civique.channels.models import Channel
from civique.contacts.models import Identity
from civique.inbox.models import Attachment, Conversation, Message, TimelineEntry
from civique.ingest.actions import process_due_events
from civique.ingest.changes import WAITING_STATUS
from civique.ingest.models import EventState, InboundEvent
from tests.channels.whatsapp import (
    OUR_WAMID,
    PHONE_NUMBER_ID,
    TOKEN,
    WA_ID,
    body,
    deliver,
    jpeg,
    serve_media,
)
from tests.hooks import APP_SECRET, fixture, hook_url, post_signed
from tests.ingest.test_webhooks import json_values

pytestmark = pytest.mark.django_db

TEXT_ID = "wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQUMwRjE2QkE3RTlCNEVEQkUzMwA="
PHOTO_ID = "1184736290154872"
PDF_ID = "2291047735618820"


def parsed(channel, name: str):
    return channel.connector.parse(channel, fixture("whatsapp", name), "application/json")


# --- Messages ------------------------------------------------------------------------------


def test_a_text_opens_a_private_conversation_with_the_person(client, whatsapp_channel, team):
    deliver(client, whatsapp_channel, "text.json")
    message = Message.objects.get()
    assert (message.kind, message.visibility, message.direction) == ("message", "private", "in")
    assert message.external_id == TEXT_ID
    assert message.text.startswith("Bonjour, le lampadaire devant le 12 rue des Tilleuls")
    assert message.platform_timestamp == datetime.fromtimestamp(1795100000, tz=UTC)
    identity = Identity.objects.get(kind="whatsapp")
    assert identity.value == f"+{WA_ID}"
    assert identity.contact.display_name == "Karim Benali"
    conversation = message.conversation
    assert conversation.visibility == "private"
    assert conversation.thread_key == f"whatsapp:{WA_ID}"
    assert conversation.team == team


def test_a_photo_is_fetched_from_the_graph_api_and_kept_as_an_attachment(
    client, whatsapp_channel, graph_api
):
    serve_media(graph_api, PHOTO_ID, jpeg(), "image/jpeg")
    deliver(client, whatsapp_channel, "image.json")
    message = Message.objects.get()
    assert message.text == "Voici le lampadaire en question"
    attachment = Attachment.objects.get(message=message)
    assert attachment.content_type == "image/jpeg"
    assert attachment.filename.startswith(f"whatsapp-image-{PHOTO_ID}")
    (info,) = graph_api.made("GET", PHOTO_ID)
    (download,) = graph_api.made("GET", f"media-bytes/{PHOTO_ID}")
    assert info.headers["authorization"] == download.headers["authorization"] == f"Bearer {TOKEN}"


def test_a_document_keeps_its_name_and_a_voice_note_and_a_sticker_are_attachments(
    client, whatsapp_channel, graph_api
):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    serve_media(graph_api, PDF_ID, pdf, "application/pdf")
    serve_media(graph_api, "3307851126940563", b"OggS\x00\x02voix", "audio/ogg")
    serve_media(graph_api, "4410962351078846", b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp")
    deliver(client, whatsapp_channel, "document.json", "audio.json", "sticker.json")
    document, voice, sticker = Message.objects.order_by("id")
    assert document.text == "Mon justificatif de domicile"
    assert document.attachments.get().filename == "facture-eau-2026.pdf"
    assert voice.attachments.get().filename.endswith(".ogg")
    assert voice.meta["type"] == "audio"
    assert sticker.meta["type"] == "sticker"
    assert Conversation.objects.count() == 1


def test_a_shared_location_places_the_conversation(client, whatsapp_channel, agent):
    deliver(client, whatsapp_channel, "location.json")
    message = Message.objects.get()
    assert "Lampadaire rue des Tilleuls, 12 rue des Tilleuls, 76540 Valmont" in message.text
    assert "49.761800, 0.513800" in message.text
    conversation = message.conversation
    assert (conversation.location_lat, conversation.location_lon) == (49.7618, 0.5138)
    assert conversation.location_address.startswith("Lampadaire rue des Tilleuls")
    client.force_login(agent)
    html = client.get(f"/demandes/{conversation.pk}/").content.decode()
    assert "latitude 49.761800, longitude 0.513800" in html
    assert 'data-lat="49.761800" data-lon="0.513800"' in html
    assert 'aria-label="Carte : Lampadaire rue des Tilleuls' in html


def test_shared_contacts_are_readable_text_and_kept_whole_in_meta(whatsapp_channel):
    (message,) = parsed(whatsapp_channel, "contacts.json")
    assert message.text.splitlines() == [
        "Contact partagé :",
        "Gisèle Martin — +33 6 98 76 54 32 — gisele.martin@orange.fr",
    ]
    (shared,) = message.meta["shared_contacts"]
    assert shared["phones"] == ["+33 6 98 76 54 32"]
    assert shared["name"] == "Gisèle Martin"


def test_a_tapped_reply_button_reads_as_its_title_and_answers_our_message(whatsapp_channel):
    (message,) = parsed(whatsapp_channel, "interactive-button-reply.json")
    assert message.text == "Éclairage public"
    assert message.meta["reply_id"] == "signaler-eclairage"
    assert message.in_reply_to == OUR_WAMID


def test_the_persons_next_messages_join_their_conversation(client, whatsapp_channel, graph_api):
    serve_media(graph_api, PHOTO_ID, jpeg(), "image/jpeg")
    deliver(client, whatsapp_channel, "text.json", "image.json", "location.json", "reply.json")
    first, photo, place, reply = Message.objects.order_by("id")
    assert {m.conversation_id for m in (photo, place, reply)} == {first.conversation_id}
    assert reply.in_reply_to == OUR_WAMID
    assert Identity.objects.count() == 1


def test_reactions_are_ignored(client, whatsapp_channel):
    deliver(client, whatsapp_channel, "reaction.json")
    assert InboundEvent.objects.get().state == EventState.DONE
    assert not Message.objects.exists()


def test_an_unsupported_message_is_kept_with_a_french_explanation(client, whatsapp_channel):
    deliver(client, whatsapp_channel, "unsupported.json")
    message = Message.objects.get()
    assert message.text.startswith("Message WhatsApp d'un type que Civique ne lit pas")
    assert message.meta["type"] == "unsupported"


def test_a_redelivered_message_gives_no_second_message(client, whatsapp_channel):
    deliver(client, whatsapp_channel, "text.json")
    event = InboundEvent.objects.get()
    InboundEvent.objects.filter(pk=event.pk).update(state=EventState.PENDING, attempts=0)
    batch = json.loads(fixture("whatsapp", "text.json"))
    batch["entry"] += json.loads(fixture("whatsapp", "reaction.json"))["entry"]
    post_signed(client, whatsapp_channel, json.dumps(batch).encode())
    process_due_events()
    assert Message.objects.count() == 1


# --- Media that cannot be fetched -------------------------------------------------------------


def test_an_expired_media_keeps_the_message_with_a_notice(client, whatsapp_channel, graph_api):
    graph_api.fail("GET", PHOTO_ID, "deleted")
    deliver(client, whatsapp_channel, "image.json")
    message = Message.objects.get()
    assert not message.attachments.exists()
    notice = TimelineEntry.objects.get(message=message, kind="system")
    assert notice.data["text"].startswith("Pièce jointe WhatsApp (image) non téléchargée")
    assert "n'existe plus" in notice.data["text"]


def test_a_media_over_the_size_kept_is_not_downloaded(
    client, whatsapp_channel, graph_api, settings
):
    settings.CIVIQUE_MAX_ATTACHMENT_BYTES = 1000
    serve_media(graph_api, PHOTO_ID, jpeg(), "image/jpeg", file_size=5_000_000)
    deliver(client, whatsapp_channel, "image.json")
    message = Message.objects.get()
    assert not message.attachments.exists()
    notice = TimelineEntry.objects.get(message=message, kind="system")
    assert "au-delà des" in notice.data["text"]
    assert not graph_api.made("GET", f"media-bytes/{PHOTO_ID}")


def test_a_media_larger_than_declared_is_cut_off_at_the_cap(
    client, whatsapp_channel, graph_api, settings
):
    settings.CIVIQUE_MAX_ATTACHMENT_BYTES = 1000
    serve_media(graph_api, PHOTO_ID, b"x" * 5000, "image/jpeg", file_size=10)
    deliver(client, whatsapp_channel, "image.json")
    assert not Message.objects.get().attachments.exists()


def test_a_temporary_failure_retries_the_event_then_stores_the_photo_once(
    client, whatsapp_channel, graph_api
):
    graph_api.fail("GET", PHOTO_ID, "server")
    serve_media(graph_api, PHOTO_ID, jpeg(), "image/jpeg")
    deliver(client, whatsapp_channel, "image.json", done=False)
    event = InboundEvent.objects.get()
    assert event.state == EventState.RETRYING
    assert "HTTP 500" in event.last_error
    assert not Message.objects.exists()
    InboundEvent.objects.filter(pk=event.pk).update(next_attempt_at=event.received_at)
    process_due_events()
    assert Message.objects.get().attachments.count() == 1


def test_a_corrupted_download_is_retried(client, whatsapp_channel, graph_api):
    serve_media(graph_api, PHOTO_ID, jpeg(), "image/jpeg", sha256="0" * 64)
    deliver(client, whatsapp_channel, "image.json", done=False)
    event = InboundEvent.objects.get()
    assert event.state == EventState.RETRYING
    assert "altéré" in event.last_error


# --- Statuses of our messages ---------------------------------------------------------------


@pytest.mark.parametrize("state", ["sent", "delivered", "read"])
def test_a_status_names_our_message_and_its_state(whatsapp_channel, state):
    (status,) = parsed(whatsapp_channel, f"status-{state}.json")
    assert (status.status_of, status.status) == (OUR_WAMID, state)
    assert status.sender is None
    assert status.text == ""
    assert status.external_id == f"{OUR_WAMID}#status:{state}"


def test_a_failed_status_explains_the_reason_in_french(whatsapp_channel):
    (status,) = parsed(whatsapp_channel, "status-failed.json")
    assert (status.status_of, status.status) == (OUR_WAMID, "failed")
    assert status.text.startswith("Plus de 24 heures depuis le dernier message de la personne")
    assert "code 131047" in status.text
    assert "more than 24 hours have passed" in status.text


@pytest.mark.parametrize("code", ["9" * 5000, "abc", None, 131000])
def test_a_failure_of_any_code_is_explained_without_error(whatsapp_channel, code):
    data = json.loads(fixture("whatsapp", "status-failed.json"))
    data["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"][0]["code"] = code
    payload = json.dumps(data).encode()
    (status,) = whatsapp_channel.connector.parse(whatsapp_channel, payload, "")
    assert status.status == "failed"
    assert "more than 24 hours have passed" in status.text


def test_messages_and_statuses_of_one_change_are_each_their_own(whatsapp_channel, graph_api):
    data = json.loads(fixture("whatsapp", "text.json"))
    value = data["entry"][0]["changes"][0]["value"]
    value["statuses"] = json.loads(fixture("whatsapp", "status-read.json"))["entry"][0]["changes"][
        0
    ]["value"]["statuses"]
    payload = json.dumps(data).encode()
    text, status = whatsapp_channel.connector.parse(whatsapp_channel, payload, "")
    assert text.external_id == TEXT_ID and not text.status_of
    assert status.status_of == OUR_WAMID


# --- Routing and malformed deliveries -------------------------------------------------------


def test_each_number_s_changes_go_to_that_number_s_channel(client, whatsapp_channel, team):
    other = Channel.objects.create(
        kind="whatsapp",
        name="Médiathèque (WhatsApp)",
        team=team,
        settings={"phone_number_id": "318726540099999"},
        secrets={"app_secret": APP_SECRET},
    )
    batch = json.loads(body("text.json"))
    second = json.loads(body("reply.json", number="318726540099999"))
    batch["entry"][0]["changes"] += second["entry"][0]["changes"]
    deliver(client, whatsapp_channel, json.dumps(batch).encode())
    assert InboundEvent.objects.get(channel=whatsapp_channel).state == EventState.DONE
    assert Message.objects.get(channel=other).text == "Merci beaucoup, c'est réparé !"
    assert Message.objects.get(channel=whatsapp_channel).external_id == TEXT_ID


def test_a_change_for_a_number_without_channel_is_parked_with_the_number_named(
    client, whatsapp_channel
):
    deliver(client, whatsapp_channel, body("text.json", number="999"), done=False)
    event = InboundEvent.objects.get()
    assert event.state == EventState.PARKED
    assert event.last_error.startswith("Événement du numéro WhatsApp 999")
    assert PHONE_NUMBER_ID in event.last_error


def test_a_payload_of_another_platform_is_parked_with_its_reason(client, whatsapp_channel):
    post_signed(client, whatsapp_channel, b'{"object": "page", "entry": [{"id": "1"}]}')
    process_due_events()
    event = InboundEvent.objects.get()
    assert event.state == EventState.PARKED
    assert event.last_error == ("Objet « page » inattendu (« whatsapp_business_account » attendu).")


def test_the_subscription_check_echoes_the_challenge(client, whatsapp_channel):
    query = {"hub.mode": "subscribe", "hub.challenge": "8731", "hub.verify_token": "faux"}
    assert client.get(hook_url(whatsapp_channel), query).status_code == 403
    query["hub.verify_token"] = whatsapp_channel.secrets["verify_token"]
    answer = client.get(hook_url(whatsapp_channel), query)
    assert (answer.status_code, answer.content) == (200, b"8731")


# --- Whatever comes in: never a 500, and every stored event ends done or parked ---------

FIXTURES = [
    "text.json",
    "image.json",
    "document.json",
    "location.json",
    "contacts.json",
    "interactive-button-reply.json",
    "unsupported.json",
    "status-failed.json",
]
FIELDS = ["from", "id", "type", "timestamp", "context", "text", "image", "location", "contacts"]
FIELDS += ["latitude", "longitude", "body", "caption", "errors", "status", "metadata", "name"]
FIELDS += ["code", "error_data", "phones", "wa_id", "profile", "button_reply", "phone_number_id"]


def _dicts(value) -> list[dict]:
    """Every object in ``value``, itself included, at any depth."""
    found = [value] if isinstance(value, dict) else []
    children = value.values() if isinstance(value, dict) else value
    if isinstance(value, dict | list):
        for child in children:
            found += _dicts(child)
    return found


def _target(data: dict, draw) -> dict:
    return draw(st.sampled_from(_dicts(data["entry"][0]["changes"][0]["value"])))


@st.composite
def whatsapp_bodies(draw) -> bytes:
    """Bodies near what Meta sends: a fixture truncated, a field of the wrong type or huge,
    random JSON, random bytes."""
    data = json.loads(fixture("whatsapp", draw(st.sampled_from(FIXTURES))))
    choice = draw(st.integers(0, 4))
    if choice == 0:
        raw = json.dumps(data).encode()
        return raw[: draw(st.integers(0, len(raw)))]
    if choice == 1:
        _target(data, draw)[draw(st.sampled_from(FIELDS))] = draw(json_values)
        return json.dumps(data).encode()
    if choice == 2:
        _target(data, draw)[draw(st.sampled_from(FIELDS))] = "9" * draw(st.integers(100, 5000))
        return json.dumps(data).encode()
    if choice == 3:
        kind = "whatsapp_business_account"
        return json.dumps({"object": kind, "entry": draw(json_values)}).encode()
    return draw(st.binary(max_size=300))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=whatsapp_bodies(), signed=st.booleans())
def test_no_body_ever_gets_a_500_nor_leaves_an_event_to_retry(
    client, whatsapp_channel, graph_api, payload, signed
):
    serve_media(graph_api, PHOTO_ID, jpeg(), "image/jpeg")
    serve_media(graph_api, PDF_ID, b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = post_signed(client, whatsapp_channel, payload, sign=None if signed else "x")
    assert response.status_code in (200, 403)
    if not signed:
        assert response.status_code == 403
    process_due_events()
    stuck = InboundEvent.objects.exclude(state__in=[EventState.DONE, EventState.PARKED])
    # A status of a message we never sent waits a few minutes for it (ingest/changes.py): the
    # one wait allowed, and it names why.
    stuck = stuck.exclude(last_error=WAITING_STATUS)
    assert not stuck.exists(), [(e.state, e.last_error) for e in stuck]


def test_a_location_shared_later_places_the_conversation_it_joins(
    client, whatsapp_channel, graph_api
):
    deliver(client, whatsapp_channel, "text.json", "location.json")
    conversation = Conversation.objects.get()
    assert conversation.messages.count() == 2
    assert (conversation.location_lat, conversation.location_lon) == (49.7618, 0.5138)
