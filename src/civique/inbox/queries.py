"""The inbox query: filters, full-text search and sorting, shared by the back office and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, QuerySet

from civique.inbox.access import conversations_for
from civique.inbox.models import Conversation, Message

SORTS = {
    "waiting": [F("waiting_since").asc(nulls_last=True), "-id"],
    "recent": [F("last_message_at").desc(nulls_last=True), "-id"],
    "oldest": ["created_at", "id"],
    "priority": ["-priority", F("waiting_since").asc(nulls_last=True)],
    "due": [F("next_due_at").asc(nulls_last=True), "-id"],
}
# Breach states a filter accepts (SlaState values).
SLA_FILTERS = ("ok", "at_risk", "breached", "paused", "met")


@dataclass
class InboxFilters:
    channel: int | None = None
    status: str = ""  # a Status value, or "active" for new+open+pending
    team: int | None = None
    assignee: str = ""  # "me", "none", or a user id
    visibility: str = ""
    category: int | None = None
    q: str = ""
    sort: str = "waiting"
    sla_state: str = ""  # a SlaState value, or "late" for at risk and breached


def _search(qs: QuerySet[Conversation], q: str, user) -> QuerySet[Conversation]:
    """Conversations matching ``q``; the text of a message with health data (``meta
    ["sensitive"]``) is searched only for those who may read it (see ``can_read_text``)."""
    q = q.strip()
    if not q:
        return qs
    if q.upper().startswith(settings.CIVIQUE_REFERENCE_PREFIX.upper() + "-"):
        number = q.split("-", 1)[1]
        if number.isdigit():
            return qs.filter(pk=int(number))
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchQuery, SearchVector

        query = SearchQuery(q, config="french", search_type="websearch")
        matching_messages = (
            _searchable_messages(user)
            .annotate(sv=SearchVector("subject", "text", config="french"))
            .filter(sv=query)
        )
        matching = Conversation.objects.annotate(
            sv=SearchVector("subject", "contact__display_name", config="french")
        ).filter(sv=query)
        return qs.filter(
            Q(pk__in=matching.values("pk")) | Q(pk__in=matching_messages.values("conversation_id"))
        )
    # SQLite: every word must appear somewhere (subject, contact, or a message).
    for word in q.split():
        in_messages = (
            _searchable_messages(user)
            .filter(Q(text__icontains=word) | Q(subject__icontains=word))
            .values("conversation_id")
        )
        qs = qs.filter(
            Q(subject__icontains=word)
            | Q(contact__display_name__icontains=word)
            | Q(contact__identities__value__icontains=word)
            | Q(pk__in=in_messages)
        )
    return qs.distinct()


def _searchable_messages(user) -> QuerySet[Message]:
    if user.is_administrator or user.is_supervisor:
        return Message.objects.all()
    return Message.objects.exclude(meta__has_key="sensitive")


def inbox_queryset(user, filters: InboxFilters) -> QuerySet[Conversation]:
    qs = conversations_for(user)
    if filters.channel:
        qs = qs.filter(channel_id=filters.channel)
    if filters.status == "active":
        qs = qs.filter(status__in=["new", "open", "pending"])
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.assignee == "me":
        qs = qs.filter(assignee=user)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.visibility:
        qs = qs.filter(visibility=filters.visibility)
    if filters.category:
        qs = qs.filter(category_id=filters.category)
    if filters.sla_state == "late":
        qs = qs.filter(sla_state__in=["at_risk", "breached"])
    elif filters.sla_state in SLA_FILTERS:
        qs = qs.filter(sla_state=filters.sla_state)
    qs = _search(qs, filters.q, user)
    return qs.order_by(*SORTS.get(filters.sort, SORTS["waiting"]))
