"""Writes of the sla app: a conversation's commitments, and escalation when one is missed."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from civique.core.audit import audit
from civique.inbox import timeline
from civique.inbox.clocks import recompute
from civique.inbox.models import Conversation, Priority, SlaState, Status, TimelineKind
from civique.sla.clocks import GRACE, evaluate
from civique.sla.models import Escalation, Policy
from civique.sla.policies import calendar_for, policy_for

# Sent after an escalation ran (with ``conversation``, ``policy``, ``escalation`` — the
# policy's kind —, ``missed`` and ``now``); notifications connect here. Receivers run inside
# the sweep's transaction.
escalated = Signal()

SLA_FIELDS = [
    "acknowledgement_due_at",
    "first_answer_due_at",
    "resolution_due_at",
    "next_due_at",
    "at_risk_at",
    "sla_policy",
    "sla_state",
    "sla_breaches",
]


def refresh_commitments(conversation: Conversation, now: datetime) -> list[str]:
    """Compute and save due times and state; escalate what is newly missed. Returns those."""
    policy = policy_for(conversation)
    result = evaluate(conversation, policy, calendar_for(conversation.team), now)
    newly_missed = [name for name in result.missed if name not in conversation.sla_breaches]
    conversation.acknowledgement_due_at = result.dues["acknowledgement"]
    conversation.first_answer_due_at = result.dues["first_answer"]
    conversation.resolution_due_at = result.dues["resolution"]
    conversation.next_due_at = result.next_due
    conversation.at_risk_at = result.at_risk_at
    conversation.sla_policy = result.policy
    old_state = conversation.sla_state
    conversation.sla_state = result.state
    conversation.sla_breaches = [*conversation.sla_breaches, *newly_missed]
    conversation.save(update_fields=SLA_FIELDS)
    if result.state != old_state and result.state in (SlaState.AT_RISK, SlaState.BREACHED):
        text = (
            _("Engagement « %(p)s » : bientôt en retard.")
            if result.state == SlaState.AT_RISK
            else _("Engagement « %(p)s » : en retard.")
        )
        timeline.record(
            conversation,
            TimelineKind.SYSTEM,
            automatic=True,
            sla_state=result.state,
            text=text % {"p": result.policy},
        )
    if newly_missed and policy is not None:
        escalate(conversation, policy, newly_missed, now=now)
    return newly_missed


def escalate(
    conversation: Conversation,
    policy: Policy,
    missed: list[str],
    *,
    now: datetime | None = None,
) -> None:
    """The policy's escalation, on the timeline and in the audit journal (no agent acted)."""
    if conversation.status in (Status.RESOLVED, Status.CLOSED) or not policy.escalation:
        return
    details = {"policy": policy.name, "missed": missed, "escalation": policy.escalation}
    if policy.escalation == Escalation.RAISE and conversation.priority < Priority.URGENT:
        old = conversation.priority
        conversation.priority = old + 1
        conversation.save(update_fields=["priority", "updated_at"])
        timeline.record(
            conversation, TimelineKind.PRIORITY, old=old, new=conversation.priority, automatic=True
        )
    elif policy.escalation == Escalation.REASSIGN and conversation.assignee_id:
        old = conversation.assignee
        conversation.assignee = None
        conversation.save(update_fields=["assignee", "updated_at"])
        timeline.record(
            conversation, TimelineKind.ASSIGNMENT, old=str(old), new=None, automatic=True
        )
    elif policy.escalation == Escalation.NOTIFY:
        # Supervisors see it on the timeline and in the inbox's "en retard" filter.
        text = _("Escalade : les responsables du service sont prévenus (%(p)s).")
        timeline.record(
            conversation,
            TimelineKind.SYSTEM,
            automatic=True,
            escalation=details,
            text=text % {"p": policy.name},
        )
    audit(None, "conversation.escalation", conversation, details)
    escalated.send(
        sender=Conversation,
        conversation=conversation,
        policy=policy,
        escalation=policy.escalation,
        missed=missed,
        now=now or timezone.now(),
    )


def sweep_commitments(now: datetime | None = None) -> int:
    """Re-evaluate conversations whose next due time or alert time has come (the scheduler)."""
    now = now or timezone.now()
    due = Conversation.objects.exclude(status__in=[Status.RESOLVED, Status.CLOSED]).filter(
        sla_state__in=[SlaState.OK, SlaState.AT_RISK]
    ).filter(next_due_at__lte=now - GRACE) | Conversation.objects.exclude(
        status__in=[Status.RESOLVED, Status.CLOSED]
    ).filter(sla_state=SlaState.OK, at_risk_at__lte=now)
    count = 0
    for pk in due.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            conversation = Conversation.objects.select_for_update().get(pk=pk)
            recompute(conversation, now)
        count += 1
    return count
