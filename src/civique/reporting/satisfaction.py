"""The hook through which satisfaction surveys reach the dashboard, without a dependency on them.

The satisfaction app sits below reporting, so reporting may not be imported by it, and reporting
must work without it. The setting ``CIVIQUE_REPORTING_SATISFACTION`` names a callable
(``"package.module.function"``; empty: no satisfaction section) called as
``figures(conversations, start, end)`` with the queryset of the conversations the dashboard
covers (already limited to what the user may see and to the filters) and the period's bounds.
It returns None (nothing to show) or an object with integer attributes ``answered``,
``satisfied``, ``neutral`` and ``dissatisfied`` (answers to « Globalement, êtes-vous satisfait
de la qualité de service ? », Services Publics+), for instance a ``SatisfactionFigures``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SatisfactionFigures:
    answered: int
    satisfied: int
    neutral: int
    dissatisfied: int

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.answered if self.answered else None

    @property
    def net(self) -> float | None:
        """Taux net de satisfaction: satisfied minus dissatisfied, over all answers."""
        return (self.satisfied - self.dissatisfied) / self.answered if self.answered else None


def satisfaction_figures(
    conversations, start: datetime, end: datetime
) -> SatisfactionFigures | None:
    """What the configured provider gives, or None without one."""
    path = getattr(settings, "CIVIQUE_REPORTING_SATISFACTION", "")
    if not path:
        return None
    found = import_string(path)(conversations, start, end)
    if found is None:
        return None
    return SatisfactionFigures(
        answered=int(found.answered),
        satisfied=int(found.satisfied),
        neutral=int(found.neutral),
        dissatisfied=int(found.dissatisfied),
    )
