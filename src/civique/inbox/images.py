"""Image uploads: decoded with Pillow, GPS read from EXIF, re-encoded without any metadata."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from civique.inbox.attachments import AttachmentRejected

MAX_PIXELS = 40_000_000
MAX_SIDE = 2560
GPS_IFD = 0x8825


def _to_degrees(value: Any, ref: str) -> float | None:
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    return -degrees if ref in ("S", "W") else degrees


def read_gps(image: Image.Image) -> dict[str, float] | None:
    """Return {"lat", "lon"} from the EXIF GPS block, or None."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:  # noqa: BLE001 - broken EXIF is common and never fatal
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None
    lat = _to_degrees(gps.get(2), str(gps.get(1, "N")))
    lon = _to_degrees(gps.get(4), str(gps.get(3, "E")))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return {"lat": round(lat, 6), "lon": round(lon, 6)}


def prepare_image(content: bytes, filename: str) -> tuple[bytes, str, dict[str, Any]]:
    """Re-encode an image (JPEG, or PNG when it has transparency); strip EXIF after reading GPS."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(content)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError, ValueError):
        raise AttachmentRejected(
            _("Image « %(name)s » illisible ou trop grande : non conservée.") % {"name": filename}
        ) from None
    meta: dict[str, Any] = {"original_format": image.format}
    gps = read_gps(image)
    if gps:
        meta["gps"] = gps
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image) or image
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if (image.mode in ("RGBA", "LA", "P") and "transparency" in image.info) or image.mode == "RGBA":
        image.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png", meta
    image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), "image/jpeg", meta
