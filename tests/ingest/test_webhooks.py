"""The webhook door ``/hooks/<kind>/<channel id>/``: subscription check, signature, size,
lookup, storing once, and never a 500 whatever comes in. The Facebook connector stands in for
every webhook connector."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civique.channels.models import Channel
from civique.ingest.actions import process_due_events
from civique.ingest.models import EventState, InboundEvent
from tests.hooks import (
    APP_SECRET,
    PAGE_ID,
    VERIFY_TOKEN,
    fixture,
    hook_url,
    post_signed,
    signature,
)

COMMENT = fixture("facebook", "comment-add.json")


def handshake(client, channel, **params):
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    query.update(params)
    return client.get(hook_url(channel), query)


def test_it_echoes_the_challenge_of_a_subscription_check(client, facebook_channel):
    response = handshake(client, facebook_channel, **{"hub.verify_token": VERIFY_TOKEN})
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


def test_it_refuses_a_subscription_check_with_a_wrong_token(client, facebook_channel):
    response = handshake(client, facebook_channel, **{"hub.verify_token": "devine"})
    assert response.status_code == 403
    assert b"1158201444" not in response.content


def test_it_refuses_every_subscription_check_while_no_token_is_set(client, facebook_channel):
    facebook_channel.secrets = {"app_secret": APP_SECRET}
    facebook_channel.save()
    assert handshake(client, facebook_channel, **{"hub.verify_token": ""}).status_code == 403


def test_a_get_that_is_no_subscription_check_is_a_bad_request(client, facebook_channel):
    assert client.get(hook_url(facebook_channel)).status_code == 400


def test_a_signed_delivery_is_stored_and_acknowledged_at_once(client, facebook_channel):
    response = post_signed(client, facebook_channel, COMMENT)
    assert response.status_code == 200
    event = InboundEvent.objects.get()
    assert event.channel == facebook_channel
    assert event.state == EventState.PENDING  # the worker does the rest
    assert json.loads(bytes(event.payload)) == json.loads(COMMENT)


@pytest.mark.parametrize(
    "sign",
    [
        "",
        "sha256=",
        "sha256=" + "0" * 64,
        signature(COMMENT, "un-autre-secret"),
        signature(COMMENT).replace("sha256=", "sha1="),
        "sha256=é" + signature(COMMENT)[8:],
    ],
)
def test_a_wrong_or_missing_signature_is_refused_and_nothing_stored(client, facebook_channel, sign):
    response = post_signed(client, facebook_channel, COMMENT, sign=sign)
    assert response.status_code == 403
    assert APP_SECRET.encode() not in response.content
    assert not InboundEvent.objects.exists()


def test_nothing_is_accepted_while_the_channel_has_no_app_secret(client, facebook_channel):
    facebook_channel.secrets = {"verify_token": VERIFY_TOKEN}
    facebook_channel.save()
    assert post_signed(client, facebook_channel, COMMENT).status_code == 403
    assert not InboundEvent.objects.exists()


def test_a_body_over_the_limit_is_refused_with_413(client, facebook_channel, settings):
    settings.CIVIQUE_MAX_EVENT_BYTES = 1000
    body = json.dumps({"object": "page", "entry": [], "x": "a" * 2000}).encode()
    response = post_signed(client, facebook_channel, body)
    assert response.status_code == 413
    assert response.content.decode() == "Contenu trop volumineux."
    assert not InboundEvent.objects.exists()


def test_a_body_over_the_form_upload_limit_but_within_ours_is_stored(
    client, facebook_channel, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    assert post_signed(client, facebook_channel, COMMENT).status_code == 200
    assert InboundEvent.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/hooks/facebook/999999/",
        "/hooks/facebook/99999999999999999999999/",
        "/hooks/email/{pk}/",
        "/hooks/inconnu/{pk}/",
    ],
)
def test_an_unknown_channel_is_not_found_and_says_nothing_more(client, facebook_channel, url):
    response = client.post(
        url.format(pk=facebook_channel.pk),
        data=COMMENT,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature(COMMENT)},
    )
    assert response.status_code == 404
    assert response.content == b"Inconnu."
    assert not InboundEvent.objects.exists()


def test_a_channel_of_another_kind_or_without_webhooks_is_not_found(
    client, facebook_channel, email_channel
):
    assert (
        client.post(
            hook_url(email_channel, "facebook"), data=b"{}", content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            hook_url(email_channel), data=b"{}", content_type="application/json"
        ).status_code
        == 404
    )


def test_an_inactive_channel_is_not_found(client, facebook_channel):
    Channel.objects.filter(pk=facebook_channel.pk).update(is_active=False)
    assert post_signed(client, facebook_channel, COMMENT).status_code == 404
    assert (
        handshake(client, facebook_channel, **{"hub.verify_token": VERIFY_TOKEN}).status_code == 404
    )


def test_other_methods_are_not_allowed(client, facebook_channel):
    assert client.put(hook_url(facebook_channel), data=COMMENT).status_code == 405


def test_a_redelivery_stores_nothing_new(client, facebook_channel):
    assert post_signed(client, facebook_channel, COMMENT).status_code == 200
    assert post_signed(client, facebook_channel, COMMENT).status_code == 200
    assert InboundEvent.objects.count() == 1


def test_each_entry_of_a_batch_is_one_event_and_a_rebatched_redelivery_adds_none(
    client, facebook_channel
):
    first = json.loads(COMMENT)
    second = json.loads(fixture("facebook", "comment-reply-same-author.json"))
    batch = {"object": "page", "entry": first["entry"] + second["entry"]}
    post_signed(client, facebook_channel, json.dumps(batch).encode())
    assert InboundEvent.objects.count() == 2
    # Meta retries the second entry alone, with its keys in another order.
    alone = {"entry": second["entry"], "object": "page"}
    post_signed(client, facebook_channel, json.dumps(alone, indent=1).encode())
    assert InboundEvent.objects.count() == 2


def test_a_malformed_signed_body_is_stored_then_parked_with_its_reason(client, facebook_channel):
    body = COMMENT[: len(COMMENT) // 2]
    assert post_signed(client, facebook_channel, body).status_code == 200
    process_due_events()
    event = InboundEvent.objects.get()
    assert bytes(event.payload) == body
    assert event.state == EventState.PARKED
    assert event.last_error == "Contenu JSON illisible."


def test_a_signed_body_of_the_wrong_shape_is_parked_with_its_reason(client, facebook_channel):
    body = json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "changes": "feed"}]}).encode()
    post_signed(client, facebook_channel, body)
    process_due_events()
    event = InboundEvent.objects.get()
    assert event.state == EventState.PARKED
    assert event.last_error == "Champ « changes » : liste attendue."


# --- Whatever comes in: never a 500, and every stored event ends done or parked ---------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
fields = ["from", "id", "name", "comment_id", "post_id", "parent_id", "message", "verb", "item"]


@st.composite
def page_bodies(draw) -> bytes:
    """Bodies near what Meta sends: a fixture truncated, a field of the wrong type or huge,
    random JSON, random bytes."""
    base = json.loads(fixture("facebook", draw(st.sampled_from(FIXTURE_NAMES))))
    choice = draw(st.integers(0, 4))
    if choice == 0:
        raw = json.dumps(base).encode()
        return raw[: draw(st.integers(0, len(raw)))]
    if choice == 1:
        target = _innermost(base)
        target[draw(st.sampled_from(fields))] = draw(json_values)
        return json.dumps(base).encode()
    if choice == 2:
        target = _innermost(base)
        target[draw(st.sampled_from(fields))] = "9" * draw(st.integers(100, 5000))
        return json.dumps(base).encode()
    if choice == 3:
        return json.dumps({"object": "page", "entry": draw(json_values)}).encode()
    return draw(st.binary(max_size=300))


FIXTURE_NAMES = [
    "comment-add.json",
    "comment-edited.json",
    "comment-remove.json",
    "messenger-text.json",
    "messenger-attachment.json",
    "messenger-postback.json",
    "messenger-edit.json",
]


def _innermost(body: dict) -> dict:
    entry = body["entry"][0]
    if "changes" in entry:
        return entry["changes"][0]["value"]
    event = entry["messaging"][0]
    return event.get("message") or event.get("postback") or event.get("message_edit") or event


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=page_bodies(), signed=st.booleans())
def test_no_body_ever_gets_a_500_nor_leaves_an_event_to_retry(
    client, facebook_channel, body, signed
):
    response = post_signed(client, facebook_channel, body, sign=None if signed else "sha256=x")
    assert response.status_code in (200, 403)
    if not signed:
        assert response.status_code == 403
    process_due_events()
    stuck = InboundEvent.objects.exclude(state__in=[EventState.DONE, EventState.PARKED])
    assert not stuck.exists(), [(e.state, e.last_error) for e in stuck]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.dictionaries(
        st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge", "x"]),
        st.text(max_size=40),
    )
)
def test_no_subscription_check_ever_gets_a_500(client, facebook_channel, query):
    response = client.get(hook_url(facebook_channel), query)
    assert response.status_code in (200, 400, 403)


def test_an_apps_entries_for_several_pages_each_go_to_their_pages_channel(
    client, facebook_channel, team
):
    other_page = Channel.objects.create(
        kind="facebook",
        name="Médiathèque de Valmont",
        team=team,
        settings={"page_id": "555000111222333"},
        secrets={"app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN},
    )
    ours = json.loads(COMMENT)["entry"]
    theirs = json.loads(COMMENT.replace(PAGE_ID.encode(), b"555000111222333"))["entry"]
    body = json.dumps({"object": "page", "entry": ours + theirs}).encode()
    assert post_signed(client, facebook_channel, body).status_code == 200
    assert InboundEvent.objects.filter(channel=facebook_channel).count() == 1
    assert InboundEvent.objects.filter(channel=other_page).count() == 1
    process_due_events()
    assert not InboundEvent.objects.exclude(state=EventState.DONE).exists()


def test_an_entry_for_a_page_of_another_app_stays_and_is_parked_with_the_page_named(
    client, facebook_channel, team
):
    Channel.objects.create(
        kind="facebook",
        name="Page d'une autre application",
        team=team,
        settings={"page_id": "555000111222333"},
        secrets={"app_secret": "un-autre-secret"},
    )
    body = COMMENT.replace(PAGE_ID.encode(), b"555000111222333")
    assert post_signed(client, facebook_channel, body).status_code == 200
    event = InboundEvent.objects.get()
    assert event.channel == facebook_channel
    process_due_events()
    event.refresh_from_db()
    assert event.state == EventState.PARKED
    assert event.last_error.startswith("Entrée de la Page 555000111222333, qui n'est pas celle")


def test_a_channel_created_from_the_command_line_takes_its_webhook_at_once(client, team):
    out = io.StringIO()
    call_command(
        "channel",
        "create",
        "facebook",
        "--name",
        "Ville de Valmont",
        "--team",
        team.slug,
        f"--setting=page_id={PAGE_ID}",
        f"--setting=app_secret={APP_SECRET}",
        f"--setting=verify_token={VERIFY_TOKEN}",
        stdout=out,
    )
    channel = Channel.objects.get(pk=int(out.getvalue().splitlines()[-1]))
    assert handshake(client, channel, **{"hub.verify_token": VERIFY_TOKEN}).status_code == 200
    assert post_signed(client, channel, COMMENT).status_code == 200
    process_due_events()
    assert InboundEvent.objects.get().state == EventState.DONE
