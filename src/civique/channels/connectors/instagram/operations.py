"""What the Instagram connector does on the platform, through the Graph API with the Page's token
(Instagram API with Facebook Login).

- ``reply_public``: ``POST /{ig-comment-id}/replies {message}`` (Instagram adds a reply to a
  reply under its top-level comment); under a mention, ``POST /{ig-user-id}/mentions
  {media_id, comment_id, message}``.
- ``hide`` / ``unhide``: ``POST /{ig-comment-id} {hide: true|false}``; ``delete``:
  ``DELETE /{ig-comment-id}``. Comments only: Instagram offers neither for a private message,
  nor for a comment under someone else's media (a mention).
- ``reply_private``: ``POST /{page-id}/messages {recipient: {comment_id}, message: {text}}``,
  once per comment and within 7 days of it.
- ``send``: ``POST /{page-id}/messages {recipient: {id: IGSID}, messaging_type, message}``
  within 24 hours of the person's last private message, with the ``HUMAN_AGENT`` tag up to 7
  days (``send_notice`` tells the agent before they write).

Late answers are refused before any call, with the reason and what to do instead; the Graph API's
own refusals are explained by ``graph.explain``. Every check uses only the operation: the inbox
tells when the comment was written (``OutboundOperation.answered_at``) and when the person last
wrote in private (``last_inbound_at``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from civique.channels.connectors.base import (
    OperationKind,
    OutboundOperation,
    SendResult,
    TransportError,
)
from civique.channels.connectors.graph import GraphClient
from civique.channels.connectors.instagram.comments import split_mention
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
    "Instagram pourra reprendre dès que la personne écrira de nouveau au compte."
)


def _messages_path(channel: Channel) -> str:
    """The Send API edge: the Page's (Messenger Platform), else the Instagram account's."""
    settings = channel.settings or {}
    owner = str(settings.get("page_id") or settings.get("ig_user_id") or "")
    if not owner:
        raise refuse(_("Réglez page_id (ou ig_user_id) sur ce canal pour écrire en privé."))
    return f"{owner}/messages"


def _no_attachments(operation: OutboundOperation) -> None:
    if operation.attachments:
        raise refuse(
            _(
                "Instagram n'accepte pas de fichier joint envoyé depuis Civique : retirez la "
                "pièce jointe et envoyez le texte seul."
            )
        )


def _sent(answer: dict[str, Any], key: str) -> SendResult:
    """What Meta accepted. An answer without the id is still a success: retrying would post
    twice (the reply then cannot be deleted from Civique, and the detail says why)."""
    external_id = str(answer.get(key) or "")
    return SendResult(
        external_id=external_id, detail="" if external_id else "Meta n'a renvoyé aucun id."
    )


def _confirmed(answer: dict[str, Any]) -> SendResult:
    if answer.get("success") is False:
        raise TransportError(_("Meta n'a pas confirmé l'opération : nouvel essai plus tard."))
    return SendResult(detail="ok")


def _comment_target(operation: OutboundOperation) -> str:
    """The comment a moderation acts on, or a clear refusal."""
    target = operation.target_id
    if split_mention(target) is not None:
        raise refuse(
            _(
                "Cette mention est publiée chez un autre compte : seul son propriétaire peut la "
                "masquer ou la supprimer."
            )
        )
    if operation.meta.get("platform") == "instagram_direct" or not target.isdigit():
        raise refuse(
            _(
                "Instagram ne permet de masquer ou de supprimer que des commentaires, pas des "
                "messages privés."
            )
        )
    return target


def reply_public(client: GraphClient, channel: Channel, operation: OutboundOperation) -> SendResult:
    _no_attachments(operation)
    answered = operation.in_reply_to
    if not answered:
        raise refuse(_("Aucun commentaire Instagram auquel répondre dans cette demande."))
    mention = split_mention(answered)
    if mention is None:
        return _sent(client.post(f"{answered}/replies", {"message": operation.text}), "id")
    media_id, comment_id = mention
    account = str((channel.settings or {}).get("ig_user_id") or "")
    if not account:
        raise refuse(_("Réglez ig_user_id sur ce canal pour répondre à une mention."))
    payload = {"media_id": media_id, "message": operation.text}
    if comment_id:
        payload["comment_id"] = comment_id
    return _sent(client.post(f"{account}/mentions", payload), "id")


def reply_private(
    client: GraphClient, channel: Channel, operation: OutboundOperation
) -> SendResult:
    _no_attachments(operation)
    comment_id = operation.in_reply_to
    if not comment_id or split_mention(comment_id) is not None or not comment_id.isdigit():
        raise refuse(
            _(
                "Instagram ne permet la réponse privée qu'à un commentaire publié sous une "
                "publication du compte."
            )
        )
    written = operation.answered_at
    if written is not None and timezone.now() - written > PRIVATE_REPLY_WINDOW:
        raise refuse(
            _(
                "Instagram n'autorise la réponse privée que dans les 7 jours qui suivent le "
                "commentaire, publié le %(date)s. Répondez en public sous le commentaire, ou "
                "invitez la personne à écrire au compte en message privé."
            )
            % {"date": local_moment(written)}
        )
    payload = {"recipient": {"comment_id": comment_id}, "message": {"text": operation.text}}
    return _sent(client.post(_messages_path(channel), payload), "message_id")


def messaging_window(last_inbound_at: datetime | None, now: datetime) -> dict[str, str]:
    """The ``messaging_type`` (and ``tag``) Instagram allows ``now``: a plain response within
    24 hours of the person's last private message, the HUMAN_AGENT tag up to 7 days; a
    TransportError saying why and what to do beyond, or when they never wrote in private."""
    if last_inbound_at is None:
        raise refuse(
            _(
                "Instagram ne permet d'écrire en privé qu'à une personne qui a d'abord écrit au "
                "compte, et aucun message privé de cette personne n'est connu ici. "
            )
            + _(OTHER_CHANNEL)
        )
    window = messaging_type(last_inbound_at, now)
    if window is not None:
        return window
    raise refuse(
        _(
            "La personne a écrit au compte Instagram pour la dernière fois le %(date)s : "
            "Instagram n'accepte une réponse que dans les 24 heures, ou dans les 7 jours pour "
            "une réponse écrite par un agent. "
        )
        % {"date": local_moment(last_inbound_at)}
        + _(OTHER_CHANNEL)
    )


def send_notice(last_inbound_at: datetime | None, now: datetime) -> str:
    """The window an Instagram answer written ``now`` falls in, told before it is written."""
    try:
        window = messaging_window(last_inbound_at, now)
    except TransportError as exc:
        return _("Cette réponse ne pourra pas partir par Instagram. %(why)s") % {"why": exc}
    if window["messaging_type"] == "RESPONSE" or last_inbound_at is None:
        return ""
    return _(
        "La personne a écrit il y a plus de 24 heures : la réponse partira avec l'étiquette "
        "« agent humain » d'Instagram, permise jusqu'au %(date)s, pour une réponse écrite "
        "par un agent."
    ) % {"date": local_moment(last_inbound_at + HUMAN_AGENT_WINDOW)}


def send(client: GraphClient, channel: Channel, operation: OutboundOperation) -> SendResult:
    _no_attachments(operation)
    recipient = operation.recipient
    if recipient is None or recipient.identity_kind != "instagram" or not recipient.value:
        raise refuse(
            _("Aucun identifiant Instagram connu pour cette personne : impossible de lui écrire.")
        )
    payload = {
        "recipient": {"id": recipient.value},
        **messaging_window(operation.last_inbound_at, timezone.now()),
        "message": {"text": operation.text},
    }
    return _sent(client.post(_messages_path(channel), payload), "message_id")


def hide(client: GraphClient, channel: Channel, operation: OutboundOperation) -> SendResult:
    return _confirmed(client.post(_comment_target(operation), {"hide": True}))


def unhide(client: GraphClient, channel: Channel, operation: OutboundOperation) -> SendResult:
    return _confirmed(client.post(_comment_target(operation), {"hide": False}))


def delete(client: GraphClient, channel: Channel, operation: OutboundOperation) -> SendResult:
    return _confirmed(client.delete(_comment_target(operation)))


Operation = Callable[[GraphClient, "Channel", OutboundOperation], SendResult]

OPERATIONS: dict[str, Operation] = {
    OperationKind.SEND: send,
    OperationKind.REPLY_PUBLIC: reply_public,
    OperationKind.REPLY_PRIVATE: reply_private,
    OperationKind.HIDE: hide,
    OperationKind.UNHIDE: unhide,
    OperationKind.DELETE: delete,
}
