"""``civique simulate KIND --channel ID [--count N] [--interval SECONDS] [--url BASE]``: play
signed platform events into a running instance, so that a visitor watches them arrive."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civique.demo.simulate import DEFAULT_URL, SIMULATORS, SimulationError, play

MAX_COUNT = 10_000


class Command(BaseCommand):
    help = _(
        "Envoie à une instance en marche des événements de plateforme signés (commentaires, "
        "messages privés…), comme la plateforme le ferait, pour les voir arriver dans la boîte. "
        "WhatsApp : textes et positions, sans photo (le serveur la téléchargerait depuis Meta, "
        "qui ne connaît pas ces photos inventées)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", metavar="TYPE", help=", ".join(sorted(SIMULATORS)))
        parser.add_argument(
            "--channel", type=int, required=True, metavar="ID", help=_("numéro du canal")
        )
        parser.add_argument("--count", type=int, default=10, help=_("nombre d'événements (10)"))
        parser.add_argument(
            "--interval",
            type=float,
            default=2.0,
            metavar="SECONDES",
            help=_("attente entre deux événements (2)"),
        )
        parser.add_argument(
            "--url", default=DEFAULT_URL, metavar="BASE", help=f"{DEFAULT_URL} par défaut"
        )

    def handle(self, *args, **options) -> None:
        if not 1 <= options["count"] <= MAX_COUNT:
            raise CommandError(_("--count va de 1 à %(max)s.") % {"max": MAX_COUNT})
        if not 0 <= options["interval"] <= 3600:
            raise CommandError(_("--interval va de 0 à 3600 secondes."))
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per event is ours
        try:
            accepted = play(
                options["kind"],
                options["channel"],
                count=options["count"],
                interval=options["interval"],
                url=options["url"],
                out=self.stdout,
            )
        except SimulationError as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            raise CommandError(_("Simulation interrompue."), returncode=130) from None
        self.stdout.write(
            self.style.SUCCESS(_("%(n)s événements acceptés par le serveur.") % {"n": accepted})
        )
