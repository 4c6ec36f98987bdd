"""A satisfaction provider for the tests (what the satisfaction app will plug in)."""

from civique.reporting.satisfaction import SatisfactionFigures


def fixed_satisfaction(conversations, start, end) -> SatisfactionFigures:
    return SatisfactionFigures(answered=10, satisfied=8, neutral=1, dissatisfied=1)
