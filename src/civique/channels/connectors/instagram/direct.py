"""Instagram Direct conversations with the account: ``entry[].messaging[]``.

Read (Messenger Platform, *Webhooks for Instagram Messaging*; Instagram Platform, *Webhook
Notification Examples*): ``message`` (text, attachments, a reply to an earlier message; with
``is_echo`` it is what the account itself sent, from Civique or elsewhere: outbound context;
with ``is_deleted`` the person unsent it: ``removed``), ``message_edit`` (``edit_of`` the earlier
message) and ``postback`` (an ice breaker or a button tapped: its title is the text). Reactions,
reads (``messaging_seen``), referrals and the rest are ignored.

A person is known to the account by an Instagram-scoped id (IGSID), the same id that signs their
comments; their conversation's thread key is ``instagram:<IGSID>``. Attachments come as links to
Meta's servers: listed in ``meta`` and on the timeline, not downloaded (``parse`` makes no
network call). Instagram's message ids are long (about 180 characters), hence ``_mid``.
"""

from __future__ import annotations

from typing import Any

from civique.channels.connectors.base import ParsedMessage, ParseError, Sender
from civique.channels.connectors.meta import (
    as_dict,
    as_str,
    attachment_links,
    from_epoch,
    participant,
)

MAX_MID_LENGTH = 240  # Message.external_id holds 255, with room for "#edit:<n>"


def _mid(value: Any, what: str) -> str:
    text = as_str(value, what)
    if len(text) > MAX_MID_LENGTH:
        raise ParseError(f"Champ « {what} » : identifiant de plus de {MAX_MID_LENGTH} caractères.")
    return text


def _notices(message: dict[str, Any], attachments: list[dict[str, str]]) -> list[str]:
    notices = [
        f"Pièce jointe Instagram ({item['type'] or 'fichier'}) non téléchargée : {item['url']}"
        for item in attachments
        if item["url"]
    ]
    if message.get("is_unsupported") is True:
        notices.append(
            "Contenu qu'Instagram ne transmet pas aux applications (GIF, autocollant...) : "
            "consultez la conversation sur Instagram."
        )
    return notices


def _message(event: dict[str, Any], account_id: str) -> ParsedMessage:
    message = as_dict(event.get("message"), "message")
    mid = _mid(message.get("mid"), "message.mid")
    if not mid:
        raise ParseError("Message Instagram sans identifiant (mid).")
    echo = message.get("is_echo") is True or (
        bool(account_id) and participant(event, "sender") == account_id
    )
    # An echo goes from the account to the person: the person is the recipient.
    person = participant(event, "recipient" if echo else "sender")
    removed = message.get("is_deleted") is True
    attachments = [] if removed else attachment_links(message)
    reply_to = message.get("reply_to")
    reply_to = as_dict(reply_to, "reply_to") if reply_to is not None else {}
    meta: dict[str, Any] = {"platform": "instagram_direct"}
    if attachments:
        meta["attachments"] = attachments
    if echo:
        meta["page_own"] = True
    return ParsedMessage(
        external_id=mid,
        removed=removed,
        sender=None if echo or not person else Sender("instagram", person),
        text="" if removed else as_str(message.get("text"), "message.text"),
        direction="out" if echo else "in",
        thread_key=f"instagram:{person}" if person else "",
        in_reply_to=_mid(reply_to.get("mid"), "reply_to.mid"),
        platform_timestamp=from_epoch(event.get("timestamp")),
        meta=meta,
        notices=[] if removed else _notices(message, attachments),
    )


def _from_person(
    event: dict[str, Any], external_id: str, text: str, **fields: Any
) -> ParsedMessage:
    """A message the person wrote or chose (not an echo), on their conversation."""
    person = participant(event, "sender")
    return ParsedMessage(
        external_id=external_id,
        sender=Sender("instagram", person) if person else None,
        text=text,
        thread_key=f"instagram:{person}" if person else "",
        platform_timestamp=from_epoch(event.get("timestamp")),
        **fields,
    )


def _edit(event: dict[str, Any]) -> ParsedMessage:
    edit = as_dict(event.get("message_edit"), "message_edit")
    mid = _mid(edit.get("mid"), "message_edit.mid")
    if not mid:
        raise ParseError("Modification Instagram sans identifiant (mid).")
    number = as_str(edit.get("num_edit"), "message_edit.num_edit")
    if len(number) > 9:  # Instagram allows a few edits: the id stays within 255 characters
        raise ParseError("Champ « message_edit.num_edit » : nombre attendu.")
    return _from_person(
        event,
        f"{mid}#edit:{number}",
        as_str(edit.get("text"), "message_edit.text"),
        edit_of=mid,
        meta={"platform": "instagram_direct", "verb": "edited"},
    )


def _postback(event: dict[str, Any]) -> ParsedMessage:
    postback = as_dict(event.get("postback"), "postback")
    mid = _mid(postback.get("mid"), "postback.mid")
    if not mid:
        raise ParseError("Choix Instagram sans identifiant (mid).")
    return _from_person(
        event,
        mid,
        as_str(postback.get("title"), "postback.title"),
        meta={
            "platform": "instagram_direct",
            "postback_payload": as_str(postback.get("payload"), "postback.payload"),
        },
    )


def parse_messaging(event: Any, account_id: str) -> list[ParsedMessage]:
    """One ``messaging[]`` event → zero or one ParsedMessage."""
    event = as_dict(event, "messaging[]")
    if "message" in event:
        return [_message(event, account_id)]
    if "message_edit" in event:
        return [_edit(event)]
    if "postback" in event:
        return [_postback(event)]
    return []  # reaction, read, referral, optin...: nothing to answer
