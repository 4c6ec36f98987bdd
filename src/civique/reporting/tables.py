"""The report as tables: one source for the data tables behind the charts, the CSV and the XLSX.

Cells hold raw values (``int``, ``float``, ``str``, ``date``, None); each output formats them
(French numbers and dates on the page and in the CSV, numbers in the XLSX).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from civique.moderation.models import CaseState
from civique.reporting import services_publics
from civique.reporting.figures import AGE_BUCKETS, KINDS, Share
from civique.reporting.queries import NO_TEAM, Report
from civique.sla.calendar import PARIS

Cell = int | float | str | date | None


@dataclass
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def percent(share: Share | None) -> float | None:
    return None if share is None or share.ratio is None else round(100 * share.ratio, 1)


def fr_number(value: float | int, decimals: int = 0, grouping: bool = True) -> str:
    """``1 234,5``: a narrow no-break space between thousands, a decimal comma."""
    text = f"{value:,.{decimals}f}" if grouping else f"{value:.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def fr_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def fr_cell(value: Cell, grouping: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, int):
        return fr_number(value, 0, grouping)
    if isinstance(value, float):
        return fr_number(value, 1, grouping)
    if isinstance(value, datetime):
        return value.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return fr_date(value)
    return str(value)


def short_period_label(day: date, by: str) -> str:
    """``31/08`` for a week, ``08/2026`` for a month: what fits under a bar."""
    return day.strftime("%m/%Y") if by == "month" else day.strftime("%d/%m")


def period_label(day: date, by: str) -> str:
    if by == "month":
        return dateformat.format(day, "F Y")  # « mars 2026 » in French
    return _("semaine du %(day)s") % {"day": fr_date(day)}


AGE_LABELS = {
    "lt1": gettext_noop("moins d'1 jour ouvré"),
    "1to4": gettext_noop("1 à 4 jours ouvrés"),
    "5to14": gettext_noop("5 à 14 jours ouvrés"),
    "ge15": gettext_noop("15 jours ouvrés et plus"),
}
KIND_LABELS = {
    "acknowledgement": gettext_noop("accusé de réception"),
    "first_answer": gettext_noop("première réponse"),
    "resolution": gettext_noop("résolution"),
}
DECISION_LABELS = {
    "hidden": gettext_noop("commentaires masqués"),
    "deleted": gettext_noop("commentaires supprimés"),
    "blocked": gettext_noop("auteurs bloqués"),
    "answered": gettext_noop("réponses (publiques ou privées)"),
}


def age_label(key: str) -> str:
    return _(AGE_LABELS[key])


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind])


def channel_table(report: Report) -> Table:
    headers = [_("canal"), _("demandes reçues"), _("demandes en cours"), _("demandes répondues")]
    for kind in KINDS:
        headers += [
            _("%(step)s, médiane (heures ouvrées)") % {"step": kind_label(kind)},
            _("%(step)s, 90e centile (heures ouvrées)") % {"step": kind_label(kind)},
        ]
    table = Table("canaux", _("Demandes et délais par canal, en temps ouvré du service"), headers)
    for c in report.channels:
        row: list[Cell] = [c.channel, c.received, c.open, c.answered]
        for kind in KINDS:
            row += [hours(c.durations[kind].median), hours(c.durations[kind].p90)]
        table.rows.append(row)
    return table


def commitments_table(report: Report) -> Table:
    headers = [_("canal")]
    for kind in KINDS:
        label = kind_label(kind)
        headers += [
            _("%(step)s : soumises à un engagement échu") % {"step": label},
            _("%(step)s : dans le délai") % {"step": label},
            _("%(step)s : part dans le délai (%%)") % {"step": label},
        ]
    table = Table("engagements", _("Engagements tenus par canal"), headers)
    for c in report.channels:
        row: list[Cell] = [c.channel]
        for kind in KINDS:
            share = c.shares[kind]
            row += [share.counted, share.kept, percent(share)]
        table.rows.append(row)
    return table


def volume_table(report: Report, slug: str, title: str, counts: dict[str, list[int]]) -> Table:
    names = list(counts)
    labels = [name or _("sans thème") for name in names]
    table = Table(slug, title, [_("période"), *labels, _("total")])
    for i, day in enumerate(report.periods):
        values = [counts[name][i] for name in names]
        table.rows.append([period_label(day, report.filters.by), *values, sum(values)])
    return table


def backlog_tables(report: Report) -> list[Table]:
    ages = Table(
        "anciennete",
        _("Demandes en cours par ancienneté, en jours ouvrés"),
        [_("ancienneté"), _("demandes en cours")],
        [[age_label(key), report.backlog.by_age[key]] for key, _l, _h in AGE_BUCKETS],
    )
    oldest = Table(
        "plus-ancienne",
        _("La plus ancienne demande en cours"),
        [_("référence"), _("canal"), _("service"), _("reçue le"), _("ancienneté (jours ouvrés)")],
    )
    row = report.backlog.oldest
    if row is not None:
        oldest.rows.append(
            [
                f"{settings.CIVIQUE_REFERENCE_PREFIX}-{row.id}",
                row.channel,
                row.team if row.team != NO_TEAM else "",
                row.created_at.astimezone(PARIS).date(),
                report.backlog.oldest_days,
            ]
        )
    return [ages, oldest]


def moderation_tables(report: Report) -> list[Table]:
    m = report.moderation
    decisions = Table(
        "moderation",
        _("Décisions de modération sur la période"),
        [_("décision"), _("nombre")],
        [[_(DECISION_LABELS[k]), m["by_decision"][k]] for k in DECISION_LABELS],
    )
    rules = Table(
        "moderation-articles",
        _("Commentaires signalés à la modération, par article de la charte"),
        [_("article"), _("commentaires signalés")],
        [[name or _("sans article"), n] for name, n in m["by_rule"].items()],
    )
    states = Table(
        "moderation-etats",
        _("Commentaires signalés sur la période, par état actuel"),
        [_("état"), _("commentaires")],
        [[str(label), m["by_state"].get(value, 0)] for value, label in CaseState.choices],
    )
    return [decisions, rules, states]


def satisfaction_table(report: Report) -> Table | None:
    s = report.satisfaction
    if s is None:
        return None
    share = None if s.satisfied_share is None else round(100 * s.satisfied_share, 1)
    net = None if s.net is None else round(100 * s.net, 1)
    return Table(
        "satisfaction",
        _("Satisfaction des usagers"),
        [
            _("enquêtes proposées"),
            _("réponses"),
            _("taux de réponse (%)"),
            _("note moyenne (sur 5)"),
            _("satisfaits"),
            _("ni l'un ni l'autre"),
            _("insatisfaits"),
            _("taux de satisfaction (%)"),
            _("taux net de satisfaction (points)"),
        ],
        [
            [
                s.sent,
                s.answered,
                None if s.response_rate is None else round(100 * s.response_rate, 1),
                None if s.mean_score is None else round(s.mean_score, 2),
                s.satisfied,
                s.neutral,
                s.dissatisfied,
                share,
                net,
            ]
        ],
    )


SCORE_LABELS = {
    1: _("1 — pas du tout satisfait"),
    2: _("2"),
    3: _("3"),
    4: _("4"),
    5: _("5 — tout à fait satisfait"),
}


def scores_table(report: Report) -> Table:
    """The answers by score, behind the satisfaction chart."""
    s = report.satisfaction
    return Table(
        "satisfaction-notes",
        _("Réponses à l'enquête de satisfaction par note"),
        [_("note"), _("réponses")],
        [[str(SCORE_LABELS[n]), s.by_score[n - 1]] for n in range(1, 6)],
    )


def services_publics_tables(report: Report) -> list[Table]:
    if report.filters.year is None:
        return []
    year = report.filters.year
    computed = Table(
        "services-publics",
        _("Indicateurs Services Publics+ de l'année %(year)s") % {"year": year},
        [
            _("indicateur"),
            _("part (%)"),
            _("dans le délai"),
            _("demandes comptées"),
            _("médiane (heures ouvrées)"),
            _("90e centile (heures ouvrées)"),
            _("précision"),
        ],
    )
    for ind in report.indicators:
        share = ind.share
        computed.rows.append(
            [
                str(ind.label),
                percent(share),
                None if share is None else share.kept,
                None if share is None else share.counted,
                hours(ind.value),
                hours(ind.value_p90),
                str(ind.note),
            ]
        )
    gaps = list(services_publics.GAPS)
    if report.satisfaction is not None:
        s = report.satisfaction
        computed.rows.append(
            [
                _("Taux de satisfaction globale"),
                None if s.satisfied_share is None else round(100 * s.satisfied_share, 1),
                s.satisfied,
                s.answered,
                None,
                None,
                _("taux net : %(net)s points")
                % {"net": fr_cell(None if s.net is None else round(100 * s.net, 1))},
            ]
        )
    else:
        gaps.append(services_publics.SATISFACTION_GAP)
    missing = Table(
        "services-publics-manquants",
        _("Indicateurs Services Publics+ que Civique ne peut pas calculer"),
        [_("indicateur"), _("pourquoi")],
        [[str(label), str(why)] for label, why in gaps],
    )
    return [computed, missing]


def report_tables(report: Report) -> list[Table]:
    """Every table of the report, in the page's order."""
    tables = [
        volume_table(report, "volumes-canal", _("Demandes reçues par canal"), report.by_channel),
        volume_table(report, "volumes-theme", _("Demandes reçues par thème"), report.by_category),
        volume_table(report, "volumes-service", _("Demandes reçues par service"), report.by_team),
        channel_table(report),
        commitments_table(report),
        *backlog_tables(report),
        *moderation_tables(report),
    ]
    satisfaction = satisfaction_table(report)
    if satisfaction is not None:
        tables += [satisfaction, scores_table(report)]
    return tables + services_publics_tables(report)


TABLE_SLUGS = (
    "volumes-canal",
    "volumes-theme",
    "volumes-service",
    "canaux",
    "engagements",
    "anciennete",
    "plus-ancienne",
    "moderation",
    "moderation-articles",
    "moderation-etats",
    "satisfaction",
    "satisfaction-notes",
    "services-publics",
    "services-publics-manquants",
)
