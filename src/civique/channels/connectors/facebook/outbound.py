"""What a Facebook Page does on Facebook: answer, moderate, write in Messenger.

Every call goes through ``GraphClient`` with the channel's ``page_access_token`` (Graph API
references: « Comment » — Updating, Deleting —, « /{object-id}/comments » — Publishing —,
Messenger Platform « Send API » and « Private Replies »):

- public reply to a comment: ``POST /{comment-id}/comments {message}`` → ``{"id"}``, under the
  thread's top-level comment (Facebook nests one level: a reply to a reply goes under it);
- private reply to a comment: ``POST /{page-id}/messages`` with ``recipient: {comment_id}``
  → ``{"recipient_id", "message_id"}``; once per comment, within 7 days of the comment;
- block a comment's author from the Page: ``POST /{page-id}/blocked {user}`` (« Page Blocked »);
- hide and show again: ``POST /{comment-id} {is_hidden}``; edit one of our replies:
  ``POST /{comment-id} {message}``; delete: ``DELETE /{comment-id}`` (all → ``{"success"}``);
- Messenger: ``POST /{page-id}/messages`` with ``recipient: {id: PSID}``, ``messaging_type``
  ``RESPONSE`` within 24 hours of the person's last message, ``MESSAGE_TAG`` with the
  ``HUMAN_AGENT`` tag up to 7 days; refused here beyond. Attachments are uploaded one message
  each (``filedata``, multipart), after the text.

The inbox decides every date these rules need (``OutboundOperation.answered_at``,
``last_inbound_at``): nothing here queries our database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from civique.channels.connectors.base import (
    OperationKind,
    OutboundAttachment,
    OutboundOperation,
    SendResult,
    TransportError,
)
from civique.channels.connectors.graph import GraphClient
from civique.channels.connectors.meta import (
    HUMAN_AGENT_WINDOW,
    PRIVATE_REPLY_WINDOW,
    local_moment,
    messaging_type,
    refuse,
)

if TYPE_CHECKING:
    from civique.channels.models import Channel

OTHER_CHANNEL = gettext_noop(
    "Répondez par un autre canal de l'usager (courriel, téléphone, courrier) ; la conversation "
    "Messenger pourra reprendre dès que la personne écrira de nouveau à la Page."
)


def _client(channel: Channel) -> GraphClient:
    return GraphClient(str((channel.secrets or {}).get("page_access_token") or ""))


def _page(channel: Channel) -> str:
    return str((channel.settings or {}).get("page_id") or "me")


def _target(operation: OutboundOperation) -> str:
    """The comment acted on; private Messenger messages cannot be moderated through the API."""
    if operation.meta.get("platform") == "messenger":
        raise refuse(
            _(
                "Messenger ne permet pas de masquer, modifier ou supprimer un message privé "
                "depuis une application : seuls les commentaires publics le peuvent."
            )
        )
    if not operation.target_id:
        raise refuse(_("Ce message n'a pas d'identifiant Facebook : rien à modifier."))
    return operation.target_id


# --- Comments --------------------------------------------------------------------------------


def reply_public(channel: Channel, operation: OutboundOperation) -> SendResult:
    """Answer under the thread's top-level comment (the answered comment's parent when it is
    itself a reply: ``parent_id`` other than the post)."""
    comment = operation.in_reply_to
    parent = str(operation.answered_meta.get("parent_id") or "")
    post = str(operation.answered_meta.get("post_id") or "")
    if parent and parent != post:
        comment = parent
    if not comment:
        raise refuse(_("Aucun commentaire à qui répondre dans cette demande."))
    answer = _client(channel).post(f"{comment}/comments", {"message": operation.text})
    return SendResult(external_id=str(answer.get("id") or ""))


def reply_private(channel: Channel, operation: OutboundOperation) -> SendResult:
    comment = operation.in_reply_to
    if not comment:
        raise refuse(_("Aucun commentaire à qui répondre en privé."))
    written = operation.answered_at
    if written is not None and timezone.now() - written > PRIVATE_REPLY_WINDOW:
        raise refuse(
            _(
                "Facebook n'autorise une réponse privée à un commentaire que dans les 7 jours "
                "qui suivent sa publication, et ce commentaire date du %(date)s. Répondez-lui "
                "en public sous le commentaire, ou par un autre canal de l'usager (courriel, "
                "téléphone)."
            )
            % {"date": local_moment(written)}
        )
    answer = _client(channel).post(
        f"{_page(channel)}/messages",
        {"recipient": {"comment_id": comment}, "message": {"text": operation.text}},
    )
    return SendResult(external_id=str(answer.get("message_id") or ""))


def hide(channel: Channel, operation: OutboundOperation) -> SendResult:
    _client(channel).post(_target(operation), {"is_hidden": True})
    return SendResult()


def unhide(channel: Channel, operation: OutboundOperation) -> SendResult:
    _client(channel).post(_target(operation), {"is_hidden": False})
    return SendResult()


def delete(channel: Channel, operation: OutboundOperation) -> SendResult:
    _client(channel).delete(_target(operation))
    return SendResult()


def block(channel: Channel, operation: OutboundOperation) -> SendResult:
    """Ban the comment's author from the Page: ``POST /{page-id}/blocked {user}`` → a map of
    the id to ``true`` (Graph API reference « Page Blocked », Creating)."""
    recipient = operation.recipient
    if recipient is None or recipient.identity_kind != "facebook" or not recipient.value:
        raise refuse(_("L'auteur de ce commentaire n'a pas d'identifiant Facebook connu."))
    answer = _client(channel).post(f"{_page(channel)}/blocked", {"user": recipient.value})
    if answer.get(recipient.value) is False:
        raise refuse(_("Facebook n'a pas bloqué cette personne."))
    return SendResult()


def edit(channel: Channel, operation: OutboundOperation) -> SendResult:
    _client(channel).post(_target(operation), {"message": operation.text})
    return SendResult(external_id=operation.target_id)


# --- Messenger -------------------------------------------------------------------------------


def messaging_window(last_inbound_at: datetime | None, now: datetime) -> dict[str, str]:
    """The ``messaging_type`` (and ``tag``) Messenger allows ``now``; TransportError beyond."""
    if last_inbound_at is None:
        raise refuse(
            _(
                "Messenger ne permet d'écrire qu'à une personne qui a d'abord écrit à la Page, "
                "et aucun message privé de cette personne n'est connu ici. "
            )
            + _(OTHER_CHANNEL)
        )
    window = messaging_type(last_inbound_at, now)
    if window is not None:
        return window
    raise refuse(
        _(
            "Messenger refuse les messages envoyés plus de 7 jours après le dernier message de "
            "la personne (le %(date)s) : Meta protège ainsi ses utilisateurs des messages qu'ils "
            "n'attendent plus. "
        )
        % {"date": local_moment(last_inbound_at)}
        + _(OTHER_CHANNEL)
    )


def send_notice(last_inbound_at: datetime | None, now: datetime) -> str:
    """The window a Messenger answer written ``now`` falls in, told before it is written."""
    try:
        window = messaging_window(last_inbound_at, now)
    except TransportError as exc:
        return _("Cette réponse ne pourra pas partir par Messenger. %(why)s") % {"why": exc}
    if window["messaging_type"] == "RESPONSE" or last_inbound_at is None:
        return ""
    return _(
        "La personne a écrit il y a plus de 24 heures : la réponse partira avec l'étiquette "
        "« agent humain » de Messenger, permise jusqu'au %(date)s, pour une réponse écrite "
        "par un agent."
    ) % {"date": local_moment(last_inbound_at + HUMAN_AGENT_WINDOW)}


ATTACHMENT_TYPES = {"image": "image", "video": "video", "audio": "audio"}


def _attachment_type(attachment: OutboundAttachment) -> str:
    return ATTACHMENT_TYPES.get(attachment.content_type.split("/")[0], "file")


def send(channel: Channel, operation: OutboundOperation) -> SendResult:
    """A Messenger message to the conversation's person: the text, then each attachment."""
    recipient = operation.recipient
    if recipient is None or recipient.identity_kind != "facebook" or not recipient.value:
        raise refuse(_("Aucun identifiant Messenger connu pour cet usager : rien n'est envoyé."))
    window = messaging_window(operation.last_inbound_at, timezone.now())
    client = _client(channel)
    path = f"{_page(channel)}/messages"
    to = {"id": recipient.value}
    first = ""
    if operation.text.strip():
        answer = client.post(path, {"recipient": to, **window, "message": {"text": operation.text}})
        first = str(answer.get("message_id") or "")
    for attachment in operation.attachments:
        message = {"attachment": {"type": _attachment_type(attachment), "payload": {}}}
        fields: dict[str, Any] = {
            "recipient": json.dumps(to),
            "message": json.dumps(message),
            **window,
        }
        upload = (attachment.filename, attachment.content, attachment.content_type)
        answer = client.request("POST", path, data=fields, files={"filedata": upload})
        first = first or str(answer.get("message_id") or "")
    if not first:
        raise refuse(_("Message vide : rien n'est envoyé."))
    return SendResult(external_id=first)


PERFORMERS: dict[str, Callable[[Channel, OutboundOperation], SendResult]] = {
    OperationKind.SEND: send,
    OperationKind.REPLY_PUBLIC: reply_public,
    OperationKind.REPLY_PRIVATE: reply_private,
    OperationKind.HIDE: hide,
    OperationKind.UNHIDE: unhide,
    OperationKind.DELETE: delete,
    OperationKind.EDIT: edit,
    OperationKind.BLOCK: block,
}
