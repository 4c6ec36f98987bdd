"""Where notifications come from. The lower apps send signals and never import us."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from civique.core.models import Role, User
from civique.inbox.actions import assignee_changed
from civique.inbox.models import Conversation, Direction, Message
from civique.moderation.models import ModerationCase, ModeratorTeam
from civique.notifications.actions import notify
from civique.notifications.models import Kind, Notification
from civique.sla.actions import escalated
from civique.sla.models import Escalation


def _about(conversation) -> str:
    return _("la demande %(ref)s « %(subject)s »") % {
        "ref": conversation.reference,
        "subject": conversation.subject or _("sans objet"),
    }


@receiver(assignee_changed, dispatch_uid="notifications.assigned")
def on_assigned(sender, conversation, actor, old, assignee, **kwargs) -> None:
    """Someone else gave the agent a conversation (taking one yourself notifies nobody)."""
    if assignee is None or assignee == actor:
        return
    text = _("%(actor)s vous a attribué %(about)s.") % {
        "actor": actor or _("Civique"),
        "about": _about(conversation),
    }
    notify(assignee, Kind.ASSIGNED, text, conversation=conversation)


@receiver(post_save, sender=Message, dispatch_uid="notifications.citizen_replied")
def on_message(sender, instance: Message, created: bool, raw: bool = False, **kwargs) -> None:
    """A citizen wrote on a conversation assigned to an agent. One held notification per
    conversation is enough: further messages while it waits add nothing."""
    if not created or raw:
        return
    message = instance
    if (
        message.direction != Direction.INBOUND
        or message.is_automated
        or message.author_agent_id is not None
    ):
        return
    conversation = message.conversation
    if conversation.assignee_id is None:
        return
    with transaction.atomic():
        # Two messages at once: the second waits for the first's notification, then sees it.
        Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
        _notify_citizen_replied(conversation)


def _notify_citizen_replied(conversation: Conversation) -> None:
    waiting = Notification.objects.filter(
        recipient_id=conversation.assignee_id,
        conversation=conversation,
        kind=Kind.CITIZEN_REPLIED,
        read_at__isnull=True,
    )
    if waiting.exists():
        return
    text = _("Nouveau message de l'usager sur %(about)s.") % {"about": _about(conversation)}
    notify(conversation.assignee, Kind.CITIZEN_REPLIED, text, conversation=conversation)


@receiver(escalated, dispatch_uid="notifications.escalation")
def on_escalation(sender, conversation, policy, escalation, missed, now, **kwargs) -> None:
    """« Prévenir les responsables » reaches the team's supervisors, within their hours."""
    if escalation != Escalation.NOTIFY or conversation.team_id is None:
        return
    supervisors = User.objects.filter(
        teams=conversation.team_id, role=Role.SUPERVISOR, is_active=True
    ).distinct()
    text = _("Engagement « %(policy)s » dépassé sur %(about)s.") % {
        "policy": policy.name,
        "about": _about(conversation),
    }
    for supervisor in supervisors:
        notify(supervisor, Kind.ESCALATION, text, conversation=conversation, now=now)


def _moderators_of(team_id: int | None):
    """Supervisors of the channel's team, and its agents when it moderates its own channels;
    administrators when the channel has no team."""
    if team_id is None:
        return User.objects.filter(role=Role.ADMINISTRATOR, is_active=True)
    members = User.objects.filter(teams=team_id, is_active=True)
    if not ModeratorTeam.objects.filter(team_id=team_id).exists():
        members = members.filter(role=Role.SUPERVISOR)
    return members.distinct()


@receiver(post_save, sender=ModerationCase, dispatch_uid="notifications.moderation_threat")
def on_moderation_case(
    sender, instance: ModerationCase, created: bool, raw: bool = False, **kwargs
) -> None:
    """A threatening public comment (label ``abuse.threat``) is urgent for its moderators."""
    if not created or raw or " abuse.threat " not in instance.label_index:
        return
    conversation = instance.message.conversation
    text = _("Commentaire menaçant à modérer sur %(about)s.") % {"about": _about(conversation)}
    url = reverse("moderation:queue")
    for moderator in _moderators_of(instance.message.channel.team_id):
        notify(moderator, Kind.MODERATION_URGENT, text, conversation=conversation, url=url)
