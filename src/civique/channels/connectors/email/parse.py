"""MIME parsing: raw RFC 5322 bytes → one ``ParsedMessage``.

Real mail is messy: undeclared 8-bit text, windows-1252 sold as ISO-8859-1, broken base64, From
headers that are not addresses, dates that do not parse. The rule here is that reading never
fails on such details: each header and each part is decoded on its own, with a lenient fallback,
and only a payload that is not an email at all raises ``ParseError``.

Hostile mail is bounded: every string returned is storable in PostgreSQL (no NUL, no lone
surrogate; header values carry no control character), the MIME tree is walked no deeper than
``MAX_MIME_DEPTH`` levels, and any failure, a ``RecursionError`` included, becomes a
``ParseError`` with a one-line French reason, so that the event is parked at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import Policy
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import TypeVar

from django.utils.translation import gettext as _

from civique.channels.connectors.base import ParsedAttachment, ParsedMessage, ParseError, Sender
from civique.channels.connectors.email.automated import detect_automated
from civique.channels.connectors.email.htmltext import html_to_text

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

# Headers of which at least one must be present for bytes to count as an email.
_EMAIL_HEADERS = {
    "from", "to", "subject", "date", "message-id", "received", "return-path", "mime-version",
    "sender", "delivered-to",
}  # fmt: skip
_MSGID_RE = re.compile(r"<[^<>\s]+>")
MAX_ID_LENGTH = 250
# Deepest MIME level walked (the message itself is level 0); deeper parts are not read. Real mail
# nests a few levels (a bounce holding a forward holding an alternative); hundreds is an attack on
# the recursion of the email package.
MAX_MIME_DEPTH = 50
# Control characters removed from header values (tab and line feed are whitespace).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# What PostgreSQL refuses in text: NUL, and lone surrogates (they cannot be encoded).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Bytes that were not ASCII, as the email package hands them over in headers (surrogateescape).
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")
# Set by imap.py on a mail too large to import whole: its value is the original size in bytes.
TRUNCATED_HEADER = "X-Civique-Truncated"


@dataclass
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    # Message-IDs found in returned messages (bounces) so that they thread on the original.
    returned_ids: list[str] = field(default_factory=list)
    # Some parts lay deeper than MAX_MIME_DEPTH and were not read.
    too_deep: bool = False
    # Why no part at all was read (the notice shown), or "" when the body was read.
    unread: str = ""


def parse_email(payload: bytes) -> ParsedMessage:
    """Read one raw email. Raises ParseError, with a one-line French reason, only when
    ``payload`` is not an email at all or cannot be read; never any other exception."""
    try:
        return _storable(_parse_leniently(payload))
    except ParseError:
        raise
    except RecursionError:
        raise ParseError(_("Courriel illisible : structure MIME trop imbriquée.")) from None
    except Exception as exc:  # noqa: BLE001 - one bad mail must be parked, not retried
        reason = _("Courriel illisible : %(err)s") % {"err": _one_line(exc)}
        logger.warning("%s", reason)
        raise ParseError(reason) from None


def _parse_leniently(payload: bytes) -> ParsedMessage:
    """Read with the default policy, else with compat32's older, lenient parser (the policy's
    header parser fails on some malformed parameters: ``filename*`` with no value raises
    IndexError), else the headers alone (the email package itself fails on some bodies)."""
    for mail_policy in (policy.default, policy.compat32):
        try:
            return _parse(payload, mail_policy, whole=True)
        except (ParseError, RecursionError):
            raise
        except Exception as exc:  # noqa: BLE001 - try the next, more lenient way
            failure = exc
    logger.warning("Courriel lu sans son corps : %s", _one_line(failure))
    return _parse(payload, policy.compat32, whole=False)


def _parse(payload: bytes, mail_policy: Policy, *, whole: bool) -> ParsedMessage:
    msg, body = _read(payload, mail_policy, whole=whole)
    if not body.unread:
        _collect(msg, body, depth=0)
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
    parsed.notices = _notices(msg, body)
    return parsed


def _notices(msg: Message, body: _Body) -> list[str]:
    """What an agent must know was not imported."""
    notices: list[str] = []
    truncated = header_text(msg, TRUNCATED_HEADER)
    if truncated:
        notices.append(
            _(
                "Courriel de %(size)s Mo trop volumineux : seuls ses en-têtes ont été importés ; "
                "consultez-le dans la boîte aux lettres."
            )
            % {"size": round(int(truncated) / 1_048_576, 1) if truncated.isdigit() else "?"}
        )
    if body.unread:
        notices.append(body.unread)
    elif body.too_deep:
        notices.append(
            _(
                "Courriel trop imbriqué : les parties au-delà de %(depth)s niveaux n'ont pas été "
                "lues ; consultez-le dans la boîte aux lettres."
            )
            % {"depth": MAX_MIME_DEPTH}
        )
    return notices


def _read(payload: bytes, mail_policy: Policy, *, whole: bool) -> tuple[Message, _Body]:
    """The parsed message (its headers alone unless ``whole``), and the body to fill, which
    says why it is left empty when the parts could not be read."""
    if not payload or not payload.strip():
        raise ParseError(_("Courriel vide."))
    parser = BytesParser(policy=mail_policy)
    body = _Body()
    try:
        msg = parser.parsebytes(payload, headersonly=not whole)
    except RecursionError:
        # The email package recurses once per nesting level: keep the headers, drop the body.
        msg = parser.parsebytes(payload, headersonly=True)
        body.unread = _(
            "Courriel trop imbriqué pour être lu : seuls ses en-têtes ont été importés ; "
            "consultez-le dans la boîte aux lettres."
        )
    if not whole:
        body.unread = _(
            "Corps du courriel illisible : seuls ses en-têtes ont été importés ; "
            "consultez-le dans la boîte aux lettres."
        )
    names = {name.lower() for name, _value in msg.raw_items()}
    if not names & _EMAIL_HEADERS:
        raise ParseError(_("Ce contenu n'est pas un courriel (aucun en-tête de message)."))
    return msg, body


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _storable(value: _T) -> _T:
    """``value`` with every string in it free of NUL and lone surrogates (PostgreSQL refuses
    both). Dataclasses are changed in place; bytes (attachment contents) are left alone."""
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
        return value
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            setattr(value, item.name, _storable(getattr(value, item.name)))
    return value


# --- Headers ----------------------------------------------------------------------------------


def _raw_header(msg: Message, name: str) -> str | None:
    lowered = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lowered:
            return value if isinstance(value, str) else str(value)
    return None


def _fix_8bit(value: str) -> str:
    """Undeclared 8-bit header bytes arrive as surrogates: read each run of them as UTF-8, else
    cp1252 (a run at a time, for text already decoded may lie between them)."""
    return _ESCAPED_BYTES.sub(lambda run: _decode_8bit(run.group()), value)


def _decode_8bit(run: str) -> str:
    raw = run.encode("ascii", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def clean_text(value: str) -> str:
    """No NUL characters nor lone surrogates (PostgreSQL refuses both), and Unix line ends."""
    value = _fix_8bit(value).encode("utf-8", "replace").decode("utf-8")
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def clean_header(value: str) -> str:
    """One line of storable header text: no control characters, whitespace runs made one space."""
    return " ".join(_CONTROLS.sub("", clean_text(value)).split())


def _decode_words(value: str) -> str:
    """RFC 2047 decoding without the policy machinery (the fallback path). Each encoded word is
    read in its charset, else as UTF-8, else windows-1252: an unknown or lying charset still
    gives readable text rather than the raw ``=?...?=``."""
    try:
        chunks = [
            (data, charset)
            if charset is None or isinstance(data, str)
            else (decode_text(data, charset).encode("utf-8"), "utf-8")
            for data, charset in decode_header(value)
        ]
        return str(make_header(chunks))
    except (LookupError, ValueError, AssertionError, MessageError):  # e.g. broken base64
        return value


def header_text(msg: Message, name: str) -> str:
    """The decoded text of header ``name`` (first occurrence), or "" when absent."""
    raw = _raw_header(msg, name)
    if raw is None:
        return ""
    if _ESCAPED_BYTES.search(raw):
        value = _decode_words(_fix_8bit(raw))
    else:
        try:
            value = str(msg[name])
        except Exception:  # noqa: BLE001 - policy header classes can choke on odd input
            value = _decode_words(raw)
        if "\ufffd" in value or "=?" in value:
            # The policy replaced bytes it could not decode, or left an encoded word whole (a
            # charset it does not know): decode each word ourselves.
            value = _decode_words(raw)
    return clean_header(value)


def _subject(msg: Message) -> str:
    return header_text(msg, "Subject")[:255]


def normalize_message_id(value: str) -> str:
    """``<id@host>`` form, without control characters; over-long ids are hashed so that they
    still match across headers."""
    value = clean_header(value)
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
        return Sender("email", clean_header(_decode_words(_fix_8bit(raw))), "")
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
    return clean_header(address.display_name or ""), clean_header(address.addr_spec)


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
        except (LookupError, ValueError):  # ValueError: UnicodeError, NUL in the name
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
        if "\ufffd" in name:
            name = _raw_filename(part) or name
    except Exception:  # noqa: BLE001 - malformed RFC 2231 parameters
        name = ""
    name = clean_text(_decode_words(name)) if name else ""
    # Never a path: only the last component, without control characters.
    name = PureWindowsPath(PurePosixPath(name).name).name
    return "".join(ch for ch in name if ch.isprintable()).strip()[:255]


def _raw_filename(part: Message) -> str:
    """The attachment's name read from its raw headers, for when the policy replaced the bytes
    of an unknown charset by U+FFFD: decoded as UTF-8, else windows-1252."""
    shadow = Message()  # compat32: parameters as they came, encoded words left alone
    for header in ("Content-Disposition", "Content-Type"):
        raw = _raw_header(part, header)
        if raw is not None:
            shadow[header] = raw
    for param, header in (("filename", "content-disposition"), ("name", "content-type")):
        value = shadow.get_param(param, None, header)
        if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded as Latin-1)
            charset, _language, text = value
            return decode_text(text.encode("latin-1", "surrogateescape"), charset)
        if value:
            return _decode_words(_fix_8bit(value))
    return ""


def _param_or_none(read: Callable[[], str | None]) -> str | None:
    """``read()`` lower-cased, or None when the header's parameters cannot be parsed."""
    try:
        value = read()
    except Exception:  # noqa: BLE001 - malformed RFC 2231 continuations break the email package
        return None
    return value.lower() if isinstance(value, str) else None


def _default_filename(part: Message, stem: str = "piece-jointe") -> str:
    ext = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"{stem}{ext}"


def _content_id(part: Message) -> str:
    return header_text(part, "Content-ID").strip("<>")[:255]


def _collect(part: Message, body: _Body, depth: int) -> None:
    """Walk the MIME tree in order, filling ``body``. Returned messages are kept whole. Parts
    deeper than ``MAX_MIME_DEPTH`` are left out, and ``body.too_deep`` says so."""
    if depth > MAX_MIME_DEPTH:
        body.too_deep = True
        return
    ctype = part.get_content_type()
    if ctype in ("message/rfc822", "message/global") and depth:
        _returned_message(part, body, depth)
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
            _collect(sub, body, depth + 1)
        return
    _leaf(part, body, ctype)


def _leaf(part: Message, body: _Body, ctype: str) -> None:
    disposition = _param_or_none(part.get_content_disposition) or ""
    filename = _filename(part)
    if ctype == "text/rfc822-headers":
        _returned_headers(part, body)
    is_body_text = ctype in ("text/plain", "text/html") or ctype.startswith("multipart/")
    if is_body_text and disposition != "attachment" and not filename:
        text = clean_text(decode_text(_part_bytes(part), _param_or_none(part.get_content_charset)))
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


def _returned_message(part: Message, body: _Body, depth: int) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if inner is not None:
        found = _first_id(_raw_header(inner, "Message-ID") or "")
        if found:
            body.returned_ids.append(found)
        if _nesting(inner, MAX_MIME_DEPTH - depth) > MAX_MIME_DEPTH - depth - 1:
            # Writing it out recurses once per level: leave it unread, like any part too deep.
            body.too_deep = True
            return
        content = _message_bytes(inner)
    else:
        content = _part_bytes(part)
    if not content:
        return
    body.attachments.append(
        ParsedAttachment(
            filename="message-retourne.eml", content=content, declared_type="message/rfc822"
        )
    )


def _message_bytes(msg: Message) -> bytes:
    """``msg`` written out again, or b"" when the email package cannot write it (a header
    holding what looks like another header, for one)."""
    writers = (
        lambda: msg.as_bytes(policy=policy.compat32),
        lambda: str(msg).encode("utf-8", "replace"),
    )
    for write in writers:
        try:
            return write()
        except RecursionError:
            raise
        except Exception:  # noqa: BLE001, S112 - a broken returned message is still worth keeping
            continue
    return b""


def _nesting(msg: Message, limit: int) -> int:
    """How many levels of parts lie below ``msg``, counted without recursion up to ``limit``
    (a larger answer only says that it is over ``limit``)."""
    deepest = 0
    stack = [(msg, 0)]
    while stack:
        part, level = stack.pop()
        deepest = max(deepest, level)
        if level > limit:
            break
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((sub, level + 1) for sub in payload if isinstance(sub, Message))
    return deepest


def _returned_headers(part: Message, body: _Body) -> None:
    text = decode_text(_part_bytes(part), _param_or_none(part.get_content_charset))
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
