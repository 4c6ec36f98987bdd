"""Rebuild ``dansmarue_extract.csv`` from the Ville de Paris « Dans ma rue » data (ODbL).

Usage, from the repository root::

    .venv/bin/python src/civique/demo/data/extract.py SOURCE.csv \
        > src/civique/demo/data/dansmarue_extract.csv

SOURCE.csv has the columns of the open-data export (``type``, ``soustype``, ``adresse``, ``lat``,
``lon``...). The extract keeps, for each demo category, up to ``PER_CATEGORY`` reports drawn with a
fixed seed, drops the Paris back-office sub-types, and moves the address to the fictional commune
of Valmont (postcode 99120, which La Poste does not use). Coordinates are kept as published.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from collections import defaultdict

from civique.demo.incidents import category_for, clean_subtype, is_internal

PER_CATEGORY = 40
SEED = 2024
POSTCODE = "99120"
CITY = re.compile(r",?\s*75\d{3}\s+PARIS\s*$", re.IGNORECASE)
COLUMNS = ["categorie", "type", "soustype", "adresse", "lat", "lon"]


def convert(row: dict[str, str]) -> dict[str, str] | None:
    """One source row in the extract's shape, or None when the demo does not use it."""
    subtype = row["soustype"]
    if is_internal(subtype):
        return None
    category = category_for(row["type"], subtype)
    if category is None or not CITY.search(row["adresse"]) or not row["lat"]:
        return None
    street = " ".join(CITY.sub("", row["adresse"]).split())
    return {
        "categorie": category,
        "type": row["type"],
        "soustype": clean_subtype(subtype),
        "adresse": f"{street}, {POSTCODE} Valmont",
        "lat": f"{float(row['lat']):.6f}",
        "lon": f"{float(row['lon']):.6f}",
    }


def main(source: str) -> None:
    by_category: dict[str, list[dict[str, str]]] = defaultdict(list)
    with open(source, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            converted = convert(row)
            if converted is not None:
                by_category[converted["categorie"]].append(converted)
    rng = random.Random(SEED)
    writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for category in sorted(by_category):
        rows = by_category[category]
        for row in rng.sample(rows, min(PER_CATEGORY, len(rows))):
            writer.writerow(row)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("Usage : extract.py SOURCE.csv > dansmarue_extract.csv")
    main(sys.argv[1])
