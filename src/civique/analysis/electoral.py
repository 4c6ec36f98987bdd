"""Electoral propaganda: calls to vote for or against a list or a candidate, campaign material.
The charter decides what to do with it (only in an electoral period, Code électoral L52-1); a
mere mention of an election (``les municipales ont lieu en mars``) is a hint."""

from __future__ import annotations

import re

from civique.analysis.base import Finding, Span
from civique.analysis.lexicon import skeleton_regex
from civique.analysis.normalise import Skeleton

NAME = "electoral-rules"

CALLS = skeleton_regex(
    r"\b(?:votez|votons|voter pour|allez voter pour|ne votez pas|ne votez surtout pas|elisez|"
    r"reelisez|soutenez (?:notre|la) liste|soutenez notre candidat|rejoignez notre campagne|"
    r"rejoignez notre liste|notre liste|notre candidate?|tete de liste|mon programme|"
    r"notre programme|programme electoral|profession de foi|bulletin de vote|reunion publique|"
    r"meeting de campagne|tractage|nos tracts|le \d+ (?:mars|juin) votez|dimanche votez|"
    r"faites barrage|donnez (?:nous|moi) votre voix|votre voix compte pour)\b"
)
ELECTIONS = skeleton_regex(
    r"\b(?:municipales|elections?|legislatives|europeennes|presidentielle|cantonales|"
    r"departementales|regionales|scrutin|candidat|candidate|candidats|campagne electorale|"
    r"premier tour|second tour)\b"
)
HASHTAG = re.compile(r"#(?:municipales|elections?|vote)\w*", re.IGNORECASE)


def analyse_electoral(skel: Skeleton) -> list[Finding]:
    calls = list(CALLS.finditer(skel.text))
    mentions = list(ELECTIONS.finditer(skel.text))
    tags = list(HASHTAG.finditer(skel.original))
    if not calls and not mentions and not tags:
        return []
    score = 0.7 if calls else 0.0
    score += 0.15 if mentions else 0.0
    score += 0.15 if tags else 0.0
    score = max(score, 0.3)
    spans = []
    for m in calls + mentions:
        start, end = skel.span(m.start(), m.end())
        spans.append(Span(start, end, skel.original[start:end]))
    spans += [Span(m.start(), m.end(), m.group()) for m in tags]
    ordered = tuple(sorted(set(spans), key=lambda s: (s.start, s.end)))
    return [Finding("politics.electoral", round(min(score, 1.0), 3), NAME, ordered)]
