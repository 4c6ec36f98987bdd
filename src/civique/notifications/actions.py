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
from civique.notifications.hours import delivery_time, hours_for, opening_or_hold
from civique.notifications.models import DutyShift, Kind, Notification, Preference, ShiftState
from civique.sla.calendar import is_open
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


def on_duty(user: User, now: datetime) -> bool:
    return active_shifts(now).filter(user=user).exists()


def reach_time(user: User, urgent: bool, now: datetime) -> tuple[datetime, bool]:
    """When a notification may reach ``user``, and whether only thanks to duty: ``now`` within
    their hours, ``now`` for an urgent one while they are on an accepted duty shift, else their
    next opening. The one rule both ``notify`` and the sweep apply."""
    hours = hours_for(user, now)
    if is_open(now, hours.calendar):
        return now, False
    if urgent and on_duty(user, now):
        return now, True
    return opening_or_hold(now, hours), False


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
    deliver_at, via_duty = reach_time(recipient, urgent, now)
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
    """Held notifications whose time has come, and urgent ones of agents now on duty. Those of
    a deactivated account stay undelivered (never emailed); they are kept, not deleted, so a
    reactivated agent finds them within their hours."""
    on_duty = active_shifts(now).filter(user=OuterRef("recipient"))
    return Notification.objects.filter(delivered_at__isnull=True, recipient__is_active=True).filter(
        Q(deliver_at__lte=now) | Q(urgent=True, deliver_at__gt=now) & Exists(on_duty)
    )


def deliver_due_notifications(now: datetime | None = None) -> int:
    """The scheduler's sweep: deliver what is due, then email those who asked for it.

    Due is not enough: the recipient's hours are checked again at delivery (they may have
    changed while it was held — a closure, other slots, another team — or the sweep may run
    late, at night), and what may not reach them now is held again until their next opening.

    Each notification is claimed by a conditional update before its email goes, so two sweeps
    (two workers, or a replay) never deliver nor email it twice; a crash between the claim and
    the email loses that email, never the in-app notification."""
    now = now or timezone.now()
    delivered = 0
    reach: dict[tuple[int, bool], tuple[datetime, bool]] = {}
    emails: dict[int, bool] = {}
    due = due_notifications(now).select_related("recipient__notification_preference")
    for notification in due.order_by("deliver_at", "pk")[:SWEEP_LIMIT]:
        recipient = notification.recipient
        key = (recipient.pk, notification.urgent)
        if key not in reach:
            reach[key] = reach_time(recipient, notification.urgent, now)
        deliver_at, via_duty = reach[key]
        pending = Notification.objects.filter(pk=notification.pk, delivered_at__isnull=True)
        if deliver_at > now:
            pending.update(deliver_at=deliver_at)
            continue
        if not pending.update(delivered_at=now, **({"via_duty": True} if via_duty else {})):
            continue
        delivered += 1
        if recipient.pk not in emails:
            emails[recipient.pk] = wants_email(recipient)
        if emails[recipient.pk]:
            _email(notification, now)
    return delivered


def wants_email(user: User) -> bool:
    if not user.email or not user.is_active:
        return False
    try:
        return user.notification_preference.email
    except Preference.DoesNotExist:
        return False


def _email(notification: Notification, now: datetime) -> None:
    recipient = notification.recipient
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
    if calendar is not None and not calendar.personal:
        raise NotificationError(_("Choisissez un calendrier d'horaires personnels."))
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
    # Two proposals for the same agent at once: the second waits here, then sees the first.
    User.objects.select_for_update().filter(pk=agent.pk).first()
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


def _decide(
    user: User, shift: DutyShift, allowed: tuple[str, ...], state: str, verb: str, now
) -> None:
    """Precondition: inside a transaction. The shift's row is locked and its state read again,
    so an acceptance racing a cancellation cannot both succeed."""
    current = DutyShift.objects.select_for_update().get(pk=shift.pk)
    if current.state not in allowed:
        shift.state = current.state
        raise NotificationError(
            _("Cette astreinte est « %(state)s » : action impossible.")
            % {"state": current.get_state_display()}
        )
    old = current.state
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
    _decide(user, shift, (ShiftState.PROPOSED,), ShiftState.ACCEPTED, "duty.accept", now)


@transaction.atomic
def decline_shift(user: User, shift: DutyShift, now: datetime | None = None) -> None:
    if shift.user_id != user.pk:
        raise NotificationError(_("Cette astreinte ne vous est pas proposée."))
    _decide(
        user,
        shift,
        (ShiftState.PROPOSED,),
        ShiftState.DECLINED,
        "duty.decline",
        now or timezone.now(),
    )


@transaction.atomic
def withdraw_shift(user: User, shift: DutyShift, now: datetime | None = None) -> None:
    """The agent takes back their consent, before or during the shift."""
    if shift.user_id != user.pk:
        raise NotificationError(_("Cette astreinte ne vous est pas proposée."))
    _decide(
        user,
        shift,
        (ShiftState.ACCEPTED,),
        ShiftState.WITHDRAWN,
        "duty.withdraw",
        now or timezone.now(),
    )


@transaction.atomic
def cancel_shift(actor: User, shift: DutyShift, now: datetime | None = None) -> None:
    if not can_manage_agent(actor, shift.user):
        raise NotificationError(_("Vous ne pouvez annuler que les astreintes de vos services."))
    running = (ShiftState.PROPOSED, ShiftState.ACCEPTED)
    _decide(actor, shift, running, ShiftState.CANCELLED, "duty.cancel", now or timezone.now())
