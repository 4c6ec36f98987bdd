"""The scheduler's sweep, heartbeat and pruning, on the database queue."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from civique.core.models import WorkerHeartbeat
from civique.ingest.actions import receive_event
from civique.ingest.scheduler import heartbeat, prune_task_results, sweep
from civique.ingest.tasks import process_inbound_events

pytestmark = pytest.mark.django_db


def test_the_sweep_wakes_a_worker_for_events_nobody_announced(webform_channel):
    receive_event(
        webform_channel,
        json.dumps({"email": "a@example.org", "text": "x"}).encode(),
        "application/json",
        enqueue=False,
    )
    assert DBTaskResult.objects.count() == 0
    sweep()
    sweep()
    assert (
        DBTaskResult.objects.ready().filter(task_path=process_inbound_events.module_path).count()
        == 1
    )


def test_the_sweep_does_nothing_when_nothing_is_due(webform_channel):
    sweep()
    assert DBTaskResult.objects.count() == 0


def test_the_heartbeat_is_one_row_per_worker():
    heartbeat("w1")
    heartbeat("w1")
    assert WorkerHeartbeat.objects.count() == 1


def test_old_finished_wake_ups_are_pruned_and_waiting_ones_kept(webform_channel):
    done = process_inbound_events.enqueue()
    waiting = process_inbound_events.enqueue()
    DBTaskResult.objects.filter(id=done.id).update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=2)
    )
    assert prune_task_results() == 1
    assert list(DBTaskResult.objects.values_list("id", flat=True)) == [waiting.db_result.id]


def test_a_mailbox_poll_is_queued_once_however_often_the_scheduler_ticks(email_channel):
    from civique.ingest.scheduler import poll_channels
    from civique.ingest.tasks import poll_channel

    poll_channels()
    poll_channels()
    waiting = DBTaskResult.objects.ready().filter(task_path=poll_channel.module_path)
    assert [row.args_kwargs["args"] for row in waiting] == [[email_channel.pk]]
