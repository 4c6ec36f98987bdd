"""Answers on the channel: a score first, then a comment, recorded once, without reopening."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civique.inbox.actions import reply_to_conversation
from civique.inbox.models import Status
from civique.ingest.actions import process_event, requeue_events
from civique.ingest.models import InboundEvent
from civique.satisfaction.models import COMMENT_MAX, AnsweredVia, Survey
from civique.satisfaction.parsing import Answer, parse_answer
from tests.intake import ingest_mail, mail

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text,score,comment",
    [
        ("5", 5, ""),
        ("5/5", 5, ""),
        (" 4 / 5 ", 4, ""),
        ("3 sur 5", 3, ""),
        ("4 merci", 4, "merci"),
        ("4, merci !", 4, "merci !"),
        ("note : 3", 3, ""),
        ("Note 2 - trop long", 2, "trop long"),
        ("Ma note: 1. Personne ne m'a rappelé.", 1, "Personne ne m'a rappelé."),
        ("5\nTrès rapide,\n\n\n\nbravo", 5, "Très rapide,\n\nbravo"),
        ("2 surtout trop lent", 2, "surtout trop lent"),
    ],
)
def test_french_answers_are_read(text, score, comment):
    assert parse_answer(text) == Answer(score, comment)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "merci",
        "Merci beaucoup, 5/5",
        "0",
        "6",
        "12",
        "3,5",
        "4.5",
        "4h",
        "3/10",
        "4 - 5 ans",
        "5 " + "x" * (COMMENT_MAX + 1),
    ],
)
def test_anything_else_is_not_an_answer(text):
    assert parse_answer(text) is None


@given(st.text(max_size=300))
def test_the_parser_never_fails_and_gives_a_bounded_score_and_comment(text):
    answer = parse_answer(text)
    if answer is not None:
        assert 1 <= answer.score <= 5
        assert len(answer.comment) <= COMMENT_MAX
        assert not any(ord(c) < 32 and c != "\n" for c in answer.comment)
        assert text.lstrip()[:1] in "12345nNmMaAsS"


@given(st.integers(1, 5), st.text(alphabet=st.characters(categories=["L"]), max_size=50))
def test_a_score_followed_by_words_is_read_whatever_the_words(score, words):
    answer = parse_answer(f"{score} {words}")
    assert answer is not None and answer.score == score
    assert answer.comment == unicodedata.normalize("NFC", " ".join(words.split()))


@pytest.fixture
def surveyed(email_channel, agent):
    """An email request answered and resolved: its survey went by email."""
    conversation = ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>")).conversation
    reply_to_conversation(agent, conversation, "Réparé jeudi.", then_status=Status.RESOLVED)
    conversation.refresh_from_db()
    return conversation


def reply_mail(email_channel, text, message_id="<r@x>"):
    return ingest_mail(
        email_channel,
        mail(
            "jeanne@example.org",
            message_id,
            text,
            subject="Re: Trottoir",
            extra="In-Reply-To: <a@x>",
        ),
    )


def test_an_answer_by_mail_is_recorded_without_reopening(email_channel, surveyed):
    clocks_before = (surveyed.waiting_since, surveyed.first_response_at)
    message = reply_mail(email_channel, "4 merci, rapide et efficace")

    survey = Survey.objects.get()
    assert (survey.score, survey.comment) == (4, "merci, rapide et efficace")
    assert survey.answered_via == AnsweredVia.CHANNEL
    assert survey.answer_message == message
    message.refresh_from_db()
    assert message.meta["survey_answer"] == survey.pk
    assert message.meta["clock"] == "ignore"
    surveyed.refresh_from_db()
    assert surveyed.status == Status.RESOLVED
    assert (surveyed.waiting_since, surveyed.first_response_at) == clocks_before
    line = surveyed.timeline.get(kind="system", data__score=4)
    assert "4/5" in line.data["text"] and "rapide et efficace" in line.data["text"]


def test_a_message_that_is_not_an_answer_reopens_as_before(email_channel, surveyed):
    reply_mail(email_channel, "Le trottoir est encore cassé, personne n'est venu.")
    surveyed.refresh_from_db()
    assert surveyed.status == Status.OPEN
    assert surveyed.waiting_since is not None
    assert Survey.objects.get().answered_at is None


def test_a_second_answer_is_a_normal_message(email_channel, surveyed):
    reply_mail(email_channel, "5")
    reply_mail(email_channel, "2 finalement non", message_id="<r2@x>")
    survey = Survey.objects.get()
    assert survey.score == 5
    surveyed.refresh_from_db()
    assert surveyed.status == Status.OPEN  # the second one is a message: it reopens


def test_a_replayed_answer_is_recorded_once(email_channel, surveyed):
    reply_mail(email_channel, "3 correct")
    event = InboundEvent.objects.order_by("-id").first()
    requeue_events(InboundEvent.objects.filter(pk=event.pk))
    process_event(event.pk)
    survey = Survey.objects.get()
    assert survey.score == 3
    assert surveyed.timeline.filter(kind="system", data__score=3).count() == 1


def test_an_expired_survey_takes_no_answer_on_the_channel(email_channel, surveyed):
    Survey.objects.update(expires_at=Survey.objects.get().sent_at)
    reply_mail(email_channel, "5")
    assert Survey.objects.get().answered_at is None
    surveyed.refresh_from_db()
    assert surveyed.status == Status.OPEN


def test_an_auto_reply_starting_with_a_digit_is_no_answer(email_channel, surveyed):
    ingest_mail(
        email_channel,
        mail(
            "jeanne@example.org",
            "<auto@x>",
            "5 jours d'absence, je lirai votre message à mon retour.",
            subject="Absence",
            extra="Auto-Submitted: auto-replied\r\nIn-Reply-To: <a@x>",
        ),
    )
    assert Survey.objects.get().answered_at is None
