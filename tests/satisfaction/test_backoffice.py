"""Agents see the survey and its answer on the conversation's timeline; the figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from civique.inbox.actions import reply_to_conversation
from civique.inbox.models import Conversation, Status
from civique.satisfaction.actions import SurveyClosed, record_answer
from civique.satisfaction.models import AnsweredVia, Survey
from civique.satisfaction.reporting import figures
from tests.intake import ingest_mail, mail

pytestmark = pytest.mark.django_db


def answered(email_channel, agent, sender: str, score: int | None, comment: str = "") -> Survey:
    n = Conversation.objects.count()
    conversation = ingest_mail(email_channel, mail(sender, f"<m{n}@x>")).conversation
    reply_to_conversation(agent, conversation, "Réparé.", then_status=Status.RESOLVED)
    survey = Survey.objects.get(conversation=conversation)
    if score is not None:
        record_answer(survey, score, comment, via=AnsweredVia.PORTAL)
    return survey


def test_the_team_sees_the_score_and_comment_on_the_timeline(client, email_channel, agent):
    survey = answered(email_channel, agent, "jeanne@example.org", 2, "Trop lent")
    client.force_login(agent)
    html = client.get(f"/demandes/{survey.conversation.pk}/").content.decode()
    assert "Avis de l&#x27;usager (sur le portail) : 2/5 — « Trop lent »" in html
    assert "Enquête de satisfaction envoyée à l&#x27;usager." in html


def test_an_outsider_sees_neither_the_conversation_nor_its_score(
    client, email_channel, agent, outsider
):
    survey = answered(email_channel, agent, "jeanne@example.org", 2, "Trop lent")
    client.force_login(outsider)
    response = client.get(f"/demandes/{survey.conversation.pk}/")
    assert response.status_code == 404
    assert "Trop lent" not in response.content.decode()


def test_an_answer_is_recorded_once(email_channel, agent):
    survey = answered(email_channel, agent, "jeanne@example.org", 5)
    with pytest.raises(SurveyClosed):
        record_answer(survey, 1, "non", via=AnsweredVia.PORTAL)
    survey.refresh_from_db()
    assert survey.score == 5


def test_figures_count_offers_answers_and_the_satisfied_share(email_channel, agent):
    scores = [5, 4, 4, 2, None]
    for n, score in enumerate(scores):
        answered(email_channel, agent, f"usager{n}@example.org", score)
    now = timezone.now()
    result = figures(Conversation.objects.all(), now - timedelta(days=1), now + timedelta(hours=1))
    assert result["sent"] == 5
    assert result["answered"] == 4
    assert result["response_rate"] == pytest.approx(0.8)
    assert result["mean_score"] == pytest.approx(3.75)
    assert result["distribution"] == {1: 0, 2: 1, 3: 0, 4: 2, 5: 1}
    assert result["satisfied_share"] == pytest.approx(0.75)
    # Limited to the conversations given and to the period.
    one = Conversation.objects.filter(surveys__score=2)
    assert figures(one, now - timedelta(days=1), now + timedelta(hours=1))["answered"] == 1
    empty = figures(Conversation.objects.all(), now + timedelta(days=1), now + timedelta(days=2))
    assert empty == {
        "sent": 0,
        "answered": 0,
        "response_rate": None,
        "mean_score": None,
        "distribution": {1: 0, 2: 0, 3: 0, 4: 0, 5: 0},
        "satisfied_share": None,
    }
