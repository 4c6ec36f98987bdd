"""Email connector: IMAP in, SMTP out. Parsing lives in parse.py, transport in imap.py/smtp.py."""

from __future__ import annotations

from civique.channels.connectors.base import Connector


class EmailConnector(Connector):
    kind = "email"
    label = "Courriel"
    can_reply = True
    identity_kind = "email"
    polls = True
