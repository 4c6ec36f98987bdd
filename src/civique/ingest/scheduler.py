"""The scheduler that runs beside each worker: heartbeat, periodic sweeps and mailbox polling.

Sweeps are the safety net of "nothing lost": whatever a crashed worker or a lost wake-up left
pending is found here and processed, because the state lives on InboundEvent and Delivery rows.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from civique.channels.models import Channel
from civique.channels.registry import all_connectors
from civique.core.models import WorkerHeartbeat
from civique.inbox.models import Delivery, DeliveryState
from civique.ingest.models import EventState, InboundEvent
from civique.ingest.tasks import deliver_outbox, poll_channel, process_inbound_events

logger = logging.getLogger(__name__)


def _queued(task) -> bool:
    """True when a wake-up for ``task`` already waits in the database queue."""
    if settings.TASKS_BACKEND != "database":
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(task_path=task.module_path).exists()


def heartbeat(name: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"pid": os.getpid(), "last_seen": timezone.now()}
    )


def sweep() -> None:
    now = timezone.now()
    due_events = InboundEvent.objects.filter(
        state__in=[EventState.PENDING, EventState.RETRYING], next_attempt_at__lte=now
    ).exists()
    if due_events and not _queued(process_inbound_events):
        process_inbound_events.enqueue()
    due_deliveries = Delivery.objects.filter(
        state__in=[DeliveryState.QUEUED, DeliveryState.RETRYING, DeliveryState.SENDING],
        next_attempt_at__lte=now,
    ).exists()
    if due_deliveries and not _queued(deliver_outbox):
        deliver_outbox.enqueue()


def poll_channels() -> None:
    kinds = [kind for kind, c in all_connectors().items() if c.polls]
    for channel_id in Channel.objects.filter(is_active=True, kind__in=kinds).values_list(
        "pk", flat=True
    ):
        poll_channel.enqueue(channel_id)


class Scheduler(threading.Thread):
    def __init__(self, name: str | None = None) -> None:
        super().__init__(daemon=True, name="civique-scheduler")
        self.worker_name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()

    def run(self) -> None:
        last_poll = 0.0
        while not self.stopping.is_set():
            try:
                close_old_connections()
                heartbeat(self.worker_name)
                sweep()
                if time.monotonic() - last_poll >= settings.CIVIQUE_POLL_SECONDS:
                    poll_channels()
                    last_poll = time.monotonic()
            except Exception:
                logger.exception("Tour du planificateur en échec")
            finally:
                connection.close()
            self.stopping.wait(settings.CIVIQUE_SWEEP_SECONDS)
