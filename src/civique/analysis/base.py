"""The shape of an analysis result, shared by every analyser and by what reads the results
(the moderation charter's rules, the queue, ``civique analyse``).

A result is a list of findings; a finding is one label with a score in [0, 1] and the spans of
text that evidence it. Labels are dotted names from ``LABELS``; an analyser may add finer labels
under the same prefixes (``personal.nir``...), and readers match on prefixes.

Stored on ``Message.analysis`` as ``to_json()``: ``{"version": 1, "findings": [{"label": ...,
"score": ..., "analyser": ..., "spans": [[start, end, text], ...]}]}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VERSION = 1

# The labels the charter's rules name. Offsets in spans are in characters of the analysed text.
LABELS = {
    "abuse.insult": "Injure ou outrage",
    "abuse.hate": "Haine ou discrimination",
    "abuse.threat": "Menace",
    "abuse.harassment": "Harcèlement",
    "abuse.obscene": "Obscénité",
    "tone.angry": "Colère légitime (à ne pas masquer)",
    "personal.phone": "Numéro de téléphone",
    "personal.email": "Adresse électronique",
    "personal.address": "Adresse postale",
    "personal.nir": "Numéro de sécurité sociale (NIR)",
    "personal.iban": "IBAN",
    "personal.tax_number": "Numéro fiscal",
    "personal.plate": "Plaque d'immatriculation",
    "personal.birth_date": "Date de naissance",
    "personal.name": "Nom de personne",
    "health": "Donnée de santé d'une personne identifiable",
    "spam.advertising": "Publicité",
    "spam.link": "Lien",
    "spam.flood": "Flood ou répétition",
    "politics.electoral": "Propagande électorale",
}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Finding:
    label: str
    score: float
    analyser: str
    spans: tuple[Span, ...] = ()

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "score": round(self.score, 3),
            "analyser": self.analyser,
            "spans": [[s.start, s.end, s.text] for s in self.spans],
        }

    @classmethod
    def from_json(cls, data: dict) -> Finding:
        return cls(
            label=str(data["label"]),
            score=float(data["score"]),
            analyser=str(data.get("analyser", "")),
            spans=tuple(Span(int(a), int(b), str(t)) for a, b, t in data.get("spans", [])),
        )


@dataclass(frozen=True)
class Analysis:
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    def score(self, prefix: str) -> float:
        """The highest score among findings whose label is ``prefix`` or starts with
        ``prefix + "."``; 0.0 when none."""
        return max(
            (
                f.score
                for f in self.findings
                if f.label == prefix or f.label.startswith(prefix + ".")
            ),
            default=0.0,
        )

    def labels(self) -> set[str]:
        return {f.label for f in self.findings}

    def to_json(self) -> dict:
        return {"version": VERSION, "findings": [f.to_json() for f in self.findings]}

    @classmethod
    def from_json(cls, data: dict | None) -> Analysis:
        if not data:
            return cls()
        return cls(findings=tuple(Finding.from_json(f) for f in data.get("findings", [])))
