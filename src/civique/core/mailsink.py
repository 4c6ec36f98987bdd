"""The local mail sink of the embedded profile: a real SMTP server that keeps every mail as a file.

It listens on 127.0.0.1 only, accepts any sender and recipient, writes each message, byte for byte
as it arrived, to ``<UTC timestamp>-<Message-ID>.eml`` in one directory, and never relays
anything. The demo's mailbox sends through it, so an answer to a citizen really leaves over SMTP
and can be opened, threaded, in any mail client.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"  # never anything else: the sink accepts mail from anyone who can reach it
DEFAULT_PORT = 2525
MAX_ID_CHARS = 80
UNSAFE = re.compile(r"[^A-Za-z0-9._@+=-]+")


class MailSinkError(Exception):
    """The sink could not start (typically: the port is taken)."""


def default_directory() -> Path:
    return Path(settings.VAR_DIR) / "mail-sink"


def eml_name(message_id: str, now: datetime) -> str:
    """``20250122T090000.123456Z-<id>.eml``: sorts by arrival, safe on every file system."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    cleaned = UNSAFE.sub("_", message_id.strip().strip("<>")).strip("._")[:MAX_ID_CHARS]
    return f"{stamp}-{cleaned or 'sans-message-id'}.eml"


def store(directory: Path, content: bytes, now: datetime | None = None) -> Path:
    """Write ``content`` to a new file of ``directory``; never overwrite an earlier mail."""
    headers = BytesHeaderParser(policy=policy.default).parsebytes(content)
    name = eml_name(str(headers.get("Message-ID") or ""), now or datetime.now(UTC))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    for n in range(1, 1000):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            path = directory / f"{name.removesuffix('.eml')}-{n}.eml"
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        return path
    raise FileExistsError(path)


def summary(content: bytes, recipients: list[str], path: Path) -> str:
    """One French line: who, to whom, what, where."""
    headers = BytesHeaderParser(policy=policy.default).parsebytes(content)
    sender = str(headers.get("From") or "?")
    to = str(headers.get("To") or ", ".join(recipients) or "?")
    subject = str(headers.get("Subject") or "(sans objet)")
    return f"Courriel reçu par le puits local : de {sender} à {to}, « {subject} » → {path}"


class SinkHandler:
    """aiosmtpd handler: every accepted message becomes one file; nothing is relayed. Any
    sender and recipient is accepted (aiosmtpd's default)."""

    def __init__(self, directory: Path, report: Callable[[str], None] | None = None) -> None:
        self.directory = directory
        self.report = report or logger.info

    async def handle_DATA(self, server, session, envelope) -> str:
        content = envelope.original_content or envelope.content
        if isinstance(content, str):  # only with decode_data=True, which the sink does not use
            content = content.encode("utf-8", "surrogateescape")
        try:
            path = store(self.directory, content)
        except OSError as exc:
            logger.error("Puits local : impossible d'écrire dans %s : %s", self.directory, exc)
            return "451 Requested action aborted: cannot store the message locally"
        self.report(summary(content, list(envelope.rcpt_tos), path))
        return "250 OK: kept in the local mail sink, not relayed"


def _check_port_free(port: int) -> None:
    """Fail at once with a clear message (aiosmtpd only reports a bind failure after its
    start-up timeout). asyncio binds with SO_REUSEADDR on Unix; so does this check."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise MailSinkError(
                f"Puits de courriels : impossible d'écouter sur {HOST}:{port} ({exc.strerror}). "
                "Le port est-il déjà pris ? Choisissez-en un autre."
            ) from None


def start_sink(
    port: int = DEFAULT_PORT,
    directory: Path | None = None,
    report: Callable[[str], None] | None = None,
) -> Controller:
    """Start the sink in a background thread on 127.0.0.1:``port``; the caller stops it with
    ``controller.stop()``. Raises MailSinkError when it cannot listen."""
    directory = directory or default_directory()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MailSinkError(
            f"Puits de courriels : impossible de créer le dossier {directory} ({exc})."
        ) from None
    _check_port_free(port)
    # aiosmtpd logs every connection at INFO: one line per message (ours) is what people read.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(
        SinkHandler(directory, report),
        hostname=HOST,
        port=port,
        server_hostname="civique-mail-sink",
        enable_SMTPUTF8=True,
    )
    try:
        controller.start()
    except (OSError, TimeoutError, RuntimeError) as exc:
        with contextlib.suppress(Exception):
            controller.stop(no_assert=True)
        raise MailSinkError(
            f"Puits de courriels : impossible d'écouter sur {HOST}:{port} ({exc}). "
            "Le port est-il déjà pris ? Choisissez-en un autre."
        ) from None
    return controller
