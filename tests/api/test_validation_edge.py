"""What the API refuses where it enters: integers beyond the database's 64 bits, control
characters, implausible dates; always a French 422 naming the field, never a 500."""

import re
from datetime import UTC, datetime

import pytest

from civique.inbox.models import Message
from civique.ingest.models import InboundEvent
from tests.intake import deliver

HUGE = "9223372036854775808"  # 2**63: one more than a bigint holds
WIDEST = "99999999999999999999"
ENGLISH = re.compile(r"\b(Input|should|valid|or|must|Unable|Value error)\b")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")


def assert_french_422(response, field: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert field in [error["loc"][-1] for error in body["errors"]]
    assert not ENGLISH.search(body["detail"]), body["detail"]


@pytest.mark.parametrize(
    "parameter, value",
    [
        ("offset", HUGE),
        ("offset", "-1"),
        ("team", WIDEST),
        ("team", "-3"),
        ("channel", WIDEST),
        ("category", WIDEST),
        ("assignee", WIDEST),
        ("assignee", "-2"),
        ("limit", HUGE),
    ],
)
def test_an_integer_the_database_cannot_hold_is_refused_in_the_list(
    client, agent, auth, parameter, value
):
    response = client.get("/api/v1/conversations", {parameter: value}, headers=auth(agent))

    assert_french_422(response, parameter)


def test_an_integer_of_thousands_of_digits_is_refused_in_french(client, agent, auth):
    response = client.get("/api/v1/conversations", {"offset": "9" * 5000}, headers=auth(agent))

    assert_french_422(response, "offset")
    assert "trop grand" in response.json()["detail"]


def test_the_largest_offset_a_database_holds_gives_an_empty_page(client, agent, auth):
    response = client.get("/api/v1/conversations", {"offset": HUGE[:-1] + "7"}, headers=auth(agent))

    assert response.status_code == 200
    assert response.json()["items"] == []


def test_the_contact_historys_offset_and_the_path_ids_are_bounded(client, agent, auth):
    headers = auth(agent)

    history = client.get(f"/api/v1/contacts/1?offset={HUGE}", headers=headers)
    contact = client.get(f"/api/v1/contacts/{WIDEST}", headers=headers)
    conversation = client.get(f"/api/v1/conversations/{WIDEST}", headers=headers)
    reply = client.post(
        f"/api/v1/conversations/{WIDEST}/replies",
        {"text": "Bonjour"},
        content_type="application/json",
        headers=headers,
    )
    hide = client.post(f"/api/v1/messages/{WIDEST}/hide", headers=headers)

    assert_french_422(history, "offset")
    assert_french_422(contact, "contact_id")
    assert_french_422(conversation, "conversation_id")
    assert_french_422(reply, "conversation_id")
    assert_french_422(hide, "message_id")


def test_a_nul_byte_in_the_search_is_refused(client, agent, auth):
    response = client.get("/api/v1/conversations", {"q": "rue\x00haute"}, headers=auth(agent))

    assert_french_422(response, "q")
    assert "contrôle" in response.json()["detail"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("external_id", "crm\x00-1"),
        ("text", "Bonjour\x00"),
        ("name", "Léa\x1bDurand"),
        ("subject", "Objet\x07"),
        ("thread_key", "fil\x00"),
        ("identity_value", "lea\x00"),
    ],
)
def test_a_control_character_in_a_posted_message_is_refused(
    client, agent, auth, api_channel, field, value
):
    body = {"channel": api_channel.pk, "text": "Bonjour", "email": "lea@example.org"}
    if field == "identity_value":
        del body["email"]
        body["identity_kind"] = "facebook"
    body[field] = value

    response = client.post(
        "/api/v1/messages", body, content_type="application/json", **{"headers": auth(agent)}
    )

    assert_french_422(response, field)
    assert not InboundEvent.objects.exists()


def test_tabs_and_line_breaks_are_kept(client, agent, auth, api_channel):
    body = {"channel": api_channel.pk, "email": "lea@example.org", "text": "a\tb\r\nc\nd"}

    response = client.post(
        "/api/v1/messages", body, content_type="application/json", headers=auth(agent)
    )

    assert response.status_code == 201
    assert "\t" in Message.objects.get().text


def test_a_control_character_in_a_reply_is_refused(client, agent, auth, webform_channel):
    received = deliver(webform_channel, email="lea@example.org")

    response = client.post(
        f"/api/v1/conversations/{received.conversation_id}/replies",
        {"text": "Bonjour\x00 madame"},
        content_type="application/json",
        headers=auth(agent),
    )

    assert_french_422(response, "text")
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "occurred_at",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "1899-12-31T23:00:00Z"],
)
def test_an_implausible_date_is_refused(client, agent, auth, api_channel, occurred_at):
    body = {
        "channel": api_channel.pk,
        "email": "lea@example.org",
        "text": "Bonjour",
        "occurred_at": occurred_at,
    }

    response = client.post(
        "/api/v1/messages", body, content_type="application/json", headers=auth(agent)
    )

    assert_french_422(response, "occurred_at")
    assert not InboundEvent.objects.exists()


def test_an_old_date_stored_by_another_channel_comes_out_with_a_whole_minute_offset(
    client, agent, auth, webform_channel
):
    received = deliver(webform_channel, email="lea@example.org")
    Message.objects.filter(pk=received.pk).update(
        platform_timestamp=datetime(1850, 3, 1, 12, 0, tzinfo=UTC)
    )

    response = client.get(f"/api/v1/conversations/{received.conversation_id}", headers=auth(agent))

    stamp = response.json()["messages"][0]["platform_timestamp"]
    assert ISO.match(stamp), stamp
    assert datetime.fromisoformat(stamp) == datetime(1850, 3, 1, 12, 0, tzinfo=UTC)


def test_a_wrong_status_is_explained_in_french(client, agent, auth):
    response = client.get("/api/v1/conversations", {"status": "fermé"}, headers=auth(agent))

    assert_french_422(response, "status")
    assert "ou 'active'" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"text": 5},
        {"text": ["a"]},
        {"text": "Bonjour", "location": {"lat": "nord", "lon": 2}},
        {"text": "Bonjour", "location": {"lat": 1, "lon": 2, "address": {"rue": 1}}},
        {"text": "Bonjour", "occurred_at": "hier"},
        {"text": "Bonjour", "occurred_at": 1.5e300},
        {"text": "Bonjour", "channel": "un"},
    ],
)
def test_every_type_error_is_in_french(client, agent, auth, api_channel, body):
    full = {"channel": api_channel.pk, "email": "lea@example.org", **body}

    response = client.post(
        "/api/v1/messages", full, content_type="application/json", headers=auth(agent)
    )

    assert response.status_code == 422
    for error in response.json()["errors"]:
        assert not ENGLISH.search(error["msg"]), error


def test_a_coordinate_that_is_not_a_number_is_called_so(client, agent, auth, api_channel):
    body = {
        "channel": api_channel.pk,
        "email": "lea@example.org",
        "text": "Bonjour",
        "location": {"lat": "NaN", "lon": 2},
    }

    response = client.post(
        "/api/v1/messages", body, content_type="application/json", headers=auth(agent)
    )

    assert_french_422(response, "lat")
    assert response.json()["errors"][0]["msg"] == "Nombre fini attendu."
