"""``civique analyse``: run the analysers over JSON lines on standard input (one result line per
input line), or, with ``--messages``, again over the inbound messages already stored."""

from __future__ import annotations

import json
import sys
from datetime import datetime, time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from civique.analysis import analyse_many
from civique.inbox.models import Direction, Message
from civique.ingest.actions import reanalyse_messages


def parse_line(line: str) -> tuple[dict | None, str]:
    """The JSON object of one input line and its text, or None and a French error message."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"JSON invalide à la colonne {exc.colno} : la ligne est ignorée."
    if not isinstance(data, dict):
        return None, 'Chaque ligne doit être un objet JSON, par exemple {"text": "..."}.'
    text = data.get("text")
    if not isinstance(text, str):
        return None, "Le champ « text » est absent ou n'est pas une chaîne de caractères."
    return data, text


class Command(BaseCommand):
    help = (
        'Analyse des textes : lit des lignes JSON {"text": ...} sur l\'entrée standard et écrit '
        "une ligne JSON par entrée (étiquettes, scores, extraits). Avec --messages, analyse de "
        "nouveau les messages reçus déjà enregistrés (--since, --channel) et met à jour leur "
        "analyse."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--messages", action="store_true", help="Analyser de nouveau les messages reçus."
        )
        parser.add_argument("--since", help="--messages : reçus depuis cette date (AAAA-MM-JJ).")
        parser.add_argument("--channel", type=int, help="--messages : ce canal seulement (id).")
        parser.add_argument("--batch", type=int, default=200, help="Taille des lots (200).")
        parser.add_argument(
            "--no-ner", action="store_true", help="Sans la reconnaissance des noms (spaCy)."
        )

    def handle(self, *args, **options) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch doit être au moins 1.")
        ner = settings.CIVIQUE_ANALYSIS_NER and not options["no_ner"]
        if options["messages"]:
            self.reanalyse(options, ner)
            return
        if options["since"] or options["channel"]:
            raise CommandError("--since et --channel ne valent qu'avec --messages.")
        self.analyse_stdin(options["batch"], ner)

    def analyse_stdin(self, batch: int, ner: bool) -> None:
        pending: list[tuple[int, dict | None, str]] = []
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            data, text_or_error = parse_line(line)
            pending.append((number, data, text_or_error))
            if len(pending) >= batch:
                self.flush(pending, ner)
                pending = []
        self.flush(pending, ner)

    def flush(self, pending: list[tuple[int, dict | None, str]], ner: bool) -> None:
        valid = [(data, text) for _n, data, text in pending if data is not None]
        results = iter(
            analyse_many(
                [text for _d, text in valid],
                own_contacts=settings.CIVIQUE_OWN_CONTACTS,
                public_figures=settings.CIVIQUE_PUBLIC_FIGURES,
                ner=ner,
            )
        )
        for number, data, text_or_error in pending:
            if data is None:
                out = {"line": number, "error": text_or_error}
            else:
                result = next(results)
                out = {**data, **result.to_json(), "labels": sorted(result.labels())}
            self.stdout.write(json.dumps(out, ensure_ascii=False))

    def reanalyse(self, options: dict, ner: bool) -> None:
        messages = Message.objects.filter(direction=Direction.INBOUND)
        if options["since"]:
            messages = messages.filter(created_at__gte=self.since(options["since"]))
        if options["channel"]:
            messages = messages.filter(channel_id=options["channel"])
        count = reanalyse_messages(messages, batch=options["batch"], ner=ner)
        self.stdout.write(f"{count} message(s) analysé(s) de nouveau.")

    @staticmethod
    def since(value: str) -> datetime:
        stamp = parse_datetime(value)
        if stamp is None:
            try:
                day = parse_date(value)
            except ValueError:
                day = None
            if day is None:
                raise CommandError(f"Date invalide pour --since : {value!r} (AAAA-MM-JJ).")
            stamp = datetime.combine(day, time.min)
        return timezone.make_aware(stamp) if timezone.is_naive(stamp) else stamp
