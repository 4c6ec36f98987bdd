"""core.throttle.take: a request budget per key, in fixed windows, in the shared cache."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from civique.core import throttle


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_key_is_refused_beyond_its_budget_until_its_window_ends():
    answers = [throttle.take("test", "2/2s", "jeton-a") for _ in range(3)]

    assert answers[:2] == [0, 0]
    assert 1 <= answers[2] <= 2
    time.sleep(answers[2] + 0.05)
    assert throttle.take("test", "2/2s", "jeton-a") == 0


def test_each_key_and_each_group_has_its_own_budget():
    for _ in range(2):
        throttle.take("test", "2/m", "jeton-a")

    assert throttle.take("test", "2/m", "jeton-a") > 0
    assert throttle.take("test", "2/m", "jeton-b") == 0
    assert throttle.take("other", "2/m", "jeton-a") == 0


def test_the_key_is_stored_as_a_hash():
    throttle.take("test", "2/m", "secret-token-value")

    keys = list(cache._cache.keys())  # the local-memory cache of the tests
    assert keys and not any("secret-token-value" in key for key in keys)
