"""The sweep delivers once and emails once, only those who asked for email."""

from __future__ import annotations

import pytest
from django.core import mail

from civique.notifications.actions import deliver_due_notifications, notify, set_preferences
from civique.notifications.models import Kind, Notification
from tests.notifications.conftest import paris

pytestmark = pytest.mark.django_db

MONDAY = paris(2026, 3, 9, 8, 30)


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _held(agent):
    return notify(agent, Kind.ASSIGNED, "Une demande pour vous.", now=paris(2026, 3, 7, 3, 0))


def test_the_sweep_run_twice_delivers_and_emails_once(agent):
    agent.email = "bruno@valmont.example"
    agent.save()
    set_preferences(agent, email=True, calendar=None, now=paris(2026, 3, 1))
    n = _held(agent)
    assert deliver_due_notifications(MONDAY) == 1
    assert deliver_due_notifications(MONDAY) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bruno@valmont.example"]
    assert "Une demande pour vous." in mail.outbox[0].body
    n.refresh_from_db()
    assert n.emailed_at == MONDAY


def test_no_email_without_the_preference(agent):
    agent.email = "bruno@valmont.example"
    agent.save()
    _held(agent)
    assert deliver_due_notifications(MONDAY) == 1
    assert mail.outbox == []


def test_no_email_while_held(agent):
    agent.email = "bruno@valmont.example"
    agent.save()
    set_preferences(agent, email=True, calendar=None, now=paris(2026, 3, 1))
    _held(agent)
    deliver_due_notifications(paris(2026, 3, 8, 12, 0))
    assert mail.outbox == []
    assert Notification.objects.get().delivered_at is None
