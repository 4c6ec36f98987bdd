"""Parsing ahead in other processes, for ``civique ingest --jobs N``.

Parsing a mail (``Connector.parse``) is a pure function of its bytes returning plain dataclasses,
so it can run in a pool of processes while the importing process stores and processes the mails
one by one, in the order of the file. At most ``WINDOW_PER_JOB`` mails per process are read
ahead: memory stays bounded whatever the size of the mailbox.

The pool's processes are forked (Django is set up in them already). They inherit the parent's
open database connections but never use them: they only parse, and a pool process ends with
``os._exit``, which closes nothing on the server's side. Closing the connections before the fork
is not an option: the import may run inside a transaction (the tests do). A pool process is
killed as soon as the importing process dies (``PR_SET_PDEATHSIG``): after a ``kill -9`` of the
import, an orphan would otherwise wait forever for work, holding its copy of the database socket,
so that PostgreSQL would keep the dead import's session, and its locks, open.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from civique.channels.connectors.base import ParsedMessage
from civique.channels.registry import get_connector
from civique.ingest.sources import RawMail
from civique.ingest.watchdog import ProcessingTimeout, time_limit

logger = logging.getLogger(__name__)
WINDOW_PER_JOB = 4
PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class Parsed:
    """What ``Connector.parse`` gave for a payload elsewhere: the messages, or what it raised
    (re-raised where the result is used, so that a failure is recorded as if parsed there)."""

    messages: list[ParsedMessage] | None = None
    error: BaseException | None = None

    def messages_or_raise(self) -> list[ParsedMessage]:
        if self.error is not None:
            raise self.error
        return self.messages or []


def die_with_parent(parent: int) -> None:
    """Pool initializer: be killed when ``parent`` (the importing process) dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        logger.warning("prctl(PR_SET_PDEATHSIG) impossible : errno %s", ctypes.get_errno())
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def parse_payload(kind: str, payload: bytes, content_type: str, seconds: float) -> Parsed:
    """Parse ``payload`` as connector ``kind`` does, within ``seconds`` (0: no limit). Runs in
    a pool process: needs no channel and no database."""
    try:
        with time_limit(seconds):
            return Parsed(get_connector(kind).parse(None, payload, content_type))
    except (Exception, ProcessingTimeout) as exc:  # noqa: BLE001 - handed back to the caller
        return Parsed(error=exc)


def parse_ahead(
    mails: Iterable[RawMail], jobs: int, kind: str, content_type: str, seconds: float
) -> Iterator[tuple[RawMail, Parsed | None]]:
    """Each mail of ``mails`` in order, with its parse done in one of ``jobs`` processes (None
    when it was not: ``jobs`` is 1, the mail is too large to keep, or the pool failed, e.g. a
    process killed by a hostile mail; the caller then parses it itself, under the usual attempt
    claim that parks a mail which kills its processor)."""
    if jobs <= 1:
        for mail in mails:
            yield mail, None
        return
    _warm_up(kind, content_type)
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )
    pending: deque[tuple[RawMail, Future | None]] = deque()
    broken = False
    try:
        for mail in mails:
            future = None
            if mail.raw is not None and not broken:
                try:
                    future = pool.submit(parse_payload, kind, mail.raw, content_type, seconds)
                except BrokenProcessPool:
                    logger.warning("Processus d'analyse arrêtés : la suite est lue sans eux.")
                    broken = True
            pending.append((mail, future))
            if len(pending) >= jobs * WINDOW_PER_JOB:
                yield _result(*pending.popleft())
        while pending:
            yield _result(*pending.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _warm_up(kind: str, content_type: str) -> None:
    """Parse a tiny payload once before forking, so that what the parser loads on first use
    (modules, compiled patterns, translations) is loaded once, not again in each process."""
    with contextlib.suppress(Exception):  # a warm-up: the real mails report their own errors
        get_connector(kind).parse(None, b"From: a@example.org\r\n\r\n.\r\n", content_type)


def _result(mail: RawMail, future: Future | None) -> tuple[RawMail, Parsed | None]:
    if future is None:
        return mail, None
    try:
        return mail, future.result()
    except Exception:  # a broken pool, an unpicklable result: the caller parses it
        logger.warning("Analyse en parallèle impossible pour %s", mail.label, exc_info=True)
        return mail, None
