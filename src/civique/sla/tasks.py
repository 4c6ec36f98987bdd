"""Background tasks of the sla app (Django Tasks API)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from civique.sla.team_actions import REFRESH_LIMIT, refresh_open_commitments


@task()
def refresh_commitments_after(team_id: int | None, after: int) -> int:
    """Re-evaluate the open conversations of a team (None: every team) past the pk ``after``,
    a batch per transaction, after a change of hours, closures or policies too large for the
    request that made it. Returns the number of batches; running it twice only repeats work."""
    done = 0
    while True:
        with transaction.atomic():
            last = refresh_open_commitments(team_id, after=after, limit=REFRESH_LIMIT, queue=False)
        if not last:
            return done
        done += 1
        after = last
