"""A handful of answered satisfaction surveys on the demo's resolved requests, so that the
figures (``satisfaction.reporting``) are not empty on the first start.

The demo's past is played with the survey off (it would leave as a burst of old mail); then
this step offers the survey through the real action on some resolved email and portal
requests, at their resolution, marks its outbox row sent (nothing leaves), and records the
answers most citizens give, a few hours later. Once: skipped when surveys already exist.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.conf import settings

from civique.demo.clock import Backdater
from civique.demo.generator import mark_sent
from civique.inbox.models import Conversation, Status
from civique.satisfaction.actions import SurveyClosed, offer_survey, record_answer
from civique.satisfaction.models import AnsweredVia, Survey

COUNT = 12
SCORES = [5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1]
COMMENTS = [
    "",
    "",
    "Merci pour la rapidité.",
    "Réponse claire, merci.",
    "Correct, mais il a fallu relancer.",
    "Personne ne m'a rappelé.",
    "Très bon accueil au téléphone.",
]


def add_surveys(seed: int, now: datetime) -> int:
    """Offer and answer surveys on up to ``COUNT`` resolved requests; return how many."""
    if not settings.CIVIQUE_SATISFACTION_SURVEY or Survey.objects.exists():
        return 0
    rng = random.Random(f"{seed}-satisfaction")
    resolved = list(
        Conversation.objects.filter(
            status=Status.RESOLVED,
            channel__kind__in=["email", "webform"],
            first_response_at__isnull=False,
            resolved_at__isnull=False,
        ).order_by("pk")
    )
    backdater = Backdater(now)
    added = 0
    for conversation in rng.sample(resolved, min(COUNT, len(resolved))):
        when = conversation.resolved_at + timedelta(minutes=1)
        with backdater.at(when, conversation):
            survey = offer_survey(conversation, when)
            if survey is not None and survey.message is not None:
                mark_sent(survey.message, when)
        if survey is None:
            continue
        added += 1
        answered = min(when + timedelta(hours=rng.uniform(1, 48)), now)
        if rng.random() < 0.25:
            continue  # not every citizen answers
        with backdater.at(answered, conversation):
            try:
                record_answer(
                    survey,
                    rng.choice(SCORES),
                    rng.choice(COMMENTS),
                    via=AnsweredVia.PORTAL,
                    now=answered,
                )
            except SurveyClosed:
                continue
    return added
