"""Failure throttling that nobody can turn into a lock-out.

Only failures count, and each counter is keyed by what is tried *and* the address trying it, so
that an attacker's failures hold back the attacker's address and nobody else. After a number of
free failures, each further one makes that key wait before its next attempt, a delay that doubles
up to a ceiling; a success resets the key. State lives in the default cache (process memory in
the embedded profile, Redis with ``CIVIQUE_REDIS_URL``), the key being a hash, never the name or
email tried. Reading then writing is not atomic: two simultaneous failures may count as one,
which only ever errs towards the person signing in.

``take`` is the other kind: a request budget (every request counts, not only failures), in
fixed windows, counted with the cache's atomic increment, for the API's per-token limit.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Policy:
    free: int  # failures allowed before any delay
    window: int  # seconds a failure is remembered after the last one
    first_delay: int  # seconds refused after the first failure beyond ``free``
    max_delay: int  # the delay doubles up to this


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/15m"`` -> (10, 900): the django-ratelimit notation the settings already use."""
    match = re.fullmatch(r"(\d+)/(\d*)([smhd])", rate)
    if match is None:
        raise ValueError(f"Invalid rate {rate!r}, expected e.g. '10/15m'")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNITS[unit]


def policy(setting: str, default: str) -> Policy:
    """A policy from a rate setting, read at each call so that it can change in tests."""
    free, window = parse_rate(getattr(settings, setting, default))
    first = max(1, int(getattr(settings, "LOGIN_THROTTLE_FIRST_DELAY", 30)))
    ceiling = max(first, int(getattr(settings, "LOGIN_THROTTLE_MAX_DELAY", 900)))
    return Policy(free=max(1, free), window=window, first_delay=first, max_delay=ceiling)


def _cache_key(group: str, parts: tuple[str, ...]) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"civique:throttle:{group}:{digest}"


def wait_seconds(group: str, *parts: str) -> int:
    """Seconds this key must still wait before an attempt is heard; 0: go ahead."""
    state = cache.get(_cache_key(group, parts))
    if not state:
        return 0
    return max(0, math.ceil(state["until"] - time.time()))


def failures(group: str, *parts: str) -> int:
    state = cache.get(_cache_key(group, parts))
    return state["failures"] if state else 0


def record_failure(rule: Policy, group: str, *parts: str) -> int:
    """Count one failure; return the delay now imposed on the key (0 while failures are free)."""
    key = _cache_key(group, parts)
    state = cache.get(key) or {"failures": 0, "until": 0.0}
    state["failures"] += 1
    beyond = state["failures"] - rule.free
    delay = 0
    if beyond >= 0:
        delay = min(rule.first_delay * 2 ** min(beyond, 32), rule.max_delay)
        state["until"] = time.time() + delay
    cache.set(key, state, timeout=max(rule.window, delay))
    return delay


def reset(group: str, *parts: str) -> None:
    cache.delete(_cache_key(group, parts))


def take(group: str, rate: str, *parts: str) -> int:
    """Count one request against the budget ``rate`` (``"600/m"``) of this key, in fixed
    windows; return 0 while within it, else the seconds until the window ends (at least 1)."""
    allowed, window = parse_rate(rate)
    now = time.time()
    index = int(now // window)
    key = f"{_cache_key(group, parts)}:{index}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count <= allowed:
        return 0
    return max(1, math.ceil((index + 1) * window - now))
