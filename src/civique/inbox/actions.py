"""Every write on conversations: replies, notes, assignment, transfer, status, category, priority,
and agent-logged calls and visits. Each records the timeline and the audit journal."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civique.channels.models import Channel
from civique.contacts.models import Contact
from civique.core.audit import audit
from civique.core.models import Team, User
from civique.inbox import timeline
from civique.inbox.access import can_manage_team
from civique.inbox.models import (
    Category,
    Conversation,
    Delivery,
    Direction,
    Message,
    MessageKind,
    MessageVisibility,
    Priority,
    Status,
    TimelineKind,
)


class ActionError(ValueError):
    """A refused action; the message is French text for the agent."""


def _enqueue_delivery() -> None:
    from civique.ingest.tasks import deliver_outbox
    from civique.ingest.wakeup import wake

    wake(deliver_outbox)


@transaction.atomic
def reply_to_conversation(
    user: User, conversation: Conversation, text: str, *, then_status: str | None = None
) -> Message:
    """Answer on the conversation's own channel, through the outbox."""
    text = (text or "").strip()
    if not text:
        raise ActionError(_("La réponse est vide."))
    if not conversation.channel.is_active:
        raise ActionError(
            _("Le canal « %(channel)s » est désactivé : la réponse ne peut pas partir.")
            % {"channel": conversation.channel.name}
        )
    if not conversation.channel.connector.can_reply:
        raise ActionError(
            _(
                "Le canal « %(channel)s » ne permet pas de répondre : "
                "consignez un appel ou une visite."
            )
            % {"channel": conversation.channel.name}
        )
    now = timezone.now()
    subject = conversation.subject or ""
    message = Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.OUTBOUND,
        kind=MessageKind.COMMENT if conversation.visibility == "public" else MessageKind.MESSAGE,
        visibility=conversation.visibility,
        author_agent=user,
        author_name=str(user),
        subject=subject if subject.lower().startswith("re:") else f"Re: {subject}".strip(),
        text=text,
        created_at=now,
    )
    Delivery.objects.create(message=message)
    timeline.record(conversation, TimelineKind.MESSAGE, actor=user, message=message, at=now)
    conversation.first_response_at = conversation.first_response_at or now
    conversation.waiting_since = None
    conversation.last_message_at = now
    conversation.save(update_fields=["first_response_at", "waiting_since", "last_message_at"])
    if conversation.assignee_id is None:
        _set_assignee(user, conversation, user)
    if then_status and then_status != conversation.status:
        change_status(user, conversation, then_status)
    elif conversation.status == Status.NEW:
        change_status(user, conversation, Status.OPEN)
    audit(user, "conversation.reply", conversation, {"message": message.pk})
    transaction.on_commit(_enqueue_delivery)
    return message


@transaction.atomic
def add_note(user: User, conversation: Conversation, text: str) -> Message:
    text = (text or "").strip()
    if not text:
        raise ActionError(_("La note est vide."))
    message = Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.INTERNAL,
        kind=MessageKind.NOTE,
        visibility=MessageVisibility.INTERNAL,
        author_agent=user,
        author_name=str(user),
        text=text,
    )
    timeline.record(conversation, TimelineKind.MESSAGE, actor=user, message=message)
    audit(user, "conversation.note", conversation, {"message": message.pk})
    return message


def _set_assignee(actor: User, conversation: Conversation, assignee: User | None) -> None:
    old = conversation.assignee
    conversation.assignee = assignee
    conversation.save(update_fields=["assignee", "updated_at"])
    timeline.record(
        conversation,
        TimelineKind.ASSIGNMENT,
        actor=actor,
        old=str(old) if old else None,
        new=str(assignee) if assignee else None,
    )
    audit(
        actor,
        "conversation.assign",
        conversation,
        {"assignee": [old.pk if old else None, assignee.pk if assignee else None]},
    )


@transaction.atomic
def assign_conversation(user: User, conversation: Conversation, assignee: User | None) -> None:
    """Agents take or release a conversation; supervisors and administrators assign anyone."""
    if assignee == conversation.assignee:
        return
    managing = can_manage_team(user, conversation)
    if assignee is not None and assignee != user and not managing:
        raise ActionError(_("Seul un superviseur peut attribuer une demande à un autre agent."))
    if assignee is None and conversation.assignee not in (None, user) and not managing:
        raise ActionError(_("Seul un superviseur peut retirer la demande d'un autre agent."))
    if (
        assignee is not None
        and not assignee.is_administrator
        and not assignee.teams.filter(pk=conversation.team_id).exists()
    ):
        raise ActionError(
            _("%(agent)s n'appartient pas au service %(team)s.")
            % {"agent": assignee, "team": conversation.team}
        )
    _set_assignee(user, conversation, assignee)


@transaction.atomic
def transfer_conversation(user: User, conversation: Conversation, team: Team) -> None:
    """Hand the conversation to another team; its assignee is released if not a member there.

    Only supervisors of the conversation's team and administrators transfer (least privilege:
    an agent who finds a request misrouted leaves a note for them)."""
    if team.pk == conversation.team_id:
        return
    if not can_manage_team(user, conversation):
        raise ActionError(_("Seul un superviseur peut transférer une demande à un autre service."))
    old = conversation.team
    conversation.team = team
    fields = ["team", "updated_at"]
    if conversation.assignee_id and not conversation.assignee.teams.filter(pk=team.pk).exists():
        conversation.assignee = None
        fields.append("assignee")
    conversation.save(update_fields=fields)
    timeline.record(
        conversation, TimelineKind.TEAM, actor=user, old=str(old) if old else None, new=str(team)
    )
    audit(user, "conversation.transfer", conversation, {"team": [old.pk if old else None, team.pk]})


@transaction.atomic
def change_status(user: User, conversation: Conversation, status: str) -> None:
    if status not in Status.values:
        raise ActionError(_("Statut inconnu : %(s)s") % {"s": status})
    old = conversation.status
    if status == old:
        return
    now = timezone.now()
    conversation.status = status
    if status == Status.RESOLVED:
        conversation.resolved_at = now
        conversation.waiting_since = None
    elif status == Status.CLOSED:
        conversation.closed_at = now
        conversation.resolved_at = conversation.resolved_at or now
        conversation.waiting_since = None
    else:
        conversation.resolved_at = None
        conversation.closed_at = None
    conversation.save(
        update_fields=["status", "resolved_at", "closed_at", "waiting_since", "updated_at"]
    )
    timeline.record(conversation, TimelineKind.STATUS, actor=user, old=old, new=status)
    audit(user, "conversation.status", conversation, {"status": [old, status]})


@transaction.atomic
def change_category(user: User, conversation: Conversation, category: Category | None) -> None:
    old = conversation.category
    if old == category:
        return
    conversation.category = category
    conversation.save(update_fields=["category", "updated_at"])
    timeline.record(
        conversation,
        TimelineKind.CATEGORY,
        actor=user,
        old=str(old) if old else None,
        new=str(category) if category else None,
    )
    audit(
        user,
        "conversation.category",
        conversation,
        {"category": [old.pk if old else None, category.pk if category else None]},
    )


@transaction.atomic
def change_priority(user: User, conversation: Conversation, priority: int) -> None:
    if priority not in Priority.values:
        raise ActionError(_("Priorité inconnue."))
    old = conversation.priority
    if old == priority:
        return
    conversation.priority = priority
    conversation.save(update_fields=["priority", "updated_at"])
    timeline.record(conversation, TimelineKind.PRIORITY, actor=user, old=old, new=priority)
    audit(user, "conversation.priority", conversation, {"priority": [old, priority]})


OUTCOMES = {
    "resolved": gettext_lazy("Réponse apportée"),
    "follow_up": gettext_lazy("Suite à donner"),
    "redirected": gettext_lazy("Orienté vers un autre organisme"),
    "callback": gettext_lazy("Rappel prévu"),
}


def log_exchange(
    user: User,
    channel: Channel,
    contact: Contact,
    *,
    occurred_at: datetime,
    summary: str,
    duration_minutes: int | None = None,
    outcome: str = "follow_up",
    direction: str = "in",
    subject: str = "",
    conversation: Conversation | None = None,
    category: Category | None = None,
) -> Message:
    """Record a phone call or a counter visit through the same durable intake as any channel."""
    from civique.ingest.actions import receive_and_process
    from civique.ingest.models import EventState

    connector = channel.connector
    if not connector.agent_logged:
        raise ActionError(_("Ce canal n'accepte pas les échanges consignés par un agent."))
    if not (summary or "").strip():
        raise ActionError(_("Le résumé est obligatoire."))
    now = timezone.now()
    if occurred_at > now + timedelta(minutes=5):
        raise ActionError(_("La date de l'échange est dans le futur."))
    if occurred_at.replace(second=0, microsecond=0) == now.replace(second=0, microsecond=0):
        # The form gives the time to the minute: "this minute" means now, so that the exchange
        # does not sort before a message that arrived seconds earlier.
        occurred_at = now
    if outcome not in OUTCOMES:
        raise ActionError(_("Issue inconnue."))
    payload = {
        "external_id": f"logged:{uuid.uuid4()}",
        "contact_id": contact.pk,
        "conversation_id": conversation.pk if conversation else None,
        "agent_id": user.pk,
        "name": contact.display_name,
        "text": summary.strip(),
        "subject": subject,
        "direction": direction,
        "occurred_at": occurred_at.isoformat(),
        "category": category.slug if category else "",
        "meta": {"duration_minutes": duration_minutes, "outcome": outcome, "logged_by": user.pk},
    }
    event = receive_and_process(
        channel, json.dumps(payload).encode(), "application/json", payload["external_id"]
    ).event
    if event.state == EventState.PARKED:
        raise ActionError(
            _("L'échange n'a pas pu être enregistré : %(e)s") % {"e": event.last_error}
        )
    if event.state != EventState.DONE:
        raise ActionError(
            _(
                "L'échange est enregistré mais son traitement a échoué (%(e)s) ; il sera "
                "retraité automatiquement. Ne le consignez pas une seconde fois."
            )
            % {"e": event.last_error}
        )
    message = Message.objects.get(pk=event.message_ids[0])
    audit(
        user,
        f"conversation.log_{connector.default_kind}",
        message.conversation,
        {"message": message.pk},
    )
    return message
