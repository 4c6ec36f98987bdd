"""Text as people see it: bidirectional controls neutralised, the stored text left as received.

A right-to-left override (U+202E) makes ``photo‮gnp.exe`` display as ``photoexe.png`` and
``12 rue`` as ``eur 21``. Every such control is replaced, at display time only, by U+FFFD (�),
so the reader sees that something was there and the text reads in its stored order. Stored
data, the raw event and what outbound channels send are never changed.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse

# Embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), the left-to-right and
# right-to-left marks (U+200E, U+200F) and the Arabic letter mark (U+061C).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
MARKER = "\ufffd"
_BIDI_TABLE = str.maketrans(dict.fromkeys(BIDI_CONTROLS, MARKER))
# UTF-8 is self-synchronising: these byte sequences never occur inside another character.
_BIDI_BYTES = re.compile(b"|".join(re.escape(c.encode()) for c in BIDI_CONTROLS))
_MARKER_BYTES = MARKER.encode()
# JSON may also write them as escapes (\u202e), preceded by an even number of backslashes.
_BIDI_ESCAPES = re.compile(
    rb"(?<!\\)((?:\\\\)*)\\u(" + b"|".join(f"{ord(c):04x}".encode() for c in BIDI_CONTROLS) + b")",
    re.IGNORECASE,
)
_SHOWN_TYPES = ("text/html", "application/json")


def neutralise_bidi(text: str) -> str:
    """``text`` with each bidirectional control replaced by a visible U+FFFD."""
    return text.translate(_BIDI_TABLE)


class NeutraliseBidiMiddleware:
    """Neutralise bidirectional controls in every page and JSON answer, in one place.

    Templates, partials and the API need no filter to remember: whatever text reaches a
    screen goes through here. Files (attachments, static files) are streamed and left alone.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.streaming or (response.charset or "").lower() not in ("utf-8", "utf8"):
            return response
        if not response.get("Content-Type", "").startswith(_SHOWN_TYPES):
            return response
        content = response.content
        neutral = _BIDI_BYTES.sub(_MARKER_BYTES, content)
        if response["Content-Type"].startswith("application/json"):
            neutral = _BIDI_ESCAPES.sub(rb"\1\\ufffd", neutral)
        if neutral != content:
            response.content = neutral
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(neutral))
        return response
