"""The post a comment was written under, as context for the agent: its text, link and date.

Meta's ``feed`` webhook names the post (its id and link) but not its text, so the text is read
from the Graph API (``GET /{post-id}?fields=message,permalink_url,created_time``) while the event
is parsed, before any transaction, once per post and delivery. Context is a help, not the
request: when the channel has no token, or the call fails for any reason, the comment is kept
without it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from civique.channels.connectors.base import ParsedMessage, TransportError
from civique.channels.connectors.graph import GraphClient

if TYPE_CHECKING:
    from civique.channels.models import Channel

logger = logging.getLogger(__name__)
MAX_POST_TEXT = 2000


def _read_post(client: GraphClient, post_id: str) -> dict[str, Any]:
    data = client.get(post_id, {"fields": "message,permalink_url,created_time"})
    return {
        "id": post_id,
        "text": str(data.get("message") or "")[:MAX_POST_TEXT],
        "permalink": str(data.get("permalink_url") or ""),
        "created_time": str(data.get("created_time") or ""),
    }


def add_post_context(channel: Channel, parsed: list[ParsedMessage]) -> None:
    """Give each new comment ``meta["post"]``: the text, link and date of its post."""
    token = str((channel.secrets or {}).get("page_access_token") or "")
    wanted = [
        item
        for item in parsed
        if item.meta.get("item") == "comment"
        and item.meta.get("verb") == "add"
        and item.meta.get("post_id")
    ]
    if not token or not wanted:
        return
    client = GraphClient(token)
    posts: dict[str, dict[str, Any] | None] = {}
    for item in wanted:
        post_id = item.meta["post_id"]
        if post_id not in posts:
            try:
                posts[post_id] = _read_post(client, post_id)
            except TransportError as exc:
                logger.debug("Publication %s non lue : %s", post_id, exc)
                posts[post_id] = None
        if posts[post_id] is not None:
            item.meta["post"] = posts[post_id]
