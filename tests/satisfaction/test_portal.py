"""The survey on the portal: /portail/avis/<token>/, one answer, without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from civique.inbox.actions import reply_to_conversation
from civique.inbox.models import Conversation, Status
from civique.satisfaction.models import AnsweredVia, SentVia, Survey
from tests.hostile import examples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    settings.PORTAL_RATE_LIMIT = "100000/h"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def survey(client, webform_channel, agent) -> Survey:
    """A portal request answered and resolved."""
    data = {"email": "camille@example.fr", "message": "Un lampadaire est en panne rue Haute."}
    assert client.post("/portail/", data).status_code == 302
    conversation = Conversation.objects.get()
    reply_to_conversation(agent, conversation, "Réparé.", then_status=Status.RESOLVED)
    return Survey.objects.get(conversation=conversation)


def url(survey: Survey) -> str:
    return f"/portail/avis/{survey.token}/"


def test_the_form_is_an_accessible_radio_group_with_an_optional_comment(client, survey):
    assert survey.sent_via == SentVia.CHANNEL  # the web form's own channel
    response = client.get(url(survey))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<fieldset" in html and "<legend>Êtes-vous satisfait de notre réponse ?" in html
    for score in range(1, 6):
        assert f'type="radio" name="score" value="{score}"' in html
        assert f'<label for="id_score_{score - 1}">' in html
    assert 'maxlength="1000"' in html and '<label for="id_comment">' in html
    assert "csrfmiddlewaretoken" in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]


def test_a_valid_answer_is_recorded_then_thanked(client, survey):
    response = client.post(url(survey), {"score": "4", "comment": "  Rapide,\x07 merci  "})
    assert response.status_code == 302 and response.url == url(survey)
    survey.refresh_from_db()
    assert (survey.score, survey.comment, survey.answered_via) == (4, "Rapide, merci", "portal")
    assert survey.conversation.timeline.filter(kind="system", data__score=4).exists()
    thanks = client.get(url(survey))
    assert thanks.status_code == 200 and "Merci pour votre avis" in thanks.content.decode()
    survey.conversation.refresh_from_db()
    assert survey.conversation.status == Status.RESOLVED


def test_a_second_post_does_not_overwrite_the_first_answer(client, survey):
    client.post(url(survey), {"score": "5"})
    response = client.post(url(survey), {"score": "1", "comment": "Finalement non"})
    assert response.status_code == 200
    assert "Merci pour votre avis" in response.content.decode()
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (5, "")


@pytest.mark.parametrize("score", ["", "0", "6", "cinq", "4.5", "-1"])
def test_an_invalid_score_is_refused_in_french(client, survey, score):
    response = client.post(url(survey), {"score": score})
    assert response.status_code == 422
    assert "Choisissez une note de 1 à 5." in response.content.decode()
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_a_too_long_comment_is_refused(client, survey):
    response = client.post(url(survey), {"score": "3", "comment": "x" * 1001})
    assert response.status_code == 422
    assert "trop long" in response.content.decode()


def test_an_expired_survey_answers_410(client, survey):
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    for response in (client.get(url(survey)), client.post(url(survey), {"score": "5"})):
        assert response.status_code == 410
        assert "le délai pour répondre est passé" in response.content.decode()
    survey.refresh_from_db()
    assert survey.answered_at is None


@pytest.mark.parametrize("token", ["inconnu", "abc:def", "x" * 300])
def test_an_unknown_or_altered_token_answers_404(client, survey, token):
    response = client.get(f"/portail/avis/{token}/")
    assert response.status_code == 404
    assert "Lien inconnu" in response.content.decode()
    altered = survey.token[:-1] + ("A" if survey.token[-1] != "A" else "B")
    assert client.get(f"/portail/avis/{altered}/").status_code == 404


def test_the_post_needs_the_csrf_token(survey):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url(survey), {"score": "5"}).status_code == 403
    page = strict.get(url(survey))
    token = page.cookies["csrftoken"].value
    response = strict.post(url(survey), {"score": "5", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.score == 5


def test_posts_are_rate_limited(settings, client, survey):
    settings.PORTAL_RATE_LIMIT = "2/m"
    statuses = [client.post(url(survey), {"score": "x"}).status_code for _ in range(3)]
    assert statuses == [422, 422, 429]


def test_the_tracking_page_shows_the_survey_link_while_open(client, survey):
    data = {"reference": survey.conversation.reference, "email": "camille@example.fr"}
    html = client.post("/portail/suivi/", data).content.decode()
    assert f'href="{url(survey)}"' in html
    assert "Donner mon avis" in html
    survey.answered_at, survey.score, survey.answered_via = timezone.now(), 3, AnsweredVia.PORTAL
    survey.save()
    html = client.post("/portail/suivi/", data).content.decode()
    assert f'href="{url(survey)}"' not in html and "Donner mon avis" not in html


@examples(40)
@given(
    score=st.one_of(st.text(max_size=10), st.integers(-10, 10).map(str)),
    comment=st.text(max_size=1200),
)
def test_any_form_input_answers_a_page_never_a_500(client, survey, score, comment):
    cache.clear()
    Survey.objects.filter(pk=survey.pk).update(
        score=None, comment="", answered_at=None, answered_via=""
    )
    response = client.post(url(survey), {"score": score, "comment": comment})
    assert response.status_code in (302, 422), response.status_code
    survey.refresh_from_db()
    if response.status_code == 302:
        assert survey.score in range(1, 6) and len(survey.comment) <= 1000
    else:
        assert survey.answered_at is None
