"""Exchanges an agent logs (a phone call, a counter visit): written through the same durable
intake as any channel, then processed at once so the agent sees the result.

Here in ingest, above the inbox: logging needs the intake (``receive_and_process``), and the
inbox never imports the intake.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from civique.channels.models import Channel
from civique.contacts.models import Contact
from civique.core.audit import audit
from civique.core.models import User
from civique.inbox.actions import OUTCOMES, ActionError
from civique.inbox.models import Category, Conversation, Message
from civique.ingest.actions import receive_and_process
from civique.ingest.models import EventState


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
