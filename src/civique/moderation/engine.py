"""Reading an analysis against the charter and the automatic rules: pure decisions, no writes.

``assess`` says which article a message's analysis evidences (the most severe, then the highest
score), whether it is an angry-but-legitimate complaint, and which automatic rules match. The
stage (``stages.py``) and the actions (``actions.py``) write what it decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from civique.analysis.base import LABELS, Analysis, Span
from civique.moderation.models import AutoRule, CharterRule

ANGRY = "tone.angry"
ANGRY_MIN_SCORE = 0.5
ABUSE_MIN_SCORE = 0.5


@dataclass(frozen=True)
class Evidence:
    label: str
    score: float
    spans: tuple[Span, ...]

    @property
    def explanation(self) -> str:
        """The label in French, for the queue."""
        exact = LABELS.get(self.label)
        if exact:
            return exact
        prefix = next((LABELS[k] for k in LABELS if self.label.startswith(k + ".")), "")
        return prefix or self.label


@dataclass
class Assessment:
    article: CharterRule | None = None
    score: float = 0.0
    angry: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    rules: list[AutoRule] = field(default_factory=list)

    @property
    def severity(self) -> int:
        if self.article is not None:
            return self.article.severity
        return 1 if self.angry else 0


def article_score(article: CharterRule, analysis: Analysis) -> float:
    """How strongly ``analysis`` evidences ``article`` (0 when below its threshold)."""
    score = max((analysis.score(label) for label in article.labels), default=0.0)
    return score if score >= article.min_score else 0.0


def applies(article: CharterRule, electoral_period: bool) -> bool:
    """An enabled article, and an electoral-period-only one only during that period."""
    return article.enabled and (electoral_period or not article.electoral_only)


def choose_article(
    analysis: Analysis, articles: Iterable[CharterRule], electoral_period: bool
) -> tuple[CharterRule | None, float]:
    """The enabled article ``analysis`` evidences, most severe first, then highest score."""
    best: tuple[int, float] = (0, 0.0)
    chosen = None
    for article in articles:
        if not applies(article, electoral_period):
            continue
        score = article_score(article, analysis)
        if score and (article.severity, score) > best:
            best, chosen = (article.severity, score), article
    return chosen, best[1]


def evidence_of(analysis: Analysis) -> list[Evidence]:
    return sorted(
        (Evidence(f.label, f.score, f.spans) for f in analysis.findings),
        key=lambda e: -e.score,
    )


def rule_matches(
    rule: AutoRule, analysis: Analysis, text: str, channel_id: int, hidden_before: int
) -> bool:
    """All of ``rule``'s conditions hold (an empty condition holds)."""
    if not rule.enabled:
        return False
    if rule.labels and max((analysis.score(x) for x in rule.labels), default=0) < rule.min_score:
        return False
    channels = [c.pk for c in rule.channels.all()]
    if channels and channel_id not in channels:
        return False
    keywords = rule.keyword_list()
    lowered = text.lower()
    if keywords and not any(k in lowered for k in keywords):
        return False
    return rule.min_hidden_before is None or hidden_before >= rule.min_hidden_before


def assess(
    analysis: Analysis,
    text: str,
    *,
    channel_id: int,
    articles: Iterable[CharterRule],
    rules: Iterable[AutoRule],
    electoral_period: bool,
    hidden_before: int,
) -> Assessment:
    article, score = choose_article(analysis, articles, electoral_period)
    # Angry but legitimate: the tone, without abuse (a complaint may still carry a phone number
    # to hide, under article 6: it is then both).
    angry = analysis.score(ANGRY) >= ANGRY_MIN_SCORE and analysis.score("abuse") < ABUSE_MIN_SCORE
    matched = []
    for rule in rules:
        if rule_matches(rule, analysis, text, channel_id, hidden_before):
            matched.append(rule)
            if rule.stop:
                break
    return Assessment(article, score, angry, evidence_of(analysis), matched)


def may_hide_automatically(rule: AutoRule, analysis: Analysis, electoral_period: bool) -> bool:
    """An automatic hide needs an administrator's consent on the rule and the evidence of the
    article it cites, applicable now (see ``applies``): an angry complaint, which no article
    names, is never hidden."""
    if not rule.automatic_hide_enabled or rule.charter_rule is None:
        return False
    article = rule.charter_rule
    return applies(article, electoral_period) and article_score(article, analysis) > 0
