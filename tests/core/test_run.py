"""civique run: the web server, its worker child, and the proxy settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from civique.core.management.commands.run import WorkerChild, proxy_options
from tests.smtp import free_port


def test_proxy_headers_are_believed_only_from_the_named_proxy(settings):
    from waitress.adjustments import Adjustments

    settings.CIVIQUE_TRUSTED_PROXY = ""
    assert proxy_options() == {}
    settings.CIVIQUE_TRUSTED_PROXY = "10.0.0.5"
    # Waitress itself accepts the options (it refuses inconsistent proxy settings at start-up).
    adjustments = Adjustments(**proxy_options())
    assert adjustments.trusted_proxy == "10.0.0.5"
    assert "x-forwarded-for" in adjustments.trusted_proxy_headers


def test_a_dead_worker_child_is_started_again():
    child = WorkerChild([sys.executable, "-c", "pass"], restart_delay=0.2)  # exits at once
    first = child.process
    deadline = time.monotonic() + 10
    while child.process is first and time.monotonic() < deadline:
        time.sleep(0.1)
    child.stop()
    assert child.process is not first


def test_civique_run_serves_and_stops_its_worker_on_sigterm(tmp_path):
    port = free_port()
    env = {**os.environ, "CIVIQUE_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "civique.cli", "migrate", "-v0"], env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "civique.cli", "run", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as response:
                    body = response.read().decode()
                    break
            except OSError as exc:  # 503 until the worker's first heartbeat, or not up yet
                body = getattr(exc, "read", lambda: b"")().decode()
                if '"worker": "ok"' in body:
                    break
                time.sleep(0.5)
        assert '"database": "ok"' in body and '"worker": "ok"' in body
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
