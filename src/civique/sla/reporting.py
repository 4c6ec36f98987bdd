"""Figures for supervisors: commitments kept per channel, business time to answer, backlog.

Read-only. Times are business time in each conversation's team calendar.
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from civique.inbox.models import Status
from civique.sla.calendar import business_time_between
from civique.sla.policies import calendar_for


@dataclass
class ChannelFigures:
    channel: str
    received: int
    answered: int
    with_commitment: int
    kept: int
    median_first_answer: timedelta | None
    p90_first_answer: timedelta | None
    backlog: int

    @property
    def kept_share(self) -> float | None:
        return self.kept / self.with_commitment if self.with_commitment else None


def percentile(values: list[timedelta], share: float) -> timedelta | None:
    """Nearest-rank percentile (``share`` in 0..1); None for no value."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil without floats going wrong
    return ordered[int(rank) - 1]


def channel_figures(conversations, now: datetime) -> list[ChannelFigures]:
    """One row per channel, for ``conversations`` (a queryset the caller may see)."""
    calendars: dict[int | None, object] = {}
    rows: dict[str, dict] = {}
    for c in conversations.select_related("channel", "team"):
        row = rows.setdefault(
            c.channel.name, {"received": 0, "times": [], "with": 0, "kept": 0, "backlog": 0}
        )
        row["received"] += 1
        if c.status not in (Status.RESOLVED, Status.CLOSED):
            row["backlog"] += 1
        if c.team_id not in calendars:
            calendars[c.team_id] = calendar_for(c.team)
        if c.first_response_at:
            row["times"].append(
                max(
                    timedelta(0),
                    business_time_between(c.created_at, c.first_response_at, calendars[c.team_id]),
                )
            )
        due = c.first_answer_due_at
        if due and (c.first_response_at or now > due):
            row["with"] += 1
            row["kept"] += bool(c.first_response_at and c.first_response_at <= due)
    return [
        ChannelFigures(
            channel=name,
            received=row["received"],
            answered=len(row["times"]),
            with_commitment=row["with"],
            kept=row["kept"],
            median_first_answer=statistics.median_low(row["times"]) if row["times"] else None,
            p90_first_answer=percentile(row["times"], 0.9),
            backlog=row["backlog"],
        )
        for name, row in sorted(rows.items())
    ]


def hours(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 3600:.1f}"


CSV_HEADER = [
    "canal",
    "demandes reçues",
    "demandes répondues",
    "soumises à un engagement de réponse",
    "réponses dans le délai",
    "part dans le délai (%)",
    "première réponse, médiane (heures ouvrées)",
    "première réponse, 90e centile (heures ouvrées)",
    "demandes en cours",
]


def figures_csv(rows: list[ChannelFigures]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for r in rows:
        share = "" if r.kept_share is None else f"{100 * r.kept_share:.0f}"
        writer.writerow(
            [
                r.channel,
                r.received,
                r.answered,
                r.with_commitment,
                r.kept,
                share,
                hours(r.median_first_answer),
                hours(r.p90_first_answer),
                r.backlog,
            ]
        )
    return out.getvalue()


def received_between(queryset, start: datetime, end: datetime):
    return queryset.filter(created_at__gte=start, created_at__lt=end)
