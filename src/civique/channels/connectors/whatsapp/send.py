"""Sending on WhatsApp: text and media within the customer-service window, a template beyond.

WhatsApp Cloud API (« Send messages », « Media », « Template messages »):

- ``POST /{phone-number-id}/messages`` with ``{"messaging_product": "whatsapp", "to": …,
  "type": "text", "text": {"body": …}}``, or ``"type": "image" | "document" | …`` naming an
  uploaded media by id; ``context.message_id`` quotes the message answered. The answer's
  ``messages[0].id`` (a ``wamid``) is what later statuses name.
- ``POST /{phone-number-id}/media`` (multipart: ``file``, ``type``, ``messaging_product``)
  uploads a file and answers its ``id``.
- Free-form messages are accepted only within 24 hours of the person's last message (the
  customer-service window). Beyond it only an approved template can start a conversation: the
  channel's ``template_name`` in ``template_language``, whose one body variable ``{{1}}``
  receives the agent's text. Without a template, the send is refused before any call, with an
  explanation for the agent.

All media are uploaded before the first message is sent, so that a failed upload sends nothing
and the retry starts clean.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from civique.channels.connectors.base import (
    OutboundAttachment,
    OutboundOperation,
    SendResult,
    TransportError,
)
from civique.channels.connectors.graph import GraphClient, GraphError

if TYPE_CHECKING:
    from civique.channels.models import Channel

WINDOW = timedelta(hours=24)
MAX_TEXT = 4096  # characters of a text message
MAX_CAPTION = 1024
# Template errors (« Error codes », 132000-132016): the template as configured cannot be sent.
TEMPLATE_ERRORS = {132000, 132001, 132005, 132007, 132012, 132015, 132016}


def send(channel: Channel, operation: OutboundOperation) -> SendResult:
    settings = channel.settings or {}
    number = str(settings.get("phone_number_id") or "")
    if not number:
        raise TransportError(
            _("Le canal « %(channel)s » n'a pas de phone_number_id WhatsApp.")
            % {"channel": channel.name},
            permanent=True,
        )
    if operation.recipient is None or not operation.recipient.value:
        raise TransportError(
            _("Aucun numéro WhatsApp connu pour cette personne : la réponse ne peut pas partir."),
            permanent=True,
        )
    to = operation.recipient.value.lstrip("+")
    if not within_window(operation):
        return _send_template(channel, number, to, operation)
    client = GraphClient(str((channel.secrets or {}).get("access_token") or ""))
    media = [(_media_type(a), a, _upload(client, number, a)) for a in operation.attachments]
    context = {"message_id": operation.in_reply_to} if operation.in_reply_to else None
    text = operation.text.strip()
    sent: list[str] = []
    caption_fits = len(media) == 1 and media[0][0] != "audio" and len(text) <= MAX_CAPTION
    if text and not caption_fits:
        for chunk in _chunks(text, MAX_TEXT):
            body = {"type": "text", "text": {"body": chunk, "preview_url": False}}
            sent.append(_message(client, number, to, body, context))
    for kind, attachment, media_id in media:
        part: dict[str, Any] = {"id": media_id}
        if caption_fits and text:
            part["caption"] = text
        if kind == "document":
            part["filename"] = attachment.filename
        sent.append(_message(client, number, to, {"type": kind, kind: part}, context))
    if not sent:
        raise TransportError(_("Réponse vide : rien à envoyer."), permanent=True)
    return SendResult(external_id=sent[0], detail=" ".join(sent))


def within_window(operation: OutboundOperation, now: datetime | None = None) -> bool:
    """True while the person's last message (``operation.last_inbound_at``, set by the inbox) is
    less than 24 hours old. Unknown means closed."""
    return window_open(operation.last_inbound_at, now or timezone.now())


def window_open(last: datetime | None, now: datetime) -> bool:
    """The customer-service window: less than 24 hours since ``last`` (None: closed)."""
    if last is None:
        return False
    if timezone.is_naive(last):
        last = last.replace(tzinfo=UTC)
    return now - last < WINDOW


def _send_template(
    channel: Channel, number: str, to: str, operation: OutboundOperation
) -> SendResult:
    settings = channel.settings or {}
    name = str(settings.get("template_name") or "")
    language = str(settings.get("template_language") or "fr")
    if not name:
        raise TransportError(
            _(
                "La personne n'a pas écrit sur WhatsApp depuis plus de 24 heures : WhatsApp "
                "n'accepte alors qu'un modèle de message approuvé, et aucun n'est configuré pour "
                "ce canal. Répondez par un autre canal (téléphone, courriel), ou faites approuver "
                "un modèle dans WhatsApp Manager et renseignez template_name et "
                "template_language dans les réglages du canal."
            ),
            permanent=True,
        )
    if operation.attachments:
        raise TransportError(
            _(
                "Plus de 24 heures depuis le dernier message WhatsApp de la personne : seul le "
                "modèle approuvé peut partir, sans pièce jointe. Envoyez le texte seul, puis les "
                "fichiers quand la personne aura répondu."
            ),
            permanent=True,
        )
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    text = " ".join(operation.text.split())  # WhatsApp refuses line breaks in a variable
    if text:
        parameter = {"type": "text", "text": text[:MAX_CAPTION]}
        template["components"] = [{"type": "body", "parameters": [parameter]}]
    client = GraphClient(str((channel.secrets or {}).get("access_token") or ""))
    try:
        wamid = _message(client, number, to, {"type": "template", "template": template}, None)
    except GraphError as exc:
        if exc.code not in TEMPLATE_ERRORS:
            raise
        raise TransportError(
            _(
                "WhatsApp refuse le modèle « %(name)s » (%(language)s) : vérifiez dans WhatsApp "
                "Manager qu'il est approuvé dans cette langue et qu'il attend une seule variable "
                "{{1}}. %(detail)s"
            )
            % {"name": name, "language": language, "detail": str(exc)},
            permanent=True,
        ) from None
    return SendResult(external_id=wamid, detail=_("modèle « %(name)s »") % {"name": name})


def _message(
    client: GraphClient, number: str, to: str, body: dict[str, Any], context: dict | None
) -> str:
    payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **body}
    if context:
        payload["context"] = context
    answer = client.post(f"{number}/messages", payload)
    messages = answer.get("messages")
    first = messages[0] if isinstance(messages, list) and messages else {}
    wamid = first.get("id") if isinstance(first, dict) else None
    if not isinstance(wamid, str) or not wamid:
        raise TransportError(_("Réponse de WhatsApp sans identifiant de message."))
    return wamid


def _upload(client: GraphClient, number: str, attachment: OutboundAttachment) -> str:
    answer = client.request(
        "POST",
        f"{number}/media",
        data={"messaging_product": "whatsapp", "type": attachment.content_type},
        files={"file": (attachment.filename, attachment.content, attachment.content_type)},
    )
    media_id = answer.get("id")
    if not isinstance(media_id, str | int) or not str(media_id):
        raise TransportError(_("Réponse de WhatsApp sans identifiant de fichier."))
    return str(media_id)


def _media_type(attachment: OutboundAttachment) -> str:
    """WhatsApp's message type for a file: photos as images (JPEG and PNG only), sound and video
    as such, anything else as a document."""
    content_type = attachment.content_type.lower()
    if content_type in ("image/jpeg", "image/png"):
        return "image"
    if content_type in ("audio/aac", "audio/mp4", "audio/mpeg", "audio/amr", "audio/ogg"):
        return "audio"
    if content_type in ("video/mp4", "video/3gpp"):
        return "video"
    return "document"


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]
