"""The scheduler beside each worker: heartbeat, sweeps, commitments due, notifications due,
mailbox polling.

Sweeps are the safety net of "nothing lost": whatever a crashed worker or a lost wake-up left
pending is found here and processed, because the state lives on InboundEvent and Delivery rows.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from civique.channels.models import Channel
from civique.channels.registry import all_connectors
from civique.core.models import WorkerHeartbeat
from civique.core.wakeup import wake
from civique.inbox.outbox import due_deliveries
from civique.inbox.tasks import deliver_outbox
from civique.ingest.actions import due_queryset
from civique.ingest.tasks import poll_channel, process_inbound_events
from civique.notifications.actions import deliver_due_notifications
from civique.sla.actions import sweep_commitments

logger = logging.getLogger(__name__)
PRUNE_SECONDS = 3600


def heartbeat(name: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"pid": os.getpid(), "last_seen": timezone.now()}
    )


def sweep() -> None:
    """Wake a worker for any due work, whoever should have announced it."""
    if due_queryset().exists():
        wake(process_inbound_events)
    if due_deliveries().exists():
        wake(deliver_outbox)


def prune_task_results(older_than: timedelta = timedelta(days=1)) -> int:
    """Forget finished wake-ups of the database queue; the work they did is on our own rows."""
    if settings.TASKS_BACKEND != "database":
        return 0
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - older_than
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


def poll_channels() -> None:
    kinds = [kind for kind, c in all_connectors().items() if c.polls]
    for channel_id in Channel.objects.filter(
        is_active=True, polling_suspended=False, kind__in=kinds
    ).values_list("pk", flat=True):
        wake(poll_channel, channel_id)


def run_steps(steps: list[tuple[str, Callable[[], object]]]) -> list[str]:
    """Run each step of a tick in turn; one that fails is logged (its name and traceback, no
    data) and the next ones still run, so a broken commitment sweep never stops notifications
    from being delivered. Returns the names of the steps that failed."""
    failed = []
    for name, step in steps:
        try:
            step()
        except Exception:
            logger.exception("Étape « %s » du planificateur en échec", name)
            failed.append(name)
    return failed


class Scheduler(threading.Thread):
    def __init__(self, name: str | None = None) -> None:
        super().__init__(daemon=True, name="civique-scheduler")
        self.worker_name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()

    def run(self) -> None:
        last_poll = 0.0
        last_prune = 0.0
        while not self.stopping.is_set():
            try:
                close_old_connections()
                run_steps(
                    [
                        ("heartbeat", lambda: heartbeat(self.worker_name)),
                        ("sweep", sweep),
                        ("sweep_commitments", sweep_commitments),
                        ("deliver_due_notifications", deliver_due_notifications),
                    ]
                )
                if time.monotonic() - last_poll >= settings.CIVIQUE_POLL_SECONDS:
                    run_steps([("poll_channels", poll_channels)])
                    last_poll = time.monotonic()
                if time.monotonic() - last_prune >= PRUNE_SECONDS:
                    run_steps([("prune_task_results", prune_task_results)])
                    last_prune = time.monotonic()
            except Exception:
                logger.exception("Tour du planificateur en échec")
            finally:
                connection.close()
            self.stopping.wait(settings.CIVIQUE_SWEEP_SECONDS)
