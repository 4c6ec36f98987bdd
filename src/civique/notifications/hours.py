"""An agent's hours: when their notifications may reach them.

Their personal calendar when they chose one (« Mes préférences »), else the calendar of their
first team (by name), else the default calendar — the same rows ``sla.policies`` counts
commitments in, so part-time days, public holidays and closures hold notifications too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from civique.core.models import User
from civique.notifications.models import Preference
from civique.sla.calendar import BusinessCalendar, is_open, next_opening
from civique.sla.models import Calendar, Weekday
from civique.sla.policies import business_calendar, calendar_row_for


@dataclass(frozen=True)
class Hours:
    row: Calendar | None  # None: the built-in office week
    calendar: BusinessCalendar
    source: str  # French: where the hours come from


def hours_for(user: User, now: datetime | None = None) -> Hours:
    """A personal calendar that never opens (no slot) is ignored rather than holding
    everything for ever."""
    personal = _personal_row(user)
    if personal is not None:
        calendar = business_calendar(personal)
        if next_opening(now or timezone.now(), calendar) is not None:
            return Hours(personal, calendar, _("vos horaires personnels"))
    team = user.teams.order_by("name").first()
    row = calendar_row_for(team)
    if row is not None and row.team_id is not None:
        source = _("les horaires du service %(team)s") % {"team": team}
    else:
        source = _("les horaires par défaut")
    return Hours(row, business_calendar(row), source)


def _personal_row(user: User) -> Calendar | None:
    preference = Preference.objects.filter(user=user).select_related("calendar").first()
    return preference.calendar if preference is not None else None


def within_hours(user: User, now: datetime) -> bool:
    return is_open(now, hours_for(user, now).calendar)


def delivery_time(user: User, now: datetime) -> datetime:
    """``now`` when the agent is within their hours, else their next opening."""
    return next_opening(now, hours_for(user, now).calendar) or now


def week_lines(hours: Hours) -> list[tuple[str, str]]:
    """(weekday, « 08h30–12h00, 13h30–17h30 ») for each open weekday, Monday first."""
    lines = []
    for day in range(7):
        slots = hours.calendar.week.get(day, ())
        if slots:
            text = ", ".join(f"{a:%Hh%M}–{b:%Hh%M}" for a, b in sorted(slots))
            lines.append((str(Weekday(day).label), text))
    return lines
