"""SMTP sending: one outbound operation (kind "send") becomes one threaded email.

The Message-ID is derived from the message's primary key (and a keyed hash, so that it cannot be
guessed), so a retry after an uncertain failure sends the same Message-ID and the citizen's mail
client shows one message. In-Reply-To and References point at the conversation's earlier mail
(chosen by the inbox, see inbox/outbound.py), and the subject carries the conversation's
reference token, so the citizen's answer threads back whatever their client keeps.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from civique.channels.connectors.base import OutboundOperation, SendResult, TransportError
from civique.channels.connectors.email.transport import security_and_port, tls_context

if TYPE_CHECKING:
    from civique.channels.models import Channel

TIMEOUT_SECONDS = 60
MAX_REFERENCES = 20


@dataclass
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str
    password: str
    address: str
    display_name: str
    ca_file: str = ""


def smtp_settings(channel: Channel) -> SmtpSettings:
    """Read and check the channel's SMTP settings; a missing one is a permanent error."""
    conf = channel.settings or {}
    if not conf.get("smtp_host") or not conf.get("address"):
        raise TransportError(
            _("Réglages SMTP incomplets : smtp_host et address sont obligatoires."),
            permanent=True,
        )
    security, port = security_and_port(
        conf, "smtp", "starttls", {"ssl": 465, "starttls": 587, "none": 25}
    )
    return SmtpSettings(
        host=str(conf["smtp_host"]),
        port=port,
        security=security,
        user=str(conf.get("smtp_user") or ""),
        password=str((channel.secrets or {}).get("smtp_password") or ""),
        address=str(conf["address"]),
        display_name=str(conf.get("display_name") or ""),
        ca_file=str(conf.get("tls_ca_file") or ""),
    )


# --- Building the mail ------------------------------------------------------------------------


def message_id_for(message_pk: int | None, address: str) -> str:
    """Stable across retries; keyed so that outsiders cannot forge our ids."""
    key = settings.SECRET_KEY.encode()
    tag = hmac.new(key, f"civique-message:{message_pk}".encode(), hashlib.sha256).hexdigest()
    domain = address.rpartition("@")[2] or "civique.invalid"
    return f"<civique.{message_pk}.{tag[:16]}@{domain}>"


def subject_with_token(subject: str, reference: str) -> str:
    token = f"[#{reference}]"
    subject = " ".join((subject or "").split())
    if not subject:
        return _("Votre demande %(token)s") % {"token": token}
    if token.lower() in subject.lower():
        return subject
    return f"{subject} {token}"


def _html(text: str) -> str:
    body = "<br>\n".join(escape(line) for line in text.splitlines())
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"></head>\n'
        f'<body><div style="font-family: sans-serif">{body}</div></body></html>\n'
    )


def _address(addr_spec: str, display_name: str = "") -> Address:
    try:
        return Address(display_name=display_name, addr_spec=addr_spec)
    except (ValueError, IndexError) as exc:
        raise TransportError(
            _("Adresse « %(a)s » inutilisable : %(err)s") % {"a": addr_spec, "err": exc},
            permanent=True,
        ) from None


def build_mail(conf: SmtpSettings, operation: OutboundOperation, to: str) -> EmailMessage:
    """The email for ``operation``, addressed to ``to``. Does not touch the network."""
    recipient_name = operation.recipient.display_name if operation.recipient else ""
    references = operation.references[-MAX_REFERENCES:]
    created_at = operation.created_at or timezone.now()
    mail = EmailMessage()
    mail["From"] = _address(conf.address, conf.display_name)
    mail["To"] = _address(to, recipient_name)
    mail["Subject"] = subject_with_token(operation.subject, operation.reference)
    mail["Date"] = format_datetime(timezone.localtime(created_at))
    mail["Message-ID"] = message_id_for(operation.message_pk, conf.address)
    if operation.in_reply_to:
        mail["In-Reply-To"] = operation.in_reply_to
    if references:
        mail["References"] = " ".join(references)
    if operation.meta.get("automatic"):
        # RFC 3834: other systems (another Civique included) must not answer it automatically.
        mail["Auto-Submitted"] = "auto-replied"
        mail["X-Auto-Response-Suppress"] = "All"
    mail.set_content(operation.text, cte="quoted-printable")
    mail.add_alternative(_html(operation.text), subtype="html", cte="quoted-printable")
    for attachment in operation.attachments:
        maintype, _sep, subtype = attachment.content_type.partition("/")
        mail.add_attachment(
            attachment.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return mail


# --- Sending ----------------------------------------------------------------------------------


def send_reply(channel: Channel, operation: OutboundOperation) -> SendResult:
    """Send ``operation`` (of any channel's conversation) through ``channel``'s SMTP server."""
    conf = smtp_settings(channel)
    recipient = operation.recipient
    to = recipient.value if recipient and recipient.identity_kind == "email" else ""
    if not to:
        raise TransportError(
            _("Aucune adresse électronique connue pour cet usager : la réponse ne peut pas "
              "partir par courriel."),
            permanent=True,
        )  # fmt: skip
    mail = build_mail(conf, operation, to)
    _transmit(conf, mail, to)
    return SendResult(external_id=str(mail["Message-ID"]), detail=_("envoyé à %(to)s") % {"to": to})


def _open(conf: SmtpSettings) -> smtplib.SMTP:
    context = tls_context(conf.ca_file) if conf.security != "none" else None
    if conf.security == "ssl":
        return smtplib.SMTP_SSL(conf.host, conf.port, timeout=TIMEOUT_SECONDS, context=context)
    server = smtplib.SMTP(conf.host, conf.port, timeout=TIMEOUT_SECONDS)
    if conf.security == "starttls":
        server.starttls(context=context)
    return server


def _transmit(conf: SmtpSettings, mail: EmailMessage, to: str) -> None:
    where = f"{conf.host}:{conf.port}"
    try:
        server = _open(conf)
    except (OSError, smtplib.SMTPException) as exc:
        raise _transport_error(exc, where) from None
    try:
        if conf.user:
            server.login(conf.user, conf.password)
        server.send_message(mail, from_addr=conf.address, to_addrs=[to])
    except (OSError, smtplib.SMTPException) as exc:
        raise _transport_error(exc, where) from None
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return re.sub(r"\s+", " ", text).strip()


def _transport_error(exc: Exception, where: str) -> TransportError:
    """Map an smtplib failure: 5xx replies are permanent, 4xx and network failures are not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        permanent = all(code >= 500 for code, _msg in replies)
        detail = "; ".join(f"{code} {_reply_text(text)}" for code, text in replies)
        return TransportError(
            _("Destinataire refusé par le serveur SMTP : %(d)s") % {"d": detail},
            permanent=permanent,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        return TransportError(
            _("Refus du serveur SMTP %(where)s : %(code)s %(text)s")
            % {"where": where, "code": code, "text": _reply_text(exc.smtp_error)},
            permanent=500 <= code < 600,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError | ssl.SSLError):
        return TransportError(
            _("Échec de la connexion sécurisée au serveur SMTP %(where)s : %(err)s")
            % {"where": where, "err": exc},
            permanent=True,
        )
    return TransportError(
        _("Serveur SMTP %(where)s injoignable : %(err)s") % {"where": where, "err": exc}
    )
