"""Helpers for email tests: the .eml fixtures, and running a raw mail through the real intake."""

from __future__ import annotations

from pathlib import Path

from civique.channels.models import Channel
from civique.ingest.actions import process_event, receive_event
from civique.ingest.models import InboundEvent

FIXTURES = Path(__file__).parent / "fixtures" / "email"


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


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
