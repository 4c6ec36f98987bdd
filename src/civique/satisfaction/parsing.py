"""Reading a survey's answer from a message: a score from 1 to 5 first, then a comment.

Accepted: « 5 », « 5/5 », « 4 / 5 », « 3 sur 5 », « 4 merci », « 4, merci ! », « note : 3 »,
« Note 2 - trop long ». Not an answer: text that does not start with the score (« merci »),
a number that goes on (« 12 », « 3,5 », « 4h »), a score out of something else than 5, or a
long text (a new request that happens to start with a number, « 3 lampadaires… », is long or
should be: past ``COMMENT_MAX`` characters of comment it is a message, not an answer).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from civique.satisfaction.models import COMMENT_MAX

_ANSWER = re.compile(
    r"""^\s*
    (?:(?:ma\s+)?(?:note|avis|score)\s*[:=]?\s*)?   # « note : », « avis », « ma note »
    (?P<score>[1-5])
    (?![0-9])                                      # not 12, 45...
    (?![.,][0-9])                                  # not 3,5 or 4.5
    (?:\s*(?:/|sur)\s*(?P<out_of>[0-9]+))?         # « /5 », « sur 5 »
    (?P<rest>(?:[\s!.,;:)\-–—]|$).*)               # then a separator, or nothing
    """,
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Answer:
    score: int
    comment: str


def clean_comment(text: str) -> str:
    """Plain text: normalised (NFC), without control characters, blank lines squeezed, bounded."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text[:COMMENT_MAX]


def parse_answer(text: str) -> Answer | None:
    """The score and comment ``text`` gives, or None when it is not a survey answer."""
    if not text:
        return None
    match = _ANSWER.match(text)
    if match is None:
        return None
    if match["out_of"] is not None and match["out_of"] != "5":
        return None
    rest = match["rest"].strip().lstrip("!.,;:)-–—").strip()
    if rest and rest[0].isdigit():
        return None  # « 4 - 5 ans »: a number goes on
    if len(rest) > COMMENT_MAX:
        return None
    return Answer(score=int(match["score"]), comment=clean_comment(rest))
