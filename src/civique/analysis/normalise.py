"""A skeleton of the text for lexicon matching, with a map back to the original offsets.

Abusers disguise words: ``connnnard`` (elongation), ``c0nnard`` (leet), ``con.nard`` or
``c o n n a r d`` (separators), ``CONNARD``, ``connärd``. ``skeleton`` folds all of these onto
``conard``: lower case, no accents, leet digits and symbols read as letters inside words, dots,
stars, dashes and underscores inside words dropped, and every run of one letter collapsed to a
single letter (``connard`` and ``conard`` both become ``conard``; lexicon entries go through the
same function, so they meet). Everything that is not a letter or digit becomes one space.

``Skeleton.span(a, b)`` turns a match on the skeleton back into exact offsets in the original
text: ``index[i]`` is the offset of the original character that produced skeleton character i.
The cost is one pass over the text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

LEET = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
    "@": "a", "$": "s", "€": "e", "!": "i", "|": "i",
}  # fmt: skip
# Inside a word, these join letters rather than separate words: ``con.nard``, ``p*te``.
JOINERS = set(".*-_·•+")
# Letters that do not decompose into a base letter and accents.
LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ı": "i"}


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """``char`` in lower case without accents (possibly several letters, or empty)."""
    lower = char.lower()
    if lower in LIGATURES:
        return LIGATURES[lower]
    if lower.isascii():
        return lower
    decomposed = unicodedata.normalize("NFKD", lower)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class Skeleton:
    text: str
    index: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the skeleton's ``[start, end)``, trimmed to what produced it."""
        return self.index[start], self.index[end - 1] + 1


def _is_wordish(char: str) -> bool:
    return char.isalnum() or char in LEET


def skeleton(text: str) -> Skeleton:
    out: list[str] = []
    index: list[int] = []
    n = len(text)
    # A word is a run of letters, digits, leet symbols and joiners; leet applies in words that
    # hold at least one letter (``c0nnard``) and not in numbers (``2024``, ``06 12``).
    i = 0
    while i < n:
        char = text[i]
        if not (_is_wordish(char) or char in JOINERS):
            if out and out[-1] != " ":
                out.append(" ")
                index.append(i)
            i += 1
            continue
        j = i
        while j < n and (_is_wordish(text[j]) or text[j] in JOINERS):
            j += 1
        _word(text, i, j, out, index)
        i = j
    return Skeleton("".join(out), tuple(index), text)


def _word(text: str, start: int, end: int, out: list[str], index: list[int]) -> None:
    word = text[start:end]
    has_letter = any(c.isalpha() for c in word)
    previous = ""
    for offset in range(start, end):
        char = text[offset]
        if char in JOINERS:
            continue
        if char.isalpha():
            folded = fold_char(char)
        elif has_letter and char in LEET and (char.isdigit() or _inside(text, offset, start, end)):
            folded = LEET[char]
        elif char.isdigit():
            folded = char
        else:
            # A leet symbol in a word without letters (``!!!``, ``$$``) separates.
            if out and out[-1] != " ":
                out.append(" ")
                index.append(offset)
            previous = ""
            continue
        for letter in folded:
            if letter == previous and letter.isalpha():
                continue  # collapse runs: connnnard, conard and connard meet
            out.append(letter)
            index.append(offset)
            previous = letter
    if out and out[-1] != " ":
        out.append(" ")
        index.append(end - 1 if end > start else start)


def _inside(text: str, offset: int, start: int, end: int) -> bool:
    """A leet symbol stands for a letter only between two letters or digits (``s@lope``), not
    at a word's edge (``connard!``, ``@mairie``)."""
    return start < offset < end - 1 and text[offset - 1].isalnum() and text[offset + 1].isalnum()


def fold(text: str) -> str:
    """The skeleton's text alone, for lexicon entries and comparisons of names."""
    return skeleton(text).text.strip()
