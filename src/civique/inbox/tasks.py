"""Background tasks of the inbox (Django Tasks API): a wake-up for the outbox. The state lives on
Delivery rows, so a lost or duplicated task loses or duplicates nothing."""

from __future__ import annotations

from django_tasks import task

from civique.inbox.outbox import deliver_due


@task()
def deliver_outbox() -> int:
    return deliver_due()
