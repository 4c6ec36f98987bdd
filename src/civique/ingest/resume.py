"""Where an interrupted ``civique ingest`` of an mbox or a Maildir starts again.

The import records, per channel and source, the position after the last mail it took in (stored,
then processed or reported), at most every ``SAVE_SECONDS`` and at the end of the source. A run
killed with SIGKILL loses at most those seconds of progress: the mails read again then are found
by the intake's idempotency (the same bytes are one event) and counted as already known, so
nothing is ever stored twice. The position is trusted only while the source is still the one that
was read (see ``fingerprint_at``); otherwise the source is read from its start.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from django.db import transaction

from civique.channels.models import Channel
from civique.core.write_turn import in_write_turn
from civique.ingest.models import ImportProgress
from civique.ingest.sources import FINGERPRINT_BYTES, RawMail, Source, maildir_files, starts_a_mail

SAVE_SECONDS = 1.0


def mbox_fingerprint(path: Path, position: int) -> str:
    """SHA-256 of the position and of the mbox's bytes before it (the first and the last
    FINGERPRINT_BYTES of them): a file that only grew at its end keeps it, a file rewritten
    does not."""
    digest = hashlib.sha256(str(position).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(min(position, FINGERPRINT_BYTES)))
        handle.seek(max(0, position - FINGERPRINT_BYTES))
        digest.update(handle.read(min(position, FINGERPRINT_BYTES)))
    return digest.hexdigest()


def _mail_name(path: str | Path) -> bytes:
    """A Maildir mail's unique name, without the flags that change when it is read."""
    return Path(path).name.split(":", 1)[0].encode("utf-8", "surrogateescape") + b"\n"


class Tracker:
    """The progress of one source's import (nothing is kept for a single .eml)."""

    def __init__(self, channel: Channel, source: Source) -> None:
        self.channel = channel
        self.source = source
        self.key = str(source.path.resolve())[:1000]
        self.position = 0
        self.mails = 0
        self.saved_at = time.monotonic()
        self.names = hashlib.sha256()  # Maildir: the names of the mails taken in, in order

    def start(self) -> tuple[int, int, int]:
        """(position to read from, mails before it, bytes before it) per the last run's record,
        or zeros when there is none or the source changed since."""
        if self.source.kind == "eml":
            return 0, 0, 0
        row = ImportProgress.objects.filter(channel=self.channel, source=self.key).first()
        if row is None or row.position == 0:
            return 0, 0, 0
        skipped = self._still_valid(row)
        if skipped is None:
            self.names = hashlib.sha256()
            return 0, 0, 0
        self.position, self.mails = row.position, row.mails
        return row.position, row.mails, skipped

    def _still_valid(self, row: ImportProgress) -> int | None:
        """Bytes before the recorded position if the source is still the one read, else None."""
        path = self.source.path
        if self.source.kind == "mbox":
            if row.position > self.source.size or not starts_a_mail(path, row.position):
                return None
            return row.position if mbox_fingerprint(path, row.position) == row.fingerprint else None
        files = maildir_files(path)[: row.position]
        for mail in files:
            self.names.update(_mail_name(mail))
        if len(files) < row.position or self.names.hexdigest() != row.fingerprint:
            return None
        return sum(mail.stat().st_size for mail in files)

    def taken(self, mail: RawMail) -> None:
        """``mail`` was taken in; save the position now and then."""
        if self.source.kind == "eml":
            return
        self.position = mail.end
        self.mails += 1
        if self.source.kind == "maildir":
            self.names.update(_mail_name(mail.label))
        if time.monotonic() - self.saved_at >= SAVE_SECONDS:
            self.save()

    def save(self) -> None:
        if self.source.kind == "eml":
            return
        if self.source.kind == "mbox":
            fingerprint = mbox_fingerprint(self.source.path, self.position)
        else:
            fingerprint = self.names.hexdigest()

        def write() -> None:
            with transaction.atomic():
                ImportProgress.objects.update_or_create(
                    channel=self.channel,
                    source=self.key,
                    defaults={
                        "fingerprint": fingerprint,
                        "position": self.position,
                        "mails": self.mails,
                    },
                )

        in_write_turn(write)
        self.saved_at = time.monotonic()
