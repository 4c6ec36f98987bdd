"""Who moderates what, and the permission-checked fetches of the queue's cases.

Least privilege by team: administrators moderate every channel; supervisors the channels their
teams own; other agents only when their team is listed as a moderator team (« services
modérateurs »), and only for that team's channels. Reading the text of a comment with health
data is reserved to administrators and supervisors; others see a placeholder.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from civique.inbox.access import can_read_text
from civique.moderation.models import ModerationCase, ModeratorTeam


def moderated_team_ids(user) -> list[int] | None:
    """The teams whose channels ``user`` moderates; None for all (administrators)."""
    if not user.is_authenticated:
        return []
    if user.is_administrator:
        return None
    teams = user.teams.all()
    if user.is_supervisor:
        return list(teams.values_list("pk", flat=True))
    return list(ModeratorTeam.objects.filter(team__in=teams).values_list("team_id", flat=True))


def can_moderate(user) -> bool:
    teams = moderated_team_ids(user)
    return teams is None or bool(teams)


def check_can_moderate(user) -> None:
    if not can_moderate(user):
        raise PermissionDenied("Vous n'avez pas le droit de modérer.")


def cases_for(user) -> QuerySet[ModerationCase]:
    qs = ModerationCase.objects.select_related(
        "message",
        "message__channel",
        "message__conversation",
        "message__author_contact",
        "charter_rule",
        "escalated_to",
    ).prefetch_related("message__deliveries")
    teams = moderated_team_ids(user)
    if teams is None:
        return qs
    if not user.is_authenticated:
        return qs.none()
    # A case escalated (or flagged) to someone is theirs to see, whatever team they are in.
    return qs.filter(Q(message__channel__team__in=teams) | Q(escalated_to=user))


def access_case(user, pk: int) -> ModerationCase:
    check_can_moderate(user)
    case = cases_for(user).filter(pk=pk).first()
    if case is None:
        raise Http404("Commentaire introuvable dans la file de modération.")
    return case


def can_read_sensitive(user, case: ModerationCase) -> bool:
    """Health data stays readable by administrators and supervisors (of the case's team, since
    ``cases_for`` shows them no other), as everywhere in the back office."""
    return can_read_text(user, case.message)
