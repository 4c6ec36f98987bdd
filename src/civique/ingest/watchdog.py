"""A time limit on the processing of one event, the last line of defence behind the bounds each
stage keeps (MIME depth, HTML depth and size, image pixels).

It uses the process's interval timer, so it applies where the event runs in the main thread: in
``civique worker`` and ``civique ingest``. Processing inline in a web request (the portal, the
API) runs in a server thread and has no limit here; those payloads are small and come from forms.
The signal lands between two Python instructions: a single call into native code finishes first,
which is why the stages bound their inputs.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ProcessingTimeout(BaseException):
    """The event took longer than its limit. A BaseException, so that no ``except Exception``
    in a parser swallows it."""


def _expired(signum, frame) -> None:
    raise ProcessingTimeout


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ProcessingTimeout in the block once ``seconds`` have passed (0: no limit)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
