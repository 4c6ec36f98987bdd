"""Which commitment applies to a conversation, and the calendar it counts in."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from civique.core.models import Team
from civique.inbox.models import Conversation
from civique.sla.calendar import BusinessCalendar
from civique.sla.models import Calendar, Policy

# When no calendar is configured at all: Monday to Friday, 8:30–12:00 and 13:30–17:30, Paris.
DEFAULT_WEEK = dict.fromkeys(range(5), ((time(8, 30), time(12)), (time(13, 30), time(17, 30))))


def policy_for(conversation: Conversation) -> Policy | None:
    """The most specific active policy whose criteria all match (ties: the oldest)."""
    return matching_policy(
        team_id=conversation.team_id,
        channel_kind=conversation.channel.kind,
        visibility=conversation.visibility,
        category_id=conversation.category_id,
        priority=conversation.priority,
    )


def matching_policy(
    *,
    team_id: int | None,
    channel_kind: str,
    visibility: str,
    category_id: int | None,
    priority: int | None,
) -> Policy | None:
    """The policy a conversation with these attributes gets: every criterion matches (an empty
    one matches anything), the most specific wins (the team counts like any criterion, so a
    team's policy beats a global one with the same other criteria), ties go to the oldest."""
    active = Policy.objects.filter(is_active=True).filter(Q(team__isnull=True) | Q(team_id=team_id))
    candidates = [
        policy
        for policy in active.order_by("pk")
        if policy.team_id in (None, team_id)
        and policy.channel_kind in ("", channel_kind)
        and policy.visibility in ("", visibility)
        and policy.category_id in (None, category_id)
        and policy.priority in (None, priority)
    ]
    return max(candidates, key=lambda p: p.specificity, default=None)


def calendar_row_for(team: Team | None) -> Calendar | None:
    if team is not None:
        found = Calendar.objects.filter(team=team).first()
        if found is not None:
            return found
    return Calendar.objects.filter(team__isnull=True, personal=False).first()


def business_calendar(row: Calendar | None) -> BusinessCalendar:
    """The pure calendar of a configured one (the built-in office week when there is none)."""
    if row is None:
        return BusinessCalendar(week=DEFAULT_WEEK)
    week: dict[int, list[tuple[time, time]]] = {}
    for slot in row.slots.all():
        week.setdefault(slot.weekday, []).append((slot.opens, slot.closes))
    closed: set[date] = set()
    for closure in row.closures.all():
        day = closure.starts
        while day <= closure.ends:
            closed.add(day)
            day += timedelta(days=1)
    return BusinessCalendar(
        week={day: tuple(slots) for day, slots in week.items()},
        tz=ZoneInfo(row.timezone),
        subdivision=row.subdivision,
        closed_days=frozenset(closed),
    )


def calendar_for(team: Team | None) -> BusinessCalendar:
    return business_calendar(calendar_row_for(team))
