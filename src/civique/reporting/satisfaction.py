"""The dashboard's satisfaction figures, from the surveys of ``civique.satisfaction``.

A survey's score is 1 to 5; Services Publics+ counts 4 and 5 as satisfied, 3 as neither, 1 and
2 as dissatisfied, and publishes the satisfaction rate (satisfied / answers) and the net rate
(satisfied − dissatisfied, over the answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from civique.satisfaction.reporting import figures


@dataclass(frozen=True)
class SatisfactionFigures:
    sent: int
    answered: int
    satisfied: int
    neutral: int
    dissatisfied: int
    mean_score: float | None = None
    by_score: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # answers scoring 1..5

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.answered if self.answered else None

    @property
    def net(self) -> float | None:
        """Taux net de satisfaction: satisfied minus dissatisfied, over all answers."""
        return (self.satisfied - self.dissatisfied) / self.answered if self.answered else None

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None


def satisfaction_figures(
    conversations, start: datetime, end: datetime
) -> SatisfactionFigures | None:
    """The surveys offered in [start, end) on ``conversations``; None when none was offered."""
    found = figures(conversations, start, end)
    if not found["sent"]:
        return None
    spread = found["distribution"]
    return SatisfactionFigures(
        sent=found["sent"],
        answered=found["answered"],
        satisfied=spread[4] + spread[5],
        neutral=spread[3],
        dissatisfied=spread[1] + spread[2],
        mean_score=found["mean_score"],
        by_score=tuple(spread[score] for score in range(1, 6)),
    )
