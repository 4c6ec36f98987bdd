"""Benchmark of the webhook door: acknowledgement latency and throughput at a sustained rate.

A platform waits for our answer to each webhook POST (Meta retries, then disables a slow
endpoint); the answer comes once the delivery is committed (``receive_event``). Here signed
Facebook Page events (``civique.demo.social``: comments and Messenger messages, each with fresh
ids) are posted over HTTP to ``/hooks/facebook/<id>/`` of a running server at a fixed rate, in an
**open loop**: request *i* is due at ``start + i / rate`` whatever happened before, spread over
client threads that each keep one connection; its latency runs from the moment it was due to the
end of its answer, so a server (or a client) falling behind shows in the figures instead of
slowing the load down. Afterwards the stored ``InboundEvent`` rows of the run's deliveries are
counted against what was sent: nothing may be lost.

Without ``url``, the server is the embedded profile itself: ``civique run`` (waitress, with its
worker child processing the events meanwhile) on a free loopback port, on a throwaway database
created and migrated for the run, like ``bench/ingest.py``, holding one Facebook channel. With
``url`` (loopback only), the running server and ``channel`` are used; this process must see the
same database and encryption keys.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

from civique.ingest.management.commands.bench import load_benchmark

base = load_benchmark("ingest")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TIMEOUT = 10  # seconds a request may take before it counts as failed
WARMUP = 20  # requests before the measure (imports, first connections), not timed
SERVER_THREADS = 8  # waitress threads of the embedded server, as ``civique run``
AIM_P99_MS = 20


@dataclass
class Request:
    body: bytes
    headers: dict[str, str]
    external_ids: list[str]  # what ``receive_event`` will store them under


@dataclass
class Samples:
    latencies: list[float] = field(default_factory=list)  # seconds, from due time to answer
    lags: list[float] = field(default_factory=list)  # seconds the send started after its due time
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


@dataclass
class Server:
    url: str
    channel_id: int
    label: str
    process: subprocess.Popen | None = None
    folder: Path | None = None


# --- The requests ------------------------------------------------------------------------------


def build_requests(channel, count: int, rng: random.Random) -> list[Request]:
    """``count`` signed Facebook deliveries and the ids the intake stores them under (the
    connector's own split, then ``receive_event``'s SHA-256 of each payload). Built before
    timing."""
    from civique.channels.connectors.base import WebhookRequest
    from civique.demo.simulate import SIMULATORS

    simulator = SIMULATORS[channel.kind]
    connector = channel.connector
    requests = []
    for event in islice(simulator.events(channel, rng), count):
        body = event.payload
        hook = WebhookRequest("POST", {}, {}, body, "application/json")
        ids = [
            delivery.external_id or "sha256:" + hashlib.sha256(delivery.payload).hexdigest()
            for delivery in connector.webhook_deliveries(channel, hook)
        ]
        requests.append(Request(body, simulator.sign(channel, body), ids))
    return requests


# --- The load ----------------------------------------------------------------------------------


def _connect(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=TIMEOUT)


def _send(conn: http.client.HTTPConnection, path: str, request: Request) -> int:
    conn.request("POST", path, body=request.body, headers=request.headers)
    response = conn.getresponse()
    response.read()
    return response.status


def _client(url: str, path: str, jobs: list[tuple[float, Request]], samples: Samples) -> None:
    """One client thread: its share of the requests, each sent at its due time (or at once if
    already late), on one kept-alive connection (opened again after an error)."""
    conn = _connect(url)
    latencies, lags, statuses, errors = [], [], Counter(), Counter()
    for due, request in jobs:
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        started = time.perf_counter()
        try:
            statuses[_send(conn, path, request)] += 1
        except (OSError, http.client.HTTPException) as exc:
            errors[type(exc).__name__] += 1
            conn.close()
            conn = _connect(url)
            continue
        latencies.append(time.perf_counter() - due)
        lags.append(started - due)
    conn.close()
    with samples.lock:
        samples.latencies += latencies
        samples.lags += lags
        samples.statuses.update(statuses)
        samples.errors.update(errors)


def fire(url: str, path: str, requests: list[Request], rate: float) -> Samples:
    """Post ``requests`` at ``rate`` per second, open loop; wait for every answer."""
    clients = max(8, min(64, int(rate // 10)))
    samples = Samples()
    start = time.perf_counter() + 0.5  # time for the threads to start
    shares: list[list[tuple[float, Request]]] = [[] for _ in range(clients)]
    for index, request in enumerate(requests):
        shares[index % clients].append((start + index / rate, request))
    threads = [
        threading.Thread(target=_client, args=(url, path, share, samples), daemon=True)
        for share in shares
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    samples.elapsed = time.perf_counter() - start
    return samples


def warm_up(url: str, path: str, requests: list[Request]) -> None:
    conn = _connect(url)
    for request in requests:
        _send(conn, path, request)
    conn.close()


# --- The server --------------------------------------------------------------------------------


def check_loopback(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK:
        raise CommandError(
            f"--url doit être une adresse http locale (127.0.0.1, localhost, ::1) : « {url} »."
        )
    return url.rstrip("/")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_database(folder: Path) -> tuple[str, str]:
    """The throwaway database: ``folder/civique.sqlite3`` (the embedded server's own file name
    under its ``CIVIQUE_VAR_DIR``), or ``civique_bench_<pid>`` on the PostgreSQL server."""
    original = connection.settings_dict["NAME"]
    name = str(folder / "civique.sqlite3") if connection.vendor == "sqlite" else None
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name or base.bench_database_name()
    created = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    return original, created


def create_channel():
    import secrets

    from civique.channels.models import Channel
    from civique.core.models import Team

    team = Team.objects.create(slug="communication", name="Communication")
    return Channel.objects.create(
        kind="facebook",
        name="Ville de Valmont (Facebook)",
        team=team,
        settings={"page_id": "104857386211455"},
        secrets={
            "app_secret": secrets.token_hex(16),
            "verify_token": secrets.token_urlsafe(16),
        },
    )


def server_env(folder: Path, database: str) -> dict[str, str]:
    env = {
        **os.environ,
        "CIVIQUE_VAR_DIR": str(folder),
        "CIVIQUE_SECRET_KEY": settings.SECRET_KEY,
        "CIVIQUE_ENCRYPTION_KEYS": ",".join(settings.ENCRYPTION_KEYS),
    }
    env.pop("CIVIQUE_TEST_DB_SUFFIX", None)
    if connection.vendor != "sqlite":
        parts = urlsplit(settings.DATABASE_URL)
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{database}"))
    return env


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Le serveur embarqué s'est arrêté (code {process.returncode}).")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 - loopback
                return
        except OSError as exc:
            if getattr(exc, "code", None) == 503:  # up, the worker's first heartbeat to come
                return
            time.sleep(0.3)
    raise RuntimeError("Le serveur embarqué ne répond pas après 60 s.")


def start_embedded(folder: Path, database: str, threads: int, worker: bool = True) -> Server:
    channel = create_channel()
    connection.close()  # the server writes; this process only reads afterwards
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "civique.cli", "run", "--port", str(port)]
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [*command, "--threads", str(threads), *([] if worker else ["--no-worker"])],
        env=server_env(folder, database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(url, process)
    except BaseException:
        stop(process)
        raise
    doing = "worker actif" if worker else "sans worker (--no-worker)"
    label = f"embarqué (civique run : waitress, {threads} fils, {doing}) sur {url}"
    return Server(url, channel.pk, label, process, folder)


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- The measure -------------------------------------------------------------------------------


@dataclass
class Result:
    rate: int
    seconds: int
    sent: int
    stored: int
    expected: int
    samples: Samples
    server: str
    machine: dict[str, str]
    load_after: str


def measure(server: Server, rate: int, seconds: int) -> Result:
    from civique.channels.models import Channel
    from civique.ingest.models import InboundEvent

    channel = Channel.objects.filter(pk=server.channel_id, kind="facebook").first()
    if channel is None:
        raise CommandError(f"Canal Facebook {server.channel_id} introuvable.")
    from civique.demo.simulate import SimulationError

    rng = random.Random()
    count = rate * seconds
    try:
        requests = build_requests(channel, WARMUP + count, rng)
    except SimulationError as exc:  # no app secret, no page id
        raise CommandError(str(exc)) from None
    path = f"/hooks/facebook/{channel.pk}/"
    info = base.machine()
    connection.close()  # no transaction of ours open on the database during the run
    try:
        warm_up(server.url, path, requests[:WARMUP])
    except (OSError, http.client.HTTPException) as exc:
        raise CommandError(f"Le serveur ne répond pas à {server.url} ({exc}).") from None
    samples = fire(server.url, path, requests[WARMUP:], rate)
    load_after = " ".join(f"{value:.2f}" for value in os.getloadavg())
    ids = [external_id for request in requests[WARMUP:] for external_id in request.external_ids]
    stored = 0
    for start in range(0, len(ids), 500):
        stored += InboundEvent.objects.filter(
            channel_id=channel.pk, external_id__in=ids[start : start + 500]
        ).count()
    return Result(rate, seconds, count, stored, len(ids), samples, server.label, info, load_after)


def report(result: Result, out: TextIO) -> None:
    m, s = result.machine, result.samples
    ms = [value * 1000 for value in s.latencies]
    ok = sum(n for status, n in s.statuses.items() if 200 <= status < 300)
    others = sum(s.statuses.values()) - ok
    errors = sum(s.errors.values())
    p99 = s.percentile(0.99) * 1000
    lines = [
        "Banc d'essai : webhooks (accusé de réception de /hooks/facebook/<canal>/)",
        f"Machine      : {m['cpu']}, {m['cores']} cœurs, {m['system']}, "
        f"charge moyenne {m['load']} avant, {result.load_after} après (1, 5, 15 min)",
        f"Logiciels    : Python {m['python']}, Django {m['django']}, {m['database']}",
        f"Serveur      : {result.server}",
        f"Charge       : {result.rate} requêtes/s pendant {result.seconds} s, boucle ouverte "
        f"({result.sent} requêtes signées, après {WARMUP} de mise en route)",
        f"Réponses     : {ok} en 2xx, {others} autres"
        + (f" ({dict(s.statuses)})" if others else "")
        + f", {errors} échecs de connexion"
        + (f" ({dict(s.errors)})" if errors else ""),
        f"Enregistrés  : {result.stored} événements sur {result.expected} envoyés"
        + (" : rien de perdu" if result.stored == result.expected else " : PERTE"),
    ]
    if ms:
        lines += [
            f"Latence      : médiane {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, "
            f"max {max(ms):.1f} ms (de l'heure prévue de l'envoi à la fin de la réponse)",
            f"Débit        : {ok / s.elapsed:.0f} réponses 2xx/s ; retard de l'envoi sur "
            f"l'heure prévue : p99 {sorted(s.lags)[int(0.99 * (len(s.lags) - 1))] * 1000:.1f} "
            f"ms, max {max(s.lags) * 1000:.1f} ms",
        ]
    met = ms and p99 < AIM_P99_MS and result.stored == result.expected and not others + errors
    lines.append(
        f"Objectif     : p99 sous {AIM_P99_MS} ms, rien de perdu : "
        + ("atteint" if met else "non atteint")
    )
    out.write("\n".join(lines) + "\n")


def main(
    rate: int,
    seconds: int,
    url: str | None,
    channel_id: int | None,
    keep: bool,
    out: TextIO,
    *,
    worker: bool = True,
    threads: int = SERVER_THREADS,
) -> Result:
    """Measure against ``url`` (with ``channel_id``), or against an embedded server of its own
    (``threads`` waitress threads, its worker child unless not ``worker``) on a throwaway
    database (dropped at the end unless ``keep``)."""
    if url:
        if channel_id is None:
            raise CommandError("--url demande --channel (le numéro du canal Facebook).")
        server = Server(check_loopback(url), channel_id, f"en marche sur {url}")
        result = measure(server, rate, seconds)
        report(result, out)
        return result
    folder = Path(settings.VAR_DIR) / "bench" / f"webhooks-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    original, database = create_database(folder)
    server = None
    try:
        server = start_embedded(folder, database, threads, worker)
        result = measure(server, rate, seconds)
    finally:
        if server is not None and server.process is not None:
            stop(server.process)
        base.drop_bench_database(original, keep)
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    report(result, out)
    return result
