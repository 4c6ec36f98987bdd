"""Images are decoded only when safe, their GPS read, then re-encoded without any metadata."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from civique.channels.connectors.base import ParsedAttachment
from civique.inbox.attachments import AttachmentRejected, sniff_type, store_attachment
from civique.inbox.images import MAX_SIDE, prepare_image
from civique.inbox.models import Conversation, Message

PARIS = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.2)}
NOUMEA = {1: "S", 2: (22.0, 16.0, 34.8), 3: "E", 4: (166.0, 27.0, 28.8)}
LIMA = {1: "S", 2: (12.0, 2.0, 47.0), 3: "W", 4: (77.0, 2.0, 34.0)}


def exif_block(*, gps: dict | None = None, orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Téléphone de test"
    exif[ExifTags.Base.Model] = "Modèle 3000"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps is not None:
        exif[ExifTags.IFD.GPSInfo] = gps
    return exif.tobytes()


def image_bytes(
    fmt: str = "JPEG",
    *,
    size: tuple[int, int] = (60, 30),
    mode: str = "RGB",
    gps: dict | None = None,
    orientation: int | None = None,
    **params,
) -> bytes:
    out = io.BytesIO()
    colour = (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)
    Image.new(mode, size, colour).save(
        out, fmt, exif=exif_block(gps=gps, orientation=orientation), **params
    )
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height``: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def reopened(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


# --- GPS ----------------------------------------------------------------------------------


def test_it_reads_gps_from_exif_before_stripping_it():
    content, content_type, meta = prepare_image(image_bytes(gps=PARIS), "photo.jpg")
    assert meta["gps"] == {"lat": 48.856667, "lon": 2.352}
    assert content_type == "image/jpeg"
    stored = reopened(content)
    assert dict(stored.getexif()) == {}
    assert b"Exif" not in content and "Modèle".encode() not in content


@pytest.mark.parametrize(
    ("gps", "expected"),
    [(NOUMEA, {"lat": -22.276333, "lon": 166.458}), (LIMA, {"lat": -12.046389, "lon": -77.042778})],
)
def test_southern_and_western_coordinates_are_negative(gps, expected):
    assert prepare_image(image_bytes(gps=gps), "photo.jpg")[2]["gps"] == expected


@pytest.mark.parametrize(
    "gps",
    [
        {},  # an empty GPS block
        {1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)},  # no fix
        {1: "N", 2: (95.0, 0.0, 0.0), 3: "E", 4: (2.0, 0.0, 0.0)},  # impossible latitude
        {1: "N", 2: (48.0, 51.0), 3: "E", 4: (2.0, 21.0, 7.2)},  # two numbers, not three
    ],
)
def test_missing_or_implausible_gps_gives_no_location(gps):
    content, _, meta = prepare_image(image_bytes(gps=gps), "photo.jpg")
    assert "gps" not in meta
    assert dict(reopened(content).getexif()) == {}


# --- Re-encoding --------------------------------------------------------------------------


def test_the_exif_orientation_is_applied_to_the_pixels():
    content, _, meta = prepare_image(image_bytes(size=(60, 30), orientation=6), "photo.jpg")
    assert reopened(content).size == (30, 60)
    assert (meta["width"], meta["height"]) == (30, 60)


def test_large_images_are_shrunk_to_the_maximum_side():
    content, _, _ = prepare_image(image_bytes(size=(MAX_SIDE * 2, 100)), "panorama.jpg")
    assert reopened(content).size == (MAX_SIDE, 50)


def test_a_transparent_png_stays_png_and_loses_its_text_chunks():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Camille Durand")
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(out, "PNG", pnginfo=info)
    content, content_type, meta = prepare_image(out.getvalue(), "capture.png")
    assert content_type == "image/png"
    assert meta["original_format"] == "PNG"
    assert reopened(content).info == {}
    assert b"Camille" not in content


def test_webp_with_exif_is_reencoded_as_jpeg_without_it():
    content, content_type, meta = prepare_image(image_bytes("WEBP", gps=PARIS), "photo.webp")
    assert content_type == "image/jpeg"
    assert meta["original_format"] == "WEBP"
    assert meta["gps"]["lat"] == 48.856667
    assert dict(reopened(content).getexif()) == {}


def test_an_embedded_colour_profile_is_converted_then_dropped():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    content, _, _ = prepare_image(image_bytes(icc_profile=profile), "photo.jpg")
    assert "icc_profile" not in reopened(content).info


# --- Preparing twice ---------------------------------------------------------------------


def noisy(mode: str = "RGB", size: tuple[int, int] = (64, 48)) -> Image.Image:
    """A textured picture: unlike a flat colour, it changes when JPEG-encoded once more."""
    pixels = random.Random(7).randbytes(size[0] * size[1] * len(mode))  # noqa: S311 - pixels, not secrets
    return Image.frombytes(mode, size, pixels)


def saved(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def test_preparing_a_prepared_jpeg_returns_the_same_bytes():
    original = saved(noisy(), "JPEG", exif=exif_block(gps=PARIS, orientation=6))
    prepared, _, _ = prepare_image(original, "photo.jpg")
    again, content_type, meta = prepare_image(prepared, "photo.jpg")
    assert again == prepared
    assert content_type == "image/jpeg"
    assert (meta["original_format"], meta["width"], meta["height"]) == ("JPEG", 48, 64)
    assert "gps" not in meta


def test_a_jpeg_without_any_metadata_is_kept_as_it_is():
    # Quality 95, not ours: re-encoding would change it, so equal bytes prove it was kept.
    clean = saved(noisy(), "JPEG", quality=95)
    assert prepare_image(clean, "photo.jpg")[:2] == (clean, "image/jpeg")


def test_a_transparent_png_without_any_metadata_is_kept_as_it_is():
    clean = saved(noisy("RGBA"), "PNG", compress_level=1)  # ours is optimised: it would differ
    assert prepare_image(clean, "capture.png")[:2] == (clean, "image/png")
    prepared, _, _ = prepare_image(image_bytes("PNG", mode="RGBA"), "capture.png")
    assert prepare_image(prepared, "capture.png")[0] == prepared


def test_a_prepared_image_is_still_decoded_so_a_truncated_one_is_refused():
    prepared, _, _ = prepare_image(image_bytes(size=(400, 300)), "photo.jpg")
    with pytest.raises(AttachmentRejected):
        prepare_image(prepared[: len(prepared) // 2], "photo.jpg")


def with_comment(jpeg: bytes, text: bytes) -> bytes:
    """``jpeg`` with a COM segment inserted right after SOI."""
    return jpeg[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + jpeg[2:]


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def plain(fmt: str, size: tuple[int, int] = (60, 30), mode: str = "RGB", **params) -> bytes:
    """An image saved by Pillow with no metadata at all."""
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 128)[: len(mode)]).save(out, fmt, **params)
    return out.getvalue()


def transparent_png_with_text() -> bytes:
    prepared, _, _ = prepare_image(image_bytes("PNG", mode="RGBA"), "capture.png")
    text = png_chunk(b"tEXt", b"Author\x00Camille Durand")
    return prepared[:33] + text + prepared[33:]  # after the 8-byte signature and 25-byte IHDR


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(with_comment(plain("JPEG"), b"Camille Durand"), id="jpeg-comment"),
        pytest.param(plain("JPEG") + b"Camille Durand\xff\xd9", id="jpeg-trailer"),
        pytest.param(plain("JPEG", progressive=True), id="jpeg-progressive"),
        pytest.param(plain("JPEG", dpi=(300, 300)), id="jpeg-dpi"),
        pytest.param(plain("JPEG", mode="L"), id="jpeg-grey"),
        pytest.param(plain("JPEG", mode="CMYK"), id="jpeg-cmyk"),
        pytest.param(plain("JPEG", size=(MAX_SIDE * 2, MAX_SIDE * 2)), id="jpeg-too-big"),
        pytest.param(plain("PNG"), id="png-opaque"),
        pytest.param(transparent_png_with_text(), id="png-text"),
        pytest.param(plain("PNG", mode="RGBA") + b"Camille Durand", id="png-trailer"),
        pytest.param(plain("WEBP"), id="webp"),
    ],
)
def test_anything_but_the_exact_prepared_shape_is_reencoded(content):
    prepared, _, _ = prepare_image(content, "image")
    assert prepared != content
    assert b"Camille" not in prepared
    assert prepare_image(prepared, "image")[0] == prepared


def test_a_clean_but_oversized_jpeg_is_shrunk_not_kept():
    # 2 x MAX_SIDE decodes in draft mode at exactly MAX_SIDE: the header's size must decide.
    content = plain("JPEG", size=(MAX_SIDE * 2, MAX_SIDE * 2))
    prepared, _, meta = prepare_image(content, "grande.jpg")
    assert reopened(prepared).size == (MAX_SIDE, MAX_SIDE)
    assert (meta["width"], meta["height"]) == (MAX_SIDE, MAX_SIDE)


def test_storing_a_prepared_image_keeps_its_bytes(message):
    original = saved(noisy(), "JPEG", exif=exif_block(gps=PARIS))
    prepared, _, _ = prepare_image(original, "photo.jpg")
    attachment = store_attachment(message, ParsedAttachment("photo.jpg", prepared, "image/jpeg"))
    with attachment.file.open("rb") as handle:
        assert handle.read() == prepared


# --- Refusals -----------------------------------------------------------------------------


def test_a_truncated_image_is_refused():
    whole = image_bytes(size=(400, 300))
    with pytest.raises(AttachmentRejected) as refused:
        prepare_image(whole[: len(whole) // 2], "coupee.jpg")
    assert refused.value.reason == AttachmentRejected.UNREADABLE
    assert "coupee.jpg" in str(refused.value)


def test_a_non_image_named_jpg_is_refused():
    with pytest.raises(AttachmentRejected) as refused:
        prepare_image(b"%PDF-1.4\nceci n'est pas une image", "photo.jpg")
    assert refused.value.reason == AttachmentRejected.UNREADABLE


def test_formats_outside_the_allowed_list_are_never_decoded():
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
    with pytest.raises(AttachmentRejected):
        prepare_image(eps, "dessin.jpg")


@pytest.mark.parametrize(("width", "height"), [(30_000, 30_000), (7_000, 6_000)])
def test_a_decompression_bomb_is_refused_from_its_header(width, height):
    bomb = png_header_only(width, height)
    assert len(bomb) < 200
    with pytest.raises(AttachmentRejected) as refused:
        prepare_image(bomb, "bombe.png")
    assert refused.value.reason == AttachmentRejected.TOO_MANY_PIXELS


# --- Storing ------------------------------------------------------------------------------


@pytest.fixture
def message(webform_channel) -> Message:
    conversation = Conversation.objects.create(channel=webform_channel, subject="Photo")
    return Message.objects.create(
        conversation=conversation,
        channel=webform_channel,
        direction="in",
        kind="message",
        visibility="private",
        text="Voici la photo",
    )


def test_a_stored_photo_has_no_exif_and_keeps_its_gps_in_meta(message):
    item = ParsedAttachment("IMG_0001.jpg", image_bytes(gps=PARIS), "image/jpeg")
    attachment = store_attachment(message, item)
    assert attachment.content_type == "image/jpeg"
    assert attachment.meta["gps"] == {"lat": 48.856667, "lon": 2.352}
    with attachment.file.open("rb") as handle:
        stored = handle.read()
    assert attachment.size == len(stored)
    assert dict(reopened(stored).getexif()) == {}
    assert b"Exif" not in stored


def test_a_reencoded_image_is_renamed_after_its_new_format(message):
    item = ParsedAttachment("capture.bmp", image_bytes("BMP"), "image/bmp")
    attachment = store_attachment(message, item)
    assert (attachment.filename, attachment.content_type) == ("capture.jpg", "image/jpeg")


def test_an_image_keeps_its_name_when_the_extension_already_fits(message):
    item = ParsedAttachment("IMG_4021.JPEG", image_bytes(), "image/jpeg")
    assert store_attachment(message, item).filename == "IMG_4021.JPEG"


def test_a_text_file_named_jpg_is_typed_from_its_content(message):
    item = ParsedAttachment(
        "photo.jpg", "Bonjour, ma demande a été envoyée.".encode(), "image/jpeg"
    )
    attachment = store_attachment(message, item)
    assert (attachment.filename, attachment.content_type) == ("photo.jpg", "text/plain")


def test_a_broken_image_is_refused_when_stored(message):
    item = ParsedAttachment("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 50, "image/jpeg")
    with pytest.raises(AttachmentRejected):
        store_attachment(message, item)
    assert message.attachments.count() == 0


def test_an_oversize_attachment_is_refused_with_its_size(message, settings):
    settings.CIVIQUE_MAX_ATTACHMENT_BYTES = 1_000
    item = ParsedAttachment("plan.pdf", b"%PDF-1.4" + b"\0" * 2_000, "application/pdf")
    with pytest.raises(AttachmentRejected) as refused:
        store_attachment(message, item)
    assert refused.value.reason == AttachmentRejected.TOO_BIG
    assert "plan.pdf" in str(refused.value)


def test_tiff_is_recognised_as_an_image_so_its_metadata_is_stripped():
    assert sniff_type(image_bytes("TIFF")) == "image/tiff"
