"""Messenger conversations with the Page: ``entry[].messaging[]``.

Read (Messenger Platform, Webhook Events Reference): ``messages`` (text, attachments, a reply to
an earlier message), ``messaging_postbacks`` (a button tapped: its title is the text),
``message_edits`` (``edit_of`` the earlier message) and ``message_echoes`` (what the Page itself
sent, from Civique or elsewhere: kept as outbound context, never as a request). Reads,
deliveries, reactions and the rest are ignored.

A person is known to the Page by a Page-scoped id (PSID); their conversation's thread key is
``messenger:<PSID>``. Attachments come as links to Meta's servers; they are listed in ``meta``
and on the timeline, not downloaded here (``parse`` makes no network call).
"""

from __future__ import annotations

from typing import Any

from civique.channels.connectors.base import ParsedMessage, ParseError, Sender
from civique.channels.connectors.meta import (
    as_dict,
    as_id,
    as_str,
    attachment_links,
    from_epoch,
    participant,
)


def _message(event: dict[str, Any], page_id: str) -> ParsedMessage:
    message = as_dict(event.get("message"), "message")
    mid = as_id(message.get("mid"), "message.mid")
    if not mid:
        raise ParseError("Message Messenger sans identifiant (mid).")
    echo = bool(message.get("is_echo")) or (
        bool(page_id) and participant(event, "sender") == page_id
    )
    # An echo goes from the Page to the person: the person is the recipient.
    person = participant(event, "recipient" if echo else "sender")
    attachments = attachment_links(message)
    reply_to = message.get("reply_to")
    reply_to = as_dict(reply_to, "reply_to") if reply_to is not None else {}
    meta: dict[str, Any] = {"platform": "messenger"}
    if attachments:
        meta["attachments"] = attachments
    if echo:
        meta.update(page_own=True, app_id=as_str(message.get("app_id"), "app_id"))
    return ParsedMessage(
        external_id=mid,
        sender=None if echo or not person else Sender("facebook", person),
        text=as_str(message.get("text"), "message.text"),
        direction="out" if echo else "in",
        thread_key=f"messenger:{person}" if person else "",
        in_reply_to=as_id(reply_to.get("mid"), "reply_to.mid"),
        platform_timestamp=from_epoch(event.get("timestamp")),
        meta=meta,
        notices=[
            f"Pièce jointe Messenger ({item['type'] or 'fichier'}) non téléchargée : {item['url']}"
            for item in attachments
            if item["url"]
        ],
    )


def _postback(event: dict[str, Any]) -> ParsedMessage:
    postback = as_dict(event.get("postback"), "postback")
    person = participant(event, "sender")
    return ParsedMessage(
        external_id=as_id(postback.get("mid"), "postback.mid"),
        sender=Sender("facebook", person) if person else None,
        text=as_str(postback.get("title"), "postback.title"),
        thread_key=f"messenger:{person}" if person else "",
        platform_timestamp=from_epoch(event.get("timestamp")),
        meta={
            "platform": "messenger",
            "postback_payload": as_str(postback.get("payload"), "postback.payload"),
        },
    )


def _edit(event: dict[str, Any]) -> ParsedMessage:
    """``message_edit``: the person changed an earlier message (five times at most)."""
    edit = as_dict(event.get("message_edit"), "message_edit")
    mid = as_id(edit.get("mid"), "message_edit.mid")
    if not mid:
        raise ParseError("Modification Messenger sans identifiant (mid).")
    person = participant(event, "sender")
    number = as_str(edit.get("num_edit"), "message_edit.num_edit")
    return ParsedMessage(
        external_id=f"{mid}#edit:{number}",
        edit_of=mid,
        sender=Sender("facebook", person) if person else None,
        text=as_str(edit.get("text"), "message_edit.text"),
        thread_key=f"messenger:{person}" if person else "",
        platform_timestamp=from_epoch(event.get("timestamp")),
        meta={"platform": "messenger", "verb": "edited"},
    )


def parse_messaging(event: Any, page_id: str) -> list[ParsedMessage]:
    """One ``messaging[]`` event → zero or one ParsedMessage."""
    event = as_dict(event, "messaging[]")
    if "message" in event:
        return [_message(event, page_id)]
    if "postback" in event:
        return [_postback(event)]
    if "message_edit" in event:
        return [_edit(event)]
    return []  # read, delivery, reaction, optin, referral...: nothing to answer
