"""``civique run``: the web application, plus the worker and scheduler in a child process, and
optionally the local mail sink (``--mail-sink PORT``) in a thread of this process."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from civique.core.mailsink import HOST, MailSinkError, default_directory, start_sink

logger = logging.getLogger(__name__)


def proxy_options() -> dict:
    """Behind a reverse proxy, take the client's address and scheme from its headers, so that
    rate limits count citizens, not the proxy. Only the proxy named in CIVIQUE_TRUSTED_PROXY is
    believed."""
    if not settings.CIVIQUE_TRUSTED_PROXY:
        return {}
    return {
        "trusted_proxy": settings.CIVIQUE_TRUSTED_PROXY,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        "clear_untrusted_proxy_headers": True,
    }


class WorkerChild:
    """A child process (by default ``civique worker``), started again whenever it dies; the wait
    doubles while it keeps dying at once (a bad configuration), up to a minute."""

    MAX_DELAY = 60

    def __init__(self, command: list[str] | None = None, restart_delay: float = 5) -> None:
        self.command = command or [sys.executable, "-m", "civique.cli", "worker"]
        self.restart_delay = restart_delay
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.process = self._start()
        threading.Thread(target=self._watch, daemon=True, name="worker-watch").start()

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen(self.command)  # noqa: S603 - our own command line, no input

    def _watch(self) -> None:
        delay = self.restart_delay
        while not self.stopping.wait(delay):
            with self.lock:
                code = self.process.poll()
                if code is None or self.stopping.is_set():
                    delay = self.restart_delay
                    continue
                logger.warning("Le worker s'est arrêté (code %s) : redémarrage.", code)
                self.process = self._start()
            delay = min(delay * 2, self.MAX_DELAY)

    def stop(self) -> None:
        with self.lock:
            self.stopping.set()
            process = self.process
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


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
        worker = None if options["no_worker"] else WorkerChild()
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
                **proxy_options(),
            )
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.stop()
            if sink is not None:
                sink.stop()
