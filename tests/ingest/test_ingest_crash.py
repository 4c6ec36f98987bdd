"""``civique ingest`` killed with SIGKILL in the middle of a mail, then run again: the second run
finishes that mail and counts every mail exactly. Runs on a file SQLite database and on
PostgreSQL."""

from __future__ import annotations

import mailbox
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import psycopg

from tests.channels.mail import mail
from tests.ingest.procs import civique, counts, wait_for
from tests.ingest.test_ingest_command import summary

MAILS = 40
CLAIMED = "SELECT id FROM ingest_inboundevent WHERE state = 'pending' AND attempts >= 1"


def write_mbox(path: Path) -> Path:
    """HTML mails of 45 KB: reading each takes a few tens of milliseconds, the time an import
    spends inside a mail before it writes it, when the kill must land."""
    html = "".join(f"<p>Paragraphe {n} de la <b>demande</b>.</p>\n" for n in range(1000))
    box = mailbox.mbox(path)
    for n in range(MAILS):
        raw = mail(subject=f"Demande {n}", message_id=f"<demande-{n}@orange.fr>", body=html)
        box.add(raw.replace(b"text/plain", b"text/html"))
    box.flush()
    box.close()
    return path


def kill_inside_a_mail(env: dict, process: subprocess.Popen) -> None:
    """SIGKILL ``process`` while it holds a claimed, unfinished event.

    Holds the lock the process needs to finish that event (SQLite's write lock; the event's row
    on PostgreSQL) while looking for it, so the kill cannot land between two mails.
    """
    while True:
        assert process.poll() is None, "the import ended before it could be killed inside a mail"
        if "DATABASE_URL" in env:
            with psycopg.connect(env["DATABASE_URL"]) as conn:
                claimed = conn.execute(CLAIMED + " FOR UPDATE").fetchall()
                if claimed:
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                conn.rollback()
        else:
            path = Path(env["CIVIQUE_VAR_DIR"]) / "civique.sqlite3"
            with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as conn:
                conn.execute("BEGIN IMMEDIATE")
                claimed = conn.execute(CLAIMED).fetchall()
                if claimed:
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                conn.execute("ROLLBACK")
        if claimed:
            return
        time.sleep(0.01)


def test_an_import_killed_inside_a_mail_is_finished_and_counted_by_the_next(ingest_env, tmp_path):
    env = ingest_env
    mbox = str(write_mbox(tmp_path / "archive.mbox"))
    process = subprocess.Popen(
        [sys.executable, "-m", "civique.cli", "ingest", mbox],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: counts(env)[0] >= 5, timeout=120)
        kill_inside_a_mail(env, process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    done, messages, _distinct = counts(env)
    assert 5 <= done < MAILS, "the kill must land in the middle of the import"
    assert messages == done

    again = civique(env, "ingest", mbox)
    assert again.stdout.strip() == summary(MAILS - done - 1, done, 1, 0)
    assert again.stderr == ""
    assert counts(env) == (MAILS, MAILS, MAILS)

    third = civique(env, "ingest", mbox)
    assert third.stdout.strip() == summary(0, MAILS, 0, 0)
    assert counts(env) == (MAILS, MAILS, MAILS)
