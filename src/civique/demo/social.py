"""What residents post on the town's social-network accounts, as the platforms deliver it.

A ``FacebookScript`` plays an endless, plausible stream of Page events (comments under the town's
posts, with threads of replies; private Messenger messages) as webhook bodies shaped exactly like
the fixtures of ``tests/channels/fixtures/facebook/`` (Graph API *Webhooks Reference — Page*,
``feed`` field; Messenger Platform *Webhook Events Reference — messages*), with fresh ids and the
times a clock gives. ``civique demo`` plays it in the past through the intake; ``civique
simulate`` plays it now, signed, into a running instance.

Everything here is invented: people, ids, texts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from civique.demo import corpus

SIGNATURE_HEADER = "X-Hub-Signature-256"
PAGE_NAME = "Ville de Valmont"
PAGE_SLUG = "valmont.mairie"

# --- The corpus --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostSpec:
    slug: str
    title: str
    comments: tuple[str, ...]  # top-level comments, each opening a conversation
    follow_ups: tuple[str, ...]  # the same author again, in their thread
    others: tuple[str, ...]  # someone else replying in the thread
    page_replies: tuple[str, ...]  # the Page answering on Facebook (context, not a request)


ENCOMBRANTS = PostSpec(
    slug="encombrants",
    title="Collecte des encombrants",
    comments=(
        "Bonjour, les encombrants ne sont pas passés rue des Tilleuls, le trottoir est bloqué "
        "depuis lundi.",
        "C'est quand le prochain passage dans le quartier de la Gare ? Je ne trouve pas le "
        "calendrier sur le site.",
        "On peut mettre un vieux frigo avec les encombrants ou il faut aller à la déchetterie ?",
        "Il faut prendre rendez-vous ou on sort tout la veille au soir ?",
        "Trois semaines que le canapé est sur le trottoir avenue Jean-Jaurès, les poussettes "
        "passent sur la route.",
        "Merci pour l'info ! Les pots de peinture sont acceptés ?",
        "Encore raté, le camion est passé à 6 h alors que j'ai sorti mes meubles à 7 h…",
        "Bonjour, un matelas et deux chaises attendent depuis jeudi devant le 8 rue Pasteur.",
    ),
    follow_ups=(
        "Et il y a maintenant un matelas devant l'école.",
        "Je précise : c'est au niveau du n° 14, devant le local à vélos.",
        "Toujours rien ce matin.",
        "Je vous ai aussi écrit en message privé.",
        "Merci, c'est plus clair.",
    ),
    others=(
        "Pareil avenue Jean-Jaurès !",
        "Chez nous aussi, rue Pasteur, rien n'a été ramassé.",
        "Il faut appeler le numéro vert, ils viennent sur rendez-vous maintenant.",
        "Même problème résidence des Acacias.",
    ),
    page_replies=(
        "Bonjour, merci pour votre signalement : le service Propreté – déchets repasse cette "
        "semaine.",
        "Bonjour, le calendrier des collectes par quartier est sur valmont.example/encombrants. "
        "Bonne journée !",
        "Bonjour, les appareils électriques se déposent à la déchetterie des Prés, ouverte du "
        "mardi au samedi.",
    ),
)

TRAVAUX = PostSpec(
    slug="travaux",
    title="Travaux rue de la République",
    comments=(
        "Jusqu'à quand ? Et les bus sont déviés par où ?",
        "Et les riverains, on sort comment de notre parking ?",
        "Le bruit commence à 7 h, même le samedi, c'est normal ?",
        "Enfin ! La chaussée était dangereuse pour les vélos.",
    ),
    follow_ups=("Merci pour la réponse rapide.", "Personne ne nous a prévenus dans l'immeuble."),
    others=("La ligne 4 passe par le boulevard Gambetta, je l'ai prise ce matin.",),
    page_replies=(
        "Bonjour, les travaux durent jusqu'au 20 du mois ; l'accès aux parkings reste ouvert.",
    ),
)

POSTS = (ENCOMBRANTS, TRAVAUX)

MESSENGER_QUESTIONS = (
    "Bonjour, à quelle heure ouvre la mairie annexe le samedi ?",
    "Bonjour, comment inscrire mon fils à la cantine pour la rentrée ?",
    "Bonsoir, mon passeport expire en juin, faut-il prendre rendez-vous pour le renouveler ?",
    "Bonjour, où peut-on récupérer des sacs pour les déchets verts ?",
    "Bonjour, les encombrants sont-ils ramassés sur rendez-vous ? Je dois me débarrasser d'une "
    "armoire.",
    "Bonjour, la salle des fêtes se loue-t-elle en septembre ? C'est pour un anniversaire.",
    "Bonjour, je n'ai pas reçu ma carte d'électeur après mon déménagement, que faire ?",
)
MESSENGER_PHOTOS = (
    "Bonjour, le lampadaire devant le 12 rue des Lilas ne s'allume plus depuis trois jours. "
    "Voici une photo.",
    "Bonjour, un dépôt sauvage derrière le gymnase, photo ci-jointe.",
)
MESSENGER_FOLLOW_UPS = (
    "Merci beaucoup !",
    "Et faut-il apporter un justificatif de domicile ?",
    "C'est juste en face de la boulangerie.",
    "D'accord, je passerai lundi.",
)

# --- Meta's payload shapes ---------------------------------------------------------------------


def meta_signature(secret: str, body: bytes) -> str:
    """``X-Hub-Signature-256``: HMAC-SHA256 of the raw body with the app secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(body: dict[str, Any]) -> bytes:
    """The bytes Meta posts (ASCII JSON, non-ASCII escaped)."""
    return json.dumps(body, ensure_ascii=True).encode()


def seconds(when: datetime) -> int:
    return int(when.timestamp())


def millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


@dataclass
class Post:
    page_id: str
    number: str
    published: datetime
    spec: PostSpec

    @property
    def id(self) -> str:
        return f"{self.page_id}_{self.number}"

    @property
    def permalink(self) -> str:
        return f"https://www.facebook.com/{PAGE_SLUG}/posts/pfbid0{self.number[:10]}"


def comment_body(
    post: Post,
    *,
    comment_id: str,
    parent_id: str,
    author: tuple[str, str],
    text: str,
    when: datetime,
) -> dict[str, Any]:
    """A ``feed`` change ``item: comment, verb: add``, as in ``comment-add.json``."""
    value = {
        "from": {"id": author[0], "name": author[1]},
        "post": {
            "status_type": "added_photos",
            "is_published": True,
            "updated_time": post.published.strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "permalink_url": post.permalink,
            "promotion_status": "inactive",
            "id": post.id,
        },
        "message": text,
        "post_id": post.id,
        "comment_id": comment_id,
        "created_time": seconds(when),
        "item": "comment",
        "parent_id": parent_id,
        "verb": "add",
    }
    change = {"value": value, "field": "feed"}
    return {
        "entry": [{"id": post.page_id, "time": seconds(when) + 3, "changes": [change]}],
        "object": "page",
    }


def messenger_body(
    page_id: str, *, psid: str, mid: str, text: str, when: datetime, photo: str = ""
) -> dict[str, Any]:
    """A Messenger ``messages`` event, as in ``messenger-text.json`` (with ``photo``: an image
    attachment, as in ``messenger-attachment.json``, beside the text)."""
    message: dict[str, Any] = {"mid": mid, "text": text}
    if photo:
        message["attachments"] = [{"type": "image", "payload": {"url": photo}}]
    event = {
        "sender": {"id": psid},
        "recipient": {"id": page_id},
        "timestamp": millis(when),
        "message": message,
    }
    return {
        "object": "page",
        "entry": [{"id": page_id, "time": millis(when) + 180, "messaging": [event]}],
    }


# --- The script --------------------------------------------------------------------------------


@dataclass
class PlatformEvent:
    """One webhook body to deliver, and what it is, in French, for a console or a log."""

    label: str
    body: dict[str, Any]
    when: datetime

    @property
    def payload(self) -> bytes:
        return encode(self.body)


def quote(text: str, width: int = 70) -> str:
    return f"« {text if len(text) <= width else text[: width - 1] + '…'} »"


def digits(rng: random.Random, count: int) -> str:
    """A platform id of ``count`` digits, not starting with 0."""
    return str(rng.randrange(1, 10)) + "".join(rng.choices(string.digits, k=count - 1))


def pick(rng: random.Random, decks: dict[int, list[str]], pool: tuple[str, ...]) -> str:
    """A text of ``pool``, none twice before all have been said (``decks`` keeps what is left)."""
    deck = decks.get(id(pool))
    if not deck:
        deck = decks[id(pool)] = rng.sample(pool, len(pool))
    return deck.pop()


def full_name(rng: random.Random) -> str:
    """An invented resident's first and last name."""
    pool = rng.choice([corpus.FEMALE_FIRST_NAMES, corpus.MALE_FIRST_NAMES])
    return f"{rng.choice(pool)} {rng.choice(corpus.LAST_NAMES)}"


@dataclass
class FacebookScript:
    """An endless stream of a Page's events. The first scene is always a full thread under the
    bulky-waste post (a comment, its author again, someone else, the Page answering); Messenger
    conversations and threads under the other post follow in turn.

    ``clock`` gives each event's moment when it is produced (``timezone.now`` to play live).
    """

    page_id: str
    rng: random.Random
    clock: Callable[[], datetime]
    posts: list[Post] = field(default_factory=list)
    decks: dict[int, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        published = self.clock() - timedelta(hours=self.rng.uniform(3, 30))
        self.posts = [Post(self.page_id, self._digits(15), published, spec) for spec in POSTS]

    def _digits(self, count: int) -> str:
        return digits(self.rng, count)

    def _pick(self, pool: tuple[str, ...]) -> str:
        return pick(self.rng, self.decks, pool)

    def _person(self) -> tuple[str, str]:
        """A fresh Facebook user: (app-scoped id, name)."""
        name = full_name(self.rng)
        return self._digits(16), name

    def events(self) -> Iterator[PlatformEvent]:
        scenes = [self._thread, self._messenger, self._thread, self._messenger]
        posts = [self.posts[0], None, self.posts[1], None]
        yield from self._thread(self.posts[0], full=True)
        turn = 1
        while True:
            scene, post = scenes[turn % 4], posts[turn % 4]
            yield from scene(post) if post is not None else scene()
            turn += 1

    def _comment(
        self, post: Post, author: tuple[str, str], text: str, parent: str = ""
    ) -> PlatformEvent:
        comment_id = f"{post.number}_{self._digits(16)}"
        when = self.clock()
        body = comment_body(
            post,
            comment_id=comment_id,
            parent_id=parent or post.id,
            author=author,
            text=text,
            when=when,
        )
        what = "Réponse" if parent else "Commentaire"
        who = f"la Page ({author[1]})" if author[0] == self.page_id else author[1]
        where = "dans un fil sous" if parent else "sous"
        label = f"{what} de {who} {where} « {post.spec.title} » : {quote(text)}"
        return PlatformEvent(label, body, when)

    def _thread(self, post: Post, full: bool = False) -> Iterator[PlatformEvent]:
        rng, spec = self.rng, post.spec
        author = self._person()
        top = self._comment(post, author, self._pick(spec.comments))
        yield top
        top_id = top.body["entry"][0]["changes"][0]["value"]["comment_id"]
        if full or rng.random() < 0.6:
            yield self._comment(post, author, self._pick(spec.follow_ups), top_id)
        if full or rng.random() < 0.4:
            yield self._comment(post, self._person(), self._pick(spec.others), top_id)
        if full or rng.random() < 0.3:
            page = (self.page_id, PAGE_NAME)
            yield self._comment(post, page, self._pick(spec.page_replies), top_id)

    def _message(self, psid: str, text: str, photo: str = "") -> PlatformEvent:
        when = self.clock()
        mid = "m_" + "".join(self.rng.choices(string.ascii_letters + string.digits, k=46))
        body = messenger_body(self.page_id, psid=psid, mid=mid, text=text, when=when, photo=photo)
        what = "Message Messenger avec photo" if photo else "Message Messenger"
        # Messenger names a person by their Page-scoped id only, as the inbox will.
        return PlatformEvent(f"{what} de {psid} : {quote(text)}", body, when)

    def _messenger(self) -> Iterator[PlatformEvent]:
        rng = self.rng
        psid = self._digits(17)
        if rng.random() < 0.3:
            photo = (
                "https://scontent.xx.fbcdn.net/v/t1.15752-9/"
                f"{self._digits(9)}_n.jpg?_nc_cat=1&oh=00_AYB{self._digits(6)}&oe=6760A1B2"
            )
            yield self._message(psid, self._pick(MESSENGER_PHOTOS), photo)
        else:
            yield self._message(psid, self._pick(MESSENGER_QUESTIONS))
        if rng.random() < 0.5:
            yield self._message(psid, self._pick(MESSENGER_FOLLOW_UPS))
