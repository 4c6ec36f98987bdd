"""Pipeline stages for what platforms say about messages already delivered: an author's edit, a
removal, a hide done on the platform itself, and how far our own messages got (delivery
statuses). Nothing is ever erased: an edit keeps every earlier text (``MessageRevision``), a
removed or hidden message is marked.

Platforms deliver out of order, and every change is idempotent:
- an edit before the message it edits is stored as that message (under its id), and the
  original, when it comes, becomes its earlier version;
- a removal or a hide of a message not received yet is kept as a ``Tombstone``, applied when the
  message arrives;
- a status of one of our messages that is not known yet (the platform's webhook can overtake the
  answer to our own call) is tried again for a few minutes, then dropped with a note in the log;
- the same edit, removal or status delivered twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civique.inbox import timeline
from civique.inbox.models import Message, MessageRevision, TimelineKind
from civique.ingest.models import Tombstone
from civique.ingest.pipeline import Context, RetryLater
from civique.moderation.rules import moderate_edit

logger = logging.getLogger(__name__)

# How long a status may wait for the message it is about (see the module's docstring).
STATUS_WAIT = timedelta(minutes=5)
# A later status never overrides a further one (a late "delivered" after "read"); "failed" always
# counts.
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}
ORIGINAL = "original"
WAITING_STATUS = gettext_lazy("Statut d'un message que nous n'avons pas encore enregistré.")


def _stored(ctx: Context, external_id: str) -> Message | None:
    return (
        Message.objects.filter(channel=ctx.channel, external_id=external_id[:255])
        .select_related("conversation")
        .first()
    )


def _note(message: Message, text: str) -> None:
    timeline.record(message.conversation, TimelineKind.SYSTEM, message=message, text=text)


def apply_platform_change(ctx: Context) -> None:
    """First stage: a status, an edit, a removal or a hide acts on the message it names and ends
    the run; a message arriving after its own edit becomes that edit's earlier version."""
    parsed = ctx.parsed
    if parsed.status_of:
        _apply_status(ctx)
    elif parsed.edit_of:
        _apply_edit(ctx)
    elif parsed.removed or parsed.hidden is not None:
        _apply_removal_or_hide(ctx)
    else:
        _join_its_edit(ctx)


def _apply_status(ctx: Context) -> None:
    parsed = ctx.parsed
    ctx.stop = True
    message = _stored(ctx, parsed.status_of)
    if message is None:
        if timezone.now() - ctx.event.received_at < STATUS_WAIT:
            raise RetryLater(WAITING_STATUS)
        logger.info("Statut %s d'un message inconnu (%s) ignoré", parsed.status, parsed.status_of)
        return
    ctx.message = message
    rank = STATUS_RANK.get(parsed.status, 0)
    if rank == 0 or rank <= STATUS_RANK.get(message.meta.get("platform_status", ""), 0):
        return
    message.meta["platform_status"] = parsed.status
    message.meta["platform_status_at"] = ctx.occurred_at.isoformat()
    if parsed.status == "failed":
        message.meta["platform_error"] = parsed.text[:500]
    message.save(update_fields=["meta"])
    if parsed.status == "failed":
        timeline.record(
            message.conversation,
            TimelineKind.DELIVERY,
            message=message,
            state="failed",
            error=parsed.text[:500] or _("La plateforme n'a pas pu remettre le message."),
        )


def _edited_at(message: Message) -> datetime | None:
    raw = message.meta.get("edited_at")
    return parse_datetime(raw) if raw else None


def _apply_edit(ctx: Context) -> None:
    parsed = ctx.parsed
    target = _stored(ctx, parsed.edit_of)
    version = ctx.external_id
    if target is None:
        # The edit came first: it becomes the message, under the id the original will carry.
        parsed.meta["edit_version"] = version
        parsed.meta["edited_at"] = ctx.occurred_at.isoformat()
        parsed.external_id, parsed.edit_of = parsed.edit_of, ""
        return
    ctx.stop = True
    ctx.message = target
    if version == target.meta.get("edit_version") or target.revisions.filter(version=version):
        return
    when = ctx.occurred_at
    current = _edited_at(target)
    if current is not None and when < current:
        # An older edit arriving late is history, not the current text.
        MessageRevision.objects.create(
            message=target, version=version, text=parsed.text, html=ctx.html, replaced_at=when
        )
        return
    MessageRevision.objects.create(
        message=target, version=version, text=target.text, html=target.html, replaced_at=when
    )
    target.text, target.html = parsed.text, ctx.html
    target.meta.update(edit_version=version, edited_at=when.isoformat())
    fields = ["text", "html", "meta"]
    if ctx.analysis is not None:
        # The analysis follows the current text: an edit can turn a calm comment abusive.
        target.analysis = ctx.analysis.to_json()
        fields.append("analysis")
    target.save(update_fields=fields)
    moderate_edit(target)
    _note(
        target, _("Message modifié par son auteur sur la plateforme ; l'ancien texte est conservé.")
    )


def _join_its_edit(ctx: Context) -> None:
    """The original of a message stored from its edit (which came first) is its earlier text."""
    existing = _stored(ctx, ctx.external_id)
    if existing is None or not existing.meta.get("edit_version"):
        return
    ctx.stop = True
    ctx.message = existing
    if existing.revisions.filter(version=ORIGINAL).exists():
        return
    MessageRevision.objects.create(
        message=existing,
        version=ORIGINAL,
        text=ctx.parsed.text,
        html=ctx.html,
        replaced_at=_edited_at(existing) or ctx.occurred_at,
    )


def _apply_removal_or_hide(ctx: Context) -> None:
    parsed = ctx.parsed
    ctx.stop = True
    when = ctx.occurred_at
    target = _stored(ctx, ctx.external_id)
    if target is None:
        tombstone, _created = Tombstone.objects.get_or_create(
            channel=ctx.channel, external_id=ctx.external_id
        )
        if parsed.removed:
            tombstone.removed_at = tombstone.removed_at or when
        else:
            tombstone.hidden_at = when if parsed.hidden else None
        tombstone.save()
        return
    ctx.message = target
    if parsed.removed and target.removed_at is None:
        target.removed_at = when
        target.save(update_fields=["removed_at"])
        removed = _("Supprimé de la plateforme (par son auteur ou par la plateforme) ; le message "
                    "reste consigné ici.")  # fmt: skip
        _note(target, removed)
    elif parsed.hidden is True and target.hidden_at is None:
        target.hidden_at = when
        target.save(update_fields=["hidden_at"])
        _note(target, _("Masqué sur la plateforme elle-même."))
    elif parsed.hidden is False and target.hidden_at is not None:
        target.hidden_at = None
        target.save(update_fields=["hidden_at"])
        _note(target, _("Réaffiché sur la plateforme elle-même."))


def apply_tombstone(ctx: Context) -> None:
    """After the message is stored: a removal or a hide that arrived before it now applies."""
    message = ctx.message
    if message is None or message.external_id is None:
        return
    tombstone = Tombstone.objects.filter(
        channel=ctx.channel, external_id=message.external_id
    ).first()
    if tombstone is None:
        return
    fields = []
    if tombstone.removed_at and message.removed_at is None:
        message.removed_at = tombstone.removed_at
        fields.append("removed_at")
    if tombstone.hidden_at and message.hidden_at is None:
        message.hidden_at = tombstone.hidden_at
        fields.append("hidden_at")
    if fields:
        message.save(update_fields=fields)
        _note(message, _("Supprimé ou masqué sur la plateforme avant même son arrivée ici."))
    tombstone.delete()
