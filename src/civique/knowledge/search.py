"""Search of the knowledge base: index an entry, and find the best entries for a text.

One ranking on both databases, two engines underneath:
- PostgreSQL: ``search_vector`` (title A, keywords B, body D) in the text search configuration
  ``civique_french`` (French Snowball stemmer after ``unaccent``, made by migration 0002),
  ranked by ``ts_rank`` over an OR of the query's words.
- SQLite: the FTS5 table ``knowledge_fts`` (tokenizer unicode61, diacritics removed) holding
  the same texts pre-stemmed by ``text.stems`` (Snowball French too), ranked by ``bm25``.
Both see the query through ``text.content_words`` (accents folded, phone spellings expanded,
stop words dropped), plus, for each word the titles and keywords do not know, the closest known
word within one or two edits (``Term``). The engine's scores are then made relative to the
best one and raised by what agents chose for messages sharing the query's stems (``ChoiceTerm``)
and by a shared theme."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from civique.knowledge import text
from civique.knowledge.models import ChoiceTerm, EntryKind, Institution, SearchEntry, Term

CONFIG = "civique_french"
CANDIDATES = 60  # engine results re-ranked in Python
MAX_QUERY_WORDS = 40  # a long message: its first words carry the request
LEARNED_WEIGHT = 0.25  # at most this much added for entries agents chose for the same words
CATEGORY_WEIGHT = 0.15  # added for an entry of the conversation's theme
MAX_RANKED_WORDS = 12
DF_CACHE_SECONDS = 600  # PostgreSQL: the rarest words of the query rank the candidates
# PostgreSQL's ts_rank weights for D, C, B, A: body 1, keywords 3, title 4 (as bm25 on SQLite).
WEIGHTS = "0.25, 0.25, 0.75, 1.0"
IDF_SQL = (
    "SELECT w, (SELECT count(*) FROM knowledge_searchentry "
    "WHERE search_vector @@ to_tsquery('civique_french', w)) FROM unnest(%s::text[]) AS w"
)


@dataclass
class Hit:
    entry: SearchEntry
    score: float

    @property
    def kind(self) -> str:
        return self.entry.kind

    @property
    def object_id(self) -> int:
        return self.entry.object_id

    @property
    def title(self) -> str:
        return self.entry.title


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- Indexing ---------------------------------------------------------------------------------


def index_entry(entry: SearchEntry) -> None:
    """Write ``entry``'s words to the full-text index and its title and keyword words to the
    vocabulary. Precondition: ``entry`` is saved."""
    if is_postgres():
        SearchEntry.objects.filter(pk=entry.pk).update(
            search_vector=SearchVector("title", weight="A", config=CONFIG)
            + SearchVector("keywords", weight="B", config=CONFIG)
            + SearchVector("body", weight="D", config=CONFIG)
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_fts WHERE rowid = %s", [entry.pk])
            cursor.execute(
                "INSERT INTO knowledge_fts (rowid, title, keywords, body) VALUES (%s, %s, %s, %s)",
                [
                    entry.pk,
                    text.stemmed_text(entry.title),
                    text.stemmed_text(entry.keywords),
                    text.stemmed_text(entry.body),
                ],
            )
    add_terms(f"{entry.title} {entry.keywords}")


def reindex(entries: QuerySet[SearchEntry], batch: int = 1000) -> int:
    """Rebuild the index of many entries at once (an import, a benchmark, a repair)."""
    count = 0
    if is_postgres():
        count = entries.update(
            search_vector=SearchVector("title", weight="A", config=CONFIG)
            + SearchVector("keywords", weight="B", config=CONFIG)
            + SearchVector("body", weight="D", config=CONFIG)
        )
    rows = entries.values_list("pk", "title", "keywords", "body")
    vocabulary: set[str] = set()
    with connection.cursor() as cursor:
        pending = []
        for pk, title, keywords, body in rows.iterator(chunk_size=batch):
            vocabulary.update(text.content_words(f"{title} {keywords}"))
            if is_postgres():
                continue
            pending.append(
                (pk, text.stemmed_text(title), text.stemmed_text(keywords), text.stemmed_text(body))
            )
            if len(pending) >= batch:
                count += _write_fts(cursor, pending)
                pending = []
        if pending:
            count += _write_fts(cursor, pending)
    add_terms(" ".join(vocabulary))
    return count


def _write_fts(cursor, rows: list[tuple]) -> int:
    cursor.executemany("DELETE FROM knowledge_fts WHERE rowid = %s", [(row[0],) for row in rows])
    cursor.executemany(
        "INSERT INTO knowledge_fts (rowid, title, keywords, body) VALUES (%s, %s, %s, %s)", rows
    )
    return len(rows)


def unindex_entry(entry_id: int) -> None:
    if not is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_fts WHERE rowid = %s", [entry_id])


def add_terms(source: str) -> None:
    known = {word for word in text.content_words(source) if 3 < len(word) <= 64}
    Term.objects.bulk_create(
        [Term(text=word, initial=word[0], length=len(word)) for word in known],
        ignore_conflicts=True,
    )


# --- Querying ---------------------------------------------------------------------------------


def query_words(query: str) -> list[str]:
    """The query's content words, each followed by its correction when it is unknown."""
    found = list(dict.fromkeys(text.content_words(query)))[:MAX_QUERY_WORDS]
    if not found:
        return []
    known = set(Term.objects.filter(text__in=found).values_list("text", flat=True))
    result = []
    for word in found:
        result.append(word)
        if word not in known:
            correction = correct(word)
            if correction and correction != word:
                result.append(correction)
    return result


def correct(word: str) -> str | None:
    """The known word closest to ``word`` within its typo budget (same first letter), or None."""
    budget = text.typo_budget(word)
    if not budget or text.stem(word) in _stems_of_known_prefix(word):
        return None
    candidates = Term.objects.filter(
        initial=word[0], length__gte=len(word) - budget, length__lte=len(word) + budget
    ).values_list("text", flat=True)
    best, best_distance = None, budget + 1
    for candidate in candidates.iterator():
        distance = text.edit_distance(word, candidate, budget)
        if distance < best_distance or (distance == best_distance and best and candidate < best):
            best, best_distance = candidate, distance
    return best


def _stems_of_known_prefix(word: str) -> set[str]:
    """Stems of known words sharing the word's stem as a prefix: a word that only differs by
    its ending (« poubelles » for « poubelle ») needs no correction."""
    root = text.stem(word)
    if len(root) < 4:
        return set()
    return {
        text.stem(w)
        for w in Term.objects.filter(text__startswith=root).values_list("text", flat=True)[:20]
    }


def visible_entries(
    *, user=None, public_only: bool = False, kinds=None, today: date | None = None
) -> QuerySet[SearchEntry]:
    """Entries that may be shown: active, valid today, and public (the portal) or of no team
    or one of ``user``'s teams (administrators: all)."""
    today = today or timezone.localdate()
    qs = SearchEntry.objects.filter(is_active=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
    )
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    if public_only:
        qs = qs.filter(is_public=True, kind=EntryKind.ARTICLE)
    elif user is not None and not user.is_administrator:
        qs = qs.filter(Q(team__isnull=True) | Q(team__in=user.teams.all()) | Q(is_public=True))
    return qs


def search(
    query: str,
    *,
    user=None,
    public_only: bool = False,
    kinds=None,
    category_id: int | None = None,
    limit: int = 3,
) -> list[Hit]:
    """The ``limit`` best entries for ``query`` among those ``visible_entries`` allows, best
    first, with a score relative to the engine's best match (1.0) plus what was learned."""
    words = query_words(query)
    if not words:
        return []
    visible = visible_entries(user=user, public_only=public_only, kinds=kinds)
    ranked = _rank_postgres(words, visible) if is_postgres() else _rank_sqlite(words, visible)
    scores = _relative(ranked)
    for entry_id, boost in learned_boosts(words, visible).items():
        scores[entry_id] = scores.get(entry_id, 0.0) + boost
    if not scores:
        return []
    entries = visible.in_bulk(list(scores))
    if category_id:
        for entry in _of_category(entries.values(), category_id):
            scores[entry.pk] += CATEGORY_WEIGHT
    order = sorted(
        (pk for pk in scores if pk in entries), key=lambda pk: (-scores[pk], entries[pk].title)
    )
    return [Hit(entries[pk], round(scores[pk], 4)) for pk in order[:limit]]


def _of_category(entries, category_id: int) -> list[SearchEntry]:
    """The entries of this theme: an article's or template's own, a partner body's among its
    themes."""
    bodies = set(
        Institution.categories.through.objects.filter(category_id=category_id).values_list(
            "institution_id", flat=True
        )
    )
    return [
        entry
        for entry in entries
        if entry.category_id == category_id
        or (entry.kind == EntryKind.INSTITUTION and entry.object_id in bodies)
    ]


def _relative(ranked: list[tuple[int, float]]) -> dict[int, float]:
    if not ranked:
        return {}
    top = max(score for _pk, score in ranked) or 1.0
    return {pk: score / top for pk, score in ranked}


def _rank_postgres(words: list[str], visible: QuerySet[SearchEntry]) -> list[tuple[int, float]]:
    """``ts_rank`` of each word weighted by its rarity (log(1 + N / df), as BM25 does on
    SQLite): without it, a common word (« carte ») outweighs the one that tells the need."""
    weighted = _idf_postgres(words)
    if not weighted:
        return []
    raw = " | ".join(word for word, _idf in weighted)  # [0-9a-z]+ words: nothing to parse
    query = SearchQuery(raw, config=CONFIG, search_type="raw")
    rank_sql = " + ".join(
        f"%s * ts_rank('{{{WEIGHTS}}}', search_vector, to_tsquery('{CONFIG}', %s))"
        for _pair in weighted
    )
    params = [value for word, idf in weighted for value in (idf, word)]
    rows = (
        visible.filter(search_vector=query)
        # Only constants are formatted into rank_sql; the words and weights are parameters.
        .annotate(rank=RawSQL(rank_sql, params))  # noqa: S611
        .order_by("-rank", "pk")
        .values_list("pk", "rank")[:CANDIDATES]
    )
    return [(pk, float(rank)) for pk, rank in rows]


class _Frequencies:
    """Document frequencies of words, kept in this process: counting the matches of a common
    word costs more than the search itself. Forgotten when entries are added or removed (their
    number or last id changes) or after ``DF_CACHE_SECONDS``; a count made stale by an edit
    only shifts a weight a little."""

    def __init__(self) -> None:
        self.version: tuple | None = None
        self.born = 0.0
        self.counts: dict[str, int] = {}

    def get(self, words: list[str]) -> tuple[int, dict[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), max(id) FROM knowledge_searchentry")
            version = cursor.fetchone()
            if version != self.version or time.monotonic() - self.born > DF_CACHE_SECONDS:
                self.version, self.born, self.counts = version, time.monotonic(), {}
            missing = [word for word in words if word not in self.counts]
            found = {}
            if missing:
                cursor.execute(IDF_SQL, [missing])
                found = dict(cursor.fetchall())
                # A word found nowhere is counted again next time: it may be added any moment.
                self.counts.update({word: df for word, df in found.items() if df})
        counts = {word: self.counts.get(word, found.get(word, 0)) for word in words}
        return version[0], counts


_frequencies = _Frequencies()


def _idf_postgres(words: list[str]) -> list[tuple[str, float]]:
    """The words found in the index with their inverse document frequency, rarest first (at
    most ``MAX_RANKED_WORDS``)."""
    total, frequencies = _frequencies.get(words)
    weighted = [(word, math.log(1 + total / df)) for word, df in frequencies.items() if df]
    weighted.sort(key=lambda pair: -pair[1])
    return weighted[:MAX_RANKED_WORDS]


def _rank_sqlite(words: list[str], visible: QuerySet[SearchEntry]) -> list[tuple[int, float]]:
    stems = list(dict.fromkeys(text.stem(word) for word in words))
    match = " OR ".join(f'"{stem}"' for stem in stems)
    with connection.cursor() as cursor:
        # Title and keywords weigh more than the body. bm25 is lower for better matches.
        cursor.execute(
            "SELECT rowid, -bm25(knowledge_fts, 4.0, 3.0, 1.0) FROM knowledge_fts "
            "WHERE knowledge_fts MATCH %s ORDER BY bm25(knowledge_fts, 4.0, 3.0, 1.0) LIMIT %s",
            [match, CANDIDATES * 4],
        )
        rows = cursor.fetchall()
    allowed = set(visible.filter(pk__in=[pk for pk, _s in rows]).values_list("pk", flat=True))
    return [(pk, score) for pk, score in rows if pk in allowed][:CANDIDATES]


def learned_boosts(words: list[str], visible: QuerySet[SearchEntry]) -> dict[int, float]:
    """Entries chosen by agents for messages sharing these stems: up to ``LEARNED_WEIGHT``,
    growing with the logarithm of how often (ten choices give the full boost)."""
    stems = list(dict.fromkeys(text.stem(word) for word in words))
    # By stem first (the unique index), then only those entries checked for visibility: a
    # join on the visible entries would read them all.
    totals = {
        row["entry_id"]: row["total"]
        for row in ChoiceTerm.objects.filter(stem__in=stems)
        .values("entry_id")
        .annotate(total=Sum("count"))
    }
    if not totals:
        return {}
    allowed = set(visible.filter(pk__in=list(totals)).values_list("pk", flat=True))
    boosts = defaultdict(float)
    for entry_id, total in totals.items():
        if entry_id in allowed:
            boosts[entry_id] = LEARNED_WEIGHT * min(1.0, math.log1p(total) / math.log(11))
    return boosts
