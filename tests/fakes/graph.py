"""A local fake of Meta's Graph API, for the Facebook, Instagram and WhatsApp connectors.

It is a fake: no Meta code, no network beyond 127.0.0.1. It answers the calls a test declares
with ``route`` (the documented success shapes), or with a documented error queued by ``fail``
(expired token, rate limit, window closed, object deleted...), and records every request so
that a test checks what the connector sent. An undeclared call gets the Graph API's own "unknown
path" error (code 100), so a connector calling a wrong endpoint fails its test.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

Handler = Callable[["Call"], "Answer"]


@dataclass
class Call:
    method: str
    path: str  # without the version prefix, e.g. "12345/comments"
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        if not self.body:
            return {}
        if "json" in self.headers.get("content-type", ""):
            return json.loads(self.body)
        return dict(parse_qsl(self.body.decode()))


@dataclass
class Answer:
    status: int = 200
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # a media download: bytes instead of JSON
    content_type: str = "application/json"


# Documented errors (Graph API "Handling errors", Messenger and WhatsApp error codes).
EXPIRED = "Error validating access token: Session has expired."
OUTSIDE_WINDOW = "(#10) This message is sent outside of allowed window."
NO_OBJECT = "Unsupported post request. Object with ID does not exist."
ERRORS = {
    "expired_token": (400, 190, 463, "OAuthException", EXPIRED),
    "rate_limit": (400, 32, 0, "OAuthException", "Page request limit reached"),
    "window_closed": (400, 10, 2018278, "OAuthException", OUTSIDE_WINDOW),
    "deleted": (400, 100, 33, "GraphMethodException", NO_OBJECT),
    "already_replied": (400, 10900, 0, "OAuthException", "Activity already replied to"),
    "whatsapp_window": (400, 131047, 0, "OAuthException", "Re-engagement message"),
    "server": (500, 2, 0, "OAuthException", "Service temporarily unavailable"),
}


def error_body(code: int, subcode: int, kind: str, message: str) -> dict:
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfGhIjK"}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


class FakeGraph:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._failures: list[tuple[str, re.Pattern[str], Answer]] = []
        self._lock = threading.Lock()
        fake = self

        class RequestHandler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                parts = urlsplit(self.path)
                path = re.sub(r"^/v\d+\.\d+/", "", parts.path).lstrip("/")
                call = Call(
                    self.command,
                    path,
                    dict(parse_qsl(parts.query)),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                answer = fake.answer(call)
                body = answer.raw if answer.raw is not None else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v26.0"

    def route(self, method: str, pattern: str, handler: Handler | Answer | dict) -> None:
        """Answer ``method`` on paths matching ``pattern`` (a regex on the whole path)."""
        if isinstance(handler, dict):
            handler = Answer(body=handler)
        if isinstance(handler, Answer):
            answer = handler
            handler = lambda call: answer  # noqa: E731
        self._routes.append((method, re.compile(pattern), handler))

    def fail(self, method: str, pattern: str, error: str, headers: dict | None = None) -> None:
        """Answer the next matching call with the documented error ``error`` (see ERRORS)."""
        status, code, subcode, kind, message = ERRORS[error]
        answer = Answer(status, error_body(code, subcode, kind, message), headers or {})
        self._failures.append((method, re.compile(pattern), answer))

    def answer(self, call: Call) -> Answer:
        with self._lock:
            self.calls.append(call)
            for index, (method, pattern, answer) in enumerate(self._failures):
                if method == call.method and pattern.fullmatch(call.path):
                    del self._failures[index]
                    return answer
        for method, pattern, handler in reversed(self._routes):
            if method == call.method and pattern.fullmatch(call.path):
                return handler(call)
        return Answer(400, error_body(100, 0, "GraphMethodException", "Unknown path components"))

    def writes(self) -> list[Call]:
        """The calls that act on the platform (all but reads, such as a post read as context)."""
        return [c for c in self.calls if c.method != "GET"]

    def made(self, method: str, pattern: str) -> list[Call]:
        """The calls received for ``method`` and paths matching ``pattern``."""
        regex = re.compile(pattern)
        return [c for c in self.calls if c.method == method and regex.fullmatch(c.path)]


@pytest.fixture
def graph_api(settings):
    """The fake Graph API, running, with CIVIQUE_GRAPH_API_URL pointed at it."""
    fake = FakeGraph()
    fake.thread.start()
    settings.CIVIQUE_GRAPH_API_URL = fake.url
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
