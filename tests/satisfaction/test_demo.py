"""The demo's answered surveys: offered at the resolution through the real action, sent
without network, answered later, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from civique.demo.satisfaction import add_surveys
from civique.inbox.actions import reply_to_conversation
from civique.inbox.models import Delivery, DeliveryState, Status
from civique.satisfaction.models import Survey
from tests.intake import ingest_mail, mail

pytestmark = pytest.mark.django_db


def test_the_demo_adds_answered_surveys_at_the_resolution_once(settings, email_channel, agent):
    settings.CIVIQUE_SATISFACTION_SURVEY = False  # as the demo plays its past
    for n in range(6):
        conversation = ingest_mail(
            email_channel, mail(f"u{n}@example.org", f"<d{n}@x>")
        ).conversation
        reply_to_conversation(agent, conversation, "Réparé.", then_status=Status.RESOLVED)
    settings.CIVIQUE_SATISFACTION_SURVEY = True
    now = timezone.now() + timedelta(days=2)

    assert add_surveys(seed=7, now=now) == 6

    for survey in Survey.objects.select_related("conversation", "message"):
        resolved = survey.conversation.resolved_at
        assert survey.sent_at == resolved + timedelta(minutes=1)
        assert survey.message.created_at == survey.sent_at
        assert Delivery.objects.get(message=survey.message).state == DeliveryState.SENT
        if survey.answered_at is not None:
            assert survey.sent_at < survey.answered_at <= now
            assert 1 <= survey.score <= 5
    assert Survey.objects.filter(score__isnull=False).exists()
    assert add_surveys(seed=7, now=now) == 0  # a resumed load adds none
