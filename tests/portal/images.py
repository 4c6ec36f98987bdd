"""Images made on the spot with Pillow, for the portal's tests."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

# 48°51'24" N, 2°21'7.2" E: the parvis of the Hôtel de Ville, Paris.
GPS_PARIS = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.2)}


def jpeg_bytes(*, gps: dict | None = None, size: tuple[int, int] = (64, 48)) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Téléphone de test"
    if gps:
        exif[ExifTags.IFD.GPSInfo] = gps
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)
