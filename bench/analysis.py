"""``civique bench analysis``: the analysers' quality and speed.

Quality: precision, recall and F1 per label on ``bench/data/moderation_eval.jsonl`` (362
comments written by the project, see docs/moderation.md), a finding counting when its score is
at least ``THRESHOLD``; and abuse against the noisy labels of MLMA's French tweets (balanced
accuracy and macro-F1, as that corpus's README asks), when its file is there.

Speed: the rule and lexicon layer per message (ms, median and p95, one core), then the NER layer
apart (spaCy over the same texts, batched as the pipeline does), in messages per second.
"""

from __future__ import annotations

import csv
import json
import statistics
import time
from collections import Counter
from pathlib import Path

from civique.analysis import LABELS, THRESHOLD, analyse_many, ner

HERE = Path(__file__).resolve().parent
EVAL = HERE / "data" / "moderation_eval.jsonl"
# Written after the rules were tuned on EVAL, and never tuned on: the fairer figure.
FRESH = HERE / "data" / "moderation_eval_fresh.jsonl"
# The institution's own contacts and public figures, as a city would configure them.
OWN = ("contact@valmont.fr", "01 23 45 67 89", "valmont.fr", "chu-valmont.fr")
FIGURES = ("Jean Dupont",)


def load_eval(path: Path = EVAL) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def predicted(result) -> set[str]:
    return {f.label for f in result.findings if f.score >= THRESHOLD}


def per_label(rows: list[dict], results: list) -> dict[str, tuple[int, int, int]]:
    """For each label (and each prefix ``abuse``, ``personal``, ``spam``): true positives,
    false positives, false negatives over the texts."""
    counts: dict[str, Counter] = {}
    for row, result in zip(rows, results, strict=True):
        expected, got = set(row["labels"]), predicted(result)
        for prefix in ("abuse", "personal", "spam"):
            if any(label.startswith(prefix + ".") for label in expected):
                expected.add(prefix)
            if any(label.startswith(prefix + ".") for label in got):
                got.add(prefix)
        for label in expected | got:
            counter = counts.setdefault(label, Counter())
            counter["tp"] += label in expected and label in got
            counter["fp"] += label in got and label not in expected
            counter["fn"] += label in expected and label not in got
    return {label: (c["tp"], c["fp"], c["fn"]) for label, c in counts.items()}


def ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def report_quality(rows, results, out, title: str) -> None:
    out.write(f"\n{title}\n")
    out.write(f"{'étiquette':<22} {'attendus':>8} {'précision':>9} {'rappel':>7} {'F1':>6}\n")
    table = per_label(rows, results)
    order = [*sorted(LABELS), "abuse", "personal", "spam"]
    for label in order:
        if label not in table:
            continue
        tp, fp, fn = table[label]
        precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
        f1 = ratio(2 * precision * recall, precision + recall)
        out.write(f"{label:<22} {tp + fn:>8} {precision:>9.2f} {recall:>7.2f} {f1:>6.2f}\n")
    clean = [r for r, res in zip(rows, results, strict=True) if not r["labels"]]
    flagged = sum(
        1 for r, res in zip(rows, results, strict=True) if not r["labels"] and predicted(res)
    )
    out.write(f"Messages sans étiquette attendue signalés à tort : {flagged}/{len(clean)}\n")
    angry = [
        (r, res) for r, res in zip(rows, results, strict=True) if r["labels"] == ["tone.angry"]
    ]
    abused = sum(
        1 for _r, res in angry if any(label.startswith("abuse.") for label in predicted(res))
    )
    out.write(f"Colères légitimes prises pour des abus : {abused}/{len(angry)}\n")


def mlma_rows(path: Path) -> list[tuple[str, bool]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["tweet"], row["sentiment"] != "normal") for row in csv.DictReader(handle)]


def report_mlma(path: Path, out) -> None:
    if not path.exists():
        out.write(f"\nMLMA : fichier absent ({path}), évaluation sautée.\n")
        return
    rows = mlma_rows(path)
    results = analyse_many([text for text, _ in rows], ner=False)
    counts = Counter()
    for (_text, hostile), result in zip(rows, results, strict=True):
        guess = result.score("abuse") >= THRESHOLD
        counts[(hostile, guess)] += 1
    tp, fn = counts[(True, True)], counts[(True, False)]
    tn, fp = counts[(False, False)], counts[(False, True)]
    recall_pos, recall_neg = ratio(tp, tp + fn), ratio(tn, tn + fp)
    f1_pos = ratio(2 * tp, 2 * tp + fp + fn)
    f1_neg = ratio(2 * tn, 2 * tn + fn + fp)
    out.write(
        f"\nMLMA français ({path.name}, {len(rows)} tweets, hostile = toute étiquette sauf "
        f"« normal » : {tp + fn}) — couche de règles, abus = score abuse ≥ {THRESHOLD}\n"
        f"  précision (hostile) {ratio(tp, tp + fp):.2f}, rappel (hostile) {recall_pos:.2f}, "
        f"rappel (normal) {recall_neg:.2f}\n"
        f"  exactitude équilibrée {(recall_pos + recall_neg) / 2:.2f}, "
        f"F1 macro {(f1_pos + f1_neg) / 2:.2f}\n"
    )


def timings(texts: list[str], run) -> list[float]:
    spent = []
    for text in texts:
        start = time.perf_counter()
        run(text)
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def describe(name: str, spent: list[float], out) -> None:
    total = sum(spent) / 1000
    quantiles = statistics.quantiles(spent, n=20)
    median = statistics.median(spent)
    out.write(
        f"{name:<34} {len(spent) / total:>9.0f} messages/s   médiane {median:.2f} ms"
        f"   p95 {quantiles[18]:.2f} ms   max {max(spent):.1f} ms\n"
    )


def report_speed(texts: list[str], out, with_ner: bool) -> None:
    out.write(f"\nDébit sur {len(texts)} textes (un cœur, un processus)\n")
    analyse_many(texts[:50], ner=False)  # warm the caches and compile the patterns
    rules = timings(
        texts, lambda t: analyse_many([t], own_contacts=OWN, public_figures=FIGURES, ner=False)
    )
    describe("Règles et lexiques (par message)", rules, out)
    if not with_ner:
        return
    if not ner.available():
        out.write("Couche NER : modèle fr_core_news_sm absent, mesure sautée.\n")
        return
    ner.person_names(texts[:20], set())
    single = timings(texts[:500], lambda t: ner.person_names([t], set()))
    describe("NER spaCy (un message à la fois)", single, out)
    start = time.perf_counter()
    ner.person_names(texts, set())
    batched = time.perf_counter() - start
    out.write(
        f"{'NER spaCy (par lots, nlp.pipe)':<34} {len(texts) / batched:>9.0f} messages/s   "
        f"{batched * 1000 / len(texts):.2f} ms par message en moyenne\n"
    )


def main(out, *, mlma: Path, with_ner: bool = True, repeat: int = 1) -> None:
    rows = load_eval()
    results = analyse_many(
        [r["text"] for r in rows], own_contacts=OWN, public_figures=FIGURES, ner=with_ner
    )
    layer = "activée" if with_ner else "désactivée"
    report_quality(rows, results, out, f"Jeu d'évaluation ({len(rows)} commentaires, NER {layer})")
    if with_ner:
        rules_only = analyse_many(
            [r["text"] for r in rows], own_contacts=OWN, public_figures=FIGURES, ner=False
        )
        report_quality(rows, rules_only, out, "Même jeu, règles seules (sans NER)")
    fresh = load_eval(FRESH)
    fresh_results = analyse_many(
        [r["text"] for r in fresh], own_contacts=OWN, public_figures=FIGURES, ner=with_ner
    )
    report_quality(
        fresh,
        fresh_results,
        out,
        f"Jeu frais ({len(fresh)} commentaires, jamais ajusté, NER {layer})",
    )
    report_mlma(mlma, out)
    texts = [r["text"] for r in rows + fresh]
    if mlma.exists():
        texts += [text for text, _ in mlma_rows(mlma)]
    report_speed(texts * repeat, out, with_ner)
