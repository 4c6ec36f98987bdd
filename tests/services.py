"""Reaching the real servers some suites need.

A suite that needs a server runs when it is reachable; when it is not, it is skipped on a
developer's machine and fails when CIVIQUE_REQUIRE_SERVICES=1 (as CI sets).
"""

from __future__ import annotations

import os
import socket

import pytest

POSTGRES_URL = os.environ.get(
    "CIVIQUE_TEST_POSTGRES_URL", "postgres://postgres:postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("CIVIQUE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IMAP_HOST = os.environ.get("CIVIQUE_TEST_IMAP_HOST", "127.0.0.1")
IMAP_PORT = int(os.environ.get("CIVIQUE_TEST_IMAP_PORT", "10143"))
IMAP_USER = os.environ.get("CIVIQUE_TEST_IMAP_USER", "mairie")
IMAP_PASSWORD = os.environ.get("CIVIQUE_TEST_IMAP_PASSWORD", "mairie-test")


def required() -> bool:
    return os.environ.get("CIVIQUE_REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def need(name: str, host: str, port: int) -> None:
    """Skip, or fail under CIVIQUE_REQUIRE_SERVICES=1, when ``name`` is not listening."""
    if reachable(host, port):
        return
    message = f"{name} injoignable sur {host}:{port}"
    if required():
        pytest.fail(message + " (CIVIQUE_REQUIRE_SERVICES=1)")
    pytest.skip(message)
