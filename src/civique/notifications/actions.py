"""Every write of the notifications app: creating (held until the recipient's hours),
delivering, reading, preferences, and the opt-in duty rota."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civique.core.audit import audit
from civique.core.models import User
from civique.inbox.models import Conversation, Priority
from civique.notifications.access import can_manage_agent
from civique.notifications.hours import delivery_time
from civique.notifications.models import DutyShift, Kind, Notification, Preference, ShiftState
from civique.sla.models import Calendar

logger = logging.getLogger(__name__)

# A duty shift longer than this is refused: an astreinte is a short, exceptional period.
MAX_SHIFT = timedelta(days=7)
SWEEP_LIMIT = 500


class NotificationError(ValueError):
    """A refused action; the message is French text for the user."""


def is_urgent(kind: str, conversation: Conversation | None = None) -> bool:
    """The one definition of « urgent », what an agent on accepted duty receives at once: a
    missed commitment on an urgent-priority conversation, a threatening comment."""
    if kind == Kind.MODERATION_URGENT:
        return True
    if kind == Kind.ESCALATION:
        return conversation is not None and conversation.priority >= Priority.URGENT
    return False


def active_shifts(now: datetime) -> QuerySet[DutyShift]:
    """Accepted shifts running at ``now``: the only ones that let anything through."""
    return DutyShift.objects.filter(state=ShiftState.ACCEPTED, starts__lte=now, ends__gt=now)


def notify(
    recipient: User,
    kind: str,
    text: str,
    *,
    conversation: Conversation | None = None,
    url: str = "",
    now: datetime | None = None,
) -> Notification | None:
    """Create a notification, due now within the recipient's hours, else at their next opening
    (urgent ones at once while they are on an accepted duty shift). The scheduler's sweep
    delivers it; nothing shows before. None for an inactive account."""
    if not recipient.is_active:
        return None
    now = now or timezone.now()
    urgent = is_urgent(kind, conversation)
    deliver_at = delivery_time(recipient, now)
    via_duty = False
    if deliver_at > now and urgent and active_shifts(now).filter(user=recipient).exists():
        deliver_at, via_duty = now, True
    if not url and conversation is not None:
        url = reverse("inbox:detail", args=[conversation.pk])
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        text=text[:300],
        conversation=conversation,
        url=url,
        urgent=urgent,
        created_at=now,
        deliver_at=deliver_at,
        via_duty=via_duty,
    )


def due_notifications(now: datetime) -> QuerySet[Notification]:
    """Held notifications whose time has come, and urgent ones of agents now on duty."""
    on_duty = active_shifts(now).filter(user=OuterRef("recipient"))
    return Notification.objects.filter(delivered_at__isnull=True).filter(
        Q(deliver_at__lte=now) | Q(urgent=True, deliver_at__gt=now) & Exists(on_duty)
    )


def deliver_due_notifications(now: datetime | None = None) -> int:
    """The scheduler's sweep: deliver what is due, then email those who asked for it.

    Each notification is claimed by a conditional update before its email goes, so two sweeps
    (two workers, or a replay) never deliver nor email it twice; a crash between the claim and
    the email loses that email, never the in-app notification."""
    now = now or timezone.now()
    delivered = 0
    for notification in due_notifications(now).order_by("deliver_at", "pk")[:SWEEP_LIMIT]:
        early = notification.deliver_at > now
        changes = {"delivered_at": now, **({"via_duty": True} if early else {})}
        claimed = Notification.objects.filter(pk=notification.pk, delivered_at__isnull=True)
        if not claimed.update(**changes):
            continue
        delivered += 1
        _email(notification, now)
    return delivered


def wants_email(user: User) -> bool:
    return bool(user.email) and Preference.objects.filter(user=user, email=True).exists()


def _email(notification: Notification, now: datetime) -> None:
    recipient = notification.recipient
    if not wants_email(recipient):
        return
    body = notification.text
    if notification.url:
        body += "\n\n" + settings.SITE_URL + notification.url
    body += "\n\n" + _(
        "Vous recevez ce courriel parce que vous l'avez demandé dans vos préférences de "
        "notification. Il n'est envoyé que pendant vos horaires."
    )
    try:
        send_mail(
            _("[Civique] %(text)s") % {"text": notification.text[:120]},
            body,
            settings.DEFAULT_FROM_EMAIL,
            [recipient.email],
        )
    except Exception:  # a mail server down must not stop the sweep; the bell has it anyway
        logger.exception("Courriel de notification %s non envoyé", notification.pk)
        return
    Notification.objects.filter(pk=notification.pk).update(emailed_at=now)


def mark_read(user: User, notification: Notification, now: datetime | None = None) -> None:
    """Precondition: ``notification`` came from ``access.notification_for(user, ...)``."""
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])


def mark_all_read(user: User, now: datetime | None = None) -> int:
    return Notification.objects.filter(
        recipient=user, delivered_at__isnull=False, read_at__isnull=True
    ).update(read_at=now or timezone.now())


@transaction.atomic
def set_preferences(
    user: User, *, email: bool, calendar: Calendar | None, now: datetime | None = None
) -> Preference:
    """Save the agent's choices; notifications still held wait for the new hours."""
    now = now or timezone.now()
    preference, _created = Preference.objects.get_or_create(user=user)
    old = {"email": preference.email, "calendar": preference.calendar_id}
    preference.email = email
    preference.calendar = calendar
    preference.save()
    new_time = delivery_time(user, now)
    Notification.objects.filter(
        recipient=user, delivered_at__isnull=True, deliver_at__gt=now
    ).update(deliver_at=new_time)
    new = {"email": email, "calendar": calendar.pk if calendar else None}
    changes = {key: [old[key], new[key]] for key in old if old[key] != new[key]}
    if changes:
        audit(user, "notifications.preferences", preference, changes)
    return preference


@transaction.atomic
def propose_shift(
    actor: User, agent: User, starts: datetime, ends: datetime, *, now: datetime | None = None
) -> DutyShift:
    """A supervisor (of one of the agent's teams) or an administrator proposes a duty shift.
    It does nothing until the agent accepts it."""
    now = now or timezone.now()
    if not can_manage_agent(actor, agent):
        raise NotificationError(
            _("Vous ne pouvez proposer une astreinte qu'aux agents de vos services.")
        )
    if ends <= starts:
        raise NotificationError(_("La fin de l'astreinte doit suivre son début."))
    if ends <= now:
        raise NotificationError(_("Cette astreinte serait déjà terminée."))
    if ends - starts > MAX_SHIFT:
        raise NotificationError(_("Une astreinte dure au plus sept jours."))
    overlapping = DutyShift.objects.filter(
        user=agent,
        state__in=[ShiftState.PROPOSED, ShiftState.ACCEPTED],
        starts__lt=ends,
        ends__gt=starts,
    )
    if overlapping.exists():
        raise NotificationError(
            _("Cet agent a déjà une astreinte proposée ou acceptée sur cette période.")
        )
    shift = DutyShift.objects.create(
        user=agent, starts=starts, ends=ends, created_by=actor, created_at=now
    )
    audit(
        actor, "duty.propose", shift, {"user": agent.pk, "starts": str(starts), "ends": str(ends)}
    )
    return shift


def _decide(user: User, shift: DutyShift, allowed: str, state: str, verb: str, now) -> None:
    if shift.state != allowed:
        raise NotificationError(
            _("Cette astreinte est « %(state)s » : action impossible.")
            % {"state": shift.get_state_display()}
        )
    old = shift.state
    shift.state = state
    shift.decided_at = now
    fields = ["state", "decided_at"]
    if state == ShiftState.ACCEPTED:
        shift.consented_at = now
        fields.append("consented_at")
    shift.save(update_fields=fields)
    audit(user, verb, shift, {"state": [old, state]})


@transaction.atomic
def accept_shift(user: User, shift: DutyShift, now: datetime | None = None) -> None:
    """The agent's explicit consent. Precondition: ``shift`` is theirs (``access``)."""
    now = now or timezone.now()
    if shift.user_id != user.pk:
        raise NotificationError(_("Cette astreinte ne vous est pas proposée."))
    if shift.ends <= now:
        raise NotificationError(_("Cette astreinte est déjà terminée."))
    _decide(user, shift, ShiftState.PROPOSED, ShiftState.ACCEPTED, "duty.accept", now)


@transaction.atomic
def decline_shift(user: User, shift: DutyShift, now: datetime | None = None) -> None:
    if shift.user_id != user.pk:
        raise NotificationError(_("Cette astreinte ne vous est pas proposée."))
    _decide(
        user, shift, ShiftState.PROPOSED, ShiftState.DECLINED, "duty.decline", now or timezone.now()
    )


@transaction.atomic
def withdraw_shift(user: User, shift: DutyShift, now: datetime | None = None) -> None:
    """The agent takes back their consent, before or during the shift."""
    if shift.user_id != user.pk:
        raise NotificationError(_("Cette astreinte ne vous est pas proposée."))
    _decide(
        user,
        shift,
        ShiftState.ACCEPTED,
        ShiftState.WITHDRAWN,
        "duty.withdraw",
        now or timezone.now(),
    )


@transaction.atomic
def cancel_shift(actor: User, shift: DutyShift, now: datetime | None = None) -> None:
    if not can_manage_agent(actor, shift.user):
        raise NotificationError(_("Vous ne pouvez annuler que les astreintes de vos services."))
    if shift.state not in (ShiftState.PROPOSED, ShiftState.ACCEPTED):
        raise NotificationError(_("Cette astreinte n'est plus en cours."))
    _decide(actor, shift, shift.state, ShiftState.CANCELLED, "duty.cancel", now or timezone.now())
