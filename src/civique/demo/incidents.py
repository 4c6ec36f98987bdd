"""Incident reports for the demo, from an extract of the Ville de Paris « Dans ma rue » data.

The extract (``data/dansmarue_extract.csv``, ODbL, see ``data/README.md``) holds a DansMaRue type
and sub-type, an address moved to the fictional commune of Valmont, and WGS84 coordinates. This
module maps each report to a demo category and reads the extract; it needs no Django, so that
``data/extract.py`` can use it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

EXTRACT = Path(__file__).resolve().parent / "data" / "dansmarue_extract.csv"

# Sub-types that describe the Paris services' own work rather than what a resident reports.
INTERNAL_MARKERS = (
    "[réservé",
    "Patrouille",
    "Renfort",
    "Fonctionnelle",
    "ramen",
    "LIME",
    "Porte de Paris",
    "périphérique",
    "Trilib",
    "La Poste",
)


@dataclass(frozen=True)
class Incident:
    category: str
    type: str
    subtype: str
    address: str
    lat: float
    lon: float


def category_for(kind: str, subtype: str) -> str | None:
    """The demo category slug of a DansMaRue report, or None when the demo does not use it."""
    low = subtype.lower()
    if kind.startswith("Graffitis"):
        return "graffitis"
    if kind == "Objets abandonnés":
        if "encombrants" in low or "bac roulant" in low:
            return "encombrants"
        return "depots-sauvages"
    if kind == "Propreté":
        if "collecte" in low or "poubelle" in low:
            return "collecte-dechets"
        return "proprete"
    if kind.startswith("Autos"):
        return "stationnement"
    if kind == "Voirie et espace public":
        return "signalisation" if "panneau" in low else "chaussee"
    if kind == "Mobiliers urbains":
        return "signalisation"
    if kind.startswith("Arbres"):
        return "espaces-verts"
    if kind.startswith("Éclairage"):
        return "eclairage-public"
    return None


def is_internal(subtype: str) -> bool:
    low = subtype.lower()
    return any(marker.lower() in low for marker in INTERNAL_MARKERS)


def clean_subtype(subtype: str) -> str:
    """Drop the Paris back-office markers (``[] `` prefix, ``U2`` suffix) and double spaces."""
    text = " ".join(subtype.replace("[]", "").split())
    if text.endswith(" U2"):
        text = text[:-3]
    return text.strip()


def load_incidents(path: Path = EXTRACT) -> list[Incident]:
    """Read the shipped extract. Precondition: the file has the columns ``extract.py`` writes."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Incident(
                category=row["categorie"],
                type=row["type"],
                subtype=row["soustype"],
                address=row["adresse"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
            for row in csv.DictReader(handle)
        ]
