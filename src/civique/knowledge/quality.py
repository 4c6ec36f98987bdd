"""Measuring the search against a labelled set of questions: top-1 and top-3 accuracy.

A labelled question is a JSON line ``{"question": "...", "expected": ["article:slug",
"institution:slug", ...]}``: the answer is right when one of ``expected`` is found."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from civique.knowledge import search
from civique.knowledge.models import AnswerTemplate, Article, EntryKind, Institution

MODELS = {
    EntryKind.ARTICLE: Article,
    EntryKind.TEMPLATE: AnswerTemplate,
    EntryKind.INSTITUTION: Institution,
}


@dataclass
class Quality:
    questions: int = 0
    top1: int = 0
    top3: int = 0
    misses: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.questions if self.questions else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.questions if self.questions else 0.0


def load_questions(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _labels() -> dict[tuple[str, int], str]:
    labels = {}
    for kind, model in MODELS.items():
        for pk, slug in model.objects.values_list("pk", "slug"):
            labels[(kind, pk)] = f"{kind}:{slug}"
    return labels


def evaluate(questions: list[dict]) -> Quality:
    """Search each question as the conversation page does (all kinds, no user filter)."""
    labels = _labels()
    quality = Quality()
    for item in questions:
        found = [
            labels.get((hit.kind, hit.object_id), "?") for hit in search.search(item["question"])
        ]
        expected = set(item["expected"])
        quality.questions += 1
        if found[:1] and found[0] in expected:
            quality.top1 += 1
        if expected.intersection(found[:3]):
            quality.top3 += 1
        else:
            quality.misses.append((item["question"], item["expected"], found))
    return quality
