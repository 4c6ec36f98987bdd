"""An agent's hours: when their notifications may reach them.

Their personal calendar when they chose one (« Mes préférences »), else the calendar of their
first team (by name), else the default calendar, else the built-in office week — the same rows
``sla.policies`` counts commitments in, so part-time days, public holidays and closures hold
notifications too. A calendar that never opens (a week saved without any slot) is skipped for
the next one: it must not let notifications through at any hour, nor hold them for ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from civique.core.models import User
from civique.notifications.models import Preference
from civique.sla.calendar import BusinessCalendar, is_open, next_opening
from civique.sla.models import Calendar, Weekday
from civique.sla.policies import business_calendar, calendar_row_for

# Only if no calendar at all ever opens (cannot happen: the built-in week always does), a held
# notification is looked at again this much later instead of being delivered out of hours.
HOLD_WHEN_NEVER_OPEN = timedelta(days=1)


@dataclass(frozen=True)
class Hours:
    row: Calendar | None  # None: the built-in office week
    calendar: BusinessCalendar
    source: str  # French: where the hours come from


def hours_for(user: User, now: datetime | None = None) -> Hours:
    """The first of personal, team, default calendar that opens at or after ``now``; the
    built-in office week when none does."""
    now = now or timezone.now()
    personal = _personal_row(user)
    if personal is not None:
        calendar = business_calendar(personal)
        if next_opening(now, calendar) is not None:
            return Hours(personal, calendar, _("vos horaires personnels"))
    team = user.teams.order_by("name").first()
    row = calendar_row_for(team)
    if row is not None and row.team_id is not None:
        calendar = business_calendar(row)
        if next_opening(now, calendar) is not None:
            return Hours(row, calendar, _("les horaires du service %(team)s") % {"team": team})
        row = calendar_row_for(None)
    if row is not None:
        calendar = business_calendar(row)
        if next_opening(now, calendar) is not None:
            return Hours(row, calendar, _("les horaires par défaut"))
    return Hours(None, business_calendar(None), _("les horaires par défaut"))


def _personal_row(user: User) -> Calendar | None:
    preference = Preference.objects.filter(user=user).select_related("calendar").first()
    return preference.calendar if preference is not None else None


def within_hours(user: User, now: datetime) -> bool:
    return is_open(now, hours_for(user, now).calendar)


def delivery_time(user: User, now: datetime) -> datetime:
    """``now`` when the agent is within their hours, else their next opening; never ``now``
    out of hours (see ``HOLD_WHEN_NEVER_OPEN``)."""
    return opening_or_hold(now, hours_for(user, now))


def opening_or_hold(now: datetime, hours: Hours) -> datetime:
    opening = next_opening(now, hours.calendar)
    return opening if opening is not None else now + HOLD_WHEN_NEVER_OPEN


def week_lines(hours: Hours) -> list[tuple[str, str]]:
    """(weekday, « 08h30–12h00, 13h30–17h30 ») for each open weekday, Monday first."""
    lines = []
    for day in range(7):
        slots = hours.calendar.week.get(day, ())
        if slots:
            text = ", ".join(f"{a:%Hh%M}–{b:%Hh%M}" for a, b in sorted(slots))
            lines.append((str(Weekday(day).label), text))
    return lines
