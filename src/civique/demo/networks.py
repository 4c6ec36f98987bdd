"""Valmont's social-network accounts in the demo: one function per platform.

Each ``add_<kind>`` plays a few days of the residents' posts on the channel ``create_channels``
made for it, through the webhook's own path: the body is signed with the channel's app secret and
checked by its connector, split into deliveries as the webhook view does, then stored and
processed with ``receive_and_process``, each step dated in the past by the ``Backdater``.
WhatsApp photos are served during the load by a local stand-in of the Graph API
(``graph_standin.py``), since the connector downloads them while parsing.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import islice

from django.db import transaction

from civique.channels.connectors.base import WebhookRequest
from civique.channels.models import Channel
from civique.demo.clock import PARIS, Backdater
from civique.demo.commune import Commune
from civique.demo.generator import DemoError
from civique.demo.graph_standin import graph_media_standin, streetlight_photo
from civique.demo.instagram import InstagramScript
from civique.demo.social import SIGNATURE_HEADER, FacebookScript, PlatformEvent, meta_signature
from civique.demo.whatsapp import WhatsAppScript, image_media_id
from civique.inbox.models import Conversation, Message
from civique.ingest.actions import receive_and_process
from civique.ingest.models import EventState, InboundEvent

FACEBOOK_EVENTS = 16
INSTAGRAM_EVENTS = 12
WHATSAPP_EVENTS = 10  # two conversations, then the located streetlight photo, then more
DAYS = 4


class SteppingClock:
    """Moments from ``DAYS`` days ago onwards, a few minutes to a few hours apart, between 7 a.m.
    and midnight in Valmont, never later than a minute before ``now``."""

    def __init__(self, now: datetime, rng: random.Random) -> None:
        self.now, self.rng = now, rng
        self.moment = now - timedelta(days=DAYS)

    def __call__(self) -> datetime:
        self.moment += timedelta(minutes=self.rng.uniform(10, 300))
        local = self.moment.astimezone(PARIS)
        if local.hour < 7:  # residents sleep
            self.moment += timedelta(hours=7 - local.hour, minutes=self.rng.uniform(0, 50))
        return min(self.moment, self.now - timedelta(minutes=1))


def deliver(channel: Channel, event: PlatformEvent) -> Message | None:
    """Sign ``event`` as Meta does, check it and store it the webhook's way, then process it.
    Returns the first message it produced."""
    body = event.payload
    signature = meta_signature(str(channel.secrets.get("app_secret", "")), body)
    hook = WebhookRequest("POST", {SIGNATURE_HEADER.lower(): signature}, {}, body)
    connector = channel.connector
    if not connector.verify_webhook(channel, hook):
        raise DemoError(f"Signature refusée pour le canal de démonstration {channel.kind}.")
    first = None
    for delivery in connector.webhook_deliveries(channel, hook):
        stored = receive_and_process(
            channel, delivery.payload, delivery.content_type, delivery.external_id
        ).event
        if stored.state != EventState.DONE:
            raise DemoError(f"Événement {channel.kind} refusé : {stored.last_error}")
        if first is None and stored.message_ids:
            first = Message.objects.select_related("conversation").get(pk=stored.message_ids[0])
    return first


def play(channel: Channel, events: list[PlatformEvent], backdater: Backdater) -> None:
    for event in events:
        with backdater.at(event.when) as step:
            message = deliver(channel, event)
            step.conversation = message.conversation if message else None


def add_facebook(channel: Channel, rng: random.Random, now: datetime) -> None:
    """Comments under the town's posts (a thread under the bulky-waste post first) and private
    Messenger messages."""
    script = FacebookScript(channel.settings["page_id"], rng, SteppingClock(now, rng))
    # Receiving a comment reads its post from the Graph API: the demo's Page is not a real one,
    # so those reads go to the local stand-in (which knows no post) instead of Meta.
    with graph_media_standin({}, str(channel.secrets.get("page_access_token", ""))):
        play(channel, list(islice(script.events(), FACEBOOK_EVENTS)), Backdater(now))


def add_instagram(channel: Channel, rng: random.Random, now: datetime) -> None:
    """Comments under the account's posts (a thread under the « fête de la musique » post first),
    an @mention and Direct messages."""
    script = InstagramScript(channel.settings["ig_user_id"], rng, SteppingClock(now, rng))
    play(channel, list(islice(script.events(), INSTAGRAM_EVENTS)), Backdater(now))


def add_whatsapp(channel: Channel, rng: random.Random, now: datetime) -> None:
    """Text conversations and a broken streetlight reported with its position and a photo. The
    connector downloads the photo from the Graph API: a local stand-in serves it meanwhile."""
    script = WhatsAppScript(channel.settings["phone_number_id"], rng, SteppingClock(now, rng))
    events = list(islice(script.events(), WHATSAPP_EVENTS))
    photos = {
        media_id: streetlight_photo(rng) for event in events if (media_id := image_media_id(event))
    }
    with graph_media_standin(photos, str(channel.secrets.get("access_token", ""))):
        play(channel, events, Backdater(now))


NETWORKS: dict[str, Callable[[Channel, random.Random, datetime], None]] = {
    "facebook": add_facebook,
    "instagram": add_instagram,
    "whatsapp": add_whatsapp,
}


ACCESS_TOKENS = ("page_access_token", "access_token")


def _forget_access_token(channel: Channel) -> None:
    """The demo's accounts are invented: once loaded, their channels keep what signs and checks
    webhooks (``civique simulate`` needs it) but no access token, so a running demo never calls
    Meta; an answer on them fails at once, saying no token is recorded."""
    channel.secrets = {k: v for k, v in (channel.secrets or {}).items() if k not in ACCESS_TOKENS}
    channel.save(update_fields=["secrets"])


def add_networks(commune: Commune, seed: int, now: datetime) -> Counter:
    """Play every network whose channel has received nothing yet (a resumed load skips those
    already played: each is written in one transaction). Returns conversations by kind."""
    stats: Counter = Counter()
    for kind, add in NETWORKS.items():
        channel = commune.channels.get(kind)
        if channel is None or InboundEvent.objects.filter(channel=channel).exists():
            continue
        with transaction.atomic():
            add(channel, random.Random(f"{seed}-{kind}"), now)
            _forget_access_token(channel)
        stats[kind] = Conversation.objects.filter(channel=channel).count()
    return stats
