"""Raw deliveries as each channel hands them to Civique: RFC 5322 mail, and the JSON documents the
structured connectors parse (web form, phone, counter, API)."""

from __future__ import annotations

import json
import random
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from civique.demo.clock import PARIS
from civique.demo.commune import DOMAIN
from civique.demo.texts import Person

MAIL_CLIENTS = [
    ("User-Agent", "Mozilla Thunderbird"),
    ("X-Mailer", "iPhone Mail (21F90)"),
    ("X-Mailer", "Orange Messagerie"),
    ("User-Agent", "Roundcube Webmail/1.6.6"),
    ("X-Mailer", "Microsoft Outlook 16.0"),
    ("X-Mailer", "Zimbra 9.0"),
]


def message_id(rng: random.Random, person: Person) -> str:
    domain = person.email.rpartition("@")[2] or "mail.example"
    return f"<{rng.getrandbits(64):016x}.{rng.getrandbits(24):06x}@{domain}>"


def email_bytes(
    rng: random.Random,
    person: Person,
    *,
    subject: str,
    text: str,
    when: datetime,
    msgid: str,
    in_reply_to: str = "",
    references: list[str] | None = None,
) -> bytes:
    """A citizen's mail to the town hall. Precondition: ``person.email`` is set."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(display_name=person.name, addr_spec=person.email)
    msg["To"] = Address(display_name="Mairie de Valmont", addr_spec=f"contact@{DOMAIN}")
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when.astimezone(PARIS))
    msg["Message-ID"] = msgid
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = " ".join(references or [in_reply_to])
    header, client = rng.choice(MAIL_CLIENTS)
    msg[header] = client
    charset = "utf-8"
    if rng.random() < 0.15:
        try:
            text.encode("iso-8859-15")
            charset = "iso-8859-15"
        except UnicodeEncodeError:
            pass
    msg.set_content(text, charset=charset)
    if rng.random() < 0.3:
        paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n\n"))
        msg.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
    return msg.as_bytes()


def structured(**fields: Any) -> bytes:
    """The JSON document of a structured connector; ``None`` values are left out."""
    data = {key: value for key, value in fields.items() if value not in (None, "", {})}
    if isinstance(data.get("occurred_at"), datetime):
        data["occurred_at"] = data["occurred_at"].isoformat()
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def person_fields(person: Person, *, prefer_phone: bool = False) -> dict[str, str]:
    """The sender fields of a structured payload (the connector keeps the email when both)."""
    if prefer_phone and person.phone:
        return {"name": person.name, "phone": person.phone}
    if person.email:
        return {"name": person.name, "email": person.email}
    return {"name": person.name, "phone": person.phone}
