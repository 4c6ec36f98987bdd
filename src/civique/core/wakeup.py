"""Waking workers up. A wake-up is a hint, never the state: the work itself lives on
InboundEvent and Delivery rows, and the scheduler's sweep finds it if a wake-up is lost."""

from __future__ import annotations

import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def already_queued(task, *args: object) -> bool:
    """True when ``task(*args)`` already waits in the database queue. That one will do
    everything due when it runs, so another would only add an empty run."""
    if settings.TASKS_BACKEND != "database":
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready().filter(task_path=task.module_path)
    return any(row["args"] == list(args) for row in waiting.values_list("args_kwargs", flat=True))


def wake(task, *args: object) -> None:
    """Enqueue ``task(*args)`` unless it already waits. Never fails the caller: the work is
    already stored."""
    try:
        if not already_queued(task, *args):
            task.enqueue(*args)
    except Exception:  # noqa: BLE001 - a broker being down must not fail an intake or a reply
        logger.warning("Mise en file impossible ; le balayage périodique prendra le relais.")
