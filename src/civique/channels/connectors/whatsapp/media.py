"""Fetching a person's photo, document or voice note from the Graph API, while parsing.

A webhook names a media by its id only. Fetching it takes two calls (WhatsApp Cloud API,
« Media », Retrieve Media URL and Download Media): ``GET /{media-id}`` answers a short-lived
``url`` with the ``mime_type``, ``sha256`` and ``file_size``; then ``GET url`` with the same
access token gives the bytes.

``parse`` runs in the worker before the write transaction, so the download holds no lock. A
temporary failure (Meta unreachable, a 5xx, a rate limit, a corrupted transfer) raises
``TransportError`` and the event is retried later; a permanent one (media expired or deleted,
larger than we keep, no access token) keeps the message with a French notice instead.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from civique.channels.connectors.base import ParsedAttachment, TransportError
from civique.channels.connectors.graph import MAX_DOWNLOAD_BYTES, GraphClient

if TYPE_CHECKING:
    from civique.channels.models import Channel

_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
_SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")


def download_limit() -> int:
    """The largest media fetched: what Civique keeps (``CIVIQUE_MAX_ATTACHMENT_BYTES``), within
    the client's own cap. WhatsApp itself allows 5 MB images and 100 MB documents."""
    return min(settings.CIVIQUE_MAX_ATTACHMENT_BYTES, MAX_DOWNLOAD_BYTES)


class MediaFetcher:
    """Fetches the media of one channel; the Graph API client is made at the first media."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self._client: GraphClient | None = None

    def client(self) -> GraphClient:
        if self._client is None:
            token = str((self.channel.secrets or {}).get("access_token") or "")
            self._client = GraphClient(token)
        return self._client

    def fetch(
        self, media_id: str, *, kind: str, filename: str = "", mime_type: str = ""
    ) -> tuple[ParsedAttachment | None, str]:
        """(the attachment, "") or (None, a French notice saying why it is missing)."""
        try:
            return self._fetch(media_id, kind, filename, mime_type), ""
        except TransportError as exc:
            if not exc.permanent:
                raise
            return None, _("Pièce jointe WhatsApp (%(kind)s) non téléchargée : %(reason)s") % {
                "kind": kind,
                "reason": str(exc),
            }

    def _fetch(self, media_id: str, kind: str, filename: str, mime_type: str) -> ParsedAttachment:
        client = self.client()
        info = client.get(media_id)
        url = info.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise TransportError(_("Meta n'a pas donné l'adresse du fichier."), permanent=True)
        limit = download_limit()
        if _size(info) > limit:
            raise TransportError(
                _("fichier de %(size)s Mo, au-delà des %(max)s Mo conservés.")
                % {"size": round(_size(info) / 1_048_576, 1), "max": round(limit / 1_048_576, 1)},
                permanent=True,
            )
        content, content_type = client.download(url, limit=limit)
        expected = str(info.get("sha256") or "").lower()
        if _HEX_SHA256.fullmatch(expected) and hashlib.sha256(content).hexdigest() != expected:
            raise TransportError(_("Fichier WhatsApp reçu incomplet ou altéré : nouvel essai."))
        declared = str(info.get("mime_type") or mime_type or content_type or "")
        declared = declared.split(";")[0].strip() or "application/octet-stream"
        return ParsedAttachment(
            filename=filename or _default_name(kind, media_id, declared),
            content=content,
            declared_type=declared,
        )


def _size(info: dict[str, Any]) -> int:
    """The declared ``file_size`` (a number or a numeric string), 0 when absent or unreadable."""
    value = info.get("file_size")
    if isinstance(value, bool):
        return 0
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def _default_name(kind: str, media_id: str, content_type: str) -> str:
    extension = mimetypes.guess_extension(content_type) or ""
    if content_type == "audio/ogg":
        extension = ".ogg"  # WhatsApp's voice notes
    return f"whatsapp-{kind}-{_SAFE_ID.sub('', media_id)[-24:]}{extension}"
