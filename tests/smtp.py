"""A real SMTP server for tests (aiosmtpd on 127.0.0.1) that records what it receives."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Recorder:
    """aiosmtpd handler: keeps what it received; answers RCPT or DATA with a chosen refusal."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse_rcpt: str = ""
    refuse_data: str = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        if self.refuse_data:
            self.received.append(("refused", [], parsed))
            return self.refuse_data
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    @property
    def mails(self) -> list[EmailMessage]:
        return [m for who, _to, m in self.received if who != "refused"]
