"""Articles to and from CSV (UTF-8, a header line). Columns ``title``, ``body``, ``keywords``,
``category`` (a theme's identifier or name) are read; ``slug``, ``public`` (oui/non), ``team``
(a team's identifier), ``valid_from``, ``valid_until`` (AAAA-MM-JJ) and ``language`` too when
present (``export`` writes them all, so an export imports back as it was); any other column
is ignored.

An import is all or nothing: every row is checked first, each bad row is reported with its
line number, and if any is bad nothing is written. A row updates the article of the same
``slug``, else of the same title, else creates one; an unchanged article gets no new version.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from civique.core.models import Team
from civique.inbox.models import Category
from civique.knowledge import actions
from civique.knowledge.models import Article

REQUIRED = ("title", "body", "keywords", "category")
OPTIONAL = ("slug", "public", "team", "valid_from", "valid_until", "language")
EXPORTED = REQUIRED + OPTIONAL
YES = {"oui", "o", "true", "vrai", "1", "yes", "x"}
NO = {"non", "n", "false", "faux", "0", "no", ""}
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LIMITS = {"title": 300, "keywords": 500, "slug": 120, "body": 100_000}


class ImportRefused(ValueError):
    """The file cannot be imported; ``errors`` are French sentences, one per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Row:
    line: int
    fields: dict = field(default_factory=dict)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            [
                f"Le fichier n'est pas en UTF-8 (octet invalide ligne {line}) : "
                "enregistrez-le en UTF-8 puis recommencez."
            ]
        ) from None


def _yes_no(value: str) -> bool | None:
    value = value.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return None


def _date(value: str) -> date | str | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return "bad"


def _check_row(line: int, raw: dict, themes: dict, teams: dict) -> tuple[Row | None, list[str]]:
    errors = []
    values = {name: (raw.get(name) or "").strip() for name in EXPORTED}
    for name, value in values.items():
        if CONTROLS.search(value):
            errors.append(
                f"Ligne {line} : la colonne « {name} » contient un caractère de contrôle."
            )
        if len(value) > LIMITS.get(name, 1000):
            errors.append(
                f"Ligne {line} : la colonne « {name} » dépasse {LIMITS.get(name, 1000)} caractères."
            )
    if not values["title"]:
        errors.append(f"Ligne {line} : le titre (colonne « title ») est vide.")
    if not values["body"]:
        errors.append(f"Ligne {line} : la réponse (colonne « body ») est vide.")
    category = None
    if values["category"]:
        category = themes.get(values["category"].lower())
        if category is None:
            errors.append(f"Ligne {line} : thème inconnu « {values['category'][:80]} ».")
    team = None
    if values["team"]:
        team = teams.get(values["team"].lower())
        if team is None:
            errors.append(f"Ligne {line} : service inconnu « {values['team'][:80]} ».")
    public = _yes_no(values["public"])
    if public is None:
        errors.append(
            f"Ligne {line} : « public » vaut oui ou non, pas « {values['public'][:20]} »."
        )
    dates = {name: _date(values[name]) for name in ("valid_from", "valid_until")}
    for name, value in dates.items():
        if value == "bad":
            errors.append(f"Ligne {line} : date invalide dans « {name} » (attendu AAAA-MM-JJ).")
    if (
        isinstance(dates["valid_from"], date)
        and isinstance(dates["valid_until"], date)
        and dates["valid_until"] < dates["valid_from"]
    ):
        errors.append(f"Ligne {line} : la fin de validité précède son début.")
    language = values["language"] or "fr"
    if language not in {"fr", "en"}:
        errors.append(f"Ligne {line} : langue inconnue « {language[:10]} » (fr ou en).")
    if errors:
        return None, errors
    return Row(
        line,
        {
            "slug": values["slug"],
            "question": values["title"],
            "answer": values["body"],
            "keywords": values["keywords"],
            "category": category,
            "team": team,
            "is_public": public,
            "valid_from": dates["valid_from"],
            "valid_until": dates["valid_until"],
            "language": language,
        },
    ), []


def parse(text: str) -> tuple[list[Row], list[str]]:
    """The file's rows, checked; raises ImportRefused with every problem found."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    if not header:
        raise ImportRefused(["Le fichier est vide : il faut une ligne d'en-tête."])
    reader.fieldnames = header
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportRefused(
            [f"Colonnes manquantes dans l'en-tête : {', '.join(missing)} (ligne 1)."]
        )
    themes = {}
    for category in Category.objects.all():
        themes[category.slug.lower()] = category
        themes[category.name.lower()] = category
    teams = {team.slug.lower(): team for team in Team.objects.all()}
    rows, errors, seen = [], [], {}
    start = 2
    try:
        for raw in reader:
            line, start = start, reader.line_num + 1
            if None in raw:
                errors.append(f"Ligne {line} : plus de valeurs que de colonnes dans l'en-tête.")
                continue
            if not any((value or "").strip() for value in raw.values()):
                continue  # a blank line
            row, problems = _check_row(line, raw, themes, teams)
            errors += problems
            if row is not None:
                key = row.fields["slug"] or row.fields["question"].lower()
                if key in seen:
                    errors.append(f"Ligne {line} : même fiche qu'à la ligne {seen[key]}.")
                seen[key] = line
                rows.append(row)
    except csv.Error as exc:
        errors.append(f"Ligne {reader.line_num} : CSV illisible ({exc}).")
    if errors:
        raise ImportRefused(errors)
    return rows, [name for name in header if name not in EXPORTED]


def _existing(fields: dict) -> Article | None:
    if fields["slug"]:
        found = Article.objects.filter(slug=fields["slug"]).first()
        if found:
            return found
    return Article.objects.filter(question=fields["question"]).order_by("pk").first()


def _changed(article: Article, fields: dict) -> bool:
    return any(getattr(article, name) != value for name, value in fields.items() if name != "slug")


@transaction.atomic
def import_articles(data: bytes, user=None) -> ImportResult:
    rows, ignored = parse(decode(data))
    result = ImportResult(ignored_columns=ignored)
    for row in rows:
        fields = dict(row.fields)
        article = _existing(fields)
        slug = fields.pop("slug")
        if article is None:
            if slug and Article.objects.filter(slug=slug).exists():
                slug = ""
            actions.save_article(user, None, **({"slug": slug} if slug else {}), **fields)
            result.created += 1
        elif _changed(article, fields):
            actions.save_article(user, article, **fields)
            result.updated += 1
        else:
            result.unchanged += 1
    return result


def export_articles(out) -> int:
    writer = csv.writer(out)
    writer.writerow(EXPORTED)
    count = 0
    for article in Article.objects.select_related("category", "team").order_by("pk"):
        writer.writerow(
            [
                article.question,
                article.answer,
                article.keywords,
                article.category.slug if article.category else "",
                article.slug,
                "oui" if article.is_public else "non",
                article.team.slug if article.team else "",
                article.valid_from.isoformat() if article.valid_from else "",
                article.valid_until.isoformat() if article.valid_until else "",
                article.language,
            ]
        )
        count += 1
    return count
