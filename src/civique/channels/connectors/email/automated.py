"""Recognising mail no person wrote: auto-replies, delivery-failure reports and list mail.

Such mail is kept on the timeline but flagged, so that no automation ever answers it (answering
an auto-reply is how mail loops start). Headers are trusted first (RFC 3834 Auto-Submitted, the
de-facto X-Autoreply, Precedence, List-*), then the report content type, then the sender and
subject conventions of common servers and clients.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from email.utils import parseaddr

from django.utils.translation import gettext as _

AUTO_REPLY = "auto_reply"
BOUNCE = "bounce"
LIST = "list"

_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
_BOUNCE_SUBJECTS = re.compile(
    r"^\s*(undelivered mail returned to sender|delivery status notification|"
    r"non remis|mail delivery failed|undeliverable|returned mail|delivery failure|"
    r"message non remis|échec de (la )?remise|failure notice)",
    re.IGNORECASE,
)
# "Absence" alone is not enough: "Absence d'éclairage rue des Lilas" is a citizen's report.
_AUTO_REPLY_SUBJECTS = re.compile(
    r"^\s*(r[ée]ponse automatique|auto\s*:|automatic reply|auto[- ]?reply|autoreply|"
    r"out of (the )?office|absence\s*:|absence du bureau|absent(e)?\s*(:|du bureau)|"
    r"abwesenheitsnotiz|respuesta autom[áa]tica)",
    re.IGNORECASE,
)
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


@dataclass
class Automated:
    kind: str  # AUTO_REPLY, BOUNCE or LIST
    reason: str  # French, shown to agents


HeaderReader = Callable[[Message, str], str]


def detect_automated(msg: Message, subject: str, header: HeaderReader) -> Automated | None:
    """Why ``msg`` is automated, or None when a person wrote it. ``header`` reads a header."""
    return _bounce(msg, subject, header) or _auto_reply(msg, subject, header) or _list(msg, header)


def _bounce(msg: Message, subject: str, header: HeaderReader) -> Automated | None:
    if msg.get_content_type() == "multipart/report" and _report_type(msg) == "delivery-status":
        return Automated(BOUNCE, _("Avis de non-remise (rapport de distribution)."))
    _name, sender = parseaddr(header(msg, "From"))
    if _BOUNCE_SENDERS.match(sender or ""):
        return Automated(BOUNCE, _("Avis de non-remise (expéditeur %(s)s).") % {"s": sender})
    if _BOUNCE_SUBJECTS.match(subject):
        return Automated(BOUNCE, _("Avis de non-remise (objet « %(s)s »).") % {"s": subject})
    return None


def _report_type(msg: Message) -> str:
    try:
        value = msg.get_param("report-type", header="content-type")
    except Exception:  # noqa: BLE001 - malformed RFC 2231 continuations break the email package
        return ""
    if isinstance(value, tuple):  # RFC 2231: (charset, language, value)
        value = value[2]
    return value.lower() if isinstance(value, str) else ""


def _auto_reply(msg: Message, subject: str, header: HeaderReader) -> Automated | None:
    auto_submitted = header(msg, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return Automated(
            AUTO_REPLY,
            _("Message automatique (Auto-Submitted : %(v)s).") % {"v": auto_submitted},
        )
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response-Suppress"):
        if header(msg, name):
            return Automated(AUTO_REPLY, _("Réponse automatique (en-tête %(h)s).") % {"h": name})
    precedence = header(msg, "Precedence").lower()
    if precedence in _BULK_PRECEDENCE:
        kind = AUTO_REPLY if precedence == "auto_reply" else LIST
        return Automated(kind, _("Envoi automatique (Precedence : %(v)s).") % {"v": precedence})
    if _AUTO_REPLY_SUBJECTS.match(subject):
        return Automated(AUTO_REPLY, _("Réponse automatique (objet « %(s)s »).") % {"s": subject})
    return None


def _list(msg: Message, header: HeaderReader) -> Automated | None:
    for name in ("List-Id", "List-Unsubscribe"):
        if header(msg, name):
            return Automated(
                LIST, _("Courriel de liste de diffusion (en-tête %(h)s).") % {"h": name}
            )
    return None
