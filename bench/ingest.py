"""Benchmark of end-to-end ingestion, against a plain bulk insert as the floor.

End to end means: a raw delivery (an RFC 5322 mail or a web-form JSON document) written with
``receive_event``, then processed by the real pipeline with ``process_due_events`` in batches
(parse, identify the contact, thread, store, route, clocks, notify) until it is a routed message.
The floor is ``Message.objects.bulk_create`` of as many message rows, with the same texts, into
one throwaway conversation of the same database: what storing the rows alone costs.

Everything runs in a temporary database (a SQLite file under ``var/bench/``, or a PostgreSQL
database ``civique_bench_<pid>`` on the server of ``DATABASE_URL``), created and migrated for the
run and dropped afterwards unless ``keep``. The user's data is never touched.
"""

from __future__ import annotations

import os
import platform
import random
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TextIO

import django
from django.conf import settings
from django.db import connection
from django.utils import timezone

EMAIL_SHARE = 0.5
REPEAT_SHARE = 0.3  # events from someone who wrote before
REPLY_SHARE = 0.1  # mails that answer an earlier mail of the same person (threading)
FLOOR_BATCH = 500


@dataclass
class Payload:
    kind: str  # "email" or "webform"
    body: bytes
    content_type: str
    external_id: str


@dataclass
class Result:
    events: int
    batch: int
    intake_seconds: float
    process_seconds: float
    floor_seconds: float
    queries: int
    cpu_seconds: float  # CPU time of this process during the end-to-end phase
    messages: int  # inbound messages stored
    acknowledgements: int  # automatic acknowledgements the pipeline queued
    conversations: int
    contacts: int
    machine: dict[str, str] = field(default_factory=dict)

    @property
    def end_to_end_seconds(self) -> float:
        return self.intake_seconds + self.process_seconds

    @property
    def end_to_end_rate(self) -> float:
        return self.events / self.end_to_end_seconds

    @property
    def floor_rate(self) -> float:
        return self.events / self.floor_seconds

    @property
    def ratio(self) -> float:
        return self.floor_rate / self.end_to_end_rate


# --- The temporary database ------------------------------------------------------------------


def bench_database_name() -> str:
    if connection.vendor == "sqlite":
        folder = Path(settings.VAR_DIR) / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder / f"bench-{os.getpid()}.sqlite3")
    return f"civique_bench_{os.getpid()}"


def create_bench_database() -> tuple[str, str]:
    """Create and migrate the temporary database and switch the default connection to it.
    Returns (the user's database name, the bench database name)."""
    original = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = bench_database_name()
    name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    return original, name


def drop_bench_database(original: str, keep: bool) -> None:
    name = connection.settings_dict["NAME"]
    if keep:
        connection.close()
        return
    connection.creation.destroy_test_db(original, verbosity=0, keepdb=False)
    if connection.vendor == "sqlite":
        for suffix in ("-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)


# --- The machine -------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def database_version() -> str:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
        return f"SQLite {sqlite3.sqlite_version} (journal {mode})"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def machine() -> dict[str, str]:
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


# --- Payloads ------------------------------------------------------------------------------------


def build_payloads(count: int, seed: int) -> list[Payload]:
    """``count`` realistic deliveries: half mail, half web form; some people write again, some
    mails answer an earlier one. Built before timing: producing them is not ingestion."""
    from civique.demo.incidents import load_incidents
    from civique.demo.payloads import email_bytes, message_id, person_fields, structured
    from civique.demo.texts import incident_message, make_person

    rng = random.Random(seed)
    incidents = load_incidents()
    streets = [incident.address for incident in incidents]
    people, sent = [], {}
    start = timezone.now() - timedelta(days=7)
    result = []
    for index in range(count):
        if people and rng.random() < REPEAT_SHARE:
            person = rng.choice(people)
        else:
            person = make_person(rng, index + 1, streets)
            person.email = person.email or f"usager{index}@laposte.example"
            people.append(person)
        incident = rng.choice(incidents)
        subject, text, _obj = incident_message(rng, incident, person)
        when = start + timedelta(seconds=index * 7 * 86400 / max(count, 1))
        if rng.random() < EMAIL_SHARE:
            msgid = message_id(rng, person)
            parent = sent.get(person.email) if rng.random() < REPLY_SHARE / REPEAT_SHARE else None
            body = email_bytes(
                rng,
                person,
                subject=f"Re: {subject}" if parent else subject,
                text=text,
                when=when,
                msgid=msgid,
                in_reply_to=parent or "",
            )
            sent[person.email] = msgid
            result.append(Payload("email", body, "message/rfc822", msgid))
        else:
            external_id = f"portail:bench-{index}"
            location = {"lat": incident.lat, "lon": incident.lon, "address": incident.address}
            body = structured(
                external_id=external_id,
                **person_fields(person),
                text=text,
                category=incident.category,
                location=location,
                occurred_at=when,
            )
            result.append(Payload("webform", body, "application/json", external_id))
    return result


# --- The measure ---------------------------------------------------------------------------------


def set_up_channels() -> dict:
    from civique.channels.models import Channel
    from civique.core.models import Team
    from civique.demo.commune import CATEGORIES, TEAMS
    from civique.inbox.models import Category

    teams = {slug: Team.objects.create(slug=slug, name=name) for slug, name, _ in TEAMS}
    for slug, name, team, public in CATEGORIES:
        Category.objects.create(slug=slug, name=name, team=teams[team], is_public=public)
    email = Channel.objects.create(
        kind="email", name="contact@bench.example", team=teams["accueil"], is_active=False
    )
    webform = Channel.objects.create(kind="webform", name="Portail", team=teams["accueil"])
    return {"email": email, "webform": webform}


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure_pipeline(
    payloads: list[Payload], channels: dict, batch: int
) -> tuple[float, float, int, float]:
    """(intake seconds, processing seconds, SQL queries, CPU seconds) for the whole list."""
    from civique.ingest.actions import process_due_events, receive_event

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        cpu_started = time.process_time()
        started = time.perf_counter()
        for payload in payloads:
            receive_event(
                channels[payload.kind],
                payload.body,
                payload.content_type,
                payload.external_id,
                enqueue=False,
            )
        received = time.perf_counter()
        while process_due_events(batch):
            pass
        processed = time.perf_counter()
        cpu = time.process_time() - cpu_started
    return received - started, processed - received, counter.count, cpu


def measure_floor(channel, count: int) -> float:
    """Seconds to bulk-insert ``count`` message rows copied from the pipeline's ones."""
    from civique.inbox.models import Conversation, Message

    conversation = Conversation.objects.create(subject="Plancher du banc d'essai", channel=channel)
    models = list(Message.objects.order_by("id")[:count])
    rows = [
        Message(
            conversation=conversation,
            channel=channel,
            direction=m.direction,
            kind=m.kind,
            visibility=m.visibility,
            author_name=m.author_name,
            subject=m.subject,
            text=m.text,
            html=m.html,
            external_id=f"floor:{index}",
            platform_timestamp=m.platform_timestamp,
            meta=m.meta,
        )
        for index, m in enumerate(models * (count // max(len(models), 1) + 1))
    ][:count]
    started = time.perf_counter()
    Message.objects.bulk_create(rows, batch_size=FLOOR_BATCH)
    return time.perf_counter() - started


def run(events: int, batch: int, seed: int = 42) -> Result:
    """Measure in the current database. Precondition: it is the freshly migrated bench one."""
    from civique.contacts.models import Contact
    from civique.inbox.models import Conversation, Message
    from civique.ingest.models import EventState, InboundEvent

    info = machine()  # before measuring: the load average is the one the run starts under
    payloads = build_payloads(events, seed)
    channels = set_up_channels()
    intake, process, queries, cpu = measure_pipeline(payloads, channels, batch)
    failed = InboundEvent.objects.exclude(state=EventState.DONE).count()
    if failed:
        raise RuntimeError(f"{failed} événements non traités : le banc d'essai n'est pas valable.")
    # The pipeline also writes our automatic acknowledgements (outbound): counted apart.
    messages = Message.objects.filter(direction="in").count()
    acknowledgements = Message.objects.filter(direction="out").count()
    conversations = Conversation.objects.count()
    floor = measure_floor(channels["webform"], events)
    return Result(
        events=events,
        batch=batch,
        intake_seconds=intake,
        process_seconds=process,
        floor_seconds=floor,
        queries=queries,
        cpu_seconds=cpu,
        messages=messages,
        acknowledgements=acknowledgements,
        conversations=conversations,
        contacts=Contact.objects.count(),
        machine=info,
    )


def report(result: Result, database: str, kept: bool, out: TextIO) -> None:
    m, r = result.machine, result
    lines = [
        "Banc d'essai : ingestion de bout en bout (événement brut → message routé)",
        f"Machine      : {m['cpu']}, {m['cores']} cœurs, {m['system']}, "
        f"charge moyenne {m['load']} (1, 5, 15 min)",
        f"Logiciels    : Python {m['python']}, Django {m['django']}, {m['database']}",
        f"Base         : {database} ({'conservée' if kept else 'supprimée à la fin'})",
        f"Événements   : {r.events} (courriels et formulaires du portail, lots de {r.batch}) "
        f"→ {r.messages} messages reçus (+ {r.acknowledgements} accusés de réception), "
        f"{r.conversations} demandes, {r.contacts} usagers",
        "",
        f"Réception (receive_event)      : {r.intake_seconds:8.2f} s  "
        f"{r.events / r.intake_seconds:10.1f} év./s",
        f"Traitement (pipeline)          : {r.process_seconds:8.2f} s  "
        f"{r.events / r.process_seconds:10.1f} év./s",
        f"De bout en bout                : {r.end_to_end_seconds:8.2f} s  "
        f"{r.end_to_end_rate:10.1f} év./s  ({r.queries / r.events:.1f} requêtes SQL par événement)",
        f"  dont temps CPU de ce processus : {r.cpu_seconds:8.2f} s "
        f"({100 * r.cpu_seconds / r.end_to_end_seconds:.0f} % du temps écoulé)",
        f"Plancher (bulk_create, lots de {FLOOR_BATCH}) : {r.floor_seconds:8.2f} s  "
        f"{r.floor_rate:10.1f} messages/s",
        f"Rapport plancher / bout en bout : {r.ratio:.1f}",
        "",
    ]
    out.write("\n".join(lines))


def main(events: int, batch: int, keep: bool, out: TextIO) -> Result:
    """Create the temporary database, measure, report, drop it (unless ``keep``)."""
    original, name = create_bench_database()
    try:
        result = run(events, batch)
    finally:
        drop_bench_database(original, keep)
    report(result, name, keep, out)
    return result
