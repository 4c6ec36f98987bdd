"""Benchmark of the inbox at scale: the pages agents use all day, over a large history.

A temporary database (see ``bench/ingest.py``: a SQLite file under ``var/bench/``, or a
PostgreSQL database ``civique_bench_<pid>`` on the server of ``DATABASE_URL``) is migrated, then
filled in bulk with ``messages`` messages in ``messages / 5`` conversations spread over five
years: 20 teams, 200 agents (administrators, one supervisor per team, agents in one or two
teams), 12 themes, channels of each kind, ``messages / 10`` contacts with their identities,
realistic statuses (mostly resolved or closed, a backlog of new, open and pending), priorities,
assignees, commitments (due times, breach state), French texts about the town hall's daily
business, and the timeline entries the conversation page reads. One conversation has exactly
200 messages. Rows are written with plain ``executemany`` in large chunks, ids chosen here.

Then each page is requested through Django's test client (the real URLs, views, templates and
permission checks) ``runs`` times after one warm-up request, and its 50th and 95th percentiles
are printed, one line per measure, flagged when above the issue's targets (inbox pages 50 ms,
everything else 100 ms at the 95th percentile).

Nothing here changes the application: it measures what is there.
"""

from __future__ import annotations

import json
import math
import random
import statistics
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import TextIO

SEED = 20261202
TEAMS = 20
USERS = 200
ADMINISTRATORS = 4
YEARS = 5
CHUNK = 20_000
LONG_CONVERSATION = 200  # messages of the conversation page measured
INBOX_TARGET_MS = 50.0
OTHER_TARGET_MS = 100.0
MEASURE_BUDGET_SECONDS = 20.0  # a measure stops repeating after this long (at least 3 runs)

COMMON_WORD = "encombrants"
RARE_WORD = "mérule"
RARE_SHARE = 1 / 20_000

CHANNEL_KINDS = ("webform", "phone", "counter", "api", "facebook", "whatsapp", "instagram")
THEMES = (
    ("encombrants", "Encombrants et déchets"),
    ("etat-civil", "État civil"),
    ("voirie", "Voirie"),
    ("stationnement", "Stationnement"),
    ("cantine", "Restauration scolaire"),
    ("eclairage", "Éclairage public"),
    ("urbanisme", "Urbanisme"),
    ("espaces-verts", "Espaces verts"),
    ("proprete", "Propreté"),
    ("bruit", "Nuisances sonores"),
    ("periscolaire", "Périscolaire"),
    ("elections", "Élections"),
)
TOPICS = {
    "encombrants": [
        "Des encombrants sont déposés sur le trottoir depuis {n} jours devant le {num} rue "
        "{street}.",
        "Je voudrais prendre rendez-vous pour l'enlèvement de mes encombrants : un canapé et une "
        "armoire.",
        "Le ramassage des encombrants prévu {when} n'a pas eu lieu dans notre quartier.",
    ],
    "etat-civil": [
        "Je souhaite obtenir une copie intégrale de mon acte de naissance pour un dossier de "
        "mariage.",
        "Pouvez-vous me dire quels justificatifs apporter pour le renouvellement de ma carte "
        "d'identité ?",
        "Nous aimerions réserver une date en mairie pour notre mariage {when}.",
    ],
    "voirie": [
        "Un nid-de-poule profond s'est formé au {num} rue {street}, les vélos l'évitent de "
        "justesse.",
        "Le trottoir est défoncé devant l'école, une poussette ne peut plus passer.",
        "Les travaux de la rue {street} durent depuis {n} semaines sans aucune signalisation.",
    ],
    "stationnement": [
        "Une voiture ventouse stationne depuis {n} semaines devant le {num} rue {street}.",
        "Je conteste un avis de paiement du forfait de post-stationnement reçu {when}.",
        "Les places réservées aux personnes handicapées sont occupées chaque soir rue {street}.",
    ],
    "cantine": [
        "Mon fils est allergique à l'arachide : comment mettre en place un PAI à la cantine ?",
        "La facture de restauration scolaire de ce mois est erronée, deux repas comptés en trop.",
        "Peut-on inscrire notre fille à la cantine à partir de {when} ?",
    ],
    "eclairage": [
        "Le lampadaire devant le {num} rue {street} clignote toute la nuit.",
        "Toute la rue {street} est plongée dans le noir depuis {n} jours.",
    ],
    "urbanisme": [
        "Je voudrais déposer une déclaration préalable pour une clôture, quel formulaire remplir ?",
        "Mon voisin construit une extension sans permis affiché, au {num} rue {street}.",
    ],
    "espaces-verts": [
        "Une branche menace de tomber sur l'aire de jeux du square {street}.",
        "Les haies du parc n'ont pas été taillées depuis {n} mois.",
    ],
    "proprete": [
        "Des dépôts sauvages s'accumulent au pied des conteneurs rue {street}.",
        "Les corbeilles du marché débordent chaque samedi.",
    ],
    "bruit": [
        "Un bar de la rue {street} diffuse de la musique très fort jusqu'à trois heures.",
        "Des travaux commencent à six heures du matin au {num} rue {street}.",
    ],
    "periscolaire": [
        "L'accueil du soir ferme trop tôt pour les parents qui travaillent.",
        "Comment inscrire nos enfants au centre de loisirs pendant les vacances {when} ?",
    ],
    "elections": [
        "Je viens d'emménager : comment m'inscrire sur les listes électorales ?",
        "Ma procuration pour le scrutin {when} a-t-elle bien été enregistrée ?",
    ],
}
STREETS = (
    "Victor-Hugo",
    "Jean-Jaurès",
    "de la République",
    "Pasteur",
    "des Lilas",
    "du Moulin",
    "Gambetta",
    "des Écoles",
    "de la Gare",
    "Voltaire",
)
WHENS = ("la semaine dernière", "lundi", "le mois prochain", "hier", "en juin", "cet été")
GREETINGS = ("Bonjour,", "Madame, Monsieur,", "Bonjour Madame, Monsieur,", "Bonsoir,")
CLOSINGS = ("Cordialement,", "Merci d'avance,", "Bien à vous,", "Dans l'attente de votre réponse,")
ASKS = (
    "Pouvez-vous intervenir rapidement ?",
    "Merci de me tenir informé des suites données.",
    "C'est la deuxième fois que je vous écris à ce sujet.",
    "",
)
ANSWERS = (
    "Nous avons bien reçu votre demande et l'avons transmise au service concerné.",
    "Une équipe interviendra dans un délai de cinq jours ouvrés.",
    "Pourriez-vous nous préciser l'adresse exacte et joindre une photo ?",
    "L'intervention a été réalisée ce matin ; nous clôturons votre demande.",
    "Vous trouverez la liste des justificatifs sur le site de la mairie.",
    "Votre dossier est complet, il sera instruit sous quinze jours.",
)
NOTES = (
    "Appelé l'usager, rappel prévu demain.",
    "Transmis au centre technique municipal.",
    "Doublon probable avec une demande de la semaine dernière.",
)
RARE_TEXT = (
    "Bonjour, une mérule s'est développée dans la cave de l'école {street} : le bois des "
    "poutres est attaqué. Pouvez-vous envoyer un expert ?"
)


@dataclass
class Measure:
    label: str
    kind: str  # "inbox" (target 50 ms) or "other" (target 100 ms)
    runs: int
    p50_ms: float
    p95_ms: float
    queries: int = 0  # SQL queries of one request (the warm-up)
    sql_ms: float = 0.0  # their time, as Django's debug cursor records it
    slowest_sql: str = ""  # the slowest of them, for EXPLAIN

    @property
    def target_ms(self) -> float:
        return INBOX_TARGET_MS if self.kind == "inbox" else OTHER_TARGET_MS

    @property
    def missed(self) -> bool:
        return self.p95_ms > self.target_ms


def _load_ingest_helpers():
    from civique.ingest.management.commands.bench import load_benchmark

    return load_benchmark("ingest")


# --- Building -------------------------------------------------------------------------------


class Writer:
    """Plain ``executemany`` inserts with ids chosen here, so that rows refer to each other
    without reading anything back. Values are adapted as Django would for the backend."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.adapt_datetime = connection.ops.adapt_datetimefield_value
        self.rows = 0

    def dt(self, value):
        return None if value is None else self.adapt_datetime(value)

    def insert(self, model, columns: list[str], rows) -> None:
        table = model._meta.db_table
        quote = self.connection.ops.quote_name
        # Table and column names come from the models, quoted; values are parameters.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
        )
        with self.connection.cursor() as cursor:
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) >= CHUNK:
                    cursor.executemany(sql, batch)
                    self.rows += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                self.rows += len(batch)

    def reset_sequences(self, models) -> None:
        from django.core.management.color import no_style

        statements = self.connection.ops.sequence_reset_sql(no_style(), models)
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _message_counts(rng: random.Random, messages: int, conversations: int) -> list[int]:
    """Messages per conversation: at least one, mean five, a long tail; the first conversation
    has ``LONG_CONVERSATION`` when there are enough messages. Sums to ``messages``."""
    counts = [1] * conversations
    remaining = messages - conversations
    if remaining >= LONG_CONVERSATION and conversations > 1:
        counts[0] = LONG_CONVERSATION
        remaining -= LONG_CONVERSATION - 1
    index = 1 if counts[0] > 1 else 0
    while remaining > 0:
        extra = min(remaining, int(rng.expovariate(1 / 4)))
        target = rng.randrange(index, conversations) if conversations > index else 0
        if counts[target] + extra > 60:
            extra = max(0, 60 - counts[target])
        if extra == 0:
            extra = 1
        counts[target] += extra
        remaining -= extra
    return counts


def _citizen_text(rng: random.Random, theme: str, name: str) -> str:
    sentence = rng.choice(TOPICS[theme]).format(
        n=rng.randint(2, 15),
        num=rng.randint(1, 180),
        street=rng.choice(STREETS),
        when=rng.choice(WHENS),
    )
    return f"{rng.choice(GREETINGS)}\n{sentence} {rng.choice(ASKS)}\n{rng.choice(CLOSINGS)}\n{name}"


@dataclass
class Built:
    conversations: int
    messages: int
    contacts: int
    timeline: int
    seconds: float
    long_conversation: int
    long_messages: int  # LONG_CONVERSATION, unless the base is too small for it
    long_contact: int
    long_contact_name: str
    agent: str
    supervisor: str
    administrator: str
    busy_agent_id: int
    channel_id: int
    team_id: int
    category_id: int


def populate(messages: int, now, seed: int = SEED) -> Built:
    """Write the whole base in bulk; returns what the measures need to know about it."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from civique.channels.models import Channel
    from civique.contacts.models import Contact, Identity
    from civique.core.models import Role, Team, User
    from civique.demo import corpus
    from civique.inbox.models import Category, Conversation, Message, TimelineEntry

    started = time.perf_counter()
    rng = random.Random(seed)
    w = Writer()
    dt = w.dt
    conversations = max(1, messages // 5)
    contacts = max(1, messages // 10)
    span = YEARS * 365 * 86400

    with transaction.atomic():
        stamp = dt(now - timedelta(days=YEARS * 365))
        w.insert(
            Team,
            [
                "id",
                "slug",
                "name",
                "email",
                "description",
                "contact_visibility",
                "created_at",
                "updated_at",
            ],
            (
                (
                    i + 1,
                    f"service-{i + 1}",
                    f"Service {i + 1}",
                    "",
                    "",
                    "conversations",
                    stamp,
                    stamp,
                )
                for i in range(TEAMS)
            ),
        )
        # Users: administrators, one supervisor per team, agents in one or two teams.
        unusable = make_password(None)
        users, memberships, team_agents = [], [], {t: [] for t in range(1, TEAMS + 1)}
        for uid in range(1, USERS + 1):
            if uid <= ADMINISTRATORS:
                role, teams = Role.ADMINISTRATOR, []
            elif uid <= ADMINISTRATORS + TEAMS:
                role, teams = Role.SUPERVISOR, [uid - ADMINISTRATORS]
            else:
                role = Role.AGENT
                first = (uid % TEAMS) + 1
                teams = [first] if rng.random() < 0.7 else [first, rng.randint(1, TEAMS)]
                teams = sorted(set(teams))
                for t in teams:
                    team_agents[t].append(uid)
            first_name = rng.choice(corpus.FEMALE_FIRST_NAMES + corpus.MALE_FIRST_NAMES)
            users.append(
                (
                    uid,
                    unusable,
                    None,
                    False,
                    f"agent{uid}",
                    first_name,
                    rng.choice(corpus.LAST_NAMES),
                    f"agent{uid}@mairie.example",
                    False,
                    True,
                    stamp,
                    role,
                )
            )
            memberships.extend((uid, t) for t in teams)
        w.insert(
            User,
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "role",
            ],
            users,
        )
        w.insert(User.teams.through, ["user_id", "team_id"], memberships)

        w.insert(
            Category,
            ["id", "slug", "name", "team_id", "is_public", "created_at", "updated_at"],
            (
                (i + 1, slug, name, (i % TEAMS) + 1, True, stamp, stamp)
                for i, (slug, name) in enumerate(THEMES)
            ),
        )
        # An email box per team, then one channel of every other kind, spread over the teams.
        channels = [(cid + 1, "email", cid + 1) for cid in range(TEAMS)]
        channels += [
            (TEAMS + i + 1, kind, (i * 3) % TEAMS + 1) for i, kind in enumerate(CHANNEL_KINDS)
        ]
        secrets = Channel._meta.get_field("secrets").get_db_prep_value({}, w.connection)
        w.insert(
            Channel,
            [
                "id",
                "kind",
                "name",
                "team_id",
                "settings",
                "secrets",
                "cursor",
                "is_active",
                "polling_suspended",
                "last_error",
                "created_at",
                "updated_at",
            ],
            (
                (
                    cid,
                    kind,
                    f"Canal {kind} {cid}",
                    team,
                    "{}",
                    secrets,
                    "{}",
                    True,
                    False,
                    "",
                    stamp,
                    stamp,
                )
                for cid, kind, team in channels
            ),
        )
        # Contacts, each with an email address (and a phone number for a third).
        names, email_identity = [], [0]
        contact_rows, identity_rows = [], []
        identity_id = 0
        for cid in range(1, contacts + 1):
            first = rng.choice(corpus.FEMALE_FIRST_NAMES + corpus.MALE_FIRST_NAMES)
            last = rng.choice(corpus.LAST_NAMES)
            name = f"{first} {last}"
            names.append(name)
            created = dt(now - timedelta(seconds=rng.uniform(0, span)))
            contact_rows.append((cid, name, False, "", None, created, created))
            identity_id += 1
            email_identity.append(identity_id)
            identity_rows.append(
                (identity_id, cid, "email", f"usager{cid}@exemple.fr", name, created)
            )
            if cid % 3 == 0:
                identity_id += 1
                identity_rows.append((identity_id, cid, "phone", f"+3361{cid:07d}", "", created))
        w.insert(
            Contact,
            [
                "id",
                "display_name",
                "is_organisation",
                "notes",
                "merged_into_id",
                "created_at",
                "updated_at",
            ],
            contact_rows,
        )
        w.insert(
            Identity,
            ["id", "contact_id", "kind", "value", "display", "created_at"],
            identity_rows,
        )
        del contact_rows, identity_rows

        counts = _message_counts(rng, messages, conversations)
        channel_team = {cid: team for cid, _kind, team in channels}
        channel_kind = {cid: kind for cid, kind, _team in channels}
        email_share = 0.6
        message_id = 0
        entry_id = 0
        theme_ids = {slug: i + 1 for i, (slug, _name) in enumerate(THEMES)}
        theme_slugs = list(theme_ids)
        agent_messages: dict[int, int] = {}

        conv_columns = [
            "id",
            "subject",
            "status",
            "visibility",
            "channel_id",
            "contact_id",
            "team_id",
            "assignee_id",
            "priority",
            "category_id",
            "thread_key",
            "location_lat",
            "location_lon",
            "location_address",
            "last_message_at",
            "last_inbound_at",
            "waiting_since",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "acknowledged_at",
            "acknowledgement_due_at",
            "first_answer_due_at",
            "resolution_due_at",
            "next_due_at",
            "at_risk_at",
            "sla_policy",
            "sla_state",
            "sla_breaches",
            "created_at",
            "updated_at",
        ]
        msg_columns = [
            "id",
            "conversation_id",
            "channel_id",
            "direction",
            "kind",
            "visibility",
            "author_contact_id",
            "author_agent_id",
            "author_identity_id",
            "author_name",
            "subject",
            "text",
            "html",
            "external_id",
            "in_reply_to",
            "references",
            "platform_timestamp",
            "created_at",
            "is_automated",
            "hidden_at",
            "removed_at",
            "meta",
            "analysis",
        ]
        entry_columns = [
            "id",
            "conversation_id",
            "kind",
            "created_at",
            "actor_id",
            "message_id",
            "data",
        ]

        def rows():
            """Conversations, then their messages and timeline entries, in one pass."""
            nonlocal message_id, entry_id
            conv_rows, msg_rows, entry_rows = [], [], []
            for conv_id in range(1, conversations + 1):
                count = counts[conv_id - 1]
                if conv_id == 1 or rng.random() < email_share:
                    channel = rng.randint(1, TEAMS)
                else:
                    channel = rng.randint(TEAMS + 1, len(channels))
                kind = channel_kind[channel]
                team = channel_team[channel]
                if rng.random() < 0.15:
                    team = rng.randint(1, TEAMS)  # transferred
                contact = rng.randint(1, contacts)
                contact_name = names[contact - 1]
                theme = rng.choice(theme_slugs)
                # Older conversations are settled; the last weeks hold the backlog.
                created = now - timedelta(seconds=span * (rng.random() ** 1.15))
                if conv_id == 1:
                    created = now - timedelta(days=40)
                age_days = (now - created).total_seconds() / 86400
                draw = rng.random()
                if age_days > 60:
                    status = "closed" if draw < 0.8 else "resolved" if draw < 0.99 else "pending"
                else:
                    status = (
                        "new"
                        if draw < 0.15
                        else "open"
                        if draw < 0.5
                        else "pending"
                        if draw < 0.65
                        else "resolved"
                        if draw < 0.9
                        else "closed"
                    )
                agents = team_agents[team] or [ADMINISTRATORS + team]
                assignee = None if status == "new" or rng.random() < 0.1 else rng.choice(agents)
                public = kind in ("facebook", "instagram") and rng.random() < 0.7
                gap = min(age_days, 30) * 86400 / max(count, 1)
                when = created
                first_response = last_inbound = None
                for position in range(count):
                    message_id += 1
                    if position > 0:
                        when = when + timedelta(seconds=rng.uniform(0.2, 1.0) * gap)
                    inbound = position % 2 == 0
                    note = not inbound and rng.random() < 0.08
                    if inbound:
                        text = (
                            RARE_TEXT.format(street=rng.choice(STREETS))
                            if rng.random() < RARE_SHARE
                            else _citizen_text(rng, theme, contact_name)
                        )
                        direction, mkind = "in", "comment" if public else "message"
                        author_contact, author_agent, author_name = contact, None, contact_name
                        identity = email_identity[contact]
                        external = f"<bench-{message_id}@exemple.fr>" if kind == "email" else None
                        last_inbound = when
                    else:
                        author = assignee or rng.choice(agents)
                        agent_messages[author] = agent_messages.get(author, 0) + 1
                        text = rng.choice(NOTES if note else ANSWERS)
                        direction = "internal" if note else "out"
                        mkind = "note" if note else ("comment" if public else "message")
                        author_contact, author_agent, author_name = None, author, ""
                        identity, external = None, None
                        if not note and first_response is None:
                            first_response = when
                    visibility = "internal" if note else "public" if public else "private"
                    at = dt(when)
                    msg_rows.append(
                        (
                            message_id,
                            conv_id,
                            channel,
                            direction,
                            mkind,
                            visibility,
                            author_contact,
                            author_agent,
                            identity,
                            author_name,
                            THEMES[theme_ids[theme] - 1][1] if position == 0 else "",
                            text,
                            "",
                            external,
                            "",
                            "",
                            None,
                            at,
                            False,
                            None,
                            None,
                            "{}",
                            "{}",
                        )
                    )
                    entry_id += 1
                    entry_rows.append(
                        (entry_id, conv_id, "message", at, author_agent, message_id, "{}")
                    )
                last_message = when
                resolved = closed = None
                if status in ("resolved", "closed"):
                    resolved = when + timedelta(hours=rng.uniform(1, 72))
                    entry_id += 1
                    entry_rows.append(
                        (
                            entry_id,
                            conv_id,
                            "status",
                            dt(resolved),
                            assignee,
                            None,
                            json.dumps({"old": "open", "new": "resolved"}),
                        )
                    )
                    if status == "closed":
                        closed = resolved + timedelta(days=7)
                        entry_id += 1
                        entry_rows.append(
                            (
                                entry_id,
                                conv_id,
                                "status",
                                dt(closed),
                                None,
                                None,
                                json.dumps({"old": "resolved", "new": "closed"}),
                            )
                        )
                if assignee:
                    entry_id += 1
                    entry_rows.append(
                        (
                            entry_id,
                            conv_id,
                            "assignment",
                            dt(created + timedelta(minutes=rng.uniform(5, 600))),
                            assignee,
                            None,
                            json.dumps({"old": None, "new": assignee}),
                        )
                    )
                active = status in ("new", "open", "pending")
                waiting = last_inbound if status in ("new", "open") and count % 2 == 1 else None
                ack_due = created + timedelta(days=2)
                answer_due = created + timedelta(days=rng.choice((3, 5, 15)))
                resolution_due = created + timedelta(days=30)
                next_due = min(answer_due, resolution_due) if active else None
                if active:
                    sla_state = (
                        "paused"
                        if status == "pending"
                        else "breached"
                        if now > answer_due and first_response is None
                        else "at_risk"
                        if rng.random() < 0.1
                        else "ok"
                    )
                else:
                    sla_state = "met" if rng.random() < 0.85 else "breached"
                breaches = json.dumps(["first_answer"] if sla_state == "breached" else [])
                priority = rng.choices((1, 2, 3, 4), weights=(15, 70, 12, 3))[0]
                conv_rows.append(
                    (
                        conv_id,
                        THEMES[theme_ids[theme] - 1][1] + " — demande",
                        status,
                        "public" if public else "private",
                        channel,
                        contact,
                        team,
                        assignee,
                        priority,
                        theme_ids[theme] if rng.random() < 0.9 else None,
                        "",
                        None,
                        None,
                        "",
                        dt(last_message),
                        dt(last_inbound),
                        dt(waiting),
                        dt(first_response),
                        dt(resolved),
                        dt(closed),
                        dt(created + timedelta(minutes=2)),
                        dt(ack_due),
                        dt(answer_due),
                        dt(resolution_due),
                        dt(next_due),
                        dt(next_due - timedelta(hours=12)) if next_due else None,
                        "Engagement standard",
                        sla_state,
                        breaches,
                        dt(created),
                        dt(last_message),
                    )
                )
                if len(msg_rows) >= CHUNK:
                    yield conv_rows, msg_rows, entry_rows
                    conv_rows, msg_rows, entry_rows = [], [], []
            yield conv_rows, msg_rows, entry_rows

        timeline = 0
        for conv_rows, msg_rows, entry_rows in rows():
            w.insert(Conversation, conv_columns, conv_rows)
            w.insert(Message, msg_columns, msg_rows)
            w.insert(TimelineEntry, entry_columns, entry_rows)
            timeline += len(entry_rows)

        w.reset_sequences(
            [Team, User, Category, Channel, Contact, Identity, Conversation, Message, TimelineEntry]
        )

    long_contact = Conversation.objects.values_list("contact_id", flat=True).get(pk=1)
    # The agent measured: a busy one of the first conversation's team, with an own queue.
    first_team = Conversation.objects.values_list("team_id", flat=True).get(pk=1)
    members = team_agents[first_team] or [ADMINISTRATORS + 1]
    busy = max(members, key=lambda uid: agent_messages.get(uid, 0))
    return Built(
        conversations=conversations,
        messages=message_id,
        contacts=contacts,
        timeline=timeline,
        seconds=time.perf_counter() - started,
        long_conversation=1,
        long_messages=counts[0],
        long_contact=long_contact,
        long_contact_name=names[long_contact - 1],
        agent=f"agent{busy}",
        supervisor=f"agent{ADMINISTRATORS + first_team}",
        administrator="agent1",
        busy_agent_id=busy,
        channel_id=1,
        team_id=first_team,
        category_id=1,
    )


# --- Measuring --------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0–1) of ``values``."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Timings:
    ms: list[float]
    queries: int
    sql_ms: float
    slowest_sql: str


def time_request(
    client, path: str, params: dict, runs: int, headers: dict | None = None
) -> Timings:
    """One warm-up request (its SQL queries recorded), then up to ``runs`` timed ones (fewer,
    never under 3, when they take longer than ``MEASURE_BUDGET_SECONDS`` together)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = headers or {}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params, headers=headers)
    queries = captured.captured_queries
    slowest = max(queries, key=lambda q: float(q["time"]), default={"sql": ""})
    if response.status_code != 200:
        raise AssertionError(f"{path} {params}: HTTP {response.status_code}")
    timings: list[float] = []
    spent = 0.0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, params, headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise AssertionError(f"{path} {params}: HTTP {response.status_code}")
        timings.append(elapsed * 1000)
        spent += elapsed
        if spent > MEASURE_BUDGET_SECONDS and len(timings) >= 3:
            break
    return Timings(
        timings, len(queries), sum(float(q["time"]) for q in queries) * 1000, slowest["sql"]
    )


def plan(built: Built) -> list[tuple[str, str, str, dict, str]]:
    """(label, kind, user, params or path, path) of every measure, in print order."""
    from django.conf import settings

    roles = (
        ("agent", built.agent),
        ("supervisor", built.supervisor),
        ("administrator", built.administrator),
    )
    filters = [
        ("status closed", {"status": "closed"}),
        ("status new", {"status": "new"}),
        ("all statuses", {"status": ""}),
        ("channel", {"channel": str(built.channel_id)}),
        ("team", {"team": str(built.team_id)}),
        ("assigned to me", {"assignee": "me"}),
        ("unassigned", {"assignee": "none"}),
        ("assigned to an agent", {"assignee": str(built.busy_agent_id)}),
        ("public", {"visibility": "public"}),
        ("category", {"category": str(built.category_id)}),
        ("late", {"sla_state": "late"}),
    ]
    sorts = ["waiting", "recent", "oldest", "priority", "due"]
    steps = []
    for role, user in roles:
        steps.append((f"inbox {role} first page", "inbox", user, {}, "/"))
        for name, params in filters:
            steps.append((f"inbox {role} filter {name}", "inbox", user, params, "/"))
        for sort in sorts:
            steps.append((f"inbox {role} sort {sort}", "inbox", user, {"sort": sort}, "/"))
    for role, user in roles:
        steps.append(
            (f"inbox {role} page 2 (all statuses)", "inbox", user, {"status": "", "page": "2"}, "/")
        )
    # The paginator serves the last page when there are fewer than 1,000 (small bases, agents).
    for role, user in (("agent", built.agent), ("administrator", built.administrator)):
        steps.append(
            (
                f"inbox {role} page 1000 or last (all statuses)",
                "inbox",
                user,
                {"status": "", "page": "1000"},
                "/",
            )
        )
    steps.append(
        (
            f"conversation page ({built.long_messages} messages)",
            "other",
            built.administrator,
            {},
            f"/demandes/{built.long_conversation}/",
        )
    )
    steps.append(
        ("contact history", "other", built.administrator, {}, f"/usagers/{built.long_contact}/")
    )
    reference = f"{settings.CIVIQUE_REFERENCE_PREFIX}-{max(1, built.conversations // 2)}"
    for role, user in (("agent", built.agent), ("administrator", built.administrator)):
        for name, q in (
            ("common word", COMMON_WORD),
            ("rare word", RARE_WORD),
            ("reference", reference),
            ("a name", built.long_contact_name),
        ):
            steps.append(
                (f"search {role} {name} «{q}»", "other", user, {"q": q, "status": ""}, "/")
            )
    return steps


def measure(built: Built, runs: int, out: TextIO) -> list[Measure]:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from civique.api.actions import create_token
    from civique.core.models import User

    setup_test_environment()
    clients = {}
    results = []

    def client_for(username: str):
        if username not in clients:
            client = Client()
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        return clients[username]

    def record(label: str, kind: str, timed: Timings) -> None:
        m = Measure(
            label,
            kind,
            len(timed.ms),
            statistics.median(timed.ms),
            percentile(timed.ms, 0.95),
            timed.queries,
            timed.sql_ms,
            timed.slowest_sql,
        )
        results.append(m)
        out.write(line(m) + "\n")
        out.flush()

    for label, kind, username, params, path in plan(built):
        record(label, kind, time_request(client_for(username), path, params, runs))
    for role, username in (("agent", built.agent), ("administrator", built.administrator)):
        issued = create_token(User.objects.get(username=username), "bench")
        headers = {"Authorization": f"Bearer {issued.secret}"}
        record(
            f"API list {role}",
            "other",
            time_request(Client(), "/api/v1/conversations", {}, runs, headers),
        )
    return results


def line(m: Measure) -> str:
    flag = f"  ✗ > {m.target_ms:.0f} ms" if m.missed else ""
    detail = f"  ({m.runs} runs; {m.queries} SQL, {m.sql_ms:.0f} ms in SQL)"
    return f"{m.label:<62} p50 {m.p50_ms:8.1f} ms  p95 {m.p95_ms:8.1f} ms{flag}{detail}"


def main(messages: int, runs: int, keep: bool, out: TextIO, json_path: str = "") -> list[Measure]:
    from django.db import connection
    from django.utils import timezone

    ingest = _load_ingest_helpers()
    original, name = ingest.create_bench_database()
    try:
        out.write(f"Base temporaire : {name} ({connection.vendor})\n")
        out.flush()
        built = populate(messages, timezone.now())
        out.write(
            f"Construite en {built.seconds:.1f} s : {built.messages} messages, "
            f"{built.conversations} demandes, {built.contacts} usagers, {built.timeline} "
            f"entrées d'historique, {TEAMS} services, {USERS} agents\n"
        )
        out.flush()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as a live base would have
        results = measure(built, runs, out)
        missed = [m for m in results if m.missed]
        out.write(
            f"Au-dessus de la cible (p95 > {INBOX_TARGET_MS:.0f} ms pour les pages de la boîte, "
            f"> {OTHER_TARGET_MS:.0f} ms pour le reste) : {len(missed)} mesures sur "
            f"{len(results)}\n"
        )
        machine = ingest.machine()
        out.write(
            f"Machine : {machine['cores']} cœurs ({machine['cpu']}), Python {machine['python']}, "
            f"Django {machine['django']}, {machine['database']}, charge {machine['load']}\n"
        )
        if keep:
            out.write(f"Base conservée : {name}\n")
        if json_path:
            Path(json_path).write_text(
                json.dumps(
                    {
                        "messages": built.messages,
                        "conversations": built.conversations,
                        "contacts": built.contacts,
                        "build_seconds": round(built.seconds, 1),
                        "database": name if keep else "",
                        "machine": machine,
                        "measures": [
                            {**asdict(m), "target_ms": m.target_ms, "missed": m.missed}
                            for m in results
                        ],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        return results
    finally:
        ingest.drop_bench_database(original, keep)
