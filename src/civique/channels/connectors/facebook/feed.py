"""Comments under the Page's posts: ``entry[].changes[]`` with ``field: "feed"``.

Shape (Graph API Webhooks reference, Page topic, ``feed`` field)::

    {"field": "feed", "value": {"item": "comment", "verb": "add", "comment_id": "P_C",
     "post_id": "PAGE_P", "parent_id": "PAGE_P" | "P_C0", "created_time": 1742667604,
     "from": {"id": "…", "name": "…"}, "message": "…", "post": {"permalink_url": "…", …}}}

Only ``item: "comment"`` is read; posts, reactions, likes and shares are ignored. A comment's
thread is its top-level comment: ``parent_id`` is the post for a top-level comment and the
top-level comment for a reply (Facebook nests one level only).
"""

from __future__ import annotations

import hashlib
from typing import Any

from civique.channels.connectors.base import ParsedMessage, ParseError, Sender
from civique.channels.connectors.meta import as_dict, as_id, as_str, from_epoch

VERBS = {"add", "edited", "remove", "hide", "unhide"}


def _author(value: dict[str, Any]) -> tuple[str, str]:
    """``from: {id, name}``; older deliveries said ``sender_id`` and ``sender_name``."""
    author = value.get("from")
    if author is not None:
        author = as_dict(author, "from")
        return as_id(author.get("id"), "from.id"), as_str(author.get("name"), "from.name")
    return as_id(value.get("sender_id"), "sender_id"), as_str(
        value.get("sender_name"), "sender_name"
    )


def _edit_version(comment_id: str, value: dict[str, Any], text: str) -> str:
    """An id for this version of an edited comment: the same edit delivered twice has the same
    one, two successive edits do not."""
    digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]
    when = from_epoch(value.get("created_time"))
    stamp = str(int(when.timestamp())) if when else ""
    return f"{comment_id}#edit:{stamp}:{digest}"


def _meta(value: dict[str, Any], verb: str, post_id: str, parent_id: str) -> dict[str, Any]:
    post = value.get("post")
    post = as_dict(post, "post") if post is not None else {}
    meta: dict[str, Any] = {
        "platform": "facebook",
        "item": "comment",
        "verb": verb,
        "post_id": post_id,
        "parent_id": parent_id,
        "permalink": as_str(post.get("permalink_url"), "post.permalink_url"),
    }
    photo = as_str(value.get("photo"), "photo")
    if photo:
        meta["photo_url"] = photo
    return meta


def parse_change(change: Any, page_id: str) -> list[ParsedMessage]:
    """One ``changes[]`` item → zero or one ParsedMessage (a comment, its edit or removal, or
    its hiding by a moderator)."""
    change = as_dict(change, "changes[]")
    if change.get("field") != "feed":
        return []
    value = as_dict(change.get("value"), "value")
    verb = as_str(value.get("verb"), "verb")
    if value.get("item") != "comment" or verb not in VERBS:
        return []
    comment_id = as_id(value.get("comment_id"), "comment_id")
    if not comment_id:
        raise ParseError("Commentaire Facebook sans comment_id.")
    post_id = as_id(value.get("post_id"), "post_id")
    parent_id = as_id(value.get("parent_id"), "parent_id")
    is_reply = bool(parent_id) and parent_id != post_id
    author_id, author_name = _author(value)
    text = as_str(value.get("message"), "message")
    # The Page's own comments (its replies in a thread) are context, not requests.
    page_own = bool(page_id) and author_id == page_id
    meta = _meta(value, verb, post_id, parent_id)
    if page_own:
        meta.update(page_own=True, author_name=author_name)
    return [
        ParsedMessage(
            external_id=_edit_version(comment_id, value, text) if verb == "edited" else comment_id,
            edit_of=comment_id if verb == "edited" else "",
            removed=verb == "remove",
            hidden={"hide": True, "unhide": False}.get(verb),
            sender=None
            if page_own or not author_id
            else Sender("facebook", author_id, author_name),
            text=text,
            kind="comment",
            direction="out" if page_own else "in",
            visibility="public",
            thread_key=parent_id if is_reply else comment_id,
            in_reply_to=parent_id if is_reply else "",
            platform_timestamp=from_epoch(value.get("created_time")),
            meta=meta,
        )
    ]
