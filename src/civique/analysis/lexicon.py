"""Lexicons matched on the text's skeleton (see ``normalise``), with exact original offsets."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from civique.analysis.normalise import Skeleton, fold, fold_char

DATA = Path(__file__).resolve().parent / "data"
# A plural or feminine ending accepted after every term.
ENDINGS = "(?:es|s|x|e)?"


@dataclass(frozen=True)
class Entry:
    term: str  # as written in the lexicon
    category: str
    weight: float


@dataclass(frozen=True)
class Hit:
    entry: Entry
    start: int  # in the skeleton
    end: int


class Lexicon:
    """Terms compiled into one alternation over the skeleton, longest first; a hit is looked up
    by its folded base (or its prefix, for terms ending in ``*``)."""

    def __init__(self, entries: Iterable[Entry]):
        self.exact: dict[str, Entry] = {}
        self.prefixes: list[tuple[str, Entry]] = []
        parts, prefix_parts = [], []
        for entry in entries:
            folded = fold(entry.term.rstrip("*"))
            if not folded:
                continue
            if entry.term.endswith("*"):
                self.prefixes.append((folded, entry))
                prefix_parts.append(re.escape(folded) + "[a-z]*")
            else:
                self.exact.setdefault(folded, entry)
                parts.append(re.escape(folded))
        # Exact terms first (longest first), so that ``encules`` is the insult ``enculé`` and
        # not the prefix ``encul*``.
        parts.sort(key=len, reverse=True)
        prefix_parts.sort(key=len, reverse=True)
        self.pattern = re.compile(
            r"(?<![a-z0-9])(?P<base>"
            + "|".join(parts + prefix_parts)
            + ")"
            + ENDINGS
            + r"(?![a-z0-9])"
        )

    def _lookup(self, base: str) -> Entry | None:
        entry = self.exact.get(base)
        if entry is not None:
            return entry
        for prefix, candidate in self.prefixes:
            if base.startswith(prefix):
                return candidate
        return None

    def hits(self, skel: Skeleton) -> Iterator[Hit]:
        for match in self.pattern.finditer(skel.text):
            entry = self._lookup(match.group("base"))
            if entry is not None:
                yield Hit(entry, match.start(), match.end())


def read_tsv(name: str) -> list[Entry]:
    entries = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, category, weight = line.split("\t")
        entries.append(Entry(term.strip(), category.strip(), float(weight)))
    return entries


@cache
def abuse_lexicon() -> Lexicon:
    return Lexicon(read_tsv("abuse_fr.tsv"))


def words_pattern(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` as they appear in a skeleton (folded, runs collapsed)."""
    folded = sorted({fold(w) for w in words if fold(w)}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w) for w in folded) + ")"


_RUN = re.compile(r"(?<!\\)([a-z])\1+")


def skeleton_regex(source: str, flags: int = 0) -> re.Pattern:
    """Compile a regex written in plain lower-case French (``casser``, ``homme``) so that it
    matches skeletons, where runs of a letter are collapsed (``caser``, ``home``). Accented
    letters are folded too. Escapes (``\\s``, ``\\b``) are left alone."""
    folded = "".join(fold_char(c) if not c.isascii() else c for c in source)
    return re.compile(_RUN.sub(r"\1", folded), flags)
