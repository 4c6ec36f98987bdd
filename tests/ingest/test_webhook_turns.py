"""Webhook intake on the embedded profile: the web threads take turns to write, and keep their
SQLite connection between requests (measured in docs/performance.md, « Webhook
acknowledgement »)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import httpx
import pytest
from django.db import connection

from civique.ingest import webhooks
from civique.ingest.models import InboundEvent
from tests.hooks import fixture, hook_url, signature


def test_web_threads_queue_in_turn_for_the_sqlite_writer(live_server, facebook_channel):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL takes concurrent writers itself.")
    body = fixture("facebook", "comment-add.json")
    answers = []

    def post() -> None:
        url = live_server.url + hook_url(facebook_channel)
        headers = {"X-Hub-Signature-256": signature(body), "Content-Type": "application/json"}
        answers.append(httpx.post(url, content=body, headers=headers, timeout=30).status_code)

    with webhooks._SQLITE_WRITES:  # another thread of the web process is writing
        waiting = threading.Thread(target=post)
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive()  # its turn has not come
        assert not InboundEvent.objects.exists()
    waiting.join(timeout=30)
    assert answers == [200]
    assert InboundEvent.objects.count() == 1


def test_the_embedded_database_connection_is_kept_between_requests(tmp_path):
    env = {**os.environ, "CIVIQUE_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("CIVIQUE_DB_CONN_MAX_AGE", None)
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "from civique import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "60"
