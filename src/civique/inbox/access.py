"""Permission-checked fetches of conversations. Views and the API go through these only."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_noop

from civique.inbox.models import Conversation, Message


def conversations_for(user) -> QuerySet[Conversation]:
    """Administrators see everything; others the conversations of their teams."""
    qs = Conversation.objects.select_related("channel", "contact", "team", "assignee", "category")
    if user.is_administrator:
        return qs
    return qs.filter(team__in=user.teams.all())


def access_conversation(user, pk: int) -> Conversation:
    conversation = conversations_for(user).filter(pk=pk).first()
    if conversation is None:
        raise Http404("Demande introuvable.")
    return conversation


def access_message(user, pk: int) -> Message:
    """A message of a conversation ``user`` may see; 404 otherwise, as for its conversation."""
    message = (
        Message.objects.select_related("conversation", "channel")
        .filter(pk=pk, conversation__in=conversations_for(user).values("pk"))
        .first()
    )
    if message is None:
        raise Http404("Message introuvable.")
    return message


def can_manage_team(user, conversation: Conversation) -> bool:
    """Transfers to another team and assignment of someone else: supervisors and administrators."""
    return user.is_administrator or (user.is_supervisor and conversation.team in user.teams.all())


SENSITIVE_PLACEHOLDER = gettext_noop("Contenu masqué : données de santé")


def can_read_text(user, message: Message) -> bool:
    """A message flagged sensitive (``meta["sensitive"]``: health data, set by moderation) is
    readable by administrators and supervisors only; others get a placeholder."""
    if not (message.meta or {}).get("sensitive"):
        return True
    return bool(user.is_administrator or user.is_supervisor)
