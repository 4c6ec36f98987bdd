"""``civique bench ingest``: measure end-to-end ingestion against a plain bulk insert;
``civique bench hostile``: the intake's latency while a worker processes hostile mail;
``civique bench webhooks``: the webhook's acknowledgement latency at a sustained rate;
``civique bench analysis``: the analysers' precision and recall, and their throughput;
``civique bench knowledge``: the knowledge base's search; ``civique bench reporting``: the
supervisors' dashboard over many conversations; ``civique bench inbox``: the inbox, the
conversation and contact pages, search and the API list over a large history.
``civique bench bigimport``: memory and rate of ``civique ingest`` on large mboxes.

The benchmark itself lives in ``bench/ingest.py`` at the root of the repository (benchmarks are
not part of the installed package); this command loads it from ``settings.PROJECT_DIR``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

BENCHMARKS = {
    "ingest": "ingest.py",
    "hostile": "hostile.py",
    "webhooks": "webhooks.py",
    "analysis": "analysis.py",
    "knowledge": "knowledge.py",
    "reporting": "reporting.py",
    "bigimport": "bigimport.py",
    "inbox": "inbox.py",
}


def load_benchmark(name: str) -> ModuleType:
    """Import ``bench/<name>.py`` by path. Precondition: run from a checkout of the repository."""
    path = Path(settings.PROJECT_DIR) / "bench" / BENCHMARKS[name]
    if not path.exists():
        raise CommandError(
            f"Banc d'essai introuvable : {path}. Lancez cette commande depuis une copie du dépôt."
        )
    spec = importlib.util.spec_from_file_location(f"civique_bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


class Command(BaseCommand):
    help = (
        "Mesure, dans une base temporaire : l'ingestion de bout en bout (ingest : événements par "
        "seconde, et comme plancher une insertion en masse des mêmes messages) ; la latence de "
        "réception pendant le traitement de courriels hostiles (hostile : --events courriels) ; "
        "la latence d'accusé de réception des webhooks à débit soutenu (webhooks : --rate, "
        "--seconds, et --url --channel pour viser un serveur en marche) ; la précision, le rappel "
        "et le débit des analyseurs (analysis : --mlma, --no-ner) ; la recherche dans la "
        "base de connaissances (knowledge : justesse sur les questions étiquetées, latence avec "
        "--articles fiches) ; le tableau de bord des engagements (reporting : --conversations "
        "demandes, --runs passages) ; la boîte de réception, une demande, un usager, la "
        "recherche et l'API sur un gros historique (inbox : --messages, --runs, --json) ; "
        "les gros imports (bigimport : mémoire de lecture d'une boîte mbox "
        "de --events courriels et de 4 fois plus, débit avec --jobs 1 et 2)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("benchmark", choices=sorted(BENCHMARKS), help="Banc d'essai à lancer.")
        parser.add_argument("--events", type=int, default=1000, help="Nombre d'événements (1000).")
        parser.add_argument(
            "--batch",
            type=int,
            default=settings.CIVIQUE_INGEST_BATCH,
            help="Taille des lots du traitement (CIVIQUE_INGEST_BATCH).",
        )
        parser.add_argument(
            "--keep", action="store_true", help="Conserver la base temporaire après la mesure."
        )
        parser.add_argument("--rate", type=int, default=500, help="webhooks : requêtes/s (500).")
        parser.add_argument("--seconds", type=int, default=10, help="webhooks : durée (10 s).")
        parser.add_argument(
            "--url", default=None, help="webhooks : serveur en marche (local), sinon embarqué."
        )
        parser.add_argument(
            "--channel", type=int, default=None, help="webhooks : canal Facebook du serveur."
        )
        parser.add_argument(
            "--threads", type=int, default=8, help="webhooks : fils du serveur embarqué (8)."
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="webhooks : serveur embarqué sans worker."
        )
        parser.add_argument(
            "--mlma",
            default=str(Path(settings.PROJECT_DIR).parent / "shared/data/mlma_fr/fr_dev.csv"),
            help="analysis : tweets annotés MLMA (CSV), évalués s'ils sont là.",
        )
        parser.add_argument(
            "--no-ner", action="store_true", help="analysis : sans la couche NER (spaCy)."
        )
        parser.add_argument(
            "--articles", type=int, default=10000, help="knowledge : fiches ajoutées (10000)."
        )
        parser.add_argument(
            "--queries", type=int, default=1000, help="knowledge : recherches chronométrées."
        )
        parser.add_argument(
            "--conversations", type=int, default=10000, help="reporting : demandes (10000)."
        )
        parser.add_argument(
            "--runs", type=int, default=None, help="reporting : passages (5) ; inbox : (20)."
        )
        parser.add_argument(
            "--messages", type=int, default=100_000, help="inbox : messages écrits (100000)."
        )
        parser.add_argument(
            "--json", default="", help="inbox : écrire aussi les mesures dans ce fichier JSON."
        )

    def handle(self, *args, **options) -> None:
        if options["events"] < 1 or options["batch"] < 1:
            raise CommandError("--events et --batch doivent être au moins 1.")
        if options["benchmark"] == "webhooks":
            self.bench_webhooks(options)
            return
        if options["benchmark"] == "analysis":
            load_benchmark("analysis").main(
                self.stdout, mlma=Path(options["mlma"]), with_ner=not options["no_ner"]
            )
            return
        if options["benchmark"] == "bigimport":
            load_benchmark("bigimport").main(options["events"], options["keep"], self.stdout)
            return
        if options["benchmark"] == "knowledge":
            if not 0 <= options["articles"] <= 1_000_000 or not 1 <= options["queries"] <= 100_000:
                raise CommandError("--articles va de 0 à 1 000 000 et --queries de 1 à 100 000.")
            load_benchmark("knowledge").main(
                options["articles"], options["queries"], options["keep"], self.stdout
            )
            return
        if options["benchmark"] == "reporting":
            runs = 5 if options["runs"] is None else options["runs"]
            if not 1 <= options["conversations"] <= 1_000_000 or not 1 <= runs <= 100:
                raise CommandError("--conversations va de 1 à 1 000 000 et --runs de 1 à 100.")
            load_benchmark("reporting").main(
                options["conversations"], runs, options["keep"], self.stdout
            )
            return
        if options["benchmark"] == "inbox":
            runs = 20 if options["runs"] is None else options["runs"]
            if not 100 <= options["messages"] <= 10_000_000 or not 1 <= runs <= 1000:
                raise CommandError("--messages va de 100 à 10 000 000 et --runs de 1 à 1000.")
            load_benchmark("inbox").main(
                options["messages"], runs, options["keep"], self.stdout, options["json"]
            )
            return
        module = load_benchmark(options["benchmark"])
        module.main(options["events"], options["batch"], options["keep"], self.stdout)

    def bench_webhooks(self, options: dict) -> None:
        if not 1 <= options["rate"] <= 2000 or not 1 <= options["seconds"] <= 120:
            raise CommandError("--rate va de 1 à 2000 et --seconds de 1 à 120.")
        if options["channel"] is not None and not options["url"]:
            raise CommandError("--channel ne sert qu'avec --url (un serveur en marche).")
        if not 1 <= options["threads"] <= 64:
            raise CommandError("--threads va de 1 à 64.")
        module = load_benchmark("webhooks")
        module.main(
            options["rate"],
            options["seconds"],
            options["url"],
            options["channel"],
            options["keep"],
            self.stdout,
            worker=not options["no_worker"],
            threads=options["threads"],
        )
