"""Images made on the spot with Pillow, for the portal's tests."""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

# 48°51'24" N, 2°21'7.2" E: the parvis of the Hôtel de Ville, Paris.
GPS_PARIS = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.2)}


def jpeg_bytes(
    *, gps: dict | None = None, size: tuple[int, int] = (64, 48), textured: bool = False
) -> bytes:
    """A JPEG with EXIF; ``textured`` gives noise instead of a flat colour, which a second JPEG
    encoding would change (a flat colour comes out identical)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Téléphone de test"
    if gps:
        exif[ExifTags.IFD.GPSInfo] = gps
    if textured:
        noise = random.Random(7).randbytes(size[0] * size[1] * 3)  # noqa: S311 - pixels, not secrets
        image = Image.frombytes("RGB", size, noise)
    else:
        image = Image.new("RGB", size, (200, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)
