"""``civique simulate`` plays signed platform events into a running server (pytest-django's
live server, on the test database); the worker then turns them into conversations."""

from __future__ import annotations

import json
import random
from io import StringIO
from itertools import islice

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from civique.channels.models import Channel
from civique.demo.instagram import InstagramScript
from civique.demo.simulate import SIMULATORS, Simulator, facebook_events, meta_headers
from civique.demo.social import FacebookScript
from civique.demo.whatsapp import WhatsAppScript
from civique.inbox.models import Conversation, Message
from civique.ingest.actions import process_due_events
from civique.ingest.models import EventState, InboundEvent
from tests.channels.instagram import IG_USER_ID
from tests.channels.whatsapp import PHONE_NUMBER_ID
from tests.hooks import PAGE_ID, fixture
from tests.smtp import free_port


def simulate(url: str, channel_id: int, count: int = 12, kind: str = "facebook") -> str:
    out = StringIO()
    call_command("simulate", kind, channel=channel_id, count=count, interval=0, url=url, stdout=out)
    return out.getvalue()


def accepted_lines(out: str) -> list[str]:
    lines = [line for line in out.splitlines() if line.startswith("[")]
    assert all(line.split()[1] == "200" for line in lines)
    return lines


def test_played_events_arrive_as_conversations_in_the_inbox(live_server, facebook_channel):
    out = simulate(live_server.url, facebook_channel.pk)
    lines = [line for line in out.splitlines() if line.startswith("[")]
    assert len(lines) == 12
    assert all(line.split()[1] == "200" for line in lines)
    assert "Commentaire de" in lines[0] and "Collecte des encombrants" in lines[0]
    assert "12 événements acceptés" in out
    process_due_events()
    assert not InboundEvent.objects.exclude(state=EventState.DONE).exists()
    # The opening thread: a comment, its author again, someone else, the Page answering.
    comments = Message.objects.filter(kind="comment").order_by("id")[:4]
    top, again, other, page = comments
    assert again.conversation == top.conversation
    assert other.in_reply_to == top.external_id
    assert other.author_contact != top.author_contact
    assert page.direction == "out" and page.conversation == top.conversation
    assert Message.objects.filter(meta__platform="messenger", direction="in").exists()
    assert Conversation.objects.filter(visibility="private").exists()
    assert Conversation.objects.filter(visibility="public").count() >= 2


def test_a_second_run_brings_new_conversations_not_replays(live_server, facebook_channel):
    simulate(live_server.url, facebook_channel.pk, count=4)
    process_due_events()
    before = Conversation.objects.count()
    simulate(live_server.url, facebook_channel.pk, count=4)
    process_due_events()
    assert Conversation.objects.count() > before


def keys(value):
    """The shape of a JSON value: its keys and the types of its leaves."""
    if isinstance(value, dict):
        return {k: keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [keys(value[0])] if value else []
    return type(value).__name__


def test_events_are_shaped_like_the_documented_fixtures():
    script = FacebookScript(PAGE_ID, random.Random(1), timezone.now)  # noqa: S311 - test data
    events = list(islice(script.events(), 40))
    comment = next(e for e in events if "changes" in e.body["entry"][0])
    text = next(
        e
        for e in events
        if "messaging" in e.body["entry"][0]
        and "attachments" not in e.body["entry"][0]["messaging"][0]["message"]
    )
    assert keys(comment.body) == keys(json.loads(fixture("facebook", "comment-add.json")))
    assert keys(text.body) == keys(json.loads(fixture("facebook", "messenger-text.json")))


@pytest.mark.parametrize(
    ("kind", "channel", "message"),
    [
        ("facebook", 999_999, "Canal 999999 introuvable."),
        ("email", None, "Pas de simulation pour le type « email »"),
    ],
)
def test_it_refuses_unknown_channels_and_kinds_in_french(db, kind, channel, message):
    with pytest.raises(CommandError, match=message):
        call_command("simulate", kind, channel=channel or 1, stdout=StringIO())


def test_it_refuses_a_channel_of_another_kind(email_channel):
    with pytest.raises(CommandError, match="est de type « email », pas « facebook »"):
        call_command("simulate", "facebook", channel=email_channel.pk, stdout=StringIO())


def test_it_says_when_the_channel_has_no_app_secret(facebook_channel):
    facebook_channel.secrets = {"verify_token": "x"}
    facebook_channel.save()
    with pytest.raises(CommandError, match=r"pas de secret d'application \(app_secret\)"):
        call_command("simulate", "facebook", channel=facebook_channel.pk, stdout=StringIO())


def test_it_says_when_the_server_does_not_answer(facebook_channel):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(CommandError, match=r"Le serveur ne répond pas .*civique run"):
        call_command(
            "simulate", "facebook", channel=facebook_channel.pk, url=url, stdout=StringIO()
        )


def test_it_stops_and_explains_when_the_server_refuses_the_signature(live_server, facebook_channel):
    # The server reads the stored secret; this process signs with another one.
    stored = facebook_channel.secrets["app_secret"]
    refused = Simulator(
        "facebook",
        facebook_events,
        lambda channel, body: meta_headers(
            Channel(pk=channel.pk, secrets={"app_secret": stored + "-autre"}), body
        ),
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(SIMULATORS, "facebook", refused)
        with pytest.raises(CommandError, match="403 : signature refusée"):
            simulate(live_server.url, facebook_channel.pk, count=2)
    assert not InboundEvent.objects.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"count": 0}, "--count va de 1 à 10000"),
        ({"interval": -1}, "--interval va de 0 à 3600"),
        ({"url": "127.0.0.1:8000"}, "Adresse invalide : « 127.0.0.1:8000 »"),
    ],
)
def test_it_refuses_nonsense_options_in_french(facebook_channel, options, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "simulate", "facebook", channel=facebook_channel.pk, stdout=StringIO(), **options
        )


def test_instagram_comments_mentions_and_direct_messages_arrive(live_server, instagram_channel):
    lines = accepted_lines(simulate(live_server.url, instagram_channel.pk, 14, "instagram"))
    assert len(lines) == 14
    assert "Commentaire Instagram de @" in lines[0] and "Fête de la musique" in lines[0]
    process_due_events()
    assert not InboundEvent.objects.exclude(state=EventState.DONE).exists()
    top, again, other, account = Message.objects.filter(kind="comment").order_by("id")[:4]
    assert again.conversation == top.conversation and again.in_reply_to == top.external_id
    assert other.author_contact != top.author_contact
    assert account.direction == "out" and account.meta["page_own"] is True
    assert Message.objects.filter(external_id__startswith="mention:").exists()
    direct = Message.objects.filter(meta__platform="instagram_direct", direction="in")
    assert direct.exists()
    assert not direct.exclude(conversation__visibility="private").exists()


def test_whatsapp_texts_and_a_located_report_arrive_without_photo(live_server, whatsapp_channel):
    lines = accepted_lines(simulate(live_server.url, whatsapp_channel.pk, 10, "whatsapp"))
    assert any("Position WhatsApp" in line for line in lines)
    assert not any("Photo" in line for line in lines)
    process_due_events()
    assert not InboundEvent.objects.exclude(state=EventState.DONE).exists()
    assert Conversation.objects.filter(channel=whatsapp_channel).count() >= 3
    located = Conversation.objects.filter(location_lat__isnull=False).first()
    assert located.messages.filter(meta__type="location").exists()
    assert located.messages.filter(meta__type="text").exists()  # what the resident reports
    assert not Message.objects.filter(meta__type="image").exists()


@pytest.mark.parametrize(
    ("script", "names"),
    [
        (
            lambda rng: InstagramScript(IG_USER_ID, rng, timezone.now),
            {"comments": "comment-add.json", "mentions": "mention-comment.json"},
        ),
        (
            lambda rng: WhatsAppScript(PHONE_NUMBER_ID, rng, timezone.now),
            {"text": "text.json", "location": "location.json", "image": "image.json"},
        ),
    ],
)
def test_instagram_and_whatsapp_events_are_shaped_like_the_fixtures(script, names):
    events = list(islice(script(random.Random(3)).events(), 60))  # noqa: S311 - test data
    folder = "instagram" if "comments" in names else "whatsapp"
    shapes = {}
    for event in events:
        entry = event.body["entry"][0]
        if "messaging" in entry:
            shapes.setdefault("direct", keys(event.body))
            continue
        change = entry["changes"][0]
        what = change["value"]["messages"][0]["type"] if folder == "whatsapp" else change["field"]
        if "parent_id" not in change["value"]:
            shapes.setdefault(what, keys(event.body))
    if folder == "instagram":
        names = {**names, "direct": "direct-text.json"}
    for what, name in names.items():
        assert shapes[what] == keys(json.loads(fixture(folder, name))), name
