"""Hypothesis strategies for hostile input: any text (NUL, C0 controls, bidirectional
controls, combining marks, astral characters), huge strings, out-of-range numbers and dates."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# What Django's untranslated messages begin with: none may reach a French page.
ENGLISH = ("This field", "Enter a valid", "Ensure this value", "Select a valid", "Null characters")


def examples(count: int):
    """Hypothesis settings of these tests: derandomised (the same examples on every run), no
    deadline (the machine is shared), fixtures set up once per test."""
    return settings(
        max_examples=count,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def assert_no_english(html: str) -> None:
    assert not any(english in html for english in ENGLISH), html[:2000]


ODD = [
    "\x00",
    "a\x00b",
    "\x1b[31mrouge\x1b[0m",
    "\x7f\x08\x0b\x0c",
    "photo\u202egnp.exe",
    "\u2066isolé\u2069\u200f",
    "\ufeff",
    "\u0301\u0301\u0301",
    "Z\u0324\u0354\u0367\u0311\u0313",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍👩‍👧‍👦",
    "\r\n\r\n",
    " \t ",
    "\u2028\u2029\u0085",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s %(x)s {0} {x}",
]
NUMBERS = [
    "-1",
    "0",
    "9" * 40,
    "9223372036854775808",
    "-9223372036854775809",
    "1e400",
    "-1e400",
    "NaN",
    "inf",
    "1,5",
    "0x10",
    "",
]
DATES = [
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "99999-01-01T00:00",
    "1899-12-31T23:59",
    "2025-02-30T10:00",
    "2025-13-01T10:00",
    "2025-05-12T25:61",
    "1970-01-01T00:00",
]


def hostile_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Text as a browser could send it (encodable in UTF-8), from ordinary to hostile."""
    return st.one_of(
        st.text(st.characters(codec="utf-8"), max_size=max_size),
        st.sampled_from(ODD),
        st.sampled_from(ODD).flatmap(lambda odd: st.text(max_size=10).map(lambda t: t + odd)),
        st.sampled_from(["x" * 300, "é" * 6000, "A" * 120_000]),
    )


def hostile_number() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NUMBERS), st.integers().map(str), st.floats().map(str))


def hostile_date() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(DATES), hostile_text(20))
