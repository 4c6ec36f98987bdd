"""Automatic acknowledgements: a pipeline stage (``CIVIQUE_PIPELINE``), after the clocks.

A private message or an email that starts a wait gets one acknowledgement, through the outbox
like any reply (so it is on the timeline, in the audit journal and in the delivery status), with
the conversation's reference and the announced answer deadline; outside opening hours it says
when the team is back. Never to automated mail (auto-replies, bounces, lists), never twice to a
conversation or a contact within ``CIVIQUE_ACK_PERIOD_HOURS`` (so two auto-responders, ours and
one that does not mark its mail, cannot loop), and only when the conversation's commitment
promises one. Our acknowledgement is marked ``Auto-Submitted: auto-replied`` (RFC 3834).

The stage receives the pipeline's context (``civique.ingest.pipeline.Context``) without importing
it: the sla app sits below ingest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from civique.inbox.actions import ActionError, queue_automatic_reply, sent_automatically_since
from civique.inbox.clocks import awaits_answer
from civique.inbox.models import Conversation, Message, MessageVisibility
from civique.sla.calendar import is_open, next_opening
from civique.sla.models import Policy
from civique.sla.policies import calendar_for


def _when(moment: datetime, tz) -> str:
    return dateformat.format(moment.astimezone(tz), r"l j F Y \à H\hi")


def should_acknowledge(conversation: Conversation, message: Message, now: datetime) -> bool:
    if not settings.CIVIQUE_AUTO_ACKNOWLEDGE:
        return False
    # Only a message that makes the conversation wait: not automated mail, nor one an earlier
    # stage (moderation) marked for the clocks to ignore.
    if not awaits_answer(message):
        return False
    if message.visibility != MessageVisibility.PRIVATE or conversation.first_response_at:
        return False
    connector = conversation.channel.connector
    if connector.agent_logged or not connector.can_reply:
        return False
    policy = Policy.objects.filter(name=conversation.sla_policy, is_active=True).first()
    if policy is None or policy.acknowledge_within is None:
        return False
    since = now - timedelta(hours=settings.CIVIQUE_ACK_PERIOD_HOURS)
    return not sent_automatically_since(conversation, "acknowledgement", since)


def acknowledgement_text(conversation: Conversation, now: datetime) -> str:
    calendar = calendar_for(conversation.team)
    parts = [
        _("Bonjour,"),
        _("Nous avons bien reçu votre demande, enregistrée sous la référence %(ref)s.")
        % {"ref": conversation.reference},
    ]
    if conversation.first_answer_due_at:
        parts.append(
            _("Nous nous engageons à vous répondre au plus tard le %(due)s.")
            % {"due": _when(conversation.first_answer_due_at, calendar.tz)}
        )
    if not is_open(now, calendar):
        opening = next_opening(now, calendar)
        if opening is not None:
            parts.append(
                _("Nos services sont fermés en ce moment ; ils rouvrent le %(when)s.")
                % {"when": _when(opening, calendar.tz)}
            )
    parts.append(
        _(
            "Ce message est envoyé automatiquement. Pour compléter votre demande, répondez-y "
            "en gardant la référence %(ref)s dans l'objet."
        )
        % {"ref": conversation.reference}
    )
    if conversation.team:
        parts.append(str(conversation.team))
    return "\n\n".join(parts)


def acknowledge(ctx) -> None:
    """Pipeline stage: acknowledge the message just stored when it should be."""
    conversation, message = ctx.conversation, ctx.message
    if conversation is None or message is None:
        return
    now = timezone.now()
    if not should_acknowledge(conversation, message, now):
        return
    try:
        queue_automatic_reply(
            conversation, acknowledgement_text(conversation, now), meta={"acknowledgement": True}
        )
    except ActionError:
        return  # an inactive channel, or one that cannot send: nothing to acknowledge with
