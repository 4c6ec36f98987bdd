"""Health data about an identifiable person (GDPR art. 9): conditions, treatments, hospital
stays. A health term alone is a hint (``le service de cardiologie est saturé`` talks about a
service); it scores higher next to a reference to a person: the author (``je suis diabétique``),
a relative (``ma mère``), a name (``Mme Dupont``, or one the NER layer found) or a room number.
"""

from __future__ import annotations

import re

from civique.analysis.base import Finding, Span
from civique.analysis.lexicon import skeleton_regex, words_pattern
from civique.analysis.normalise import Skeleton

NAME = "health-rules"

CONDITIONS = words_pattern([
    "diabète", "diabétique", "cancer", "cancéreux", "tumeur", "leucémie", "lymphome",
    "métastase", "métastases", "chimio", "chimiothérapie", "radiothérapie", "dialyse", "dialysé",
    "alzheimer", "parkinson", "avc", "infarctus", "crise cardiaque", "arrêt cardiaque",
    "insuffisance cardiaque", "insuffisance rénale", "dépression", "dépressif", "dépressive",
    "burn out", "schizophrène", "schizophrénie", "bipolaire", "autiste", "autisme", "épilepsie",
    "épileptique", "sclérose en plaques", "vih", "sida", "séropositif", "séropositive",
    "hépatite", "covid", "tuberculose", "asthme", "asthmatique", "cirrhose", "anorexie",
    "anorexique", "boulimie", "psychose", "trisomie", "trisomique", "handicap", "handicapé",
    "handicapée", "fausse couche", "ivg", "avortement", "cancer du sein", "grossesse", "enceinte",
    "fracture", "fracturé", "coma", "dans le coma", "démence", "alcoolique", "toxicomane",
    "addiction", "overdose", "suicide", "tentative de suicide", "suicidaire", "mucoviscidose",
    "myopathie", "paralysé", "paralysée", "tétraplégique", "paraplégique", "aveugle", "sourd",
    "polyarthrite", "lupus", "endométriose", "hernie", "pneumonie", "septicémie", "infection",
    "escarre", "escarres", "dénutrition", "déshydratée", "déshydraté", "malade", "maladie",
])  # fmt: skip
TREATMENTS = words_pattern([
    "insuline", "traitement", "antidépresseur", "antidépresseurs", "anxiolytique",
    "anxiolytiques", "morphine", "méthadone", "subutex", "lithium", "neuroleptique",
    "neuroleptiques", "antibiotiques", "sous oxygène", "intubé", "intubée", "perfusion",
    "opéré", "opérée", "opération", "greffe", "transfusion", "pontage", "amputé", "amputée",
    "prothèse", "kiné", "rééducation", "soins palliatifs", "palliatif", "ordonnance",
])  # fmt: skip
STAYS = words_pattern([
    "réanimation", "réa", "soins intensifs", "hospitalisé", "hospitalisée", "hospitalisation",
    "aux urgences", "admis", "admise", "en psychiatrie", "hôpital psychiatrique", "hp",
    "en oncologie", "en cardiologie", "en gériatrie", "en neurologie", "en pédiatrie",
    "en maternité", "en chirurgie", "en pneumologie", "en néphrologie", "en soins",
    "en unité covid", "usld", "en ssr", "en hdj", "en néonat", "néonatologie", "en néonatologie",
    "en gynéco", "en maternité", "en soins palliatifs", "sous dialyse", "en rééducation",
])  # fmt: skip
HEALTH = re.compile(r"\b(?:" + CONDITIONS + "|" + TREATMENTS + "|" + STAYS + r")\b")
RELATIVES = skeleton_regex(
    r"\b(?:ma|mon|mes|notre|nos|sa|son|ses|leur|leurs)\s+(?:mere|pere|fils|file|files|fille|"
    r"grandmere|grandpere|grandsparents|bellemere|beaupere|beaufrere|bellesoeur|petitfils|"
    r"petitefille|"
    r"filles|enfant|enfants|bebe|mari|femme|epoux|epouse|frere|soeur|grand mere|grand pere|"
    r"grands parents|mamie|papi|papy|maman|papa|tante|oncle|cousin|cousine|neveu|niece|"
    r"conjoint|conjointe|compagnon|compagne|copain|copine|voisin|voisine|beau pere|bele mere|"
    r"beau frere|bele soeur|petit fils|petite file|petite fille|patient|patiente|residente|"
    r"resident|gamin|gamine|ado)\b"
)
FIRST_PERSON = skeleton_regex(
    r"\b(?:je suis|j suis|chui|jsuis|j ai|j avais|je sors|je souffre|moi meme|je prends|"
    r"je prend|je vais etre|j etais|on m a|on ma|je me suis fait)\b"
)
ROOM = skeleton_regex(r"\b(?:chambre|ch|box|lit)\s*(?:n|no|numero)?\s*\d{1,4}\b")
CIVILITY = skeleton_regex(r"\b(?:m|mr|mme|mle|madame|monsieur|mademoiselle|docteur|dr)\s+[a-z]{2,}")
WINDOW = 80


def analyse_health(skel: Skeleton, *, names: list[Span] = ()) -> list[Finding]:
    """A ``health`` finding when the skeleton holds health terms; ``names`` are person names
    already found (original offsets), which make a nearby term identifiable."""
    text = skel.text
    terms = list(HEALTH.finditer(text))
    if not terms:
        return []
    ranges = [(m.start(), m.end()) for m in terms]
    score = 0.3
    people: list[tuple[int, int]] = []
    for term in terms:
        lo, hi = max(0, term.start() - WINDOW), term.end() + WINDOW
        for pattern, weight in ((RELATIVES, 0.75), (FIRST_PERSON, 0.6), (ROOM, 0.85),
                                (CIVILITY, 0.9)):  # fmt: skip
            for match in pattern.finditer(text, lo, min(hi, len(text))):
                score = max(score, weight)
                people.append((match.start(), match.end()))
    near_name = [
        name for name in names
        if any(abs(skel.span(a, b)[0] - name.start) <= 2 * WINDOW for a, b in ranges)
    ]  # fmt: skip
    if near_name:
        score = max(score, 0.9)
    if people and (len(terms) > 1 or len(people) > 1):
        score = min(1.0, score + 0.05)
    spans = set()
    for a, b in ranges + people:
        start, end = skel.span(a, b)
        spans.add(Span(start, end, skel.original[start:end]))
    spans |= set(near_name)
    ordered = tuple(sorted(spans, key=lambda s: (s.start, s.end)))
    return [Finding("health", round(score, 3), NAME, ordered)]
