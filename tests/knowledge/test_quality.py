"""The demo knowledge base answers the labelled citizens' questions (bench/data/)."""

from __future__ import annotations

from pathlib import Path

from civique.demo.knowledge_base import load_knowledge_base
from civique.knowledge.quality import evaluate, load_questions

QUESTIONS = Path(__file__).resolve().parents[2] / "bench" / "data" / "knowledge_questions.jsonl"


def test_the_labelled_set_is_large_and_names_existing_entries(db):
    load_knowledge_base()
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 150
    from civique.knowledge.quality import _labels

    known = set(_labels().values())
    assert {label for q in questions for label in q["expected"]} <= known


def test_the_search_finds_the_right_answer_among_three_for_most_questions(db):
    load_knowledge_base()
    quality = evaluate(load_questions(QUESTIONS))
    for question, expected, found in quality.misses:
        print(f"MISS {question!r}: {expected} got {found}")
    print(f"top1={quality.top1_rate:.3f} top3={quality.top3_rate:.3f} n={quality.questions}")
    assert quality.top3_rate >= 0.85
    assert quality.top1_rate >= 0.7


def test_loading_the_demo_knowledge_base_twice_changes_nothing(db):
    first = load_knowledge_base()
    assert first == {"articles": 41, "templates": 8, "institutions": 12}
    assert load_knowledge_base() == {"articles": 0, "templates": 0, "institutions": 0}
