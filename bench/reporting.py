"""Benchmark of the supervisors' dashboard (``/engagements/``) over many conversations.

``conversations`` conversations are written in bulk into a temporary database (see
``bench/ingest.py``) over the last 365 days: 3 teams (two with a calendar of their own), 8
channels, 6 themes; most acknowledged, answered and resolved at random business-like delays,
with their commitments' due times; one in six paused once (« en attente de l'usager », status
changes on the timeline); a backlog of open ones; 500 moderation cases with decisions. Then an
administrator's dashboard is timed through the real view and its templates (median of
``runs`` runs) for 30 and 365 days, the calendar year, the XLSX export, and the report alone
(``queries.build_report``) with its number of SQL queries.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta
from typing import TextIO

SEED = 20261202
KINDS = ("email", "webform", "api", "letter", "facebook", "phone", "counter", "whatsapp")


def _load_ingest_helpers():
    from civique.ingest.management.commands.bench import load_benchmark

    return load_benchmark("ingest")


def populate(count: int, now, seed: int = SEED, prefix: str = "") -> None:
    """``count`` conversations in bulk, with their status changes and some moderation."""
    from datetime import time as clock_time

    from civique.channels.models import Channel
    from civique.core.models import Team
    from civique.inbox.models import Category, Conversation, Message, TimelineEntry
    from civique.moderation.models import Decision, ModerationCase, ModerationDecision
    from civique.sla.models import Calendar

    rng = random.Random(seed)
    teams = [
        Team.objects.create(slug=f"{prefix}service-{i}", name=f"Service {prefix}{i}")
        for i in range(3)
    ]
    for team, (opens, closes) in zip(teams[:2], ((8, 17), (9, 18)), strict=False):
        calendar = Calendar.objects.create(name=f"Calendrier {team.name}", team=team)
        for weekday in range(5):
            calendar.slots.create(
                weekday=weekday, opens=clock_time(opens), closes=clock_time(closes)
            )
    channels = [
        Channel.objects.create(kind=kind, name=f"Canal {prefix}{kind}", team=teams[i % 3])
        for i, kind in enumerate(KINDS)
    ]
    categories = [
        Category.objects.create(slug=f"{prefix}theme-{i}", name=f"Thème {prefix}{i}")
        for i in range(6)
    ]
    conversations = []
    for _ in range(count):
        channel = rng.choice(channels)
        created = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
        age = now - created
        c = Conversation(
            channel=channel,
            team=channel.team,
            category=rng.choice([*categories, None]),
            subject="Demande",
            created_at=created,
            acknowledgement_due_at=created + timedelta(days=7),
            first_answer_due_at=created + timedelta(days=rng.choice((1, 3, 21))),
            resolution_due_at=created + timedelta(days=30) if rng.random() < 0.5 else None,
        )
        if rng.random() < 0.9:
            c.acknowledged_at = created + min(age, timedelta(hours=rng.uniform(0, 200)))
        if rng.random() < 0.85:
            c.first_response_at = created + min(age, timedelta(hours=rng.uniform(0.1, 600)))
            if rng.random() < 0.8:
                c.resolved_at = c.first_response_at + min(
                    now - c.first_response_at, timedelta(hours=rng.uniform(0, 400))
                )
                c.status = "resolved"
            else:
                c.status = "open"
        conversations.append(c)
    Conversation.objects.bulk_create(conversations, batch_size=1000)
    entries = []
    for c in conversations[::6]:
        start = c.created_at + (now - c.created_at) / 4
        for at, old, new in (
            (start, "open", "pending"),
            (start + timedelta(days=2), "pending", "open"),
        ):
            entries.append(
                TimelineEntry(
                    conversation=c, kind="status", created_at=at, data={"old": old, "new": new}
                )
            )
    TimelineEntry.objects.bulk_create(entries, batch_size=1000)
    public = [c for c in conversations if c.channel.kind == "facebook"][:500]
    messages = Message.objects.bulk_create(
        [
            Message(
                conversation=c,
                channel=c.channel,
                direction="in",
                kind="comment",
                visibility="public",
                text="…",
                created_at=c.created_at,
            )
            for c in public
        ]
    )
    cases = ModerationCase.objects.bulk_create(
        [
            ModerationCase(message=m, proposed_action="hide", created_at=m.created_at)
            for m in messages
        ]
    )
    ModerationDecision.objects.bulk_create(
        [
            ModerationDecision(
                case=case,
                decision=rng.choice(
                    (Decision.HIDE, Decision.REPLY_PUBLIC, Decision.DELETE, Decision.BLOCK)
                ),
                actor_label="Bench",
                created_at=case.created_at,
            )
            for case in cases
        ]
    )


def _timed(call, runs: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


# Four years of whole weeks: a second set of requests, in a past calendar year.
PAST_SHIFT = timedelta(weeks=4 * 52)


def main(conversations: int, runs: int, keep: bool, out: TextIO) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from civique.core.models import Role, User
    from civique.reporting.filters import parse_filters
    from civique.reporting.queries import build_report
    from civique.sla.calendar import PARIS

    ingest = _load_ingest_helpers()
    original, name = ingest.create_bench_database()
    try:
        out.write(f"Base temporaire : {name} ({connection.vendor})\n")
        now = timezone.now()
        started = time.perf_counter()
        populate(conversations, now)
        out.write(f"{conversations} demandes écrites en {time.perf_counter() - started:.1f} s\n")
        admin = User.objects.create_user("bench", role=Role.ADMINISTRATOR)
        setup_test_environment()
        client = Client()
        client.force_login(admin)
        year = now.astimezone(PARIS).year
        for label, params in (
            ("30 jours", {"jours": "30"}),
            ("365 jours", {"jours": "365"}),
            (f"année {year}", {"annee": str(year)}),
            ("export XLSX, 365 jours", {"jours": "365", "format": "xlsx"}),
        ):
            client.get("/engagements/", params)  # warm the caches (templates, holidays)
            seconds, response = _timed(lambda p=params: client.get("/engagements/", p), runs)
            assert response.status_code == 200, response.status_code
            out.write(f"Page « {label} » : médiane {seconds * 1000:.0f} ms sur {runs} passages\n")
        filters = parse_filters({"jours": "365"}, now=now, teams=set(), channels=set())
        with CaptureQueriesContext(connection) as queries:
            seconds, report = _timed(lambda: build_report(admin, filters, now), 1)
        out.write(
            f"Calcul seul (365 jours, {len(report.rows)} demandes, {report.backlog.total} en "
            f"cours) : {seconds * 1000:.0f} ms, {len(queries)} requêtes SQL\n"
        )
        # As many requests again, with teams and channels of their own, over the 365 days
        # ending PAST_SHIFT ago: that past year's page must be as fast as this year's.
        populate(conversations, now - PAST_SHIFT, prefix="passe-")
        past = (now - PAST_SHIFT).astimezone(PARIS).year
        params = {"annee": str(past)}
        client.get("/engagements/", params)
        seconds, response = _timed(lambda: client.get("/engagements/", params), runs)
        assert response.status_code == 200, response.status_code
        out.write(
            f"Page « année {past} » ({conversations} autres demandes sur les 365 jours finissant "
            f"il y a {PAST_SHIFT.days} jours) : médiane {seconds * 1000:.0f} ms sur {runs} "
            "passages\n"
        )
        for key, value in ingest.machine().items():
            out.write(f"  {key}: {value}\n")
    finally:
        ingest.drop_bench_database(original, keep)
