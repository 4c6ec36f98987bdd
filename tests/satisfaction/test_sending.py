"""The survey after a resolution: on the conversation's channel where the platform accepts it
now, by link otherwise, never in public, never to automated mail, once per resolution."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from civique.channels.models import Channel
from civique.inbox.actions import change_status, reply_to_conversation
from civique.inbox.models import Conversation, Delivery, Direction, Message, Status
from civique.satisfaction.actions import offer_survey
from civique.satisfaction.models import SentVia, Survey
from tests.channels.facebook import arrive, page_fixture  # noqa: F401 - a fixture
from tests.channels.whatsapp import body
from tests.channels.whatsapp import deliver as deliver_whatsapp
from tests.intake import deliver, ingest_mail, mail

pytestmark = pytest.mark.django_db


def resolve(agent, conversation, text="Le trottoir sera réparé jeudi.") -> Conversation:
    reply_to_conversation(agent, conversation, text, then_status=Status.RESOLVED)
    conversation.refresh_from_db()
    return conversation


def survey_messages(**filters):
    return Message.objects.filter(direction=Direction.OUTBOUND, meta__has_key="survey", **filters)


def test_an_email_gets_the_survey_on_its_channel_after_the_final_answer(email_channel, agent):
    conversation = ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>")).conversation
    conversation = resolve(agent, conversation)

    survey = Survey.objects.get(conversation=conversation)
    assert survey.sent_via == SentVia.CHANNEL
    sent = survey_messages().get()
    assert survey.message == sent
    assert sent.channel == email_channel
    assert conversation.reference in sent.text
    assert "de 1 (pas du tout) à 5 (tout à fait)" in sent.text
    assert f"/portail/avis/{survey.token}/" in sent.text
    assert Delivery.objects.get(message=sent).kind == "send"
    # After the agent's answer, in the outbox's order.
    answer = Message.objects.filter(direction=Direction.OUTBOUND).exclude(pk=sent.pk).get()
    assert answer.pk < sent.pk
    assert survey.expires_at - survey.sent_at == timedelta(days=30)
    assert conversation.timeline.filter(kind="system", data__survey=survey.pk).exists()
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED


def test_the_survey_can_be_turned_off(settings, email_channel, agent):
    settings.CIVIQUE_SATISFACTION_SURVEY = False
    conversation = ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>")).conversation
    resolve(agent, conversation)
    assert not Survey.objects.exists()
    assert not survey_messages().exists()


def test_a_conversation_resolved_without_any_answer_gets_no_survey(email_channel, agent):
    conversation = ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>")).conversation
    change_status(agent, conversation, Status.RESOLVED)
    assert not Survey.objects.exists()


@pytest.mark.parametrize(
    "extra,sender",
    [
        ("Auto-Submitted: auto-replied", "a@example.org"),
        ("List-Id: <liste.example>", "b@example.org"),
        ("", "mailer-daemon@example.org"),
    ],
)
def test_auto_replies_lists_and_bounces_never_get_a_survey(email_channel, agent, extra, sender):
    message = ingest_mail(email_channel, mail(sender, "<a@x>", subject="Undelivered", extra=extra))
    assert message.is_automated
    resolve(agent, message.conversation)
    assert not Survey.objects.exists()
    assert not survey_messages().exists()


def test_once_per_resolution_and_again_only_after_the_period(settings, email_channel, agent):
    conversation = ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>")).conversation
    conversation = resolve(agent, conversation)
    first = Survey.objects.get()
    # The citizen writes again (not an answer): reopened, then resolved again.
    ingest_mail(
        email_channel,
        mail(
            "jeanne@example.org", "<b@x>", "Et le trottoir d'en face ?", extra="In-Reply-To: <a@x>"
        ),
    )
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    conversation = resolve(agent, conversation)
    assert Survey.objects.count() == 1
    assert offer_survey(conversation) is None  # called twice for one resolution: nothing more
    # Past the period, a new resolution gets a new survey; the old one is replaced.
    later = timezone.now() + timedelta(days=settings.CIVIQUE_SATISFACTION_RESEND_DAYS, hours=1)
    second = offer_survey(conversation, later)
    assert second is not None and second.pk != first.pk
    first.refresh_from_db()
    assert first.closed_at == later
    assert survey_messages().count() == 2


def test_messenger_inside_its_window_gets_the_survey_in_messenger(page, agent, graph_api):
    message = arrive(page, "messenger-text.json", ago=timedelta(hours=2))
    conversation = resolve(agent, message.conversation)
    survey = Survey.objects.get(conversation=conversation)
    assert survey.sent_via == SentVia.CHANNEL
    assert survey.message.channel == page
    assert survey.message.visibility == "private"


def test_messenger_outside_its_window_gets_the_link_only(page, agent):
    message = arrive(page, "messenger-text.json", ago=timedelta(hours=30))
    conversation = resolve(agent, message.conversation)  # an agent may still answer (7 days)
    survey = Survey.objects.get(conversation=conversation)
    assert survey.sent_via == SentVia.LINK
    assert survey.message is None
    assert "24 heures" in survey.reason
    assert survey_messages().count() == 0


def test_a_public_comment_never_gets_a_public_survey(page, agent):
    comment = arrive(page, "comment-add.json", ago=timedelta(minutes=10))
    conversation = comment.conversation
    assert conversation.visibility == "public"
    conversation = resolve(agent, conversation)
    survey = Survey.objects.get(conversation=conversation)
    assert survey.sent_via == SentVia.LINK
    assert "public" in survey.reason.lower()
    assert not survey_messages().exists()
    assert not Message.objects.filter(
        direction=Direction.OUTBOUND, visibility="public", meta__has_key="survey"
    ).exists()


@pytest.mark.parametrize("hours,via", [(3, SentVia.CHANNEL), (25, SentVia.LINK)])
def test_whatsapp_gets_the_survey_only_inside_its_24_hour_window(
    client, whatsapp_channel, agent, hours, via
):
    deliver_whatsapp(client, whatsapp_channel, body("text.json", ago=hours * 3600))
    conversation = resolve(agent, Conversation.objects.get())
    survey = Survey.objects.get(conversation=conversation)
    assert survey.sent_via == via
    assert survey_messages().count() == (1 if via == SentVia.CHANNEL else 0)


def test_a_call_without_contact_details_gets_no_survey_on_any_channel(phone_channel, agent):
    deliver(
        phone_channel,
        agent_id=agent.pk,
        kind="call",
        text="Appel pour un lampadaire.",
        meta={"outcome": "resolved"},
    )
    survey = Survey.objects.get()
    assert survey.conversation.status == Status.RESOLVED
    assert survey.sent_via == SentVia.LINK
    assert survey.reason
    assert not survey_messages().exists()


def test_a_call_resolved_on_the_spot_gets_the_survey_by_email_when_the_contact_has_one(
    phone_channel, email_channel, agent
):
    deliver(
        phone_channel,
        agent_id=agent.pk,
        kind="call",
        email="jeanne@example.org",
        phone="+33612345678",
        name="Jeanne Dupont",
        text="Appel pour un lampadaire.",
        meta={"outcome": "resolved"},
    )
    survey = Survey.objects.get()
    assert survey.conversation.channel == phone_channel
    assert survey.sent_via == SentVia.CHANNEL
    assert survey.message.channel == email_channel
    assert survey.message.visibility == "private"
    assert Delivery.objects.get(message=survey.message).kind == "send"


def test_an_inactive_email_channel_leaves_the_link(email_channel, agent):
    conversation = ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>")).conversation
    reply_to_conversation(agent, conversation, "Réparé.")
    Channel.objects.filter(pk=email_channel.pk).update(is_active=False)
    conversation.refresh_from_db()
    change_status(agent, conversation, Status.RESOLVED)
    survey = Survey.objects.get()
    assert survey.sent_via == SentVia.LINK
    assert "désactivé" in survey.reason


def test_a_public_comment_gets_the_survey_in_private_while_the_persons_window_is_open(page, agent):
    comment = arrive(page, "comment-add.json", ago=timedelta(minutes=10))
    conversation = comment.conversation
    # The same person also wrote to the Page in private an hour ago (another conversation).
    elsewhere = Conversation.objects.create(channel=page, team=page.team, subject="Messenger")
    Message.objects.create(
        conversation=elsewhere,
        channel=page,
        direction=Direction.INBOUND,
        visibility="private",
        author_contact=comment.author_contact,
        author_identity=comment.author_identity,
        external_id="m_prive_1",
        text="Bonjour",
        created_at=timezone.now() - timedelta(hours=1),
    )
    conversation = resolve(agent, conversation)
    survey = Survey.objects.get(conversation=conversation)
    assert survey.sent_via == SentVia.CHANNEL
    assert survey.message.visibility == "private"
    assert Delivery.objects.get(message=survey.message).kind == "send"
    assert not Message.objects.filter(
        direction=Direction.OUTBOUND, visibility="public", meta__has_key="survey"
    ).exists()
