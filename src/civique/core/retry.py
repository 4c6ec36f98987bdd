from datetime import timedelta

from django.conf import settings


def backoff(attempts: int) -> timedelta:
    """Wait after attempt ``attempts``: base, 2×base, 4×base... capped at one hour
    (base: CIVIQUE_RETRY_BASE_SECONDS, 30 s by default)."""
    base = settings.CIVIQUE_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))
