"""Storing attachments: type sniffed from the content (never trusted from the sender), size
limited, content-addressed on disk. Images are re-encoded and their EXIF stripped (images.py)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from civique.channels.connectors.base import ParsedAttachment
from civique.inbox.models import Attachment, Message

# Leading bytes → MIME type, for the formats citizens actually send.
SIGNATURES: list[tuple[bytes, str]] = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),  # also docx/xlsx/odt
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # doc/xls
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
]


def sniff_type(content: bytes) -> str:
    for magic, mime in SIGNATURES:
        if content.startswith(magic):
            return mime
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if len(content) > 12 and content[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "image/heic"
    try:
        content[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


class AttachmentRejected(ValueError):
    """An attachment not kept; ``str()`` is French text, ``reason`` says why for callers."""

    TOO_BIG = "too_big"  # more bytes than CIVIQUE_MAX_ATTACHMENT_BYTES
    UNREADABLE = "unreadable"  # not an image Pillow may decode, or truncated, or corrupt
    TOO_MANY_PIXELS = "too_many_pixels"  # declared dimensions beyond images.MAX_PIXELS

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png"}
KEPT_EXTENSIONS = {"image/jpeg": {".jpg", ".jpeg", ".jpe"}, "image/png": {".png"}}


def renamed_for(filename: str, content_type: str) -> str:
    """``filename`` with the extension of the format it was re-encoded to (photo.heic → .jpg)."""
    extension = EXTENSIONS.get(content_type)
    name = filename or "piece-jointe"
    if extension is None:
        return name
    suffix = PurePath(name).suffix
    if suffix.lower() in KEPT_EXTENSIONS[content_type]:
        return name
    stem = PurePath(name).stem if suffix else name
    return f"{stem}{extension}"


@dataclass
class PreparedAttachment:
    """An attachment checked, typed from its content and re-encoded, ready to be written.

    Preparing is the slow part (image decoding and re-encoding) and touches no database, so the
    ingest pipeline does it before its write transaction."""

    filename: str
    content: bytes
    content_type: str
    is_inline: bool = False
    content_id: str = ""
    meta: dict = field(default_factory=dict)


def prepare_attachment(item: ParsedAttachment) -> PreparedAttachment:
    """Check and re-encode one attachment. Raises AttachmentRejected with a French reason."""
    from civique.inbox.images import prepare_image

    if len(item.content) > settings.CIVIQUE_MAX_ATTACHMENT_BYTES:
        raise AttachmentRejected(
            _("Pièce jointe « %(name)s » non conservée : %(size)s Mo, au-delà de %(max)s Mo.")
            % {
                "name": item.filename,
                "size": round(len(item.content) / 1_048_576, 1),
                "max": round(settings.CIVIQUE_MAX_ATTACHMENT_BYTES / 1_048_576, 1),
            },
            reason=AttachmentRejected.TOO_BIG,
        )
    content = item.content
    content_type = sniff_type(content)
    meta: dict = {}
    filename = item.filename or "piece-jointe"
    if content_type.startswith("image/"):
        content, content_type, meta = prepare_image(content, filename)
        filename = renamed_for(filename, content_type)
    return PreparedAttachment(
        filename=filename[-255:],
        content=content,
        content_type=content_type,
        is_inline=item.is_inline,
        content_id=item.content_id[:255],
        meta=meta,
    )


def save_attachment(message: Message, prepared: PreparedAttachment) -> Attachment:
    """Write a prepared attachment of ``message``: its file, content-addressed, and its row."""
    digest = hashlib.sha256(prepared.content).hexdigest()
    attachment = Attachment(
        message=message,
        filename=prepared.filename,
        content_type=prepared.content_type,
        size=len(prepared.content),
        sha256=digest,
        is_inline=prepared.is_inline,
        content_id=prepared.content_id,
        meta=prepared.meta,
    )
    attachment.file.save(digest, ContentFile(prepared.content), save=False)
    attachment.save()
    return attachment


def store_attachment(message: Message, item: ParsedAttachment) -> Attachment:
    """Prepare and write one attachment of ``message``. Raises AttachmentRejected."""
    return save_attachment(message, prepare_attachment(item))
