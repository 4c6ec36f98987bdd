"""Text analysis: what a message says about aggression, personal and health data, spam.

Plain functions over text, with no database and no Django model: the ingest pipeline runs them
before its write transaction and stores the result on the message (``Message.analysis``), and
``civique analyse`` runs them over JSON lines. See ``base`` for the result's shape and labels.

Two layers: the rules and lexicons (fast, always on) and spaCy's French NER for person names
(optional: ``ner=False``, or absent when the model is not installed). A finding scoring at least
``THRESHOLD`` is asserted; below it, it is a hint (a swear word in an angry complaint, a health
term with nobody named).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from civique.analysis import ner as ner_layer
from civique.analysis.abuse import analyse_abuse
from civique.analysis.base import LABELS, Analysis, Finding, Span
from civique.analysis.electoral import analyse_electoral
from civique.analysis.health import analyse_health
from civique.analysis.normalise import fold, skeleton
from civique.analysis.personal import analyse_personal, own_sets
from civique.analysis.spam import analyse_spam

__all__ = ["LABELS", "THRESHOLD", "Analysis", "Finding", "Span", "analyse", "analyse_many"]

THRESHOLD = 0.5
# Texts longer than this are analysed on their first MAX_CHARS characters, so that the cost
# stays bounded on a hostile 4 MB mail; the spans simply stop there.
MAX_CHARS = 20_000


def analyse(
    text: str,
    *,
    own_contacts: Iterable[str] = (),
    public_figures: Iterable[str] = (),
    ner: bool = True,
) -> Analysis:
    """The findings on ``text``. ``own_contacts``: the institution's published emails, phone
    numbers and web domains, never reported; ``public_figures``: names never reported as
    personal data (the mayor...); ``ner``: run the spaCy layer for person names."""
    return analyse_many([text], own_contacts=own_contacts, public_figures=public_figures, ner=ner)[
        0
    ]


def analyse_many(
    texts: Sequence[str],
    *,
    own_contacts: Iterable[str] = (),
    public_figures: Iterable[str] = (),
    ner: bool = True,
) -> list[Analysis]:
    """``analyse`` for many texts at once: the NER layer runs them through spaCy in batches."""
    texts = [str(text or "")[:MAX_CHARS] for text in texts]
    own = tuple(str(item) for item in own_contacts)
    figures = {fold(name) for name in public_figures if fold(name)}
    names = ner_layer.person_names(texts, figures) if ner else [[] for _ in texts]
    return [
        _analyse_one(text, own, figures, found) for text, found in zip(texts, names, strict=True)
    ]


def _analyse_one(
    text: str, own: tuple[str, ...], figures: set[str], ner_names: list[Span]
) -> Analysis:
    if not text.strip():
        return Analysis()
    skel = skeleton(text)
    findings = analyse_abuse(skel)
    personal = analyse_personal(text, own_contacts=own, public_figures=figures)
    rule_names = [s for f in personal if f.label == "personal.name" for s in f.spans]
    extra = [n for n in ner_names if not any(_overlap(n, r) for r in rule_names)]
    if extra:
        personal.append(Finding("personal.name", 0.7, ner_layer.NAME, tuple(extra)))
    findings += personal
    findings += analyse_health(skel, names=rule_names + extra)
    _emails, _phones, domains = own_sets(own)
    findings += analyse_spam(skel, own_domains=domains)
    findings += analyse_electoral(skel)
    harassment = _insult_with_personal_data(findings)
    if harassment is not None:
        findings.append(harassment)
    return Analysis(findings=tuple(sorted(findings, key=lambda f: (-f.score, f.label))))


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


PERSONAL_FOR_HARASSMENT = ("personal.phone", "personal.address", "personal.email", "personal.plate")


def _insult_with_personal_data(findings: list[Finding]) -> Finding | None:
    """Insulting someone while giving their phone, address or plate exposes them: harassment."""
    insults = [
        f
        for f in findings
        if f.label in ("abuse.insult", "abuse.hate", "abuse.threat") and f.score >= THRESHOLD
    ]
    exposed = [f for f in findings if f.label in PERSONAL_FOR_HARASSMENT]
    if not insults or not exposed:
        return None
    spans = tuple(
        sorted({s for f in insults + exposed for s in f.spans}, key=lambda s: (s.start, s.end))
    )
    return Finding("abuse.harassment", 0.7, "abuse-rules", spans)
