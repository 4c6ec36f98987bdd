"""``civique setup``: migrate, and load the demo commune on first start (or finish loading it)."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from civique.core.models import Team
from civique.demo.knowledge_base import load_knowledge_base
from civique.demo.models import DemoLoad


class Command(BaseCommand):
    help = (
        "Prépare la base (migrations) et charge la démo au premier démarrage ; termine un "
        "chargement de la démo interrompu."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Base de données à jour.")
        if options["no_demo"]:
            return
        load = DemoLoad.objects.first()
        if load is not None and not load.is_complete:
            self.stdout.write(
                self.style.WARNING(
                    "Le chargement de la démo a été interrompu la dernière fois : il reprend."
                )
            )
            call_command("demo", resume=True, stdout=self.stdout, stderr=self.stderr)
        elif load is None and not Team.objects.exists():
            call_command("demo", stdout=self.stdout, stderr=self.stderr)
        elif load is not None:
            # A demo loaded before the knowledge base existed gets it; nothing twice.
            created = load_knowledge_base()
            if any(created.values()):
                self.stdout.write(
                    f"Base de connaissances de la démo ajoutée : {created['articles']} fiches, "
                    f"{created['templates']} réponses types, "
                    f"{created['institutions']} organismes."
                )
