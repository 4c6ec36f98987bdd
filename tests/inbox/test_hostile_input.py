"""Whatever an agent's browser posts to the reply and note forms of a conversation, the answer
is never a 500: the text is kept (a reply queued, a note on the timeline) or refused with a
French error (422), and the conversation page still opens."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from civique.inbox.models import Message, MessageKind
from tests.hostile import assert_no_english, examples, hostile_text
from tests.intake import request_from

pytestmark = pytest.mark.django_db

EXAMPLES = examples(30)


@pytest.fixture
def conversation(webform_channel):
    return request_from(webform_channel, email="jeanne@example.org", text="Lampadaire éteint.")


def url(name: str, conversation) -> str:
    return reverse(f"inbox:{name}", args=[conversation.pk])


def assert_kept_or_refused_in_french(response, client, conversation) -> None:
    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 422:
        assert_no_english(response.text)
    page = client.get(url("detail", conversation))
    assert page.status_code == 200


@EXAMPLES
@given(text=hostile_text(), then_status=st.one_of(st.just(""), hostile_text(12)))
def test_any_reply_is_queued_or_refused_in_french(client, agent, conversation, text, then_status):
    client.force_login(agent)

    response = client.post(
        url("reply", conversation), {"reply-text": text, "reply-then_status": then_status}
    )

    assert_kept_or_refused_in_french(response, client, conversation)


@EXAMPLES
@given(text=hostile_text())
def test_any_note_is_kept_or_refused_in_french(client, agent, conversation, text):
    client.force_login(agent)
    before = Message.objects.filter(kind=MessageKind.NOTE).count()

    response = client.post(url("note", conversation), {"note-text": text})

    assert_kept_or_refused_in_french(response, client, conversation)
    after = Message.objects.filter(kind=MessageKind.NOTE).count()
    assert after == before + (response.status_code == 302)
