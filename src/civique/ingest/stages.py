"""Pipeline stages, in the order of ``settings.CIVIQUE_PIPELINE``. Each does one thing."""

from __future__ import annotations

import hashlib
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.dispatch import Signal
from django.utils.translation import gettext as _

from civique.channels.connectors.base import Sender
from civique.contacts.lookup import resolve_contact
from civique.contacts.models import Contact, Identity
from civique.contacts.normalize import clean_display_name, normalize_identity
from civique.inbox import clocks, timeline
from civique.inbox.actions import status_changed
from civique.inbox.attachments import save_attachment
from civique.inbox.models import (
    Category,
    Conversation,
    Direction,
    Message,
    Status,
    TimelineKind,
)
from civique.ingest.pipeline import Context

logger = logging.getLogger(__name__)

# Sent after a message is stored and routed; automations (acknowledgements, notifications...)
# connect here. Receivers run inside the event's transaction.
message_received = Signal()


def identify_contact(ctx: Context) -> None:
    """Exact identity match only; a new identity makes a new contact. Never matches on a name."""
    _identify_sender(ctx)
    if ctx.contact is not None:
        for other in ctx.parsed.other_identities:
            _attach_identity(ctx, other)


def _attach_identity(ctx: Context, sender: Sender) -> None:
    """Add a further handle to the contact, unless it belongs to someone else (never merge)."""
    try:
        value = normalize_identity(sender.identity_kind, sender.identity_value)
    except ValidationError as exc:
        ctx.notes.append(exc.messages[0])
        return
    owner = Identity.objects.filter(kind=sender.identity_kind, value=value).first()
    if owner is None:
        Identity.objects.create(
            contact=ctx.contact,
            kind=sender.identity_kind,
            value=value,
            display=sender.identity_value[:255],
        )
    elif resolve_contact(owner.contact) != ctx.contact:
        ctx.notes.append(
            _("%(value)s est déjà connu pour un autre usager : identifiants non fusionnés.")
            % {"value": sender.identity_value}
        )


def _identify_sender(ctx: Context) -> None:
    parsed = ctx.parsed
    if parsed.contact_id:
        contact = Contact.objects.filter(pk=parsed.contact_id).first()
        if contact is None:
            raise ValidationError(_("Usager n°%(id)s introuvable.") % {"id": parsed.contact_id})
        ctx.contact = resolve_contact(contact)
        return
    sender = parsed.sender
    if sender is None:
        return
    try:
        value = normalize_identity(sender.identity_kind, sender.identity_value)
    except ValidationError as exc:
        # Keep the message; it simply has no known author.
        ctx.notes.append(_("Expéditeur non reconnu (%(err)s).") % {"err": exc.messages[0]})
        return
    identity = (
        Identity.objects.select_related("contact")
        .filter(kind=sender.identity_kind, value=value)
        .first()
    )
    if identity is not None:
        contact = resolve_contact(identity.contact)
        if not contact.display_name and sender.display_name:
            contact.display_name = clean_display_name(sender.display_name)
            contact.save(update_fields=["display_name", "updated_at"])
        ctx.contact = contact
        ctx.identity = identity
        return
    contact = Contact.objects.create(display_name=clean_display_name(sender.display_name))
    ctx.identity = Identity.objects.create(
        contact=contact,
        kind=sender.identity_kind,
        value=value,
        display=(sender.identity_value or "")[:255],
    )
    ctx.contact = contact


def _token_pattern() -> re.Pattern[str]:
    prefix = re.escape(settings.CIVIQUE_REFERENCE_PREFIX)
    return re.compile(rf"\[#{prefix}-(\d+)\]", re.IGNORECASE)


def _by_message_ids(ctx: Context) -> Conversation | None:
    ids = [i for i in [ctx.parsed.in_reply_to, *reversed(ctx.parsed.references)] if i]
    if not ids:
        return None
    earlier = (
        Message.objects.filter(channel=ctx.channel, external_id__in=ids)
        .select_related("conversation")
        .order_by("-created_at")
        .first()
    )
    if earlier is None:
        return None
    conversation = earlier.conversation
    if (
        ctx.parsed.is_automated
        # The organisation's own answer on the platform (a Page replying under a comment).
        or ctx.parsed.direction == Direction.OUTBOUND
        or (ctx.contact is not None and conversation.contact_id == ctx.contact.pk)
    ):
        return conversation
    # Someone else answering (a neighbour in copy replying to all) starts a conversation of their
    # own: otherwise the agent's next answer, and the citizen's data with it, would go to them.
    ctx.notes.append(
        _("En réponse à la demande %(ref)s, écrite par un autre correspondant.")
        % {"ref": conversation.reference}
    )
    return None


def _by_reference_token(ctx: Context) -> Conversation | None:
    match = _token_pattern().search(ctx.parsed.subject or "")
    if not match or ctx.contact is None:
        return None
    # The token alone is guessable: it threads only a message from the conversation's contact.
    return Conversation.objects.filter(pk=int(match.group(1)), contact=ctx.contact).first()


def _by_later_reply(ctx: Context) -> Conversation | None:
    """The conversation of a reply to this message stored before it, from the same contact.

    The order of arrival is not the order of writing: a mail whose worker crashed waits its
    backoff while its reply goes through, and opens a conversation of its own. The parent then
    joins the reply's conversation instead of opening a second one."""
    own_id = ctx.parsed.external_id
    if not own_id or ctx.contact is None:
        return None
    reply = (
        Message.objects.filter(
            channel=ctx.channel,
            in_reply_to=own_id[:255],
            direction=Direction.INBOUND,
            conversation__contact=ctx.contact,
        )
        .select_related("conversation")
        .order_by("created_at", "id")
        .first()
    )
    return reply.conversation if reply is not None else None


def _by_thread_key(ctx: Context) -> Conversation | None:
    """The platform's thread, for the same contact: someone else replying in a comment thread
    opens a conversation of their own (linked to the same thread key)."""
    if not ctx.parsed.thread_key:
        return None
    found = Conversation.objects.filter(channel=ctx.channel, thread_key=ctx.parsed.thread_key)
    if ctx.contact is not None:
        found = found.filter(contact=ctx.contact)
    return found.order_by("-id").first()


def _take_earlier_start(ctx: Context, conversation: Conversation) -> None:
    """A parent joining the conversation its reply opened starts it: the conversation takes its
    subject, and its date when that is earlier."""
    fields = []
    if ctx.parsed.subject:
        conversation.subject = ctx.parsed.subject[:255]
        fields.append("subject")
    if ctx.occurred_at < conversation.created_at:
        conversation.created_at = ctx.occurred_at
        fields.append("created_at")
    if fields:
        conversation.save(update_fields=fields)


def find_conversation(ctx: Context) -> None:
    """Thread the message: explicit conversation, reply headers, reference token, thread key,
    and last a reply to it that was stored first."""
    parsed = ctx.parsed
    conversation = None
    if parsed.conversation_id:
        conversation = Conversation.objects.filter(pk=parsed.conversation_id).first()
    conversation = (
        conversation or _by_message_ids(ctx) or _by_reference_token(ctx) or _by_thread_key(ctx)
    )
    by_reply = conversation is None and (conversation := _by_later_reply(ctx)) is not None
    if conversation is not None:
        # Held until the event commits: an agent's change or another worker waits its turn.
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation is not None and conversation.status == Status.CLOSED:
        ctx.notes.append(
            _("Suite de la demande %(ref)s, clôturée.") % {"ref": conversation.reference}
        )
        conversation = None
    if conversation is not None and by_reply:
        _take_earlier_start(ctx, conversation)
    ctx.conversation = conversation
    if conversation is None and parsed.meta.get("page_own"):
        # The organisation's own post or comment outside any request: context, not a request.
        ctx.stop = True


def _new_conversation(ctx: Context) -> Conversation:
    parsed = ctx.parsed
    subject = parsed.subject or " ".join(parsed.text.split())[:80]
    category = None
    if parsed.category_slug:
        category = Category.objects.filter(slug=parsed.category_slug).first()
    location = parsed.location or {}
    conversation = Conversation.objects.create(
        subject=subject[:255],
        visibility="public" if parsed.visibility == "public" else "private",
        channel=ctx.channel,
        contact=ctx.contact,
        category=category,
        thread_key=parsed.thread_key[:255],
        location_lat=location.get("lat"),
        location_lon=location.get("lon"),
        location_address=str(location.get("address") or "")[:255],
        created_at=ctx.occurred_at,
    )
    ctx.created_conversation = True
    return conversation


def _legacy_fingerprint(ctx: Context) -> str:
    """The fingerprint stored before attachments counted: sender, subject and text."""
    sender = ctx.parsed.sender
    who = f"{sender.identity_kind}:{sender.identity_value}" if sender else ""
    content = "\x1f".join([who, ctx.parsed.subject, ctx.parsed.text])
    return hashlib.sha256(content.encode("utf-8", "replace")).hexdigest()


def _fingerprint(ctx: Context) -> str:
    """What tells two messages under one external id apart: sender, subject, text and each
    attachment's name and content, in order. Never equal to the legacy form of a message."""
    digest = hashlib.sha256(b"attachments-v2\x1f")
    digest.update(_legacy_fingerprint(ctx).encode("ascii"))
    for item in ctx.parsed.attachments:
        name = hashlib.sha256(item.filename.encode("utf-8", "replace")).hexdigest()
        content = hashlib.sha256(item.content).hexdigest()
        digest.update(f"\x1f{name}:{content}".encode("ascii"))
    return digest.hexdigest()


def _same_fingerprint(ctx: Context, stored: str, fingerprint: str) -> bool:
    """A message stored before attachments counted holds the legacy form: compared with it,
    a redelivery of the same mail is still recognised."""
    return stored == fingerprint or stored == _legacy_fingerprint(ctx)


def _already_stored(ctx: Context, fingerprint: str) -> Message | None:
    """The message stored under this external id, if it is this same message.

    Some mailers reuse Message-IDs: a different message under a known id (another sender, text
    or attachment) gets the id suffixed with its fingerprint and is kept, with a note, instead of
    being taken for a duplicate.
    """
    existing = Message.objects.filter(channel=ctx.channel, external_id=ctx.external_id).first()
    if existing is None or existing.pk in (ctx.event.message_ids or []):
        return existing  # new, or this very event replayed (its parsing may have changed since)
    if _same_fingerprint(ctx, existing.meta.get("fingerprint", fingerprint), fingerprint):
        return existing
    # Kept apart already? Under its suffix, or under the legacy one if it was stored before.
    for suffix in dict.fromkeys([fingerprint[:16], _legacy_fingerprint(ctx)[:16]]):
        ctx.id_suffix = f"#{suffix}"
        kept = Message.objects.filter(channel=ctx.channel, external_id=ctx.external_id).first()
        if kept is not None:
            return kept
    ctx.id_suffix = f"#{fingerprint[:16]}"
    ctx.notes.append(
        _("Identifiant de message déjà pris par un autre message : celui-ci est conservé à part.")
    )
    return None


def persist_message(ctx: Context) -> None:
    """Store the message once: a second delivery of the same message stops here."""
    fingerprint = _fingerprint(ctx)
    existing = _already_stored(ctx, fingerprint)
    if existing is not None:
        ctx.message = existing
        ctx.conversation = existing.conversation
        ctx.stop = True
        return
    if ctx.conversation is None:
        ctx.conversation = _new_conversation(ctx)
    parsed = ctx.parsed
    meta = dict(parsed.meta)
    meta["fingerprint"] = fingerprint
    if parsed.automated_reason:
        meta["automated_reason"] = parsed.automated_reason
    sender = parsed.sender
    message = Message.objects.create(
        conversation=ctx.conversation,
        channel=ctx.channel,
        direction=parsed.direction,
        kind=parsed.kind,
        visibility=parsed.visibility,
        author_contact=ctx.contact if parsed.direction == Direction.INBOUND else None,
        author_agent_id=parsed.agent_id,
        author_identity=ctx.identity,
        author_name=clean_display_name(sender.display_name) if sender else "",
        subject=parsed.subject[:255],
        text=parsed.text,
        html=ctx.html,
        external_id=ctx.external_id,
        in_reply_to=parsed.in_reply_to[:255],
        references=" ".join(parsed.references),
        platform_timestamp=parsed.platform_timestamp,
        is_automated=parsed.is_automated,
        meta=meta,
        analysis=ctx.analysis.to_json() if ctx.analysis is not None else {},
    )
    ctx.message = message
    _save_attachments(ctx, message)
    timeline.record(ctx.conversation, TimelineKind.MESSAGE, message=message, at=ctx.occurred_at)
    for note in [*ctx.notes, *parsed.notices]:
        timeline.record(ctx.conversation, TimelineKind.SYSTEM, message=message, text=note)


def _locate(conversation: Conversation, lat: object, lon: object, address: object = "") -> None:
    """Place a conversation that has no place yet (a shared location, a photo's GPS)."""
    if conversation.location_lat is not None or lat is None or lon is None:
        return
    conversation.location_lat, conversation.location_lon = lat, lon
    conversation.location_address = str(address or "")[:255]
    conversation.save(update_fields=["location_lat", "location_lon", "location_address"])


def _save_attachments(ctx: Context, message: Message) -> None:
    """Write the prepared attachments; a photo's GPS, or a location the message shares, places
    a conversation that has no place yet."""
    location = ctx.parsed.location or {}
    _locate(ctx.conversation, location.get("lat"), location.get("lon"), location.get("address"))
    for prepared in ctx.attachments:
        gps = save_attachment(message, prepared).meta.get("gps")
        if gps:
            _locate(ctx.conversation, gps["lat"], gps["lon"])


def route(ctx: Context) -> None:
    """Give a new conversation a team: its category's team, else the channel's owner."""
    conversation = ctx.conversation
    if conversation is None or conversation.team_id:
        return
    team = conversation.category.team if conversation.category_id else None
    conversation.team = team or ctx.channel.team
    conversation.save(update_fields=["team"])
    timeline.record(conversation, TimelineKind.TEAM, team=conversation.team.name, automatic=True)


def _set_status(ctx: Context, status: str, fields: list[str]) -> None:
    """An automatic status change, on the timeline like an agent's."""
    conversation = ctx.conversation
    timeline.record(
        conversation, TimelineKind.STATUS, old=conversation.status, new=status, automatic=True
    )
    conversation.status = status
    fields.append("status")


def _reopen(ctx: Context, fields: list[str]) -> None:
    """A citizen wrote: a conversation that was waiting on them or resolved opens again."""
    conversation = ctx.conversation
    if conversation.status in (Status.PENDING, Status.RESOLVED) and not ctx.created_conversation:
        _set_status(ctx, Status.OPEN, fields)
        conversation.resolved_at = None
        fields.append("resolved_at")


def update_clocks(ctx: Context) -> None:
    """Reopen on a citizen's message, resolve a call or visit closed on the spot, then let the
    clocks' owner (``civique.inbox.clocks``) recompute them from the messages, and tell others
    of a status change (``inbox.actions.status_changed``).

    A message an earlier stage marked for the clocks to ignore (``meta["clock"] = "ignore"``:
    a satisfaction survey's answer) does not reopen."""
    conversation, message = ctx.conversation, ctx.message
    if conversation is None or message is None:
        return
    fields = ["updated_at"]
    old = conversation.status
    if clocks.from_a_person(message):
        _reopen(ctx, fields)
    resolved_on_the_spot = (
        ctx.channel.connector.agent_logged and message.meta.get("outcome") == "resolved"
    )
    if resolved_on_the_spot and conversation.status != Status.RESOLVED:
        _set_status(ctx, Status.RESOLVED, fields)
        conversation.resolved_at = ctx.occurred_at
        fields.append("resolved_at")
    conversation.save(update_fields=sorted(set(fields)))
    clocks.recompute(conversation)
    if conversation.status != old:
        status_changed.send(
            sender=Conversation,
            conversation=conversation,
            old=old,
            new=conversation.status,
            actor=None,
        )


def notify(ctx: Context) -> None:
    """Tell automations a message arrived. Automated mail is flagged so nothing answers it."""
    if ctx.message is None:
        return
    message_received.send(
        sender=Message,
        message=ctx.message,
        conversation=ctx.conversation,
        created_conversation=ctx.created_conversation,
    )
