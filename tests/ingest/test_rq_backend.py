"""The scale-out profile: the same tasks through a Redis-backed queue (django-tasks-rq)."""

from __future__ import annotations

import pytest
import redis

from tests.ingest.procs import civique, counts, isolated_env, seed
from tests.services import REDIS_URL, need

pytestmark = pytest.mark.redis
RQ_JOB_CLASS = "django_tasks_rq.backend.Job"


def test_events_enqueued_on_redis_are_processed_by_an_rq_worker(tmp_path):
    need("Redis", "127.0.0.1", 6379)
    redis.Redis.from_url(REDIS_URL).flushdb()
    with isolated_env("sqlite", tmp_path) as env:
        env.update(CIVIQUE_TASKS_BACKEND="rq", CIVIQUE_REDIS_URL=REDIS_URL)
        seed(env, 60, enqueue=True)
        queued = redis.Redis.from_url(REDIS_URL).llen("rq:queue:default")
        assert queued == 60
        assert counts(env) == (0, 0, 0)
        civique(env, "rqworker", "default", "--burst", "--job-class", RQ_JOB_CLASS)
        assert counts(env) == (60, 60, 60)
        # Each wake-up processes every due event; the later ones find nothing left to do.
        assert redis.Redis.from_url(REDIS_URL).llen("rq:queue:default") == 0
