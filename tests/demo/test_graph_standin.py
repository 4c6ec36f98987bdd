"""The demo's local stand-in for the Graph API media download answers the connector's two calls,
for its media only, and is gone when the load ends."""

from __future__ import annotations

import io
import random

import httpx
import pytest
from django.conf import settings
from PIL import Image

from civique.channels.connectors.base import TransportError
from civique.channels.connectors.graph import GraphClient
from civique.demo.graph_standin import graph_media_standin, streetlight_photo


def test_it_serves_the_photo_by_the_two_documented_calls_then_stops():
    before = settings.CIVIQUE_GRAPH_API_URL
    photo = streetlight_photo(random.Random(1))  # noqa: S311 - test data
    with graph_media_standin({"1184736290154872": photo}, "jeton") as url:
        assert url == settings.CIVIQUE_GRAPH_API_URL
        client = GraphClient("jeton")
        info = client.get("1184736290154872")
        assert info["mime_type"] == "image/jpeg" and info["file_size"] == len(photo)
        content, kind = client.download(info["url"])
        assert content == photo and kind == "image/jpeg"
        with pytest.raises(TransportError):
            client.get("999")  # not a demo media
        with pytest.raises(TransportError):
            GraphClient("autre-jeton").get("1184736290154872")
    assert before == settings.CIVIQUE_GRAPH_API_URL
    with pytest.raises(httpx.ConnectError):
        httpx.get(info["url"])


def test_its_photo_is_a_real_jpeg():
    photo = streetlight_photo(random.Random(2))  # noqa: S311 - test data
    with Image.open(io.BytesIO(photo)) as image:
        assert image.format == "JPEG"
        assert image.size == (480, 640)
