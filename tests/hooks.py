"""Helpers for webhook tests: signing a body as Meta does and posting it to the real URL."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from django.test import Client

from civique.channels.models import Channel

APP_SECRET = "secret-d-application-de-test"
VERIFY_TOKEN = "jeton-de-verification-de-test"
PAGE_ID = "104857386211455"
FIXTURES = Path(__file__).parent / "channels" / "fixtures"


def fixture(kind: str, name: str) -> bytes:
    return (FIXTURES / kind / name).read_bytes()


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def hook_url(channel: Channel, kind: str | None = None) -> str:
    return f"/hooks/{kind or channel.kind}/{channel.pk}/"


def post_signed(client: Client, channel: Channel, body: bytes, sign: str | None = None):
    """POST ``body`` to the channel's webhook, signed with the test app secret (or ``sign``)."""
    headers = {"X-Hub-Signature-256": signature(body) if sign is None else sign}
    return client.post(
        hook_url(channel), data=body, content_type="application/json", headers=headers
    )
