"""The supervisors' dashboard (« Tableau de bord des engagements ») and its CSV and XLSX exports.

parse (filters) → access (supervisors and administrators; figures over the conversations they
may see, teams and channels among theirs) → compute (``queries.build_report``) → render.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civique.reporting import charts
from civique.reporting.exports import table_csv, tables_xlsx
from civique.reporting.figures import AGE_BUCKETS, KINDS
from civique.reporting.filters import PERIODS, FilterError, parse_filters
from civique.reporting.queries import Report, build_report, can_see_reports, channels_for, teams_for
from civique.reporting.tables import (
    TABLE_SLUGS,
    age_label,
    fr_cell,
    kind_label,
    percent,
    report_tables,
    short_period_label,
)
from civique.sla.calendar import PARIS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "reporting/error.html", {"message": message}, status=status)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_see_reports(user):
        raise PermissionDenied(_("Réservé aux superviseurs et aux administrateurs."))
    now = timezone.now()
    teams, channels = list(teams_for(user)), list(channels_for(user))
    try:
        filters = parse_filters(
            request.GET,
            now=now,
            teams={t.pk for t in teams},
            channels={c.pk for c in channels},
            tables=TABLE_SLUGS,
        )
    except FilterError as error:
        return _error(request, error.message, error.status)
    report = build_report(user, filters, now)
    tables = report_tables(report)
    if filters.format:
        return _export(request, filters, tables)
    context = {
        "filters": filters,
        "report": report,
        "tables": {t.slug.replace("-", "_"): t for t in tables},
        "charts": _charts(report),
        "periods": PERIODS,
        "years": list(range(now.astimezone(PARIS).year, now.astimezone(PARIS).year - 6, -1)),
        "teams": teams,
        "channels": channels,
        "start": report.filters.start.astimezone(PARIS),
        "end": report.filters.end.astimezone(PARIS),
        "xlsx_query": urlencode(filters.query(format="xlsx")),
        "csv_queries": {
            t.slug.replace("-", "_"): urlencode(filters.query(format="csv", tableau=t.slug))
            for t in tables
        },
    }
    return render(request, "reporting/dashboard.html", context)


def _export(request: HttpRequest, filters, tables) -> HttpResponse:
    """One table as CSV (``tableau``, by default ``canaux``), or every table as XLSX."""
    name = _file_name(filters)
    if filters.format == "xlsx":
        response = HttpResponse(tables_xlsx(tables), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    wanted = filters.table or "canaux"
    table = next((t for t in tables if t.slug == wanted), None)
    if table is None:
        return _error(request, _("Ce tableau n'est pas dans ce rapport."), 404)
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{table.slug}.csv"'
    return response


def _file_name(filters) -> str:
    if filters.year is not None:
        return f"engagements-{filters.year}"
    return f"engagements-{filters.days}j"


def _charts(report: Report) -> dict:
    labels = [short_period_label(day, report.filters.by) for day in report.periods]
    by_channel = charts.grouped_series(report.by_channel, _("Autres canaux"))
    description = _(
        "Barres empilées : une barre par période (semaine commençant le lundi indiqué, "
        "ou mois), une couleur par canal."
    )
    if len(by_channel) < len(report.by_channel):
        description += " " + _(
            "Les canaux les moins actifs sont regroupés sous « Autres canaux » ; "
            "le tableau détaille chaque canal."
        )
    found = {
        "volumes": charts.stacked_bars(
            _("Demandes reçues par canal et par période"), description, labels, by_channel
        ),
        "backlog": charts.stacked_bars(
            _("Demandes en cours par ancienneté"),
            _("Une barre par tranche d'ancienneté, en jours ouvrés."),
            [age_label(key) for key, _low, _high in AGE_BUCKETS],
            {_("demandes en cours"): [report.backlog.by_age[k] for k, _l, _h in AGE_BUCKETS]},
        ),
    }
    satisfaction = report.satisfaction
    if satisfaction is not None and satisfaction.answered:
        found["satisfaction"] = charts.stacked_bars(
            _("Réponses à l'enquête de satisfaction par note"),
            _("Une barre par note, de 1 (pas du tout satisfait) à 5 (tout à fait satisfait)."),
            ["1", "2", "3", "4", "5"],
            {_("réponses"): list(satisfaction.by_score)},
        )
    for kind in KINDS:
        items = []
        for c in report.channels:
            share = c.shares[kind]
            value = percent(share)
            text = (
                "—"
                if value is None
                else _("%(share)s %% (%(kept)s sur %(total)s)")
                % {"share": fr_cell(value), "kept": share.kept, "total": share.counted}
            )
            items.append((c.channel, value, text))
        if any(value is not None for _c, value, _t in items):
            found[kind] = charts.horizontal_bars(
                _("Délai tenu par canal : %(step)s") % {"step": kind_label(kind)},
                _("Une barre par canal, de 0 à 100 %."),
                items,
            )
    return found
