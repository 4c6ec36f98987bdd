"""``civique mailsink``: the local SMTP sink of the embedded profile, in the foreground."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civique.core.mailsink import DEFAULT_PORT, HOST, MailSinkError, default_directory, start_sink


class Command(BaseCommand):
    help = (
        "Puits de courriels local : un serveur SMTP sur 127.0.0.1 qui enregistre chaque courriel "
        "reçu en fichier .eml et n'en relaie aucun."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--port", type=int, default=DEFAULT_PORT, help=f"Port d'écoute ({DEFAULT_PORT})."
        )
        parser.add_argument(
            "--dir", type=Path, default=None, help="Dossier des courriels (var/mail-sink)."
        )

    def handle(self, *args, **options) -> None:
        directory = (options["dir"] or default_directory()).resolve()
        stopping = threading.Event()

        def stop(signum, frame) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            controller = start_sink(options["port"], directory, report=self.stdout.write)
        except MailSinkError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Puits de courriels sur {HOST}:{options['port']} : les courriels sont "
                f"enregistrés dans {directory} (aucun n'est relayé). Ctrl-C pour arrêter."
            )
        )
        try:
            while not stopping.wait(1):
                pass
        finally:
            controller.stop()
