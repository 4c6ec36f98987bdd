"""What residents post on the town's Instagram account, as Instagram delivers it.

An ``InstagramScript`` plays an endless stream of webhook bodies (``object: "instagram"``) shaped
exactly like the fixtures of ``tests/channels/fixtures/instagram/`` (Graph API *Webhooks Reference
— Instagram*: ``comments`` and ``mentions`` fields; Instagram Messaging: ``messaging`` events):
comments under the account's posts with a thread of replies, @mentions, Direct messages. Like
``FacebookScript``, ``civique demo`` plays it in the past and ``civique simulate`` now.

Everything here is invented: people, ids, texts.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civique.demo.social import PlatformEvent, digits, full_name, millis, pick, quote, seconds

ACCOUNT_NAME = "villedevalmont"


@dataclass(frozen=True)
class MediaSpec:
    title: str
    comments: tuple[str, ...]  # top-level comments, each opening a conversation
    follow_ups: tuple[str, ...]  # the same author again, in their thread
    others: tuple[str, ...]  # someone else replying in the thread
    account_replies: tuple[str, ...]  # the account answering (context, not a request)


FETE = MediaSpec(
    title="Fête de la musique",
    comments=(
        "Il y aura une scène place du Marché cette année ? Mon groupe aimerait jouer 🎸",
        "Les rues autour de la mairie seront fermées à quelle heure ? J'habite rue Pasteur.",
        "Trop bien ! Il y aura quelque chose pour les enfants l'après-midi ?",
        "Est-ce que les bus circulent encore après 22 h ce soir-là ?",
        "Comment on s'inscrit pour jouer ? Le formulaire du site ne marche pas.",
    ),
    follow_ups=(
        "On est quatre, plutôt rock acoustique, on n'a besoin que d'une prise.",
        "Et pour les riverains qui doivent sortir leur voiture ?",
        "Merci pour la réponse !",
    ),
    others=(
        "On s'était inscrits par mail à la mairie l'an dernier, ça avait marché.",
        "Pareil, j'aimerais savoir aussi 🙏",
        "Le programme était affiché à la médiathèque l'année dernière.",
    ),
    account_replies=(
        "Bonjour ! Les inscriptions des groupes se font par message privé ou à l'accueil de la "
        "mairie jusqu'au 10 juin 🎶",
        "Bonjour, les rues du centre seront fermées de 18 h à 1 h ; l'accès riverains reste "
        "possible par la rue des Écoles.",
    ),
)

MARCHE = MediaSpec(
    title="Le marché du samedi",
    comments=(
        "Le marché déménage vraiment place de la Gare pendant les travaux ?",
        "Super photo ! Par contre les poubelles débordaient samedi à la fin du marché.",
        "Il y a toujours le fromager le samedi ? Je ne l'ai pas vu la semaine dernière.",
        "Pourquoi le parking est-il fermé dès 6 h ? On ne peut plus se garer pour l'école.",
    ),
    follow_ups=("Et ce sera jusqu'à quand ?", "Merci, je passerai samedi."),
    others=(
        "Le fromager est en congés jusqu'à la fin du mois, il me l'a dit.",
        "Même constat, des cageots partout rue du Commerce à 14 h.",
    ),
    account_replies=(
        "Bonjour, le marché s'installe place de la Gare du 3 au 24 juin, aux mêmes horaires.",
    ),
)

MEDIA = (FETE, MARCHE)

DIRECT_QUESTIONS = (
    "Bonjour, je voudrais tenir un stand de crêpes pour la fête de la musique, à qui dois-je "
    "m'adresser ?",
    "Bonjour, où peut-on consulter le programme complet de l'été ?",
    "Bonjour, j'ai perdu mes clés au marché samedi, quelqu'un les a-t-il rapportées à la mairie ?",
    "Bonjour, la piscine municipale rouvre-t-elle en juillet ?",
    "Bonjour, comment devenir bénévole pour les animations de l'été ?",
)
DIRECT_FOLLOW_UPS = (
    "Merci beaucoup !",
    "D'accord, je passe à l'accueil demain.",
    "Il faut une autorisation particulière ?",
)
USERNAME_ENDINGS = ("", ".valmont", "_76", ".photo", "_officiel", "98")


def _username(name: str, rng: random.Random) -> str:
    plain = name.lower().replace(" ", ".").replace("é", "e").replace("è", "e").replace("ï", "i")
    return "".join(c for c in plain if c.isalnum() or c in "._") + rng.choice(USERNAME_ENDINGS)


def comment_body(
    account_id: str,
    *,
    media_id: str,
    comment_id: str,
    parent_id: str,
    author: tuple[str, str],
    text: str,
    when: datetime,
) -> dict[str, Any]:
    """A ``comments`` change, as in ``comment-add.json`` (with ``parent_id`` for a reply, as in
    ``comment-reply-other-author.json``)."""
    value: dict[str, Any] = {
        "from": {"id": author[0], "username": author[1]},
        "media": {"id": media_id, "media_product_type": "FEED"},
        "id": comment_id,
    }
    if parent_id:
        value["parent_id"] = parent_id
    value["text"] = text
    change = {"field": "comments", "value": value}
    return {
        "object": "instagram",
        "entry": [{"id": account_id, "time": seconds(when) + 3, "changes": [change]}],
    }


def mention_body(account_id: str, *, media_id: str, comment_id: str, when: datetime) -> dict:
    """A ``mentions`` change, as in ``mention-comment.json``: ids only, no text."""
    change = {"field": "mentions", "value": {"media_id": media_id, "comment_id": comment_id}}
    return {
        "object": "instagram",
        "entry": [{"id": account_id, "time": seconds(when) + 3, "changes": [change]}],
    }


def direct_body(account_id: str, *, igsid: str, mid: str, text: str, when: datetime) -> dict:
    """A Direct ``messaging`` event, as in ``direct-text.json``."""
    event = {
        "sender": {"id": igsid},
        "recipient": {"id": account_id},
        "timestamp": millis(when),
        "message": {"mid": mid, "text": text},
    }
    return {
        "object": "instagram",
        "entry": [{"id": account_id, "time": millis(when) + 180, "messaging": [event]}],
    }


@dataclass
class InstagramScript:
    """An endless stream of an Instagram account's events. The first scene is always a full
    thread under the « fête de la musique » post (a comment, its author again, someone else, the
    account answering); Direct conversations, threads under the market photo and @mentions
    follow in turn. ``clock`` gives each event's moment when it is produced."""

    account_id: str
    rng: random.Random
    clock: Callable[[], datetime]
    media: dict[str, str] = field(default_factory=dict)  # title -> media id
    decks: dict[int, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.media = {spec.title: "17" + digits(self.rng, 15) for spec in MEDIA}

    def _person(self) -> tuple[str, str]:
        """A fresh Instagram user: (Instagram-scoped id, username)."""
        return digits(self.rng, 16), _username(full_name(self.rng), self.rng)

    def events(self) -> Iterator[PlatformEvent]:
        yield from self._thread(FETE, full=True)
        scenes = [self._direct, lambda: self._thread(MARCHE), self._mention, self._direct]
        scenes.append(lambda: self._thread(FETE))
        turn = 0
        while True:
            yield from scenes[turn % len(scenes)]()
            turn += 1

    def _comment(
        self, spec: MediaSpec, author: tuple[str, str], text: str, parent: str = ""
    ) -> PlatformEvent:
        when = self.clock()
        comment_id = "18" + digits(self.rng, 15)
        body = comment_body(
            self.account_id,
            media_id=self.media[spec.title],
            comment_id=comment_id,
            parent_id=parent,
            author=author,
            text=text,
            when=when,
        )
        what = "Réponse Instagram" if parent else "Commentaire Instagram"
        where = "dans un fil sous" if parent else "sous"
        label = f"{what} de @{author[1]} {where} « {spec.title} » : {quote(text)}"
        return PlatformEvent(label, body, when)

    def _thread(self, spec: MediaSpec, full: bool = False) -> Iterator[PlatformEvent]:
        rng = self.rng
        author = self._person()
        top = self._comment(spec, author, pick(rng, self.decks, spec.comments))
        yield top
        top_id = top.body["entry"][0]["changes"][0]["value"]["id"]
        if full or rng.random() < 0.6:
            yield self._comment(spec, author, pick(rng, self.decks, spec.follow_ups), top_id)
        if full or rng.random() < 0.4:
            yield self._comment(spec, self._person(), pick(rng, self.decks, spec.others), top_id)
        if full or rng.random() < 0.3:
            account = (self.account_id, ACCOUNT_NAME)
            text = pick(rng, self.decks, spec.account_replies)
            yield self._comment(spec, account, text, top_id)

    def _mention(self) -> Iterator[PlatformEvent]:
        """@villedevalmont in a comment under someone else's post."""
        when = self.clock()
        media_id, comment_id = "17" + digits(self.rng, 15), "17" + digits(self.rng, 15)
        body = mention_body(self.account_id, media_id=media_id, comment_id=comment_id, when=when)
        yield PlatformEvent(
            f"Mention de @{ACCOUNT_NAME} dans un commentaire (publication {media_id})", body, when
        )

    def _message(self, igsid: str, text: str) -> PlatformEvent:
        when = self.clock()
        raw = f"ig_message_item:1:IGMessageID:{self.account_id}:{digits(self.rng, 39)}"
        mid = base64.b64encode(raw.encode()).decode().rstrip("=")
        body = direct_body(self.account_id, igsid=igsid, mid=mid, text=text, when=when)
        return PlatformEvent(f"Message Direct de {igsid} : {quote(text)}", body, when)

    def _direct(self) -> Iterator[PlatformEvent]:
        igsid = digits(self.rng, 16)
        yield self._message(igsid, pick(self.rng, self.decks, DIRECT_QUESTIONS))
        if self.rng.random() < 0.6:
            yield self._message(igsid, pick(self.rng, self.decks, DIRECT_FOLLOW_UPS))
