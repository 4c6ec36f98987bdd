"""Reading the portal form's body: a photo over the limit is dropped while it arrives."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest


class PhotoSizeLimit(FileUploadHandler):
    """Skip any file past ``CIVIQUE_MAX_ATTACHMENT_BYTES`` and note it on ``too_large``.

    The rest of the body is still parsed, so the fields typed after the photo come back on
    the form; nothing past the limit is written to memory or disk.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = settings.CIVIQUE_MAX_ATTACHMENT_BYTES
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
