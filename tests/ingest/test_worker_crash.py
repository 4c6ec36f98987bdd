"""A real worker process, killed with SIGKILL in the middle of a batch, loses and duplicates
nothing once restarted. Runs on a file SQLite database and on PostgreSQL."""

from __future__ import annotations

import signal

import pytest

from tests.ingest.procs import (
    counts,
    isolated_env,
    seed,
    start_worker,
    stop_workers,
    wait_for,
)

EVENTS = 600


@pytest.fixture(params=["sqlite", "postgres"])
def worker_env(request, tmp_path):
    with isolated_env(request.param, tmp_path) as env:
        yield env


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(worker_env):
    env = worker_env
    seed(env, EVENTS)
    assert counts(env) == (0, 0, 0)

    worker = start_worker(env)
    try:
        # Kill it once it has done part of the work, while it is still busy.
        wait_for(lambda: counts(env)[0] >= 50, timeout=120)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    done, messages, distinct = counts(env)
    assert 0 < done < EVENTS, "the kill must land in the middle of the work"
    assert messages == distinct == done

    worker = start_worker(env)
    try:
        wait_for(lambda: counts(env)[0] == EVENTS, timeout=240)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert counts(env) == (EVENTS, EVENTS, EVENTS)


def test_two_workers_share_the_work_without_duplicates(worker_env):
    env = worker_env
    seed(env, EVENTS)
    workers = [start_worker(env), start_worker(env)]
    try:
        wait_for(lambda: counts(env)[0] == EVENTS, timeout=240)
    finally:
        stop_workers(workers)
    assert counts(env) == (EVENTS, EVENTS, EVENTS)
