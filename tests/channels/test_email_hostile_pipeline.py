"""Hostile mail through the whole intake: every mail becomes a message, or its event is parked
at its first attempt with a one-line reason; never retried, never a traceback in the log."""

from __future__ import annotations

import logging

import pytest

from civique.inbox.models import Attachment, Message, TimelineEntry
from civique.ingest.models import EventState, InboundEvent
from tests.channels.corpus import corpus_params, need_corpus
from tests.channels.mail import (
    HOSTILE,
    hostile,
    ingest,
    mail,
    nested_multipart,
    nested_rfc822,
)

HOSTILE_MAILS = sorted(path.name for path in HOSTILE.glob("*.eml"))


def assert_kept_or_parked_at_once(event: InboundEvent, caplog: pytest.LogCaptureFixture) -> None:
    if event.state == EventState.PARKED:
        assert event.attempts == 1
        assert event.last_error and "\n" not in event.last_error
        assert len(event.last_error) < 300
    else:
        assert event.state == EventState.DONE, event.last_error
        assert len(event.message_ids) == 1
        assert Message.objects.filter(pk=event.message_ids[0]).exists()
    assert not [record for record in caplog.records if record.exc_info]


@pytest.mark.parametrize("name", HOSTILE_MAILS)
def test_each_hostile_mail_becomes_a_message(email_channel, name, caplog):
    event = ingest(email_channel, hostile(name))
    assert_kept_or_parked_at_once(event, caplog)
    assert event.state == EventState.DONE


@pytest.mark.parametrize("depth", [300, 900, 5000])
@pytest.mark.parametrize("build", [nested_rfc822, nested_multipart])
def test_mail_nested_hundreds_deep_is_kept_or_parked_at_once(email_channel, build, depth, caplog):
    caplog.set_level(logging.DEBUG)
    event = ingest(email_channel, build(depth))
    assert_kept_or_parked_at_once(event, caplog)
    if event.state == EventState.DONE:
        message = Message.objects.get(pk=event.message_ids[0])
        notes = TimelineEntry.objects.filter(conversation=message.conversation, kind="system")
        assert any("trop imbriqué" in entry.data["text"] for entry in notes)


@pytest.mark.parametrize("path", corpus_params())
def test_each_cpython_test_mail_is_kept_or_parked_at_once(email_channel, path, caplog):
    need_corpus()
    assert_kept_or_parked_at_once(ingest(email_channel, path.read_bytes()), caplog)


def test_a_nul_in_the_message_id_is_stored_without_it_and_its_reply_threads(email_channel):
    event = ingest(email_channel, hostile("nul-dans-message-id.eml"))
    assert event.state == EventState.DONE, event.last_error
    first = Message.objects.get(pk=event.message_ids[0])
    assert first.external_id == "<nidpoule-1@orange.fr>"
    assert first.subject == "Nid-de-poule avenue Foch"
    reply = mail(
        sender="marc.petit@orange.fr",
        subject="Re: Nid-de-poule",
        message_id="<suite@orange.fr>",
        extra="In-Reply-To: <nid\x00poule-1@orange.fr>\n",
    )
    second = Message.objects.get(pk=ingest(email_channel, reply).message_ids[0])
    assert second.conversation == first.conversation


def test_control_characters_never_reach_the_stored_message(email_channel):
    event = ingest(email_channel, hostile("controles-dans-les-en-tetes.eml"))
    message = Message.objects.get(pk=event.message_ids[0])
    assert message.subject == "Banc cassé place du Marché[0m"
    assert message.author_contact.display_name == "Jeanne [31mMartin"
    attachment = Attachment.objects.get(message=message)
    assert (attachment.filename, attachment.content_id) == ("banc.pdf", "photo@free.fr")


def test_an_unknown_charset_subject_is_stored_decoded(email_channel):
    event = ingest(email_channel, hostile("charset-inconnu.eml"))
    message = Message.objects.get(pk=event.message_ids[0])
    assert message.subject == "café crème"
    assert message.conversation.subject == "café crème"
