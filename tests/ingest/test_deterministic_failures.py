"""An event already stored that can never succeed is parked at its first attempt with a
French reason, never retried in a loop; what may pass later is still retried."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, OperationalError

from civique.inbox.models import Message
from civique.ingest.actions import process_event, receive_event
from civique.ingest.models import EventState, InboundEvent

pytestmark = pytest.mark.django_db


def stored(channel, **fields) -> InboundEvent:
    """An event as the intake stores it, raw, then its first attempt."""
    fields.setdefault("email", "lea@example.org")
    fields.setdefault("text", "Bonjour")
    raw = json.dumps(fields).encode()
    event = receive_event(channel, raw, "application/json", enqueue=False).event
    return process_event(event.pk)


def assert_parked_at_once(event: InboundEvent, reason: str) -> None:
    assert event.state == EventState.PARKED, event.last_error
    assert event.attempts == 1
    assert reason in event.last_error
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"location": {"lat": "abc", "lon": 2}}, "lat et lon doivent être des nombres"),
        ({"location": {"lat": 10**400, "lon": 2}}, "lat et lon doivent être des nombres"),
        ({"location": {"lat": 95, "lon": 500}}, "lat de -90 à 90"),
        ({"contact_id": 10**30}, "Identifiant invalide dans « contact_id »"),
        ({"agent_id": "zz"}, "Identifiant invalide dans « agent_id »"),
        ({"conversation_id": True}, "Identifiant invalide dans « conversation_id »"),
        ({"meta": "abc"}, "Métadonnées invalides"),
        ({"occurred_at": "2025-02-30T10:00:00+01:00"}, "Date illisible"),
        ({"visibility": "v" * 100}, "Valeur inconnue pour « visibility »"),
        ({"direction": "sideways"}, "Valeur inconnue pour « direction »"),
    ],
)
def test_a_payload_that_cannot_be_stored_is_parked_at_its_first_attempt(
    webform_channel, fields, reason
):
    assert_parked_at_once(stored(webform_channel, **fields), reason)


def test_a_logged_call_for_a_contact_that_does_not_exist_is_parked_at_once(phone_channel):
    event = stored(phone_channel, contact_id=987654, kind="call")

    assert_parked_at_once(event, "Usager n°987654 introuvable")
    assert "mis de côté sans nouvel essai" in event.last_error


def raise_from_payload(ctx) -> None:
    """A stage meeting what the payload holds: the error its ``meta.fail`` names."""
    errors = {
        "overflow": OverflowError("int too large to convert to float"),
        "value": ValueError("A string literal cannot contain NUL (0x00) characters."),
        "data": DataError("value too long for type character varying(16)"),
        "validation": ValidationError("Valeur refusée."),
        "operational": OperationalError("database is locked"),
        "runtime": RuntimeError("service indisponible"),
    }
    raise errors[ctx.parsed.meta["fail"]]


@pytest.mark.parametrize("fail", ["overflow", "value", "data", "validation"])
def test_a_failure_the_same_payload_always_meets_parks_at_once_in_french(
    webform_channel, settings, fail
):
    settings.CIVIQUE_PIPELINE = [
        *settings.CIVIQUE_PIPELINE,
        "tests.ingest.test_deterministic_failures.raise_from_payload",
    ]

    event = stored(webform_channel, meta={"fail": fail})

    assert_parked_at_once(event, "Contenu impossible à traiter (")
    assert "\n" not in event.last_error


@pytest.mark.parametrize("fail", ["operational", "runtime"])
def test_a_failure_that_may_pass_later_is_still_retried(webform_channel, settings, fail):
    settings.CIVIQUE_PIPELINE = [
        *settings.CIVIQUE_PIPELINE,
        "tests.ingest.test_deterministic_failures.raise_from_payload",
    ]

    event = stored(webform_channel, meta={"fail": fail})

    assert event.state == EventState.RETRYING
    assert event.attempts == 1
