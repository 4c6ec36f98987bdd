"""``civique run``: the web application, plus the worker and scheduler in a child process, and
optionally the local mail sink (``--mail-sink PORT``) in a thread of this process."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from civique.core.mailsink import HOST, MailSinkError, default_directory, start_sink


class Command(BaseCommand):
    help = "Sert l'application web et lance le worker et le planificateur à côté."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="Web seulement.")
        parser.add_argument(
            "--mail-sink",
            type=int,
            metavar="PORT",
            default=None,
            help="Lance aussi le puits de courriels local (SMTP sur 127.0.0.1:PORT, courriels "
            "enregistrés dans var/mail-sink/, jamais relayés).",
        )

    def handle(self, *args, **options) -> None:
        from waitress import serve

        from civique.wsgi import application

        sink = None
        if options["mail_sink"] is not None:
            try:
                sink = start_sink(options["mail_sink"])
            except MailSinkError as exc:
                # The sink only serves the demo's mailbox: the product starts without it, and
                # replies sent meanwhile wait in the outbox, retried.
                self.stderr.write(f"{exc} Civique démarre sans le puits de courriels.")
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "civique.cli", "worker"])
        credentials = Path(settings.VAR_DIR) / "demo-credentials.txt"
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"Civique écoute sur {url}"))
        if sink is not None:
            self.stdout.write(
                f"Puits de courriels local sur {HOST}:{sink.port} : les courriels envoyés y sont "
                f"enregistrés dans {default_directory()}/ (fichiers .eml, jamais relayés)."
            )
        if credentials.exists():
            self.stdout.write(credentials.read_text())

        def stop(signum, frame) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            serve(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                max_request_body_size=settings.CIVIQUE_MAX_REQUEST_BYTES,
                ident="civique",
            )
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
            if sink is not None:
                sink.stop()
