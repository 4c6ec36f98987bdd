"""Reading mail files for ``civique ingest``: one .eml, an mbox of any size, a Maildir folder.

An mbox is read as a stream of lines, one mail at a time, whatever its size: the standard
library's ``mailbox.mbox`` first scans the whole file and keeps a table of every message's
offsets (about 190 bytes per message: 190 MB for a million mails) before it gives the first one.
Here memory holds the mail being read, and a line at most ``LINE_CHUNK`` bytes long at a time; a
mail larger than the caller's limit is counted, not kept.

The mbox format, as ``mailbox.mbox`` reads it: a mail starts at a line beginning with ``From ``
(the "From line", not part of the mail); the empty line before the next From line is the
separator, not part of the mail either. Writers quote body lines that begin with ``From `` as
``>From `` (mboxo) or add one ``>`` to any line matching ``>*From `` (mboxrd); one ``>`` is
removed from such lines here, which undoes both (a body line ``>From `` written by an mboxo
writer cannot be told apart from a quoted ``From `` and loses its ``>``, as in every mboxrd
reader).
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

LINE_CHUNK = 64 * 1024  # the longest piece of a line held at once
FINGERPRINT_BYTES = 64 * 1024
_QUOTED_FROM = re.compile(rb">+From ")
_EMPTY_LINES = (b"\n", b"\r\n")


class NotAMailSource(ValueError):
    """The path is neither a mail file, an mbox, nor a Maildir folder (French reason)."""


@dataclass(frozen=True)
class RawMail:
    """One mail read from a source. ``raw`` is None when the mail is larger than the limit the
    reader was given (``size`` says how large). ``end`` is the offset in the source just after
    this mail (mbox: where the next From line starts; Maildir: the mail's rank, from 1), the
    position a later run can resume from."""

    label: str
    raw: bytes | None
    size: int
    end: int


@dataclass(frozen=True)
class Source:
    """A file or folder to import: ``kind`` is "eml", "mbox" or "maildir"; ``size`` is in bytes
    (for a Maildir, the sum of its mails' sizes)."""

    path: Path
    kind: str
    size: int


def open_source(path: Path) -> Source:
    """Recognise what ``path`` holds. Raises NotAMailSource, with a French reason, for a folder
    that is not a Maildir and for a file named .mbox that does not start like one."""
    if path.is_dir():
        if not (path / "cur").is_dir() or not (path / "new").is_dir():
            raise NotAMailSource(
                f"{path} est un dossier, mais pas un dossier Maildir (il lui manque les "
                "sous-dossiers cur et new)."
            )
        return Source(path, "maildir", sum(f.stat().st_size for f in maildir_files(path)))
    size = path.stat().st_size
    start = _first_line(path)
    if start.startswith(b"From "):
        return Source(path, "mbox", size)
    if path.suffix.lower() == ".mbox":
        if start:
            raise NotAMailSource(
                f"{path} n'est pas une boîte mbox : sa première ligne devrait commencer par "
                "« From » (séparateur des courriels)."
            )
        return Source(path, "mbox", size)  # empty: no mail
    return Source(path, "eml", size)


def _first_line(path: Path) -> bytes:
    """The first line of ``path`` that is not empty (at most 5 bytes of it)."""
    with path.open("rb") as handle:
        for line in iter(lambda: handle.readline(LINE_CHUNK), b""):
            if line not in _EMPTY_LINES:
                return line[:5]
    return b""


def starts_a_mail(path: Path, offset: int) -> bool:
    """Whether a From line starts at ``offset`` of the mbox ``path``, or the file ends there."""
    with path.open("rb") as handle:
        handle.seek(offset)
        head = handle.read(5)
    return head in (b"", b"From ")


# --- mbox --------------------------------------------------------------------------------------


def mbox_mails(path: Path, max_bytes: int, start: int = 0) -> Iterator[RawMail]:
    """Each mail of the mbox ``path`` from offset ``start`` (0, or an ``end`` given earlier), in
    order, read as a stream. A mail over ``max_bytes`` comes with ``raw=None``."""
    with path.open("rb") as handle:
        handle.seek(start)
        yield from _split(handle, path, max_bytes, start)


def _split(handle: BinaryIO, path: Path, max_bytes: int, position: int) -> Iterator[RawMail]:
    mail = _Accumulator(max_bytes)
    index = 0
    at_line_start = True
    in_from_line = False  # the rest of a From line longer than LINE_CHUNK
    for line in iter(lambda: handle.readline(LINE_CHUNK), b""):
        starts_line = at_line_start
        at_line_start = line.endswith(b"\n")
        if starts_line and line.startswith(b"From "):
            if mail.open:
                index += 1
                yield mail.close(f"{path} (n°{index})", position)
            mail.begin()
            in_from_line = not at_line_start
        elif in_from_line:
            in_from_line = not at_line_start
        elif mail.open:
            if starts_line and _QUOTED_FROM.match(line):
                mail.add(line[1:], starts_line)
            else:
                mail.add(line, starts_line)
        position += len(line)
    if mail.open:
        index += 1
        yield mail.close(f"{path} (n°{index})", position)


class _Accumulator:
    """The lines of the mail being read; the last empty line is held back, since it is the
    separator when a From line follows."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.open = False

    def begin(self) -> None:
        self.open = True
        self.parts: list[bytes] = []
        self.size = 0
        self.held = b""  # an empty line not yet known to be part of the mail

    def add(self, line: bytes, starts_line: bool) -> None:
        if self.held:
            self._keep(self.held)
            self.held = b""
        if starts_line and line in _EMPTY_LINES:
            self.held = line
        else:
            self._keep(line)

    def _keep(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.size <= self.max_bytes:
            self.parts.append(piece)
        else:
            self.parts = []

    def close(self, label: str, end: int) -> RawMail:
        """The mail read, without its last line if that is empty (the separator before the next
        From line, or the one a writer adds after the last mail, as ``mailbox.mbox`` reads it)."""
        self.open = False
        raw = b"".join(self.parts) if self.size <= self.max_bytes else None
        self.parts = []
        return RawMail(label, raw, self.size, end)


# --- Maildir -----------------------------------------------------------------------------------


def maildir_files(folder: Path) -> list[Path]:
    """The mails of the Maildir ``folder``: the files of new/ and cur/ (tmp/ holds deliveries
    not finished), without hidden files, in the order of their unique names (which begin with
    the delivery time), so that a mail moved from new/ to cur/ keeps its place."""
    files = []
    for sub in ("new", "cur"):
        with os.scandir(folder / sub) as entries:
            files.extend(
                Path(entry.path)
                for entry in entries
                if not entry.name.startswith(".") and entry.is_file()
            )
    return sorted(files, key=lambda f: (f.name.split(":", 1)[0], f.name))


def maildir_mails(folder: Path, max_bytes: int, start: int = 0) -> Iterator[RawMail]:
    """Each mail of the Maildir ``folder`` after the first ``start`` ones."""
    for rank, listed in enumerate(maildir_files(folder), start=1):
        if rank <= start:
            continue
        path = listed if listed.exists() else _moved(folder, listed)
        if path is None:
            continue  # deleted since the folder was listed: nothing left to import
        size = path.stat().st_size
        raw = path.read_bytes() if size <= max_bytes else None
        yield RawMail(str(path), raw, size, rank)


def _moved(folder: Path, listed: Path) -> Path | None:
    """Where a mail client moved ``listed`` since the listing (new/ to cur/, flags changed)."""
    unique = listed.name.split(":", 1)[0]
    for sub in ("cur", "new"):
        for candidate in (folder / sub).glob(f"{glob.escape(unique)}*"):
            if candidate.name.split(":", 1)[0] == unique:
                return candidate
    return None


def source_mails(source: Source, max_bytes: int, start: int = 0) -> Iterator[RawMail]:
    """Each mail of ``source`` from ``start`` (see RawMail.end)."""
    if source.kind == "mbox":
        return mbox_mails(source.path, max_bytes, start)
    if source.kind == "maildir":
        return maildir_mails(source.path, max_bytes, start)
    return iter([_eml(source.path, max_bytes)])


def _eml(path: Path, max_bytes: int) -> RawMail:
    size = path.stat().st_size
    return RawMail(str(path), path.read_bytes() if size <= max_bytes else None, size, size)
