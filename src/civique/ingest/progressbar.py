"""The progress line ``civique ingest`` shows on a terminal: share of the bytes read, mails taken
in, rate and time left. Nothing is written when the output is not a terminal (a pipe, a log,
cron): the final summary is all there is."""

from __future__ import annotations

import time
from collections.abc import Callable

REFRESH_SECONDS = 0.1
BAR_WIDTH = 20


def duration(seconds: float) -> str:
    """``1 h 02 min``, ``4 min 05 s``, ``12 s``."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def thousands(value: int) -> str:
    """French grouping of digits: ``12 345``."""
    return f"{value:,}".replace(",", "\u202f")


def render_progress(
    *, mails: int, done_bytes: int, total_bytes: int, skipped_bytes: int, elapsed: float
) -> str:
    """One line: a bar of the bytes read out of ``total_bytes``, the mails taken in by this
    run, their rate, and the time left, estimated from this run's byte rate (``skipped_bytes``,
    read by an earlier run, are not part of it). A pure function of its arguments."""
    share = min(1.0, done_bytes / total_bytes) if total_bytes else 1.0
    filled = round(share * BAR_WIDTH)
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    parts = [f"[{bar}] {share * 100:3.0f} %", f"{thousands(mails)} courriel(s)"]
    read = done_bytes - skipped_bytes
    if elapsed > 0 and mails:
        parts.append(f"{mails / elapsed:.1f} courriels/s")
    if elapsed > 0 and read > 0:
        left = (total_bytes - done_bytes) * elapsed / read
        parts.append(f"reste {duration(left)}")
    else:
        parts.append("reste —")
    return "  ".join(parts)


class ProgressBar:
    """Redraws the progress line with ``write`` (text written as is, then flushed) at most every
    REFRESH_SECONDS, if ``enabled``."""

    def __init__(self, write: Callable[[str], None], total_bytes: int, *, enabled: bool) -> None:
        self.write = write
        self.total = total_bytes
        self.enabled = enabled
        self.mails = 0
        self.done = 0
        self.skipped = 0
        self.started = time.monotonic()
        self.drawn_at = 0.0

    def skip(self, size: int) -> None:
        """``size`` bytes were taken in by an earlier run."""
        self.skipped += size
        self.done += size

    def advance(self, size: int) -> None:
        """One more mail, ``size`` bytes of its source."""
        self.mails += 1
        self.done += size
        now = time.monotonic()
        if self.enabled and now - self.drawn_at >= REFRESH_SECONDS:
            self.drawn_at = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        line = render_progress(
            mails=self.mails,
            done_bytes=self.done,
            total_bytes=self.total,
            skipped_bytes=self.skipped,
            elapsed=now - self.started,
        )
        self.write(f"\r{line}\x1b[K")

    def finish(self) -> None:
        """Draw the last state and end the line, so that the summary starts on its own."""
        if self.enabled:
            self._draw(time.monotonic())
            self.write("\n")
