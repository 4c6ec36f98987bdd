"""Benchmark of the knowledge base's search: accuracy on the labelled citizens' questions, then
latency with many articles.

1. The demo knowledge base (41 articles, 8 templates, 12 partner bodies) is loaded into a
   temporary database and the 166 labelled questions of ``bench/data/knowledge_questions.jsonl``
   are searched as the conversation page does: top-1 and top-3 accuracy.
2. ``articles`` synthetic articles are added (titles, keywords and answers drawn from the
   demo's own French vocabulary, so they compete on the same words), indexed in bulk, and the
   questions are searched again: accuracy among distractors, and the latency of each search
   (median and 95th percentile over ``queries`` searches, cycling through the questions).

Everything runs in a temporary database (see ``bench/ingest.py``), dropped afterwards unless
``keep``."""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path
from typing import TextIO

from django.db import transaction

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "data" / "knowledge_questions.jsonl"
SEED = 20261202


def _load_ingest_helpers():
    from civique.ingest.management.commands.bench import load_benchmark

    return load_benchmark("ingest")


def _vocabulary() -> list[str]:
    from civique.demo.knowledge_base import ARTICLES
    from civique.knowledge.text import words

    found = set()
    for article in ARTICLES:
        found.update(w for w in words(f"{article.question} {article.answer}") if len(w) > 3)
    return sorted(found)


def add_synthetic_articles(count: int, seed: int = SEED) -> None:
    """``count`` articles in bulk: their rows, versions skipped (the search does not read
    them), search entries, then one bulk indexing."""
    from civique.knowledge import search
    from civique.knowledge.models import Article, EntryKind, SearchEntry

    rng = random.Random(seed)
    vocabulary = _vocabulary()
    articles = []
    for index in range(count):
        title = " ".join(rng.sample(vocabulary, 7)).capitalize() + " ?"
        articles.append(
            Article(
                slug=f"synthetique-{index}",
                question=title[:300],
                answer=" ".join(rng.choices(vocabulary, k=70)).capitalize() + ".",
                keywords=", ".join(rng.sample(vocabulary, 5)),
                is_public=rng.random() < 0.5,
                version=1,
            )
        )
    with transaction.atomic():
        created = Article.objects.bulk_create(articles, batch_size=1000)
        SearchEntry.objects.bulk_create(
            [
                SearchEntry(
                    kind=EntryKind.ARTICLE,
                    object_id=article.pk,
                    title=article.question,
                    keywords=article.keywords,
                    body=article.answer,
                    is_public=article.is_public,
                )
                for article in created
            ],
            batch_size=1000,
        )
        search.reindex(SearchEntry.objects.filter(object_id__in=[a.pk for a in created],
                                                  kind=EntryKind.ARTICLE))  # fmt: skip


def time_searches(questions: list[dict], queries: int) -> list[float]:
    from civique.knowledge import search

    timings = []
    for index in range(queries):
        question = questions[index % len(questions)]["question"]
        started = time.perf_counter()
        search.search(question, limit=3)
        timings.append(time.perf_counter() - started)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(articles: int, queries: int, keep: bool, out: TextIO) -> None:
    from django.db import connection

    from civique.demo.knowledge_base import load_knowledge_base
    from civique.knowledge.quality import evaluate, load_questions

    ingest = _load_ingest_helpers()
    original, name = ingest.create_bench_database()
    try:
        out.write(f"Base temporaire : {name} ({connection.vendor})\n")
        load_knowledge_base()
        questions = load_questions(QUESTIONS)
        demo = evaluate(questions)
        out.write(
            f"Base de démo : {demo.questions} questions, top-1 {demo.top1_rate:.1%}, "
            f"top-3 {demo.top3_rate:.1%}\n"
        )
        started = time.perf_counter()
        add_synthetic_articles(articles)
        out.write(
            f"{articles} fiches ajoutées et indexées en {time.perf_counter() - started:.1f} s\n"
        )
        crowded = evaluate(questions)
        out.write(
            f"Avec {articles} fiches de plus : top-1 {crowded.top1_rate:.1%}, "
            f"top-3 {crowded.top3_rate:.1%}\n"
        )
        time_searches(questions, min(20, queries))  # warm the caches
        timings = time_searches(questions, queries)
        out.write(
            f"Latence de recherche sur {queries} recherches ({articles + 61} éléments) : "
            f"médiane {statistics.median(timings) * 1000:.1f} ms, "
            f"95e centile {percentile(timings, 0.95) * 1000:.1f} ms, "
            f"max {max(timings) * 1000:.1f} ms\n"
        )
        for key, value in ingest.machine().items():
            out.write(f"  {key}: {value}\n")
    finally:
        ingest.drop_bench_database(original, keep)
