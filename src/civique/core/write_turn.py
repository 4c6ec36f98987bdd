"""Taking turns for SQLite's single writer, within one process.

SQLite has one writer at a time. The threads of a process that store deliveries (webhooks, the
portal, the API, mailbox polling) queue for it here, in turn, instead of in SQLite's busy handler,
which sleeps 1, 2, 5, 10... up to 100 ms between tries: while a worker process chains its write
transactions, those sleeps almost never meet the short gaps between them, and the intake starved
(docs/performance.md, « Webhook acknowledgement »). The thread whose turn it is tries again every
POLL_SECONDS instead, until the connection's own timeout has passed. Other databases take
concurrent writers themselves: nothing is done there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TypeVar

from django.db import OperationalError, connection

T = TypeVar("T")
_SQLITE_WRITES = threading.Lock()
POLL_SECONDS = 0.0005


def write_turn() -> AbstractContextManager:
    """This process's turn for the writer on SQLite (a plain block elsewhere)."""
    return _SQLITE_WRITES if connection.vendor == "sqlite" else nullcontext()


@contextmanager
def _busy_timeout(milliseconds: int) -> Iterator[None]:
    """SQLite's busy timeout of this connection set to ``milliseconds`` for the block."""
    normal = int(float(connection.settings_dict["OPTIONS"].get("timeout", 5)) * 1000)
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {normal}")


def in_write_turn(write: Callable[[], T]) -> T:
    """Run ``write`` — one short write transaction of its own — in this process's turn for
    SQLite's writer, polling for the writer until the connection's timeout has passed. Inside a
    caller's transaction (which already holds the writer), or on another database, it just runs.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return write()
    deadline = time.monotonic() + float(connection.settings_dict["OPTIONS"].get("timeout", 5))
    with _SQLITE_WRITES, _busy_timeout(0):
        while True:
            try:
                return write()  # BEGIN IMMEDIATE fails at once while another writer holds it
            except OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(POLL_SECONDS)
