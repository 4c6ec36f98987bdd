"""The webhook door with correctly signed deliveries of the platforms' real shapes whose values
are hostile: any text (NUL, C0 and bidirectional controls, odd unicode, huge), ids and times of
any size or type. Never a 500; every stored event ends processed or parked with its reason at
once, never retrying in a loop; nothing stored keeps a NUL."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civique.inbox.models import Message
from civique.ingest.actions import process_due_events
from civique.ingest.models import EventState, InboundEvent
from tests.channels.instagram import instagram_channel  # noqa: F401 - a fixture
from tests.hooks import fixture, post_signed
from tests.hostile import examples, hostile_number, hostile_text

pytestmark = pytest.mark.django_db

DELIVERIES = [
    ("facebook_channel", "facebook", "comment-add.json"),
    ("facebook_channel", "facebook", "messenger-text.json"),
    ("instagram_channel", "instagram", "comment-add.json"),
    ("instagram_channel", "instagram", "direct-text.json"),
    ("whatsapp_channel", "whatsapp", "text.json"),
]
VALUES = st.one_of(
    hostile_text(),
    hostile_number(),
    st.sampled_from([10**30, -1, 0, 2**63, 1e300, -1e300, None, True, [], {}]),
)


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path


def _replace(document, path, value):
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


@st.composite
def hostile_deliveries(draw, kind: str, name: str) -> bytes:
    """The fixture with a few of its values (text, names, ids, times) replaced."""
    document = json.loads(fixture(kind, name))
    paths = [p for p in _leaves(document) if p[-1] not in ("object", "field", "messaging_product")]
    for path in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=4, unique=True)):
        _replace(document, path, draw(VALUES))
    return json.dumps(document, ensure_ascii=draw(st.booleans())).encode()


@pytest.mark.parametrize("channel_fixture, kind, name", DELIVERIES)
def test_hostile_values_in_signed_deliveries_never_give_a_500_nor_a_retry_loop(
    request, graph_api, channel_fixture, kind, name
):
    channel = request.getfixturevalue(channel_fixture)
    client = request.getfixturevalue("client")

    @examples(30)
    @given(body=hostile_deliveries(kind, name))
    def deliver(body):
        response = post_signed(client, channel, body)

        assert response.status_code == 200, response.content[:300]
        process_due_events()
        stuck = InboundEvent.objects.exclude(state__in=[EventState.DONE, EventState.PARKED])
        assert not stuck.exists(), [(e.state, e.last_error) for e in stuck]
        parked = InboundEvent.objects.filter(state=EventState.PARKED)
        assert all(e.last_error and e.attempts == 1 for e in parked)
        # Read back, not filtered: SQLite's LIKE stops at a NUL in its pattern.
        texts = Message.objects.values_list("text", "author_name", "subject")
        assert not any("\x00" in value for row in texts for value in row)

    deliver()
