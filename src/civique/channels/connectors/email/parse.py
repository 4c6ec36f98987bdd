"""MIME parsing: raw RFC 5322 bytes → one ``ParsedMessage``.

Real mail is messy: undeclared 8-bit text, windows-1252 sold as ISO-8859-1, broken base64, From
headers that are not addresses, dates that do not parse. The rule here is that reading never
fails on such details: each header and each part is decoded on its own, with a lenient fallback,
and only a payload that is not an email at all raises ``ParseError``.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from pathlib import PurePosixPath, PureWindowsPath

from django.utils.translation import gettext as _

from civique.channels.connectors.base import ParsedAttachment, ParsedMessage, ParseError, Sender
from civique.channels.connectors.email.automated import detect_automated
from civique.channels.connectors.email.htmltext import html_to_text

logger = logging.getLogger(__name__)

# Headers of which at least one must be present for bytes to count as an email.
_EMAIL_HEADERS = {
    "from", "to", "subject", "date", "message-id", "received", "return-path", "mime-version",
    "sender", "delivered-to",
}  # fmt: skip
_MSGID_RE = re.compile(r"<[^<>\s]+>")
MAX_ID_LENGTH = 250
# Set by imap.py on a mail too large to import whole: its value is the original size in bytes.
TRUNCATED_HEADER = "X-Civique-Truncated"


@dataclass
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    # Message-IDs found in returned messages (bounces) so that they thread on the original.
    returned_ids: list[str] = field(default_factory=list)


def parse_email(payload: bytes) -> ParsedMessage:
    """Read one raw email. Raises ParseError only when ``payload`` is not an email at all."""
    msg = _read(payload)
    body = _Body()
    _collect(msg, body)
    plain = "\n\n".join(p.strip("\n") for p in body.plain if p.strip())
    html = "\n".join(body.html)
    subject = _subject(msg)
    in_reply_to = _first_id(header_text(msg, "In-Reply-To"))
    references = _all_ids(header_text(msg, "References"))
    if not in_reply_to and body.returned_ids:
        in_reply_to = body.returned_ids[0]
        references = [*references, *body.returned_ids]
    parsed = ParsedMessage(
        external_id=_message_id(msg, payload),
        sender=_sender(msg),
        text=plain or html_to_text(html),
        html=html,
        subject=subject,
        in_reply_to=in_reply_to,
        references=list(dict.fromkeys(references)),
        platform_timestamp=_date(msg),
        attachments=body.attachments,
        meta=_meta(msg),
    )
    automated = detect_automated(msg, subject, header_text)
    if automated is not None:
        parsed.is_automated = True
        parsed.automated_reason = automated.reason
        parsed.meta["automated_kind"] = automated.kind
    truncated = header_text(msg, TRUNCATED_HEADER)
    if truncated:
        parsed.notices.append(
            _(
                "Courriel de %(size)s Mo trop volumineux : seuls ses en-têtes ont été importés ; "
                "consultez-le dans la boîte aux lettres."
            )
            % {"size": round(int(truncated) / 1_048_576, 1) if truncated.isdigit() else "?"}
        )
    return parsed


def _read(payload: bytes) -> EmailMessage:
    if not payload or not payload.strip():
        raise ParseError(_("Courriel vide."))
    try:
        msg = BytesParser(policy=policy.default).parsebytes(payload)
    except Exception as exc:  # noqa: BLE001 - the parser is lenient; anything left is unreadable
        raise ParseError(_("Courriel illisible : %(err)s") % {"err": exc}) from None
    names = {name.lower() for name, _value in msg.raw_items()}
    if not names & _EMAIL_HEADERS:
        raise ParseError(_("Ce contenu n'est pas un courriel (aucun en-tête de message)."))
    return msg


# --- Headers ----------------------------------------------------------------------------------


def _raw_header(msg: Message, name: str) -> str | None:
    lowered = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lowered:
            return value if isinstance(value, str) else str(value)
    return None


def _fix_8bit(value: str) -> str:
    """Undeclared 8-bit header bytes arrive as surrogates: read them as UTF-8, else cp1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    raw = value.encode("ascii", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def clean_text(value: str) -> str:
    """No NUL characters nor lone surrogates (PostgreSQL refuses both), and Unix line ends."""
    value = _fix_8bit(value).encode("utf-8", "replace").decode("utf-8")
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def _decode_words(value: str) -> str:
    """RFC 2047 decoding without the policy machinery (the fallback path)."""
    try:
        return str(make_header(decode_header(value)))
    except (LookupError, UnicodeError, ValueError, AssertionError):
        return value


def header_text(msg: Message, name: str) -> str:
    """The decoded text of header ``name`` (first occurrence), or "" when absent."""
    raw = _raw_header(msg, name)
    if raw is None:
        return ""
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        value = _decode_words(_fix_8bit(raw))
    else:
        try:
            value = str(msg[name])
        except Exception:  # noqa: BLE001 - policy header classes can choke on odd input
            value = _decode_words(raw)
        if "\ufffd" in value:
            value = _decode_words(raw)
    return " ".join(clean_text(value).split())


def _subject(msg: Message) -> str:
    return header_text(msg, "Subject")[:255]


def normalize_message_id(value: str) -> str:
    """``<id@host>`` form; over-long ids are hashed so that they still match across headers."""
    value = value.strip()
    if not value:
        return ""
    if not (value.startswith("<") and value.endswith(">")):
        value = f"<{value.strip('<>')}>"
    if len(value) > MAX_ID_LENGTH:
        digest = hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()[:40]
        value = f"<long.{digest}@civique.invalid>"
    return value


def _first_id(value: str) -> str:
    ids = _all_ids(value)
    return ids[0] if ids else ""


def _all_ids(value: str) -> list[str]:
    found = _MSGID_RE.findall(value or "")
    if not found and value.strip():
        found = value.split()
    return [normalize_message_id(item) for item in found if item.strip("<>")]


def _message_id(msg: Message, payload: bytes) -> str:
    found = _first_id(_raw_header(msg, "Message-ID") or "")
    if found:
        return found
    return f"<sha256.{hashlib.sha256(payload).hexdigest()}@civique.invalid>"


def _sender(msg: Message) -> Sender | None:
    for name in ("From", "Sender"):
        raw = _raw_header(msg, name)
        if raw is None or not raw.strip():
            continue
        parsed = _single_address(msg, name)
        if parsed is not None:
            return Sender("email", parsed[1], parsed[0])
        # Malformed: keep the raw value, the pipeline records it as unrecognised.
        return Sender("email", clean_text(_decode_words(_fix_8bit(raw))).strip(), "")
    return None


def _single_address(msg: Message, name: str) -> tuple[str, str] | None:
    """(display name, address) when header ``name`` holds exactly one plausible address."""
    try:
        addresses = policy.default.header_factory(name, header_text(msg, name)).addresses
    except Exception:  # noqa: BLE001 - unparsable address header
        return None
    if len(addresses) != 1:
        return None
    address = addresses[0]
    if not address.username or not address.domain:
        return None
    return clean_text(address.display_name or ""), clean_text(address.addr_spec)


def _date(msg: Message) -> datetime | None:
    raw = header_text(msg, "Date")
    if not raw:
        return None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # "-0000": UTC with no known local zone
    return value


def _addresses(msg: Message, name: str) -> list[str]:
    value = header_text(msg, name)
    return [addr for _display, addr in getaddresses([value]) if addr] if value else []


def _meta(msg: Message) -> dict:
    meta: dict = {}
    _display, sender = parseaddr(header_text(msg, "From"))
    if sender:
        meta["from"] = sender
    for name, key in (("To", "to"), ("Cc", "cc"), ("Reply-To", "reply_to")):
        found = _addresses(msg, name)
        if found:
            meta[key] = found
    return meta


# --- Body and parts ---------------------------------------------------------------------------


def decode_text(data: bytes, charset: str | None) -> str:
    """Text of a part: its declared charset, else UTF-8, else windows-1252; never raises."""
    declared = (charset or "").strip().lower()
    # Mail labelled Latin-1 or ASCII is routinely windows-1252 (curly quotes, euro, œ).
    if declared in {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "iso_8859-1"}:
        declared = "cp1252"
    for candidate in (declared, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", "replace")


def _part_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken transfer encoding: keep the raw text
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return data


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001 - malformed RFC 2231 parameters
        name = ""
    name = clean_text(_decode_words(name)) if name else ""
    # Never a path: only the last component, without control characters.
    name = PureWindowsPath(PurePosixPath(name).name).name
    return "".join(ch for ch in name if ch.isprintable()).strip()[:255]


def _default_filename(part: Message, stem: str = "piece-jointe") -> str:
    ext = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"{stem}{ext}"


def _content_id(part: Message) -> str:
    return clean_text(header_text(part, "Content-ID")).strip().strip("<>")[:255]


def _collect(part: Message, body: _Body, *, top: bool = True) -> None:
    """Walk the MIME tree in order, filling ``body``. Returned messages are kept whole."""
    ctype = part.get_content_type()
    if ctype in ("message/rfc822", "message/global") and not top:
        _returned_message(part, body)
        return
    if ctype == "message/delivery-status":
        body.attachments.append(
            ParsedAttachment(
                filename="rapport-de-remise.txt",
                content=_delivery_status_bytes(part),
                declared_type="text/plain",
            )
        )
        return
    if part.is_multipart():
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            _collect(sub, body, top=False)
        return
    _leaf(part, body, ctype)


def _leaf(part: Message, body: _Body, ctype: str) -> None:
    disposition = (part.get_content_disposition() or "").lower()
    filename = _filename(part)
    if ctype == "text/rfc822-headers":
        _returned_headers(part, body)
    is_body_text = ctype in ("text/plain", "text/html") or ctype.startswith("multipart/")
    if is_body_text and disposition != "attachment" and not filename:
        text = clean_text(decode_text(_part_bytes(part), part.get_content_charset()))
        (body.html if ctype == "text/html" else body.plain).append(text)
        return
    content_id = _content_id(part)
    body.attachments.append(
        ParsedAttachment(
            filename=filename or _default_filename(part),
            content=_part_bytes(part),
            declared_type=ctype,
            is_inline=disposition == "inline" or (bool(content_id) and disposition == ""),
            content_id=content_id,
        )
    )


def _returned_message(part: Message, body: _Body) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if inner is not None:
        found = _first_id(_raw_header(inner, "Message-ID") or "")
        if found:
            body.returned_ids.append(found)
        try:
            content = inner.as_bytes(policy=policy.compat32)
        except Exception:  # noqa: BLE001 - a broken returned message is still worth keeping
            content = str(inner).encode("utf-8", "replace")
    else:
        content = _part_bytes(part)
    body.attachments.append(
        ParsedAttachment(
            filename="message-retourne.eml", content=content, declared_type="message/rfc822"
        )
    )


def _returned_headers(part: Message, body: _Body) -> None:
    text = decode_text(_part_bytes(part), part.get_content_charset())
    match = re.search(r"^Message-ID:\s*(.+)$", text, re.IGNORECASE | re.MULTILINE)
    if match:
        found = _first_id(match.group(1))
        if found:
            body.returned_ids.append(found)


def _delivery_status_bytes(part: Message) -> bytes:
    try:
        return part.as_bytes(policy=policy.compat32).split(b"\n\n", 1)[-1]
    except Exception:  # noqa: BLE001
        return b""
