"""``civique run``: the web application, plus the worker and scheduler in a child process."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Sert l'application web et lance le worker et le planificateur à côté."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="Web seulement.")

    def handle(self, *args, **options) -> None:
        from waitress import serve

        from civique.wsgi import application

        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "civique.cli", "worker"])
        credentials = Path(settings.VAR_DIR) / "demo-credentials.txt"
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"Civique écoute sur {url}"))
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
