"""The dashboard's filters, parsed and checked where they enter.

``parse_filters`` takes the query string and what the user may see, and gives ``Filters`` or
raises ``FilterError`` with a French message and the status to answer (400 for a malformed or
unknown value, 404 for a team or channel the user may not see, so that existence does not
leak).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from civique.sla.calendar import PARIS

PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
GROUPINGS = {"semaine": "week", "mois": "month"}
FORMATS = ("", "csv", "xlsx")
FIRST_YEAR = 2000


class FilterError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Filters:
    start: datetime
    end: datetime
    days: int | None  # None for a calendar year
    year: int | None
    team_id: int | None
    channel_id: int | None
    by: str  # "week" or "month"
    format: str = ""
    table: str = ""

    def query(self, **changes) -> dict[str, str]:
        """The query string giving these filters (with ``changes``), for links."""
        params = {
            "jours": "" if self.days is None else str(self.days),
            "annee": "" if self.year is None else str(self.year),
            "service": "" if self.team_id is None else str(self.team_id),
            "canal": "" if self.channel_id is None else str(self.channel_id),
            "par": {v: k for k, v in GROUPINGS.items()}[self.by],
        }
        params.update(changes)
        return {k: v for k, v in params.items() if v}


def _one(params: Mapping, name: str) -> str:
    value = params.get(name, "")
    if isinstance(value, list):  # a QueryDict's getlist, or a test's list
        value = value[-1] if value else ""
    return str(value).strip()


def _optional_id(raw: str, allowed: Collection[int], unknown: str) -> int | None:
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise FilterError(unknown, 400)
    value = int(raw)
    if value not in allowed:
        raise FilterError(unknown, 404)
    return value


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """1 January 00:00 to the next 1 January, Paris time."""
    return datetime(year, 1, 1, tzinfo=PARIS), datetime(year + 1, 1, 1, tzinfo=PARIS)


def parse_filters(
    params: Mapping,
    *,
    now: datetime,
    teams: Collection[int],
    channels: Collection[int],
    tables: Collection[str] = (),
) -> Filters:
    """``jours`` (7, 30, 90 or 365; 30 by default) or ``annee`` (a calendar year up to this
    one, which wins over ``jours``), ``service`` and ``canal`` (ids among ``teams`` and
    ``channels``), ``par`` (semaine or mois; by default weeks up to 90 days, else months),
    ``format`` (csv or xlsx) and ``tableau`` (a table's slug, for the CSV)."""
    raw_days, raw_year = _one(params, "jours"), _one(params, "annee")
    year = days = None
    if raw_year:
        this_year = now.astimezone(PARIS).year
        if not (raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4):
            raise FilterError(_("Année inconnue : donnez une année sur quatre chiffres."))
        year = int(raw_year)
        if not FIRST_YEAR <= year <= this_year:
            raise FilterError(
                _("Année hors de portée : de %(first)s à %(last)s.")
                % {"first": FIRST_YEAR, "last": this_year}
            )
        start, end = year_bounds(year)
        end = min(end, now)
    else:
        days = DEFAULT_DAYS
        if raw_days:
            if raw_days not in {str(p) for p in PERIODS}:
                raise FilterError(_("Période inconnue : 7, 30, 90 ou 365 jours."))
            days = int(raw_days)
        start, end = now - timedelta(days=days), now
    team_id = _optional_id(_one(params, "service"), teams, _("Service inconnu."))
    channel_id = _optional_id(_one(params, "canal"), channels, _("Canal inconnu."))
    raw_by = _one(params, "par")
    if raw_by and raw_by not in GROUPINGS:
        raise FilterError(_("Regroupement inconnu : par semaine ou par mois."))
    by = GROUPINGS[raw_by] if raw_by else ("week" if days is not None and days <= 90 else "month")
    fmt = _one(params, "format")
    if fmt not in FORMATS:
        raise FilterError(_("Format inconnu : csv ou xlsx."))
    table = _one(params, "tableau")
    if table and table not in tables:
        raise FilterError(_("Tableau inconnu."))
    return Filters(start, end, days, year, team_id, channel_id, by, fmt, table)
