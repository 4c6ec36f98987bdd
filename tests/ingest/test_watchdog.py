"""The time limit on one event's processing: the event is parked at once with a clear reason,
and whatever it had written in its transaction is rolled back."""

from __future__ import annotations

import time

import pytest

from civique.inbox.models import Conversation, Message
from civique.ingest.models import EventState
from tests.channels.mail import ingest, mail

finished = []


def slow_stage(ctx) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # pure Python: the alarm lands between two instructions
        pass
    finished.append(ctx)


@pytest.fixture
def limit_of_one_second(settings):
    settings.CIVIQUE_EVENT_TIME_LIMIT = 1
    finished.clear()


def test_an_event_slower_than_the_limit_is_parked_at_its_first_attempt(
    settings, limit_of_one_second, email_channel
):
    settings.CIVIQUE_PREPARE = [*settings.CIVIQUE_PREPARE, f"{__name__}.slow_stage"]
    event = ingest(email_channel, mail())
    assert event.state == EventState.PARKED
    assert event.attempts == 1
    assert event.last_error == (
        "Traitement interrompu au bout de 1 s : contenu trop coûteux à lire."
    )
    assert finished == []


def test_a_timeout_inside_the_transaction_leaves_nothing_written(
    settings, limit_of_one_second, email_channel
):
    settings.CIVIQUE_PIPELINE = [*settings.CIVIQUE_PIPELINE, f"{__name__}.slow_stage"]
    event = ingest(email_channel, mail())
    assert event.state == EventState.PARKED
    assert Message.objects.count() == Conversation.objects.count() == 0


def test_the_limit_is_lifted_once_the_event_is_done(settings, email_channel):
    settings.CIVIQUE_EVENT_TIME_LIMIT = 1
    assert ingest(email_channel, mail()).state == EventState.DONE
    time.sleep(1.2)  # an alarm left armed would interrupt this test
