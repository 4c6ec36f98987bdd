"""Comments on the account's media and @mentions of the account: ``entry[].changes[]``.

Shapes (Graph API, *Webhooks Reference — Instagram*; Instagram Platform, *Webhook Notification
Examples* and *Mentions*)::

    {"field": "comments", "value": {"id": "<comment>", "text": "…", "parent_id": "<comment>",
     "from": {"id": "<IGSID>", "username": "…"},
     "media": {"id": "<media>", "media_product_type": "FEED" | "REELS" | "AD" | …}}}
    {"field": "mentions", "value": {"media_id": "<media>", "comment_id": "<comment>"}}

A comment carries no date: its date is the entry's ``time`` (when Meta sent the notification,
seconds after the comment). Instagram nests one level: ``parent_id`` names the top-level comment
of a reply, which is the thread. Comments on a live broadcast (``live_comments``) are ignored.

A mention carries only ids (a comment on someone else's media, or a caption when ``comment_id``
is absent): the message says so in French and keeps the ids; reading the text would need a call
to the platform, which ``parse`` never makes. Its external id ``mention:<media>[:<comment>]``
cannot collide with a comment's, and tells ``perform`` where to answer.
"""

from __future__ import annotations

from typing import Any

from civique.channels.connectors.base import ParsedMessage, ParseError, Sender
from civique.channels.connectors.meta import as_dict, as_id, as_str, from_epoch

MENTION_PREFIX = "mention:"


def mention_id(media_id: str, comment_id: str) -> str:
    return f"{MENTION_PREFIX}{media_id}:{comment_id}" if comment_id else MENTION_PREFIX + media_id


def split_mention(external_id: str) -> tuple[str, str] | None:
    """(media id, comment id or "") of a mention's external id; None for anything else."""
    if not external_id.startswith(MENTION_PREFIX):
        return None
    media_id, _sep, comment_id = external_id[len(MENTION_PREFIX) :].partition(":")
    return media_id, comment_id


def _media(value: dict[str, Any]) -> dict[str, str]:
    media = value.get("media")
    media = as_dict(media, "media") if media is not None else {}
    found = {
        "media_id": as_id(media.get("id"), "media.id"),
        "media_product_type": as_str(media.get("media_product_type"), "media.media_product_type"),
        "ad_id": as_id(media.get("ad_id"), "media.ad_id"),
        "ad_title": as_str(media.get("ad_title"), "media.ad_title"),
        "permalink": as_str(media.get("permalink"), "media.permalink"),
    }
    return {key: text for key, text in found.items() if text}


def _comment(value: dict[str, Any], account_id: str, sent_at: Any) -> ParsedMessage:
    comment_id = as_id(value.get("id"), "id")
    if not comment_id:
        raise ParseError("Commentaire Instagram sans identifiant (id).")
    author = value.get("from")
    author = as_dict(author, "from") if author is not None else {}
    author_id = as_id(author.get("id"), "from.id")
    username = as_str(author.get("username"), "from.username")
    parent_id = as_id(value.get("parent_id"), "parent_id")
    # The account's own comments (its replies in a thread) are context, not requests.
    own = bool(account_id) and author_id == account_id
    meta: dict[str, Any] = {"platform": "instagram", "item": "comment", **_media(value)}
    if parent_id:
        meta["parent_id"] = parent_id
    if own:
        meta.update(page_own=True, author_name=username)
    return ParsedMessage(
        external_id=comment_id,
        sender=None if own or not author_id else Sender("instagram", author_id, username),
        text=as_str(value.get("text"), "text"),
        kind="comment",
        direction="out" if own else "in",
        visibility="public",
        thread_key=parent_id or comment_id,
        in_reply_to=parent_id,
        platform_timestamp=from_epoch(value.get("timestamp") or sent_at),
        meta=meta,
    )


def _mention(value: dict[str, Any], sent_at: Any) -> ParsedMessage:
    media_id = as_id(value.get("media_id"), "media_id")
    comment_id = as_id(value.get("comment_id"), "comment_id")
    if not media_id:
        raise ParseError("Mention Instagram sans publication (media_id).")
    if comment_id:
        text = (
            f"Mention du compte (@) dans un commentaire Instagram (commentaire {comment_id}, "
            f"publication {media_id}). Instagram n'en transmet pas le texte : "
            "consultez la publication sur Instagram."
        )
    else:
        text = (
            f"Mention du compte (@) dans la légende d'une publication Instagram ({media_id}). "
            "Instagram n'en transmet pas le texte : consultez la publication sur Instagram."
        )
    external_id = mention_id(media_id, comment_id)
    return ParsedMessage(
        external_id=external_id,
        sender=None,  # Instagram names neither the author nor the text
        text=text,
        kind="comment",
        visibility="public",
        thread_key=external_id,
        platform_timestamp=from_epoch(sent_at),
        meta={
            "platform": "instagram",
            "item": "mention",
            "media_id": media_id,
            "comment_id": comment_id,
        },
    )


def parse_change(change: Any, account_id: str, sent_at: Any) -> list[ParsedMessage]:
    """One ``changes[]`` item → zero or one ParsedMessage. ``sent_at`` is the entry's time."""
    change = as_dict(change, "changes[]")
    field = change.get("field")
    if field == "comments":
        return [_comment(as_dict(change.get("value"), "value"), account_id, sent_at)]
    if field == "mentions":
        return [_mention(as_dict(change.get("value"), "value"), sent_at)]
    return []  # live_comments, story_insights...: nothing to answer here
