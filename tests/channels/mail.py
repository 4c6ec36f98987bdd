"""Helpers for email tests: the .eml fixtures, and running a raw mail through the real intake."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from civique.channels.models import Channel
from civique.ingest.actions import process_event, receive_event
from civique.ingest.models import InboundEvent

FIXTURES = Path(__file__).parent / "fixtures" / "email"
# Mails written to break parsers: control characters, unknown charsets, broken encodings...
HOSTILE = Path(__file__).parent / "fixtures" / "hostile"


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def hostile(name: str) -> bytes:
    return (HOSTILE / name).read_bytes()


def nested_rfc822(depth: int) -> bytes:
    """A mail holding a message/rfc822 holding a message/rfc822... ``depth`` times."""
    part = b"Content-Type: text/plain\r\n\r\nTout au fond.\r\n"
    for level in range(depth):
        part = b"Content-Type: message/rfc822\r\n\r\nFrom: n%d@orange.fr\r\n%s" % (level, part)
    return b"From: a@orange.fr\r\nSubject: Poupees russes\r\nMIME-Version: 1.0\r\n" + part


def nested_multipart(depth: int) -> bytes:
    """A mail whose text lies ``depth`` multipart levels down."""
    part = b"Content-Type: text/plain\r\n\r\nTout au fond.\r\n"
    for level in range(depth):
        head = b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level)
        part = head + part + b"\r\n--b%d--\r\n" % level
    return b"From: a@orange.fr\r\nSubject: Poupees russes\r\nMIME-Version: 1.0\r\n" + part


def strings(value: Any) -> Iterator[str]:
    """Every string inside ``value``: a ParsedMessage, its sender, attachments, meta..."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)
    elif dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            yield from strings(getattr(value, item.name))


def storable(value: str) -> bool:
    """What PostgreSQL accepts in a text column: no NUL, no lone surrogate."""
    return "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)


def ingest(channel: Channel, raw: bytes, external_id: str = "") -> InboundEvent:
    """Store ``raw`` as an inbound event of ``channel`` and process it, as a worker would."""
    received = receive_event(channel, raw, "message/rfc822", external_id, enqueue=False)
    return process_event(received.event.pk)


def mail(
    *,
    sender: str = "Renée Lefèvre <renee.lefevre@orange.fr>",
    subject: str = "Question",
    body: str = "Bonjour,\nune question.\n",
    message_id: str = "<question-1@orange.fr>",
    extra: str = "",
) -> bytes:
    """A small UTF-8 mail; ``extra`` holds additional header lines."""
    head = (
        f"From: {sender}\nTo: contact@valmont.example\nSubject: {subject}\n"
        f"Date: Wed, 22 Jan 2025 10:00:00 +0100\nMessage-ID: {message_id}\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n"
    )
    return (head + extra + "\n" + body).replace("\n", "\r\n").encode("utf-8")
