"""CPython's own email test corpus (``test/test_email/data/msg_*.txt``), where installed.

Those mails were collected for the bugs they caused in the email package: odd multiparts,
broken boundaries, lying charsets, Groupwise and Outlook quirks. They are read where Python
installed them (Debian ships them in ``libpython3.11-testsuite``), never copied here (licence).
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from tests.services import required

DEBIAN_STDLIB = "/usr/lib/python3.11"


def corpus_dir() -> Path | None:
    """Where this Python's email test mails are, if installed."""
    for stdlib in (sysconfig.get_paths()["stdlib"], DEBIAN_STDLIB):
        path = Path(stdlib) / "test" / "test_email" / "data"
        if any(path.glob("msg_*.txt")):
            return path
    return None


CORPUS = corpus_dir()
CORPUS_MAILS = sorted(CORPUS.glob("msg_*.txt")) if CORPUS else []


def need_corpus() -> None:
    """Skip, or fail under CIVIQUE_REQUIRE_SERVICES=1, when the corpus is not installed."""
    if CORPUS_MAILS:
        return
    message = (
        "corpus de courriels de test de CPython introuvable (paquet Debian libpython3.11-testsuite)"
    )
    if required():
        pytest.fail(message + " (CIVIQUE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def corpus_params() -> list:
    """One parameter per mail, or one that skips (or fails) when the corpus is missing."""
    if not CORPUS_MAILS:
        return [pytest.param(None, id="corpus-absent")]
    return [pytest.param(path, id=path.name) for path in CORPUS_MAILS]
