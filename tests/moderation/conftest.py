"""Comments on a Facebook Page played through the real webhook URL and worker, with the
analysis the analysers would store on them, and the moderation roles."""

from __future__ import annotations

import json
from itertools import count

import pytest
from django.test import Client
from django.utils import timezone

from civique.channels.models import Channel
from civique.core.models import Role, User
from civique.inbox.models import Message
from civique.ingest.actions import process_due_events
from civique.ingest.models import EventState, InboundEvent
from civique.moderation.models import (
    AutoRule,
    CharterRule,
    ModerationCase,
    ModerationSetup,
    RuleAction,
)
from civique.moderation.rules import moderate_message
from tests.channels.facebook import PAGE_TOKEN
from tests.hooks import PAGE_ID, post_signed

POST = f"{PAGE_ID}_872301445528771"
_ids = count(1)


def finding(label: str, score: float, text: str = "", start: int = 0) -> dict:
    spans = [[start, start + len(text), text]] if text else []
    return {"label": label, "score": score, "analyser": "test", "spans": spans}


def comment_payload(text: str, author: str, name: str, comment_id: str, verb: str = "add") -> bytes:
    now = int(timezone.now().timestamp())
    value = {
        "from": {"id": author, "name": name},
        "post": {"id": POST, "permalink_url": "https://www.facebook.com/valmont/posts/1"},
        "message": text,
        "post_id": POST,
        "comment_id": comment_id,
        "created_time": now,
        "item": "comment",
        "parent_id": POST,
        "verb": verb,
    }
    entry = {"id": PAGE_ID, "time": now, "changes": [{"field": "feed", "value": value}]}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


def receive(
    channel: Channel,
    text: str,
    *,
    author: str = "6231844129578201",
    name: str = "Renée Lefèvre",
    comment_id: str | None = None,
    verb: str = "add",
) -> Message:
    """A comment received through the real webhook URL and processed by the worker."""
    comment_id = comment_id or f"872301445528771_{next(_ids):016d}"
    body = comment_payload(text, author, name, comment_id, verb)
    assert post_signed(Client(), channel, body).status_code == 200
    process_due_events()
    event = InboundEvent.objects.order_by("-id").first()
    assert event.state == EventState.DONE, event.last_error
    return Message.objects.get(pk=event.message_ids[0])


def analysed(message: Message, *findings: dict) -> ModerationCase | None:
    """Store ``findings`` on ``message`` and run the moderation on it, as the pipeline's stage
    does for a new message; the case the intake already opened (from the real analysers'
    findings) when there is one. ``test_intake.py`` relies on the real analysers alone."""
    message.analysis = {"version": 1, "findings": list(findings)}
    message.save(update_fields=["analysis"])
    moderate_message(message)
    return ModerationCase.objects.filter(message=message).first()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def moderator(team) -> User:
    user = User.objects.create_user(
        "moderatrice", password="motdepasse-mod", role=Role.SUPERVISOR, first_name="Maud"
    )
    user.teams.add(team)
    return user


@pytest.fixture
def head(moderator) -> User:
    ModerationSetup.objects.update_or_create(pk=1, defaults={"head_of_communication": moderator})
    return moderator


@pytest.fixture
def page_routes(facebook_channel, graph_api) -> Channel:
    """The standing Facebook Page with its access token (not the fixture ``page``: the browser
    tests name theirs so), the fake Graph API answering the post read and every moderation
    call."""
    page = facebook_channel
    page.secrets = {**page.secrets, "page_access_token": PAGE_TOKEN}
    page.save()
    graph_api.route("GET", POST, {"id": POST, "message": "Collecte des encombrants"})
    graph_api.route("POST", r"\d+_\d+", {"success": True})
    graph_api.route("DELETE", r"\d+_\d+", {"success": True})
    graph_api.route("POST", rf"{PAGE_ID}/messages", {"recipient_id": "1", "message_id": "m_1"})
    graph_api.route("POST", r"\d+_\d+/comments", {"id": "872301445528771_999"})
    return page


def health_rule(channel: Channel, *, enabled: bool = True) -> AutoRule:
    """The health rule on ``channel``, with the administrator's consent to hide (``enabled``)."""
    rule = AutoRule.objects.create(
        name="Santé sur la page de l'hôpital",
        labels=["health"],
        action=RuleAction.HIDE,
        charter_rule=CharterRule.objects.get(slug="sante"),
        automatic_hide_enabled=enabled,
        explain_privately=True,
    )
    rule.channels.add(channel)
    return rule
