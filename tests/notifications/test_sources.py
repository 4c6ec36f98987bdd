"""Where notifications come from: assignment by someone else, a citizen's new message, an
escalation « prévenir les responsables », a threatening comment."""

from __future__ import annotations

import pytest

from civique.core.models import Role, User
from civique.inbox.actions import assign_conversation
from civique.inbox.clocks import recompute
from civique.inbox.models import (
    Direction,
    Message,
    MessageKind,
    MessageVisibility,
    Priority,
    TimelineKind,
)
from civique.moderation.models import ModerationCase, ProposedAction
from civique.notifications.actions import deliver_due_notifications
from civique.notifications.hours import delivery_time
from civique.notifications.models import Kind, Notification
from civique.sla.actions import escalate, sweep_commitments
from civique.sla.models import Escalation, Policy
from tests.notifications.conftest import paris
from tests.sla.conftest import Story

pytestmark = pytest.mark.django_db


def _citizen_writes(conversation, **fields) -> Message:
    return Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.INBOUND,
        kind=MessageKind.MESSAGE,
        visibility=MessageVisibility.PRIVATE,
        text="Toujours en panne.",
        **fields,
    )


def test_an_agent_assigned_by_a_supervisor_is_notified(conversation, agent, supervisor):
    conversation.assignee = None
    conversation.save()
    assign_conversation(supervisor, conversation, agent)
    n = Notification.objects.get(recipient=agent)
    assert n.kind == Kind.ASSIGNED
    assert conversation.reference in n.text and "Chloé" in n.text
    assert n.url == f"/demandes/{conversation.pk}/"
    assert n.deliver_at == delivery_time(agent, n.created_at)


def test_taking_a_conversation_yourself_notifies_nobody(conversation, agent):
    conversation.assignee = None
    conversation.save()
    assign_conversation(agent, conversation, agent)
    assert not Notification.objects.exists()


def test_a_citizen_reply_notifies_the_assignee_once_while_unread(conversation, agent):
    _citizen_writes(conversation)
    _citizen_writes(conversation)
    n = Notification.objects.get(recipient=agent)
    assert n.kind == Kind.CITIZEN_REPLIED
    n.read_at = n.deliver_at
    n.save()
    _citizen_writes(conversation)
    assert Notification.objects.filter(recipient=agent).count() == 2


def test_automated_mail_and_unassigned_conversations_notify_nobody(conversation, agent):
    _citizen_writes(conversation, is_automated=True)
    conversation.assignee = None
    conversation.save()
    _citizen_writes(conversation)
    assert not Notification.objects.exists()


@pytest.fixture
def notify_policy(db) -> Policy:
    return Policy.objects.create(name="Courriel urgent", escalation=Escalation.NOTIFY)


def test_an_escalation_reaches_the_team_supervisors_only_within_their_hours(
    conversation, agent, supervisor, outsider, notify_policy
):
    other_supervisor = User.objects.create_user("sup2", role=Role.SUPERVISOR)
    other_supervisor.teams.add(outsider.teams.first())
    saturday = paris(2026, 3, 7, 3, 0)
    escalate(conversation, notify_policy, ["first_answer"], now=saturday)
    n = Notification.objects.get()
    assert n.recipient == supervisor and n.kind == Kind.ESCALATION
    assert not n.urgent  # a normal-priority conversation
    assert deliver_due_notifications(saturday) == 0
    assert deliver_due_notifications(paris(2026, 3, 9, 8, 30)) == 1
    # The timeline line is still written.
    assert conversation.timeline.filter(kind=TimelineKind.SYSTEM).exists()


def test_other_escalations_notify_nobody(conversation, supervisor):
    policy = Policy.objects.create(name="Relever", escalation=Escalation.RAISE)
    escalate(conversation, policy, ["first_answer"], now=paris(2026, 3, 10, 10, 0))
    assert not Notification.objects.exists()


def test_an_escalation_on_an_urgent_conversation_is_urgent(conversation, supervisor, notify_policy):
    conversation.priority = Priority.URGENT
    conversation.save()
    escalate(conversation, notify_policy, ["first_answer"], now=paris(2026, 3, 10, 10, 0))
    assert Notification.objects.get().urgent


def test_a_threatening_comment_is_urgent_for_the_supervisors(conversation, agent, supervisor):
    message = _citizen_writes(conversation)
    Notification.objects.all().delete()
    ModerationCase.objects.create(
        message=message, proposed_action=ProposedAction.REVIEW, label_index=" abuse.threat "
    )
    n = Notification.objects.get()
    assert n.recipient == supervisor and n.kind == Kind.MODERATION_URGENT and n.urgent


def test_an_insult_is_not_an_urgent_notification(conversation, supervisor):
    message = _citizen_writes(conversation)
    Notification.objects.all().delete()
    ModerationCase.objects.create(
        message=message, proposed_action=ProposedAction.REVIEW, label_index=" abuse.insult "
    )
    assert not Notification.objects.exists()


def test_the_commitments_sweep_notifies_supervisors_of_a_breach(
    facebook_channel, supervisor, agent
):
    Policy.objects.filter(name="Commentaire public").update(escalation=Escalation.NOTIFY)
    # Friday 15:00, four business hours to answer: due Monday 10:00.
    story = Story(facebook_channel, paris(2026, 3, 6, 15), visibility="public")
    recompute(story.conversation, paris(2026, 3, 6, 15))
    assert sweep_commitments(paris(2026, 3, 9, 11)) == 1
    n = Notification.objects.get()
    assert n.recipient == supervisor and n.kind == Kind.ESCALATION
    assert n.deliver_at == paris(2026, 3, 9, 11)
    assert sweep_commitments(paris(2026, 3, 9, 12)) == 0
    assert Notification.objects.count() == 1
