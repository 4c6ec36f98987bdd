"""CPython's own email test corpus through the parser: each mail read, or refused in one line."""

from __future__ import annotations

import pytest

from civique.channels.connectors.base import ParseError
from civique.channels.connectors.email.parse import parse_email
from tests.channels.corpus import CORPUS_MAILS, corpus_params, need_corpus
from tests.channels.mail import storable, strings


def test_the_corpus_is_complete():
    need_corpus()
    assert len(CORPUS_MAILS) >= 45


@pytest.mark.parametrize("path", corpus_params())
def test_each_cpython_test_mail_is_read_or_refused_in_one_line(path):
    need_corpus()
    try:
        parsed = parse_email(path.read_bytes())
    except ParseError as exc:
        reason = str(exc)
        assert reason and "\n" not in reason and len(reason) < 300
        return
    assert parsed.external_id
    assert all(storable(value) for value in strings(parsed))
