"""The Services Publics+ yearly indicators Civique can compute honestly, and those it cannot.

Source: the programme's commitments 5 (« Vous recevez une réponse à vos demandes dans les délais
annoncés ») and 6 (« Vous avez accès à nos résultats de qualité de service »),
https://www.plus.transformation.gouv.fr/engagement/5 and /engagement/6 (see
docs/commitments.md, « Reporting »). Pure functions over ``figures.Row``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from civique.reporting.figures import Row, Share, judge, median, percentile

# Written requests sent electronically (acknowledged within a week) and by post (two weeks).
ELECTRONIC_KINDS = frozenset({"email", "webform", "api"})
POSTAL_KINDS = frozenset({"letter"})
WRITTEN_KINDS = ELECTRONIC_KINDS | POSTAL_KINDS
ACK_LIMITS = {"electronic": timedelta(days=7), "postal": timedelta(days=14)}


@dataclass
class Indicator:
    label: str
    share: Share | None = None  # a rate
    value: timedelta | None = None  # a duration
    value_p90: timedelta | None = None
    note: str = ""


def receipt_at(row: Row) -> datetime | None:
    """An acknowledgement, or an answer on the merits, whichever came first."""
    moments = [m for m in (row.acknowledged_at, row.first_response_at) if m is not None]
    return min(moments, default=None)


def acknowledged_within(rows: Iterable[Row], limit: timedelta, now: datetime) -> Share:
    """Requests whose receipt came within ``limit`` (calendar time), among those received or
    whose limit has passed."""
    share = Share()
    for row in rows:
        receipt = receipt_at(row)
        if receipt is None and now <= row.created_at + limit:
            continue
        share.counted += 1
        share.kept += receipt is not None and receipt - row.created_at <= limit
    return share


def kept(rows: Iterable[Row], kind: str, now: datetime) -> Share:
    share = Share()
    for row in rows:
        verdict = judge(row, kind, now)
        if verdict is not None:
            share.counted += 1
            share.kept += verdict
    return share


def indicators(
    rows: list[Row], first_answer_times: dict[int, timedelta], now: datetime
) -> list[Indicator]:
    """The computable indicators for the year's ``rows``; ``first_answer_times``: business
    time to first answer by conversation id (``figures.time_to``)."""
    electronic = [r for r in rows if r.channel_kind in ELECTRONIC_KINDS]
    postal = [r for r in rows if r.channel_kind in POSTAL_KINDS]
    written = [
        first_answer_times[r.id]
        for r in rows
        if r.channel_kind in WRITTEN_KINDS and r.id in first_answer_times
    ]
    return [
        Indicator(
            _("Accusé de réception sous une semaine des demandes écrites électroniques"),
            share=acknowledged_within(electronic, ACK_LIMITS["electronic"], now),
            note=_("courriel, formulaire du portail, API ; une réponse sur le fond vaut accusé"),
        ),
        Indicator(
            _("Accusé de réception sous deux semaines des courriers"),
            share=acknowledged_within(postal, ACK_LIMITS["postal"], now),
            note=_("canaux de type courrier postal"),
        ),
        Indicator(
            _("Réponses dans les délais annoncés"),
            share=kept(rows, "first_answer", now),
            note=_(
                "première réponse avant l'échéance annoncée, tous canaux soumis à un engagement"
            ),
        ),
        Indicator(
            _("Demandes traitées dans les délais annoncés"),
            share=kept(rows, "resolution", now),
            note=_("résolution avant l'échéance, pour les engagements qui en fixent une"),
        ),
        Indicator(
            _("Délai de réponse aux courriers et courriels"),
            value=median(written),
            value_p90=percentile(written, 0.9),
            note=_("médiane et 90e centile, en heures ouvrées"),
        ),
    ]


# What the programme publishes that Civique cannot compute, and why.
GAPS = (
    (
        _("Taux de décroché téléphonique"),
        _(
            "Civique consigne les appels que les agents ont pris, pas ceux restés sans réponse : "
            "il faut les chiffres du standard téléphonique."
        ),
    ),
    (
        _("Qualité des démarches en ligne (note de 8/10 ou plus)"),
        _("Les démarches en ligne et leurs avis « Je donne mon avis » ne passent pas par Civique."),
    ),
    (
        _("Temps d'attente à l'accueil"),
        _("Une visite est consignée après coup ; son heure d'arrivée n'est pas connue."),
    ),
)
SATISFACTION_GAP = (
    _("Satisfaction globale et taux net de satisfaction"),
    _("Aucune enquête de satisfaction n'a été proposée sur la période."),
)
