"""``civique knowledge import FILE.csv``, ``civique knowledge export`` (CSV on stdout) and
``civique knowledge reindex``."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civique.knowledge.actions import reindex_everything
from civique.knowledge.csvio import ImportRefused, export_articles, import_articles

MAX_FILE_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Importe des fiches depuis un CSV en UTF-8 (colonnes title, body, keywords, category ; "
        "tout ou rien) ou les exporte en CSV sur la sortie standard."
    )

    def add_arguments(self, parser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        importing = commands.add_parser("import", help="Importer un fichier CSV.")
        importing.add_argument("file", help="Fichier CSV en UTF-8 (« - » : entrée standard).")
        commands.add_parser("export", help="Exporter toutes les fiches en CSV.")
        commands.add_parser(
            "reindex",
            help="Reconstruire l'index de recherche (après une restauration, par exemple).",
        )

    def handle(self, *args, **options) -> None:
        if options["action"] == "reindex":
            count = reindex_everything()
            self.stdout.write(self.style.SUCCESS(f"{count} éléments réindexés."))
            return
        if options["action"] == "export":
            count = export_articles(self.stdout)
            self.stderr.write(f"{count} fiches exportées.")
            return
        data = self.read(options["file"])
        try:
            result = import_articles(data)
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(error)
            raise CommandError(
                f"Import refusé : {len(refused.errors)} problème(s) ; aucune fiche n'a été "
                "importée. Corrigez le fichier puis recommencez."
            ) from None
        if result.ignored_columns:
            self.stdout.write(f"Colonnes ignorées : {', '.join(result.ignored_columns)}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Import terminé : {result.created} fiches créées, {result.updated} modifiées, "
                f"{result.unchanged} inchangées."
            )
        )

    def read(self, name: str) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        path = Path(name)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError("Fichier trop gros (50 Mo au plus).")
            return path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"Fichier introuvable : {name}") from None
        except IsADirectoryError:
            raise CommandError(f"{name} est un dossier, pas un fichier.") from None
        except PermissionError:
            raise CommandError(f"Lecture interdite : {name}") from None
