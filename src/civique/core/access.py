"""Who may see what. ``access_*`` functions are the only way views fetch protected objects.

An administrator sees everything; a supervisor or an agent sees the conversations of the teams
they belong to (supervisors may also reassign within them — see inbox.access).
"""

from __future__ import annotations

from django.db.models import QuerySet

from civique.core.models import Team


def visible_teams(user) -> QuerySet[Team]:
    if user.is_administrator:
        return Team.objects.all()
    return user.teams.all()
