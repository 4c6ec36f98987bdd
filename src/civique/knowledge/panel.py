"""The knowledge base's place in the back office: the suggestions panel of the conversation
page and the « Connaissances » link, registered into the inbox (inbox/extensions.py) so that
the inbox never imports the knowledge base."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from civique.inbox.extensions import register_nav, register_panel
from civique.inbox.models import Conversation, Direction
from civique.knowledge import search
from civique.knowledge.models import EntryKind

MAX_QUERY_CHARS = 2000


def message_text(conversation: Conversation) -> str:
    """What the suggestions answer: the subject and the latest message received."""
    latest = (
        conversation.messages.filter(direction=Direction.INBOUND)
        .order_by("-created_at", "-id")
        .only("text")
        .first()
    )
    return f"{conversation.subject} {latest.text if latest else ''}"[:MAX_QUERY_CHARS]


def suggestions_context(request: HttpRequest, conversation: Conversation) -> dict:
    query = message_text(conversation)
    hits = search.search(query, user=request.user, category_id=conversation.category_id, limit=3)
    return {
        "conversation": conversation,
        "hits": hits,
        # The select of the no-JavaScript insertion: the templates' search entries.
        "templates": list(
            search.visible_entries(user=request.user, kinds=[EntryKind.TEMPLATE])
            .order_by("title")
            .values("pk", "title")[:300]
        ),
        "redirections": list(conversation.redirections.select_related("institution")),
        "can_reply": conversation.channel.connector.can_reply,
    }


def register() -> None:
    register_panel("knowledge", "knowledge/partials/suggestions.html", suggestions_context)
    register_nav("knowledge", _("Connaissances"), "knowledge:home", "knowledge")
