"""Every write on conversations: replies, notes, moderation (hide, unhide, delete), assignment,
transfer, status, category, priority, and agent-logged calls and visits. Each records the timeline
and the audit journal; what must reach the platform is queued in the outbox."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civique.channels.connectors.base import OperationKind, unsupported
from civique.channels.models import Channel
from civique.contacts.models import Contact
from civique.core.audit import audit
from civique.core.models import Team, User
from civique.core.wakeup import wake
from civique.inbox import clocks, timeline
from civique.inbox.access import can_manage_team, contacts_for
from civique.inbox.models import (
    Category,
    Conversation,
    Delivery,
    DeliveryState,
    Direction,
    Message,
    MessageKind,
    MessageVisibility,
    Priority,
    Status,
    TimelineKind,
)
from civique.inbox.tasks import deliver_outbox

# Sent when a conversation's assignee changes (``conversation``, ``actor``, ``old``,
# ``assignee``), inside the action's transaction; notifications connect here.
assignee_changed = Signal()


class ActionError(ValueError):
    """A refused action; the message is French text for the agent."""


# Sent after a conversation's status changed and its clocks were recomputed, by an agent
# (``change_status``) or automatically (the pipeline reopens or resolves on the spot), with
# ``conversation``, ``old``, ``new`` and ``actor`` (None: automatic). Higher apps (the
# satisfaction survey) react here; receivers run inside the change's transaction.
status_changed = Signal()


def _enqueue_delivery() -> None:
    wake(deliver_outbox)


def _check_active(channel: Channel, *, reply: bool = False) -> None:
    if channel.is_active:
        return
    if reply:
        text = _("Le canal « %(channel)s » est désactivé : la réponse ne peut pas partir.")
    else:
        text = _("Le canal « %(channel)s » est désactivé : l'opération ne peut pas partir.")
    raise ActionError(text % {"channel": channel.name})


def _check_supports(channel: Channel, kind: str) -> None:
    if not channel.connector.supports(kind):
        raise ActionError(str(unsupported(channel, kind)))


@transaction.atomic
def reply_to_conversation(
    user: User, conversation: Conversation, text: str, *, then_status: str | None = None
) -> Message:
    """Answer on the conversation's own channel, through the outbox: in public under a public
    conversation's comments, else as a private message."""
    text = (text or "").strip()
    if not text:
        raise ActionError(_("La réponse est vide."))
    channel = conversation.channel
    _check_active(channel, reply=True)
    if not channel.connector.can_reply:
        raise ActionError(
            _(
                "Le canal « %(channel)s » ne permet pas de répondre : "
                "consignez un appel ou une visite."
            )
            % {"channel": channel.name}
        )
    message = _reply_on_channel(user, conversation, text)
    _after_reply(user, conversation, then_status)
    audit(user, "conversation.reply", conversation, {"message": message.pk})
    return message


@transaction.atomic
def reply_privately(user: User | None, comment: Message, text: str) -> Message:
    """Answer a public comment in private (e.g. Facebook's private reply), through the outbox.
    The answer joins the comment's conversation and records the comment it answers. ``user``
    None: an automatic explanation (moderation), which assigns the conversation to nobody."""
    text = (text or "").strip()
    if not text:
        raise ActionError(_("La réponse est vide."))
    if (
        comment.direction != Direction.INBOUND
        or comment.visibility != MessageVisibility.PUBLIC
        or not comment.external_id
    ):
        raise ActionError(_("Seul un commentaire public reçu peut recevoir une réponse privée."))
    if comment.removed_at:
        raise ActionError(_("Ce commentaire a été supprimé."))
    _check_active(comment.channel, reply=True)
    _check_supports(comment.channel, OperationKind.REPLY_PRIVATE)
    if (
        Delivery.objects.filter(
            kind=OperationKind.REPLY_PRIVATE,
            message__channel=comment.channel,
            message__in_reply_to=comment.external_id,
        )
        .exclude(state=DeliveryState.FAILED)
        .exists()
    ):
        raise ActionError(
            _(
                "Une réponse privée a déjà été envoyée pour ce commentaire : la plateforme n'en "
                "permet qu'une. Poursuivez dans la conversation privée quand la personne répond."
            )
        )
    conversation = comment.conversation
    message = _queue_reply(
        user,
        conversation,
        text,
        kind=OperationKind.REPLY_PRIVATE,
        message_kind=MessageKind.MESSAGE,
        visibility=MessageVisibility.PRIVATE,
        in_reply_to=comment.external_id,
    )
    if user is not None:  # an automatic explanation (moderation) assigns nobody
        _after_reply(user, conversation, None)
    audit(
        user,
        "conversation.reply_private",
        conversation,
        {"message": message.pk, "comment": comment.pk},
    )
    return message


def _latest_inbound(conversation: Conversation) -> Message | None:
    return (
        conversation.messages.filter(direction=Direction.INBOUND, channel=conversation.channel)
        .exclude(external_id__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )


def _queue_reply(
    user: User | None,
    conversation: Conversation,
    text: str,
    *,
    kind: str,
    message_kind: str,
    visibility: str,
    in_reply_to: str,
    meta: dict | None = None,
    channel: Channel | None = None,
) -> Message:
    """Write our answer and its delivery, on the timeline, and count it on the clocks."""
    now = timezone.now()
    subject = conversation.subject or ""
    message = Message.objects.create(
        conversation=conversation,
        channel=channel or conversation.channel,
        direction=Direction.OUTBOUND,
        kind=message_kind,
        visibility=visibility,
        author_agent=user,
        author_name=str(user) if user is not None else _("Civique (automatique)"),
        subject=subject if subject.lower().startswith("re:") else f"Re: {subject}".strip(),
        text=text,
        in_reply_to=in_reply_to,
        created_at=now,
        meta=meta or {},
    )
    Delivery.objects.create(message=message, kind=kind)
    timeline.record(conversation, TimelineKind.MESSAGE, actor=user, message=message, at=now)
    clocks.recompute(conversation)
    transaction.on_commit(_enqueue_delivery)
    return message


def _reply_on_channel(
    user: User | None, conversation: Conversation, text: str, meta: dict | None = None
) -> Message:
    """In public under a public conversation's latest comment, else as a private message."""
    public = conversation.visibility == "public"
    kind = OperationKind.REPLY_PUBLIC if public else OperationKind.SEND
    _check_supports(conversation.channel, kind)
    answered = _latest_inbound(conversation) if public else None
    return _queue_reply(
        user,
        conversation,
        text,
        kind=kind,
        message_kind=MessageKind.COMMENT if public else MessageKind.MESSAGE,
        visibility=conversation.visibility,
        in_reply_to=answered.external_id if answered else "",
        meta=meta,
    )


@transaction.atomic
def queue_automatic_reply(
    conversation: Conversation, text: str, *, meta: dict, channel: Channel | None = None
) -> Message:
    """An answer no agent wrote (an acknowledgement), traced like any reply: the outbox, the
    timeline, the audit journal (actor « système »). The caller decides whether to send it.

    ``channel``: send it as a private message on that channel (the conversation's own for a
    private message under a public conversation, an email channel for a call) instead of
    answering on the conversation's channel the way an agent would."""
    meta = {**meta, "automatic": True}
    if channel is None:
        _check_active(conversation.channel, reply=True)
        message = _reply_on_channel(None, conversation, text, meta=meta)
    else:
        _check_active(channel, reply=True)
        _check_supports(channel, OperationKind.SEND)
        message = _queue_reply(
            None,
            conversation,
            text,
            kind=OperationKind.SEND,
            message_kind=MessageKind.MESSAGE,
            visibility=MessageVisibility.PRIVATE,
            in_reply_to="",
            meta=meta,
            channel=channel,
        )
    audit(None, "conversation.automatic_reply", conversation, {"message": message.pk})
    return message


def sent_automatically_since(conversation: Conversation, mark: str, since: datetime) -> bool:
    """Whether an automatic message marked ``meta[mark]`` went to the conversation, or to its
    contact in any conversation, since ``since``: so that two auto-responders cannot loop and
    nobody is sent the same automatic message over and over."""
    recent = Message.objects.filter(
        direction=Direction.OUTBOUND, created_at__gte=since, **{f"meta__{mark}": True}
    )
    if recent.filter(conversation=conversation).exists():
        return True
    if conversation.contact_id is None:
        return False
    return recent.filter(conversation__contact_id=conversation.contact_id).exists()


def _after_reply(user: User, conversation: Conversation, then_status: str | None) -> None:
    """An answered conversation is taken by whoever answered, and open unless told otherwise."""
    if conversation.assignee_id is None:
        _set_assignee(user, conversation, user)
    if then_status and then_status != conversation.status:
        change_status(user, conversation, then_status)
    elif conversation.status == Status.NEW:
        change_status(user, conversation, Status.OPEN)


# --- Moderation: operations on a message already on the platform ----------------------------

PENDING = [DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.RETRYING]
MODERATION_KINDS = [OperationKind.HIDE, OperationKind.UNHIDE, OperationKind.DELETE]


def _moderate(user: User | None, message: Message, kind: str) -> Delivery:
    """Queue ``kind`` on ``message``, on the timeline and in the audit journal. One moderation
    at a time per message, so that a hide and an unhide never overtake each other."""
    if message.direction == Direction.INTERNAL or not message.external_id:
        raise ActionError(_("Ce message n'est pas publié sur une plateforme."))
    if message.removed_at:
        raise ActionError(_("Ce message a déjà été supprimé de la plateforme."))
    if message.deliveries.filter(kind__in=MODERATION_KINDS, state__in=PENDING).exists():
        raise ActionError(
            _("Une opération de modération est déjà en cours sur ce message : attendez son issue.")
        )
    _check_active(message.channel)
    _check_supports(message.channel, kind)
    if message.visibility != MessageVisibility.PUBLIC:
        raise ActionError(
            _(
                "Seul un message public peut être masqué, réaffiché ou supprimé sur sa "
                "plateforme : les plateformes ne le permettent pas pour un message privé."
            )
        )
    delivery = Delivery.objects.create(message=message, kind=kind)
    conversation = message.conversation
    timeline.record(
        conversation, TimelineKind.MODERATION, actor=user, message=message, operation=kind
    )
    audit(user, f"message.{kind}", conversation, {"message": message.pk})
    transaction.on_commit(_enqueue_delivery)
    return delivery


@transaction.atomic
def hide_message(user: User | None, message: Message) -> Delivery:
    """Hide a received message from the public on its platform; ``hidden_at`` is set when the
    platform confirms. ``user`` None: an automatic hide (a moderation rule)."""
    if message.direction != Direction.INBOUND:
        raise ActionError(_("Seul un message reçu peut être masqué."))
    if message.hidden_at:
        raise ActionError(_("Ce message est déjà masqué."))
    return _moderate(user, message, OperationKind.HIDE)


@transaction.atomic
def unhide_message(user: User, message: Message) -> Delivery:
    """Show a hidden message again; ``hidden_at`` is cleared when the platform confirms."""
    if not message.hidden_at:
        raise ActionError(_("Ce message n'est pas masqué."))
    return _moderate(user, message, OperationKind.UNHIDE)


@transaction.atomic
def delete_message(user: User, message: Message) -> Delivery:
    """Delete a message (a comment, one of our replies) from its platform. When the platform
    confirms, the message is marked removed (``removed_at``): our copy is never erased."""
    return _moderate(user, message, OperationKind.DELETE)


@transaction.atomic
def block_author(user: User, message: Message) -> Delivery:
    """Block the author of a received public message on its platform (the Page bans them), where
    the connector performs it; refused with the connector's own words elsewhere."""
    if message.direction != Direction.INBOUND or message.author_identity_id is None:
        raise ActionError(_("Seul l'auteur d'un message reçu peut être bloqué."))
    if message.visibility != MessageVisibility.PUBLIC or not message.external_id:
        raise ActionError(_("Seul l'auteur d'un message public sur une plateforme est bloqué ici."))
    _check_active(message.channel)
    _check_supports(message.channel, OperationKind.BLOCK)
    if message.deliveries.filter(kind=OperationKind.BLOCK, state__in=PENDING).exists():
        raise ActionError(_("Le blocage de cet auteur est déjà en cours."))
    # Apart from hide, unhide and delete (which act on the message, one at a time): a block acts
    # on its author and may go with a hide.
    delivery = Delivery.objects.create(message=message, kind=OperationKind.BLOCK)
    conversation = message.conversation
    timeline.record(
        conversation,
        TimelineKind.MODERATION,
        actor=user,
        message=message,
        operation=OperationKind.BLOCK,
    )
    audit(user, "message.block", conversation, {"message": message.pk})
    transaction.on_commit(_enqueue_delivery)
    return delivery


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
        author_name=str(user) if user else "",
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
    assignee_changed.send(
        sender=Conversation, conversation=conversation, actor=actor, old=old, assignee=assignee
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
    clocks.recompute(conversation)  # another team, another calendar
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
    clocks.recompute(conversation)
    audit(user, "conversation.status", conversation, {"status": [old, status]})
    status_changed.send(
        sender=Conversation, conversation=conversation, old=old, new=status, actor=user
    )


@transaction.atomic
def change_category(user: User, conversation: Conversation, category: Category | None) -> None:
    old = conversation.category
    if old == category:
        return
    conversation.category = category
    conversation.save(update_fields=["category", "updated_at"])
    clocks.recompute(conversation)  # the commitment may depend on the category
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
    clocks.recompute(conversation)  # the commitment may depend on the priority
    audit(user, "conversation.priority", conversation, {"priority": [old, priority]})


OUTCOMES = {
    "resolved": gettext_lazy("Réponse apportée"),
    "follow_up": gettext_lazy("Suite à donner"),
    "redirected": gettext_lazy("Orienté vers un autre organisme"),
    "callback": gettext_lazy("Rappel prévu"),
}


def record_exact_finds(user: User, contact_ids, *, via: str, request=None) -> None:
    """Journal the contacts a search showed to ``user`` only because the search named their
    exact email or phone (``contact.found``): a list of results reveals identities too, so it is
    recorded as a read would be (docs/decisions/0007-contact-privacy-by-team.md)."""
    ids = set(contact_ids)
    if not ids:
        return
    visible = set(contacts_for(user).filter(pk__in=ids).values_list("pk", flat=True))
    for contact in Contact.objects.filter(pk__in=ids - visible).order_by("pk"):
        audit(user, "contact.found", contact, {"via": via, "exact_search": True}, request=request)
