"""Automatic acknowledgements: through the outbox, with the deadline, never looping."""

from __future__ import annotations

import pytest
from django.utils import timezone

from civique.channels.connectors.email.smtp import build_mail, smtp_settings
from civique.inbox.models import Delivery, Direction, Message
from civique.inbox.outbound import build_operation
from civique.sla.acknowledgements import should_acknowledge
from civique.sla.models import Policy
from tests.intake import deliver, ingest_mail, mail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _acknowledgements_on(settings):
    settings.CIVIQUE_AUTO_ACKNOWLEDGE = True


def test_they_can_be_turned_off(settings, email_channel):
    settings.CIVIQUE_AUTO_ACKNOWLEDGE = False
    ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>"))
    assert not acknowledgements().exists()


def sent_mail(channel, delivery):
    """The mail our SMTP connector would send for ``delivery`` (nothing leaves)."""
    channel.settings = {**channel.settings, "smtp_host": "127.0.0.1"}
    return build_mail(smtp_settings(channel), build_operation(delivery), "x@example.org")


def acknowledgements(**filters):
    return Message.objects.filter(
        direction=Direction.OUTBOUND, meta__acknowledgement=True, **filters
    )


def test_an_email_is_acknowledged_through_the_outbox_with_its_reference_and_deadline(
    email_channel,
):
    message = ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>"))
    conversation = message.conversation
    conversation.refresh_from_db()

    ack = acknowledgements().get()
    assert ack.conversation == conversation
    assert conversation.reference in ack.text
    assert "au plus tard le" in ack.text
    assert Delivery.objects.get(message=ack).kind == "send"
    assert conversation.timeline.filter(kind="message", message=ack).exists()
    assert conversation.acknowledged_at == ack.created_at
    assert conversation.first_response_at is None  # an acknowledgement is not an answer
    assert conversation.waiting_since is not None


def test_the_acknowledgement_mail_is_marked_as_automatic(email_channel):
    ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>"))
    delivery = Delivery.objects.get(message=acknowledgements().get())

    built = sent_mail(email_channel, delivery)

    assert built["Auto-Submitted"] == "auto-replied"


def test_two_civique_instances_do_not_answer_each_others_acknowledgements(
    email_channel, other_team
):
    from civique.channels.models import Channel

    other = Channel.objects.create(
        kind="email",
        name="mairie@autre.example",
        team=other_team,
        settings={"address": "mairie@autre.example", "display_name": "Autre mairie"},
    )
    ingest_mail(email_channel, mail("mairie@autre.example", "<a@x>"))
    ours = Delivery.objects.get(message=acknowledgements(channel=email_channel).get())
    ack_mail = sent_mail(email_channel, ours)
    # The other instance receives our acknowledgement: automated, so no acknowledgement back.
    received = ingest_mail(other, ack_mail.as_bytes())
    assert received.is_automated
    assert not acknowledgements(channel=other).exists()


def test_a_responder_that_does_not_mark_its_mail_gets_one_acknowledgement(email_channel):
    for n in range(5):
        ingest_mail(email_channel, mail("robot@example.org", f"<r{n}@x>", subject=f"Re {n}"))
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 5
    assert acknowledgements().count() == 1


def test_auto_replies_bounces_and_lists_are_never_acknowledged(email_channel):
    ingest_mail(email_channel, mail("a@example.org", "<a@x>", extra="Auto-Submitted: auto-replied"))
    ingest_mail(email_channel, mail("b@example.org", "<b@x>", extra="List-Id: <liste.example>"))
    ingest_mail(email_channel, mail("mailer-daemon@example.org", "<c@x>", subject="Undelivered"))
    assert not acknowledgements().exists()


def test_no_acknowledgement_when_the_commitment_promises_none(email_channel):
    Policy.objects.filter(name="Courriel").update(acknowledge_within=None)
    ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>"))
    assert not acknowledgements().exists()


def test_a_message_the_clocks_ignore_is_not_acknowledged(settings, email_channel):
    settings.CIVIQUE_AUTO_ACKNOWLEDGE = False
    message = ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>"))
    settings.CIVIQUE_AUTO_ACKNOWLEDGE = True
    conversation, now = message.conversation, timezone.now()
    assert should_acknowledge(conversation, message, now)
    message.meta = {**message.meta, "clock": "ignore"}  # as moderation's « ne pas nourrir »
    assert not should_acknowledge(conversation, message, now)


def test_calls_and_public_comments_are_not_acknowledged(phone_channel, agent):
    deliver(phone_channel, text="Appel", agent_id=agent.pk, outcome="follow_up")
    assert not acknowledgements().exists()


def test_outside_opening_hours_it_says_when_the_team_is_back(email_channel):
    from civique.sla.models import Calendar

    # A calendar that never opens now: open only on a date long past... use no slot at all
    # except Sunday 0:00-0:01, so "now" is almost surely closed.
    calendar = Calendar.objects.get(team__isnull=True)
    calendar.slots.all().delete()
    calendar.slots.create(weekday=6, opens="00:00", closes="00:01")
    ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>"))
    assert "rouvrent le dimanche" in acknowledgements().get().text
