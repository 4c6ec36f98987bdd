"""Reading the figures from the database, in bulk, for what a user may see.

A report is a handful of queries whatever the number of conversations: the conversations of the
period as ``values()`` rows, their status changes (for the pauses), the open ones (backlog),
one calendar per team, and the moderation counts. Everything else is ``figures.py``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet

from civique.channels.models import Channel
from civique.core.models import Team
from civique.inbox.access import conversations_for
from civique.inbox.models import Conversation, Status, TimelineEntry, TimelineKind
from civique.moderation.models import Decision, ModerationCase, ModerationDecision
from civique.reporting import figures, services_publics
from civique.reporting.filters import Filters
from civique.reporting.satisfaction import SatisfactionFigures, satisfaction_figures
from civique.sla.calendar import HORIZON_DAYS, BusinessCalendar
from civique.sla.policies import calendar_for

FIELDS = (
    "id",
    "created_at",
    "channel__name",
    "channel__kind",
    "team_id",
    "team__name",
    "category__name",
    "status",
    "acknowledged_at",
    "first_response_at",
    "resolved_at",
    "acknowledgement_due_at",
    "first_answer_due_at",
    "resolution_due_at",
)
NO_TEAM = "—"

# Moderation decisions the dashboard counts, by what they did.
DECISION_GROUPS = {
    "hidden": (Decision.HIDE, Decision.AUTO_HIDE),
    "deleted": (Decision.DELETE,),
    "blocked": (Decision.BLOCK,),
    "answered": (Decision.REPLY_PUBLIC, Decision.REPLY_PRIVATE),
}


def can_see_reports(user) -> bool:
    return bool(user.is_authenticated and (user.is_supervisor or user.is_administrator))


def teams_for(user) -> QuerySet[Team]:
    """The teams a user may filter on: all for administrators, their own otherwise."""
    teams = Team.objects.all() if user.is_administrator else user.teams.all()
    return teams.order_by("name")


def channels_for(user) -> QuerySet[Channel]:
    """The channels of the conversations a user may see, and of their teams."""
    visible = conversations_for(user).values("channel_id")
    if user.is_administrator:
        return Channel.objects.order_by("name")
    return Channel.objects.filter(Q(pk__in=visible) | Q(team__in=user.teams.all())).order_by("name")


def scoped(user, filters: Filters) -> QuerySet[Conversation]:
    """The conversations the user may see, narrowed to the filters' team and channel (the
    period is applied by the caller: the backlog ignores it)."""
    qs = conversations_for(user)
    if filters.team_id is not None:
        qs = qs.filter(team_id=filters.team_id)
    if filters.channel_id is not None:
        qs = qs.filter(channel_id=filters.channel_id)
    return qs


def read_rows(qs: QuerySet[Conversation], *, pauses: bool = True) -> list[figures.Row]:
    """Plain rows, with the pauses read from the status changes in one query (unless
    ``pauses`` is false: the backlog does not need them)."""
    changes: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    if pauses:
        entries = (
            TimelineEntry.objects.filter(kind=TimelineKind.STATUS, conversation__in=qs.values("pk"))
            .order_by("created_at", "id")
            .values_list("conversation_id", "created_at", "data")
        )
        for conversation_id, at, data in entries:
            changes[conversation_id].append((at, (data or {}).get("new", "")))
    rows = []
    for v in qs.order_by().values(*FIELDS):
        rows.append(
            figures.Row(
                id=v["id"],
                created_at=v["created_at"],
                channel=v["channel__name"],
                channel_kind=v["channel__kind"],
                team_id=v["team_id"],
                team=v["team__name"] or NO_TEAM,
                category=v["category__name"] or "",
                status=v["status"],
                acknowledged_at=v["acknowledged_at"],
                first_response_at=v["first_response_at"],
                resolved_at=v["resolved_at"],
                acknowledgement_due_at=v["acknowledgement_due_at"],
                first_answer_due_at=v["first_answer_due_at"],
                resolution_due_at=v["resolution_due_at"],
                pauses=figures.pause_periods(changes.get(v["id"], ())),
            )
        )
    return rows


# How long after the period its requests' answers and resolutions are looked for by the fast
# clock; a later one is still measured, by the slower ``business_time_between``.
PERIOD_MARGIN = timedelta(days=366)
# The longest range a clock covers: no further than the calendar functions look ahead.
CLOCK_SPAN = timedelta(days=HORIZON_DAYS - 2)


class Clocks:
    """One ``BusinessClock`` per team (its calendar read once), over ``start``–``end``; a
    range longer than ``CLOCK_SPAN`` keeps its end (the days nearest ``end``). ``sharing``:
    other clocks whose teams and calendars, already read, this one reuses."""

    def __init__(self, start: datetime, end: datetime, sharing: Clocks | None = None) -> None:
        self.start = max(start - timedelta(days=1), end - CLOCK_SPAN)
        self.end = end + timedelta(days=1)
        self._clocks: dict[int | None, figures.BusinessClock] = {}
        self._teams: dict[int, Team] = sharing._teams if sharing else {}
        self._calendars: dict[int | None, BusinessCalendar] = sharing._calendars if sharing else {}

    @classmethod
    def for_period(cls, start: datetime, end: datetime, now: datetime) -> Clocks:
        """Clocks for the requests received from ``start`` to ``end``: from the period's
        start to ``PERIOD_MARGIN`` after its end (no later than ``now``), so that a past
        year's figures are computed as fast as this year's."""
        last = min(now, end + PERIOD_MARGIN, start + CLOCK_SPAN)
        return cls(start, max(last, start))

    def load_teams(self, ids: set[int | None]) -> None:
        missing = [i for i in ids if i is not None and i not in self._teams]
        if missing:
            self._teams.update(Team.objects.in_bulk(missing))

    def __call__(self, row: figures.Row) -> figures.BusinessClock:
        if row.team_id not in self._clocks:
            if row.team_id not in self._calendars:
                team = self._teams.get(row.team_id) if row.team_id is not None else None
                self._calendars[row.team_id] = calendar_for(team)
            self._clocks[row.team_id] = figures.BusinessClock(
                self._calendars[row.team_id], self.start, self.end
            )
        return self._clocks[row.team_id]


@dataclass
class Report:
    filters: Filters
    now: datetime
    periods: list[date]
    rows: list[figures.Row]
    channels: list[figures.ChannelFigures]
    by_channel: dict[str, list[int]]
    by_category: dict[str, list[int]]
    by_team: dict[str, list[int]]
    backlog: figures.Backlog
    moderation: dict[str, dict[str, int]]
    satisfaction: SatisfactionFigures | None
    indicators: list[services_publics.Indicator] = field(default_factory=list)


def moderation_counts(qs: QuerySet[Conversation], start: datetime, end: datetime) -> dict:
    """Cases opened in the period on these conversations' comments, by article and by state;
    decisions taken in the period, by what they did."""
    cases = ModerationCase.objects.filter(
        message__conversation__in=qs.values("pk"), created_at__gte=start, created_at__lt=end
    )
    by_rule = {}
    for row in cases.values("charter_rule__article", "charter_rule__title").annotate(n=Count("id")):
        article, title = row["charter_rule__article"], row["charter_rule__title"]
        by_rule[f"Art. {article} — {title}" if article else ""] = row["n"]
    by_state = {r["state"]: r["n"] for r in cases.values("state").annotate(n=Count("id"))}
    decisions = ModerationDecision.objects.filter(
        case__message__conversation__in=qs.values("pk"),
        created_at__gte=start,
        created_at__lt=end,
    )
    counted = {r["decision"]: r["n"] for r in decisions.values("decision").annotate(n=Count("id"))}
    by_decision = {
        group: sum(counted.get(d, 0) for d in members) for group, members in DECISION_GROUPS.items()
    }
    return {
        "by_rule": dict(sorted(by_rule.items())),
        "by_state": by_state,
        "by_decision": by_decision,
    }


def build_report(user, filters: Filters, now: datetime) -> Report:
    """Every figure of the dashboard for ``user`` (who may see reports) and ``filters``."""
    base = scoped(user, filters)
    received = base.filter(created_at__gte=filters.start, created_at__lt=filters.end)
    rows = read_rows(received)
    # The backlog: the open ones among those, and the open ones received outside the period.
    others = base.exclude(status__in=(Status.RESOLVED, Status.CLOSED)).exclude(
        created_at__gte=filters.start, created_at__lt=filters.end
    )
    open_rows = [r for r in rows if r.is_open] + read_rows(others, pauses=False)
    # Two ranges: the period's requests (answered and resolved soon after it), and the
    # backlog's (open ones, counted up to now). One range from the oldest to now would not
    # cover a past year: the calendar functions look only three years ahead.
    clocks = Clocks.for_period(filters.start, filters.end, now)
    clocks.load_teams({r.team_id for r in rows})
    oldest = min((r.created_at for r in open_rows), default=now)
    backlog_clocks = Clocks(oldest, now, sharing=clocks)
    backlog_clocks.load_teams({r.team_id for r in open_rows})
    periods = figures.buckets(filters.start, filters.end, filters.by)
    report = Report(
        filters=filters,
        now=now,
        periods=periods,
        rows=rows,
        channels=figures.channel_figures(rows, clocks, now),
        by_channel=figures.volumes(rows, lambda r: r.channel, filters.by, periods),
        by_category=figures.volumes(rows, lambda r: r.category, filters.by, periods),
        by_team=figures.volumes(rows, lambda r: r.team, filters.by, periods),
        backlog=figures.backlog(open_rows, backlog_clocks, now),
        moderation=moderation_counts(base, filters.start, filters.end),
        # Surveys offered in the period, whenever their conversation began.
        satisfaction=satisfaction_figures(base, filters.start, filters.end),
    )
    if filters.year is not None:
        times = {}
        for row in rows:
            elapsed = figures.time_to(row, "first_answer", clocks(row))
            if elapsed is not None:
                times[row.id] = elapsed
        report.indicators = services_publics.indicators(rows, times, now)
    return report
