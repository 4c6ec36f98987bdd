"""Plain text from hostile HTML: linear time, whatever the markup."""

from __future__ import annotations

import time

import pytest

from civique.channels.connectors.email.htmltext import html_to_text

# Python's HTMLParser rescans the rest of the input from every tag or marked section left
# unclosed: each piece, repeated as below, took from 5 s to many minutes before.
UNCLOSED = [
    ("<a ", 20_000),
    ("<p x=a ", 20_000),
    ('<a "', 20_000),
    ("<a b=", 20_000),
    ("<x/", 20_000),
    ("<!-- <", 20_000),
    ("</a ", 100_000),
    ("<?x ", 100_000),
    ("<![CDATA[ >", 60_000),
]


@pytest.mark.parametrize(("piece", "times"), UNCLOSED)
def test_unclosed_markup_is_read_in_linear_time(piece, times):
    started = time.monotonic()
    text = html_to_text("<p>Bonjour</p>" + piece * times)
    assert time.monotonic() - started < 3
    assert text.startswith("Bonjour")


def test_an_unclosed_data_section_before_a_lone_closing_bracket_is_linear():
    started = time.monotonic()
    html_to_text("<![CDATA[ >" * 60_000 + "]>")
    assert time.monotonic() - started < 3


def test_text_angle_brackets_and_outlook_sections_read_as_before():
    html = (
        "<p>Si a < b et c > d</p><!--[if mso]><p>outlook</p><![endif]-->"
        "<![if !supportLists]>- <![endif]>point<![CDATA[ data ]]> fin"
    )
    assert html_to_text(html) == "Si a < b et c > d\n\n- point fin"
