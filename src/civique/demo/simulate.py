"""Signed platform events played into a running instance, for a visitor to watch arrive.

One simulator per channel kind, registered with ``@simulator(kind)``: a function of the channel
and a random generator that returns an endless stream of ``PlatformEvent`` (its body shaped as
the platform documents it, with fresh ids and the current time). Meta signs Facebook, Instagram
and WhatsApp the same way (``X-Hub-Signature-256`` with the channel's ``app_secret``), which
``Simulator.sign`` does by default.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TextIO
from urllib.parse import urlsplit

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civique.channels.models import Channel
from civique.demo.instagram import InstagramScript
from civique.demo.social import SIGNATURE_HEADER, FacebookScript, PlatformEvent, meta_signature
from civique.demo.whatsapp import WhatsAppScript

DEFAULT_URL = "http://127.0.0.1:8000"
TIMEOUT = 10


class SimulationError(Exception):
    """The simulation cannot start or go on; the message (French) says why and what to do."""


Events = Callable[[Channel, random.Random], Iterator[PlatformEvent]]


def meta_headers(channel: Channel, body: bytes) -> dict[str, str]:
    """Headers of a Meta webhook POST signed with the channel's app secret."""
    secret = str((channel.secrets or {}).get("app_secret") or "")
    if not secret:
        raise SimulationError(
            _(
                "Le canal %(id)s n'a pas de secret d'application (app_secret) : impossible de "
                "signer les événements. Définissez-le avec « civique channel-secret %(id)s "
                "app_secret »."
            )
            % {"id": channel.pk}
        )
    return {"Content-Type": "application/json", SIGNATURE_HEADER: meta_signature(secret, body)}


@dataclass(frozen=True)
class Simulator:
    kind: str
    events: Events
    sign: Callable[[Channel, bytes], dict[str, str]] = meta_headers


SIMULATORS: dict[str, Simulator] = {}


def simulator(kind: str) -> Callable[[Events], Events]:
    """Register ``events`` as the simulator of channels of ``kind``."""

    def register(events: Events) -> Events:
        SIMULATORS[kind] = Simulator(kind, events)
        return events

    return register


def required_setting(channel: Channel, name: str, what: str) -> str:
    value = str((channel.settings or {}).get(name) or "")
    if not value:
        raise SimulationError(
            _("Le canal %(id)s n'a pas %(what)s (réglage %(name)s).")
            % {"id": channel.pk, "what": what, "name": name}
        )
    return value


@simulator("facebook")
def facebook_events(channel: Channel, rng: random.Random) -> Iterator[PlatformEvent]:
    """Comments under the Page's posts (with threads of replies) and Messenger messages."""
    page_id = required_setting(channel, "page_id", _("d'identifiant de Page"))
    return FacebookScript(page_id, rng, timezone.now).events()


@simulator("instagram")
def instagram_events(channel: Channel, rng: random.Random) -> Iterator[PlatformEvent]:
    """Comments under the account's posts (with threads of replies), @mentions and Direct
    messages."""
    account = required_setting(channel, "ig_user_id", _("d'identifiant de compte Instagram"))
    return InstagramScript(account, rng, timezone.now).events()


@simulator("whatsapp")
def whatsapp_events(channel: Channel, rng: random.Random) -> Iterator[PlatformEvent]:
    """Text messages and a streetlight reported with its position. No photo: the server would
    download it from Meta's Graph API, which knows nothing of an invented media id."""
    number = required_setting(channel, "phone_number_id", _("d'identifiant de numéro WhatsApp"))
    return WhatsAppScript(number, rng, timezone.now, photos=False).events()


# --- Playing -----------------------------------------------------------------------------------


def simulated_channel(kind: str, channel_id: int) -> tuple[Channel, Simulator]:
    """The channel to play into and its simulator; SimulationError (French) otherwise."""
    found = SIMULATORS.get(kind)
    if found is None:
        raise SimulationError(
            _("Pas de simulation pour le type « %(kind)s » (types simulés : %(known)s).")
            % {"kind": kind, "known": ", ".join(sorted(SIMULATORS))}
        )
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None:
        raise SimulationError(_("Canal %(id)s introuvable.") % {"id": channel_id})
    if channel.kind != kind:
        raise SimulationError(
            _("Le canal %(id)s est de type « %(actual)s », pas « %(kind)s ».")
            % {"id": channel_id, "actual": channel.kind, "kind": kind}
        )
    if not channel.is_active:
        raise SimulationError(
            _("Le canal %(id)s est désactivé : le serveur refuserait ses événements.")
            % {"id": channel_id}
        )
    return channel, found


def hook_url(base: str, channel: Channel) -> str:
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SimulationError(
            _("Adresse invalide : « %(url)s » (par exemple http://127.0.0.1:8000).") % {"url": base}
        )
    return f"{base.rstrip('/')}/hooks/{channel.kind}/{channel.pk}/"


REFUSALS = {
    403: gettext_lazy(
        "signature refusée : le serveur n'a pas le même secret pour ce canal (autre base de "
        "données ou autre clé de chiffrement ?)"
    ),
    404: gettext_lazy("le serveur ne connaît pas ce canal actif (lit-il la même base ?)"),
    413: gettext_lazy("événement trop volumineux pour le serveur"),
}


def _post(client: httpx.Client, url: str, body: bytes, headers: dict[str, str]) -> int:
    try:
        return client.post(url, content=body, headers=headers).status_code
    except httpx.TransportError as exc:
        base = url.split("/hooks/", 1)[0]
        raise SimulationError(
            _(
                "Le serveur ne répond pas à %(url)s (%(error)s). Lancez Civique (« civique run » "
                "ou « make run ») ou indiquez son adresse avec --url."
            )
            % {"url": base, "error": type(exc).__name__}
        ) from None


def play(
    kind: str,
    channel_id: int,
    *,
    count: int,
    interval: float,
    url: str,
    out: TextIO,
    rng: random.Random | None = None,
) -> int:
    """Send ``count`` signed events, ``interval`` seconds apart, printing each with the HTTP
    status. Returns how many the server accepted (2xx). Stops at the first refusal."""
    channel, found = simulated_channel(kind, channel_id)
    target = hook_url(url, channel)
    rng = rng or random.Random()
    accepted = 0
    with httpx.Client(timeout=TIMEOUT) as client:
        for number, event in enumerate(islice(found.events(channel, rng), count), start=1):
            if number > 1 and interval > 0:
                time.sleep(interval)
            body = event.payload
            status = _post(client, target, body, found.sign(channel, body))
            out.write(f"[{number}/{count}] {status} {event.label}\n")
            if not 200 <= status < 300:
                reason = REFUSALS.get(status, _("réponse inattendue du serveur"))
                raise SimulationError(
                    _("Le serveur a répondu %(status)s : %(reason)s.")
                    % {"status": status, "reason": reason}
                )
            accepted += 1
    return accepted
