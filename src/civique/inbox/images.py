"""Image uploads: decoded with Pillow, GPS read from EXIF, re-encoded without any metadata.

An image already in the exact shape this module writes (``_already_clean``) is kept byte for byte,
so that preparing twice (the portal's form, then the pipeline) costs no second JPEG generation.

Only the raster formats citizens actually send are decoded (``ALLOWED_FORMATS``): Pillow's other
plugins (EPS through Ghostscript, for one) are never reached by untrusted bytes. Dimensions are
checked before any pixel is decoded, so a small file declaring a huge image is refused cheaply.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from typing import Any

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civique.inbox.attachments import AttachmentRejected

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without LittleCMS: profiles are dropped, not converted
    ImageCms = None  # type: ignore[assignment]

# Formats Pillow may decode here. The JPEG opener also reads MPO, the multi-picture JPEG some
# phones write.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is 8000 x 6000; this refuses beyond ~40
MAX_SIDE = 2560  # stored images are shrunk to fit in MAX_SIDE x MAX_SIDE
JPEG_QUALITY = 85
GPS_IFD = 0x8825
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4

_DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,  # truncated or corrupt data
    SyntaxError,  # some plugins raise it on malformed headers
    ValueError,
    TypeError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,  # turned into an error below
)


def _ref(raw: Any) -> str:
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    return str(raw or "").strip("\x00 ").upper()


def _to_degrees(value: Any, ref: str) -> float | None:
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if not math.isfinite(degrees):
        return None
    return -degrees if ref in ("S", "W") else degrees


def read_gps(image: Image.Image) -> dict[str, float] | None:
    """Return {"lat", "lon"} from the EXIF GPS block, or None when absent or implausible."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:  # noqa: BLE001 - broken EXIF is common and never fatal
        return None
    if not gps or GPS_LATITUDE not in gps or GPS_LONGITUDE not in gps:
        return None
    lat = _to_degrees(gps.get(GPS_LATITUDE), _ref(gps.get(GPS_LATITUDE_REF, "N")))
    lon = _to_degrees(gps.get(GPS_LONGITUDE), _ref(gps.get(GPS_LONGITUDE_REF, "E")))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:  # what cameras write when they had no fix
        return None
    return {"lat": round(lat, 6), "lon": round(lon, 6)}


def _rejected(filename: str, reason: str) -> AttachmentRejected:
    if reason == AttachmentRejected.TOO_MANY_PIXELS:
        text = _("Image « %(name)s » trop grande (dimensions) : non conservée.")
    else:
        text = _("Image « %(name)s » illisible : non conservée.")
    return AttachmentRejected(text % {"name": filename}, reason=reason)


def _open(content: bytes, filename: str) -> Image.Image:
    """Open and fully decode ``content``; refuse anything unreadable, truncated or too big."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse both.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content), formats=ALLOWED_FORMATS) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise _rejected(filename, AttachmentRejected.TOO_MANY_PIXELS)
                probe.verify()
            image = Image.open(io.BytesIO(content), formats=ALLOWED_FORMATS)
            if image.format in ("JPEG", "MPO"):
                # Decode huge JPEGs at a reduced scale: less memory, same stored result.
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))
            image.load()
        except AttachmentRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _rejected(filename, AttachmentRejected.TOO_MANY_PIXELS) from None
        except _DECODE_ERRORS:
            raise _rejected(filename, AttachmentRejected.UNREADABLE) from None
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels from an embedded colour profile to sRGB, so dropping it changes nothing."""
    profile = image.info.get("icc_profile")
    if ImageCms is None or not profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        target = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(image, source, target, outputMode=image.mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


# What Pillow reads from the JFIF header it writes itself; any other key is metadata.
_JPEG_CLEAN_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _bare_jfif(segment: bytes) -> bool:
    """The JFIF APP0 segment Pillow writes when given nothing: identifier, version, a plain
    1:1 aspect ratio (no resolution) and no thumbnail (which could show the uncropped picture)."""
    return (
        len(segment) == 14
        and segment.startswith(b"JFIF\x00")
        and segment[7:] == b"\x00\x00\x01\x00\x01\x00\x00"
    )


def _png_chunk_types(content: bytes) -> list[bytes] | None:
    """The chunk types of a PNG, in order, or None when the file has bytes past IEND or a
    chunk overrunning the end."""
    types, offset = [], len(_PNG_SIGNATURE)
    while offset + 12 <= len(content):
        length = int.from_bytes(content[offset : offset + 4], "big")
        types.append(content[offset + 4 : offset + 8])
        offset += 12 + length
        if types[-1] == b"IEND":
            return types if offset == len(content) else None
    return None


def _clean_jpeg(image: Image.Image, content: bytes) -> bool:
    return (
        image.mode == "RGB"
        and set(image.info) <= _JPEG_CLEAN_INFO
        and [marker for marker, _segment in image.applist] == ["APP0"]
        and _bare_jfif(image.applist[0][1])
        # Entropy-coded data escapes 0xFF, so a single end marker, last, means no trailer.
        and content.find(b"\xff\xd9") == len(content) - 2
    )


def _clean_png(image: Image.Image, content: bytes) -> bool:
    chunks = _png_chunk_types(content)
    return (
        image.mode == "RGBA"
        and content[24:29] == b"\x08\x06\x00\x00\x00"  # IHDR: 8-bit RGBA, not interlaced
        and chunks is not None
        and set(chunks) <= {b"IHDR", b"IDAT", b"IEND"}
    )


def _already_clean(content: bytes) -> bool:
    """True only for what ``prepare_image`` itself writes: a baseline RGB JPEG whose sole
    marker is a bare JFIF header and nothing after its end, or an 8-bit RGBA PNG made only of
    IHDR, IDAT and IEND chunks; within MAX_SIDE either way. No EXIF means no orientation to
    apply. Anything else, however harmless, is re-encoded."""
    try:
        with Image.open(io.BytesIO(content), formats=("JPEG", "PNG")) as image:
            if max(image.size) > MAX_SIDE:  # read from the header, before any draft scaling
                return False
            if image.format == "JPEG":
                return _clean_jpeg(image, content)
            return image.format == "PNG" and _clean_png(image, content)
    except _DECODE_ERRORS:
        return False


def prepare_image(content: bytes, filename: str) -> tuple[bytes, str, dict[str, Any]]:
    """Re-encode an image as JPEG (PNG when it has transparency), without any metadata.

    GPS coordinates are read from EXIF first and returned in the meta dict, with the original
    format and the stored dimensions. EXIF orientation is applied to the pixels. Raises
    ``AttachmentRejected`` (with a ``reason``) for unreadable, truncated or oversized images.
    An image already in the shape this function writes is fully decoded (so a broken one is
    still refused) and then returned unchanged: preparing twice gives the same bytes.
    """
    image = _open(content, filename)
    meta: dict[str, Any] = {"original_format": image.format}
    if _already_clean(content):
        meta["width"], meta["height"] = image.size
        if image.format == "JPEG":
            return content, "image/jpeg", meta
        return content, "image/png", meta
    gps = read_gps(image)
    if gps:
        meta["gps"] = gps
    with contextlib.suppress(*_DECODE_ERRORS):  # a broken orientation tag: pixels as they are
        image = ImageOps.exif_transpose(image) or image
    alpha = _has_alpha(image)
    image = image.convert("RGBA" if alpha else "RGB")
    image = _to_srgb(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # Nothing from the original travels on: no EXIF, XMP, ICC profile, comments or text chunks.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    clean.info = {}
    meta["width"], meta["height"] = clean.size
    out = io.BytesIO()
    if alpha:
        clean.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png", meta
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), "image/jpeg", meta
