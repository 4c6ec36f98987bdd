"""What residents send to the town's WhatsApp number, as the WhatsApp Cloud API delivers it.

A ``WhatsAppScript`` plays an endless stream of webhook bodies (``object:
"whatsapp_business_account"``, ``messages`` field) shaped exactly like the fixtures of
``tests/channels/fixtures/whatsapp/`` (``text.json``, ``location.json``, ``image.json``): text
conversations, and a broken streetlight reported with its position and a photo. A photo names
its media by id only, and the connector downloads it from the Graph API while parsing: only
``civique demo`` plays photos (it serves them itself, see ``graph_standin.py``); ``civique
simulate`` cannot (the running instance would ask Meta), so it reports with a position and a
text instead.

Everything here is invented: people, numbers, ids, texts.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civique.demo.incidents import Incident, load_incidents
from civique.demo.social import PlatformEvent, digits, full_name, pick, quote, seconds

# Valmont's WhatsApp Business Account and number (invented, those of the test fixtures).
BUSINESS_ACCOUNT_ID = "201846377920153"
DISPLAY_NUMBER = "33977550101"

QUESTIONS = (
    "Bonjour, quels sont les horaires de la mairie le samedi matin ?",
    "Bonjour, la mairie est-elle ouverte entre midi et deux ?",
    "Bonjour, comment prendre rendez-vous pour les encombrants ? J'ai un canapé et un vieux frigo.",
    "Bonjour, les encombrants passent quand dans le quartier de la Gare ?",
    "Bonjour, peut-on déposer un dossier de permis de construire à l'accueil sans rendez-vous ?",
    "Bonsoir, où récupérer les sacs jaunes pour le tri ?",
    "Bonjour, je voudrais inscrire ma fille au centre de loisirs pour les vacances.",
)
FOLLOW_UPS = (
    "Merci beaucoup !",
    "Et il faut apporter un justificatif de domicile ?",
    "D'accord, je passerai lundi matin.",
    "Parfait, bonne journée 🙂",
)
STREETLIGHT = (
    "Bonjour, le lampadaire devant chez moi ne s'allume plus depuis trois jours, la rue est "
    "toute noire le soir.",
    "Bonsoir, un lampadaire est cassé, le globe est tombé sur le trottoir.",
)
STREETLIGHT_CAPTIONS = ("Voici le lampadaire en question", "Photo prise ce soir")


def streetlights() -> list[Incident]:
    """Valmont's public-lighting reports of the demo extract: where the photos are taken."""
    return [i for i in load_incidents() if i.category == "eclairage-public"]


def messages_body(
    phone_number_id: str, *, wa_id: str, name: str, message: dict[str, Any]
) -> dict[str, Any]:
    """A ``messages`` change carrying one message, as in ``text.json``."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [message],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": BUSINESS_ACCOUNT_ID, "changes": [{"value": value, "field": "messages"}]}],
    }


def image_media_id(event: PlatformEvent) -> str:
    """The media id of an event carrying a photo, "" for any other."""
    value = event.body["entry"][0]["changes"][0]["value"]
    message = value["messages"][0]
    return message["image"]["id"] if message["type"] == "image" else ""


@dataclass
class WhatsAppScript:
    """An endless stream of a number's events: a text conversation, then the streetlight
    report (its text, its position, its photo when ``photos``), then text conversations with the
    report coming back every few scenes. ``clock`` gives each event's moment."""

    phone_number_id: str
    rng: random.Random
    clock: Callable[[], datetime]
    photos: bool = True
    decks: dict[int, list[str]] = field(default_factory=dict)
    places: list[Incident] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.places = streetlights()

    def events(self) -> Iterator[PlatformEvent]:
        scenes = [self._conversation, self._streetlight, self._conversation, self._conversation]
        turn = 0
        while True:
            yield from scenes[turn % len(scenes)]()
            turn += 1

    def _event(
        self, person: tuple[str, str], kind: str, part: dict[str, Any], label: str
    ) -> PlatformEvent:
        when = self.clock()
        wamid = "wamid.HBgL" + base64.b64encode(digits(self.rng, 30).encode()).decode()
        message = {
            "from": person[0],
            "id": wamid,
            "timestamp": str(seconds(when)),
            "type": kind,
            kind: part,
        }
        body = messages_body(self.phone_number_id, wa_id=person[0], name=person[1], message=message)
        return PlatformEvent(f"{label} de {person[1]} (+{person[0]})", body, when)

    def _person(self) -> tuple[str, str]:
        """A fresh WhatsApp user: (wa_id, their French mobile number without "+"; profile name)."""
        return "336" + digits(self.rng, 8), full_name(self.rng)

    def _text(self, person: tuple[str, str], text: str) -> PlatformEvent:
        return self._event(person, "text", {"body": text}, f"Message WhatsApp {quote(text)}")

    def _conversation(self) -> Iterator[PlatformEvent]:
        person = self._person()
        yield self._text(person, pick(self.rng, self.decks, QUESTIONS))
        if self.rng.random() < 0.6:
            yield self._text(person, pick(self.rng, self.decks, FOLLOW_UPS))

    def _streetlight(self) -> Iterator[PlatformEvent]:
        person, place = self._person(), self.rng.choice(self.places)
        yield self._text(person, pick(self.rng, self.decks, STREETLIGHT))
        location = {
            "address": place.address,
            "latitude": place.lat,
            "longitude": place.lon,
            "name": "Lampadaire en panne",
        }
        yield self._event(person, "location", location, f"Position WhatsApp ({place.address})")
        if self.photos:
            image = {
                "caption": pick(self.rng, self.decks, STREETLIGHT_CAPTIONS),
                "mime_type": "image/jpeg",
                "sha256": base64.b64encode(digits(self.rng, 32).encode()).decode(),
                "id": digits(self.rng, 16),
            }
            yield self._event(person, "image", image, "Photo WhatsApp")
