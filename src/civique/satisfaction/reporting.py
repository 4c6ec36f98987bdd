"""Satisfaction figures for the reports (the dashboard builds on ``figures``)."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from django.db.models import Avg, Count, QuerySet

from civique.inbox.models import Conversation
from civique.satisfaction.models import Survey


class Figures(TypedDict):
    sent: int
    answered: int
    response_rate: float | None  # answered / sent, 0..1
    mean_score: float | None
    distribution: dict[int, int]  # score 1..5 -> answers
    satisfied_share: float | None  # answers scoring 4 or 5 / answers (Services Publics+)


def figures(conversations: QuerySet[Conversation], start: datetime, end: datetime) -> Figures:
    """The surveys offered in [start, end) for ``conversations`` (whatever the way: on the
    channel or by link) and their answers."""
    surveys = Survey.objects.filter(
        conversation__in=conversations.values("pk"), sent_at__gte=start, sent_at__lt=end
    )
    sent = surveys.count()
    answered = surveys.filter(score__isnull=False)
    counts = dict(answered.values_list("score").annotate(n=Count("pk")).order_by())
    distribution = {score: counts.get(score, 0) for score in range(1, 6)}
    total = sum(distribution.values())
    mean = answered.aggregate(mean=Avg("score"))["mean"]
    return Figures(
        sent=sent,
        answered=total,
        response_rate=total / sent if sent else None,
        mean_score=float(mean) if mean is not None else None,
        distribution=distribution,
        satisfied_share=(distribution[4] + distribution[5]) / total if total else None,
    )
