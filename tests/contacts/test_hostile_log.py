"""Whatever an agent's browser posts to the form logging a call or a visit, the answer is never
a 500: the exchange is logged (its event processed at once: done, or parked with a reason) or
refused with a French error (422)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from civique.ingest.models import EventState, InboundEvent
from tests.hostile import assert_no_english, examples, hostile_date, hostile_number, hostile_text
from tests.intake import request_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(webform_channel):
    return request_from(webform_channel, email="jeanne@example.org").contact


@examples(40)
@given(
    fields=st.fixed_dictionaries(
        {
            "direction": st.one_of(st.sampled_from(["in", "out"]), hostile_text(8)),
            "outcome": st.one_of(st.sampled_from(["resolved", "follow_up"]), hostile_text(10)),
        },
        optional={
            "occurred_at": st.one_of(st.just("2025-05-12T09:30"), hostile_date()),
            "duration_minutes": hostile_number(),
            "summary": hostile_text(),
            "subject": hostile_text(),
            "category": hostile_number(),
            "conversation": hostile_number(),
        },
    )
)
def test_any_logged_exchange_is_kept_and_settled_or_refused_in_french(
    client, agent, contact, phone_channel, fields
):
    client.force_login(agent)

    response = client.post(
        reverse("contacts:log", args=[contact.pk]), {"channel": phone_channel.pk, **fields}
    )

    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 422:
        assert_no_english(response.text)
    for event in InboundEvent.objects.all():
        assert event.state in (EventState.DONE, EventState.PARKED), event.last_error
