"""Whatever a browser (or a script posing as one) sends to the portal's request form and
tracking page, the answer is never a 500: the request is taken and processed at once (its
event done, or parked with a reason, never left to retry), or refused with a French error."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from civique.ingest.models import EventState, InboundEvent
from tests.hostile import assert_no_english, examples, hostile_number, hostile_text

pytestmark = pytest.mark.django_db

HOME = "/portail/"
TRACK = "/portail/suivi/"
EXAMPLES = examples(40)


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.PORTAL_RATE_LIMIT = "100000/h"


def assert_refused_in_french(response) -> None:
    html = response.content.decode()
    assert "error-summary" in html, html[:2000]
    assert_no_english(html)


def assert_every_event_settled() -> None:
    """Taken requests are processed at once: done, or parked with a reason."""
    for event in InboundEvent.objects.all():
        assert event.state in (EventState.DONE, EventState.PARKED), event.last_error
        assert event.state == EventState.DONE or event.last_error


@EXAMPLES
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "name": hostile_text(),
            "email": st.one_of(st.just("lea@example.org"), hostile_text()),
            "phone": st.one_of(st.just("06 12 34 56 78"), hostile_text()),
            "category": st.one_of(st.just("voirie"), hostile_text(20)),
            "message": hostile_text(),
            "address": hostile_text(),
            "latitude": hostile_number(),
            "longitude": hostile_number(),
        },
    )
)
def test_any_request_is_taken_and_settled_or_refused_in_french(
    client, webform_channel, category, fields
):
    cache.clear()

    response = client.post(HOME, fields)

    assert response.status_code in (200, 302, 413), response.status_code
    if response.status_code == 302:
        assert response.url == "/portail/merci/"
    else:
        assert_refused_in_french(response)
    assert_every_event_settled()


@EXAMPLES
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "reference": st.one_of(st.just("V-1"), hostile_text(30), hostile_number()),
            "email": st.one_of(st.just("lea@example.org"), hostile_text()),
            "phone": hostile_text(),
        },
    )
)
def test_any_tracking_lookup_answers_a_page_never_a_500(client, webform_channel, fields):
    cache.clear()

    response = client.post(TRACK, fields)

    assert response.status_code in (200, 429), response.status_code
    html = response.content.decode()
    assert_no_english(html)


def test_a_raw_body_of_undecodable_bytes_is_refused_in_french(client, webform_channel):
    body = b"name=%FF%FE&email=%C0%AF%00&message=%ED%A0%80&latitude=1e400"

    response = client.post(HOME, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert_refused_in_french(response)
    assert_every_event_settled()
