"""Logging a call or a visit through the intake (ingest.logged)."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from civique.contacts.models import Contact
from civique.ingest.logged import log_exchange

pytestmark = pytest.mark.django_db


def test_a_call_logged_this_minute_is_dated_now_not_at_the_minutes_start(phone_channel, agent):
    if timezone.now().second >= 58:
        time.sleep(3)  # stay within one minute for the whole test
    contact = Contact.objects.create(display_name="Paul")
    before = timezone.now()
    message = log_exchange(
        agent,
        phone_channel,
        contact,
        summary="Appel.",
        occurred_at=before.replace(second=0, microsecond=0),
    )
    assert message.platform_timestamp >= before


def test_a_call_logged_for_an_earlier_time_keeps_that_time(phone_channel, agent):
    contact = Contact.objects.create(display_name="Paul")
    earlier = (timezone.now() - timezone.timedelta(hours=2)).replace(second=0, microsecond=0)
    message = log_exchange(agent, phone_channel, contact, summary="Appel.", occurred_at=earlier)
    assert message.platform_timestamp == earlier
