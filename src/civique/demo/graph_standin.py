"""A local stand-in for the Graph API's media download, for ``civique demo`` only.

The WhatsApp connector downloads a photo while parsing, in two calls (WhatsApp Cloud API,
« Media »): ``GET /{media-id}`` answers the file's ``url``, ``mime_type``, ``sha256`` and
``file_size``; ``GET url`` answers the bytes. The demo has no network and no real Meta account,
so while it plays its WhatsApp photos it serves them itself: a small HTTP server bound to
127.0.0.1 on a free port, answering exactly those two calls for the demo's media ids (anything
else: 404), with ``CIVIQUE_GRAPH_API_URL`` pointing at it for the duration of the load only.
Nothing else ever talks to it; a running instance still talks to the real Graph API.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test.utils import override_settings
from PIL import Image, ImageDraw, ImageFilter

FILES_PATH = "/demo-media/"


def streetlight_photo(rng: random.Random) -> bytes:
    """A JPEG of a dark street under a streetlight that is off (drawn, not photographed)."""
    width, height = 480, 640
    image = Image.new("RGB", (width, height), (18, 22, 48))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 470, width, height), fill=(52, 52, 58))  # the pavement
    draw.polygon([(0, 520), (width, 500), (width, 560), (0, 600)], fill=(70, 70, 76))
    for _ in range(30):  # a few lit windows far away
        x, y = rng.randrange(0, width - 10), rng.randrange(280, 450)
        draw.rectangle((x, y, x + 8, y + 12), fill=(200, 170, 90))
    pole = width // 2 + rng.randrange(-60, 60)
    draw.rectangle((pole - 6, 120, pole + 6, 540), fill=(90, 95, 100))
    draw.rectangle((pole, 120, pole + 90, 130), fill=(90, 95, 100))  # the arm
    draw.ellipse((pole + 60, 125, pole + 120, 160), fill=(40, 40, 44), outline=(120, 120, 120))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _handler(files: dict[str, bytes], token: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {token}":
                self._answer(401, b'{"error": {"message": "Invalid OAuth access token"}}')
                return
            path = self.path.split("?", 1)[0]
            media_id = path.removeprefix(FILES_PATH)
            if path.startswith(FILES_PATH) and media_id in files:  # Download Media
                self._answer(200, files[media_id], "image/jpeg")
                return
            media_id = path.strip("/")
            if media_id in files:  # Retrieve Media URL
                content = files[media_id]
                info = {
                    "messaging_product": "whatsapp",
                    "url": f"http://127.0.0.1:{self.server.server_port}{FILES_PATH}{media_id}",
                    "mime_type": "image/jpeg",
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "file_size": len(content),
                    "id": media_id,
                }
                self._answer(200, json.dumps(info).encode())
                return
            self._answer(404, b'{"error": {"message": "Unknown media"}}')

        def _answer(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the demo load prints its own summary

    return Handler


@contextmanager
def graph_media_standin(files: dict[str, bytes], token: str) -> Iterator[str]:
    """Serve ``files`` (JPEG bytes by media id) to the holder of ``token`` while the block runs,
    with ``CIVIQUE_GRAPH_API_URL`` pointing at the stand-in; yields its address. The server
    stops and the setting comes back when the block ends, however it ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(files, token))
    thread = threading.Thread(target=server.serve_forever, name="demo-graph-standin", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        with override_settings(CIVIQUE_GRAPH_API_URL=url):
            yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
