"""Running Civique in subprocesses on a database of their own, for worker tests."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg

from tests.services import POSTGRES_URL, need

SEED = """
import json
from civique.core.models import Team
from civique.channels.models import Channel
from civique.ingest.actions import receive_event
team = Team.objects.create(slug="accueil", name="Accueil")
channel = Channel.objects.create(kind="webform", name="Portail", team=team)
for n in range({events}):
    payload = {{"email": f"usager{{n % 300}}@example.org", "text": f"Demande {{n}}"}}
    receive_event(channel, json.dumps(payload).encode(), "application/json", f"e{{n}}",
                  enqueue=False)
"""

COUNTS = (
    "SELECT (SELECT COUNT(*) FROM ingest_inboundevent WHERE state = 'done'),"
    " (SELECT COUNT(*) FROM inbox_message),"
    " (SELECT COUNT(DISTINCT external_id) FROM inbox_message)"
)


def civique(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "civique.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def fetch(env: dict, sql: str) -> tuple:
    """One row of ``sql``, read straight from the database, without starting Django."""
    if "DATABASE_URL" in env:
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            return tuple(conn.execute(sql).fetchone())
    path = Path(env["CIVIQUE_VAR_DIR"]) / "civique.sqlite3"
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        return tuple(conn.execute(sql).fetchone())


def counts(env: dict) -> tuple[int, int, int]:
    """Events done, messages, distinct message ids."""
    return fetch(env, COUNTS)


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "civique.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition non atteinte à temps")


def seed(env: dict, events: int, enqueue: bool = False) -> None:
    civique(env, "migrate", "--verbosity", "0")
    script = SEED.format(events=events).replace("enqueue=False", f"enqueue={enqueue}")
    civique(env, "shell", "-c", script)


@contextmanager
def isolated_env(kind: str, tmp_path: Path):
    """Environment for subprocesses on a fresh database: a SQLite file or a PostgreSQL base."""
    env = {
        **os.environ,
        "CIVIQUE_VAR_DIR": str(tmp_path / "var"),
        "CIVIQUE_SWEEP_SECONDS": "1",
        "CIVIQUE_INGEST_BATCH": "50",
        # The event a killed worker was on waits its backoff: keep it short here.
        "CIVIQUE_RETRY_BASE_SECONDS": "1",
        "CIVIQUE_TASKS_BACKEND": "database",
        # Counts here are of the citizens' messages only (as in tests/conftest.py).
        "CIVIQUE_AUTO_ACKNOWLEDGE": "false",
        # These tests are about durability, not names: each subprocess spares loading spaCy.
        "CIVIQUE_ANALYSIS_NER": "false",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if kind == "sqlite":
        yield env
        return
    need("PostgreSQL", "127.0.0.1", 5432)
    name = f"civique_crash_{uuid.uuid4().hex[:8]}"
    admin = POSTGRES_URL
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    env["CIVIQUE_DB_CONN_MAX_AGE"] = "0"
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
