"""``civique setup``: migrate, and load the demo commune on first start."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from civique.core.models import Team


class Command(BaseCommand):
    help = "Prépare la base (migrations) et charge la démo au premier démarrage."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Base de données à jour.")
        if not options["no_demo"] and not Team.objects.exists():
            call_command("demo")
