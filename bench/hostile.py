"""Benchmark of the intake while a worker processes hostile mail.

A webhook, the portal or the IMAP poller must be able to store a delivery (``receive_event``)
at any moment: that is what they do before they answer the platform. On the embedded profile
SQLite has one writer at a time, so anything slow inside a worker's write transaction makes the
intake wait. Here a forked worker process processes ``events`` mails of 1 MB of nested HTML
(the worst mail known: 200 s in the HTML cleaner before its cost was bounded) while this process
stores a small web-form delivery every 10 ms and times each one.

Everything runs in the temporary database of ``bench/ingest.py`` (created, migrated and dropped).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import TextIO

from django.db import connection

from civique.ingest.management.commands.bench import load_benchmark

base = load_benchmark("ingest")
NESTING = 90_000  # about 1 MB of <div>
INTERVAL = 0.01


@dataclass
class Result:
    hostile: int
    latencies: list[float]
    worker_seconds: float
    states: dict[str, int]
    machine: dict[str, str] = field(default_factory=dict)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def hostile_mail(n: int) -> bytes:
    html = "<div>" * NESTING + "Texte au fond." + "</div>" * NESTING
    return (
        f"From: Usager {n} <usager{n}@example.org>\r\nTo: contact@bench.example\r\n"
        f"Subject: Infolettre {n}\r\nMessage-ID: <hostile-{n}@example.org>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
    ).encode()


def _work() -> None:
    """The forked worker: process every due event, then leave."""
    from civique.ingest.actions import process_due_events

    process_due_events(limit=10_000)
    connection.close()
    os._exit(0)


def run(hostile: int) -> Result:
    from civique.ingest.actions import receive_event
    from civique.ingest.models import InboundEvent

    channels = base.set_up_channels()
    for n in range(hostile):
        receive_event(channels["email"], hostile_mail(n), "message/rfc822", enqueue=False)
    connection.close()  # the forked worker opens its own
    worker = multiprocessing.get_context("fork").Process(target=_work)
    started = time.perf_counter()
    worker.start()
    latencies, n = [], 0
    while worker.is_alive():
        payload = json.dumps({"email": f"u{n}@example.org", "text": f"Demande {n}"}).encode()
        start = time.perf_counter()
        receive_event(channels["webform"], payload, "application/json", f"m{n}", enqueue=False)
        latencies.append(time.perf_counter() - start)
        n += 1
        time.sleep(INTERVAL)
    worker.join()
    worker_seconds = time.perf_counter() - started
    states = dict.fromkeys(["done", "parked", "retrying", "pending"], 0)
    for state in InboundEvent.objects.filter(channel=channels["email"]).values_list(
        "state", flat=True
    ):
        states[state] += 1
    return Result(hostile, latencies, worker_seconds, states, base.machine())


def report(result: Result, database: str, kept: bool, out: TextIO) -> None:
    m, r = result.machine, result
    ms = [value * 1000 for value in r.latencies]
    lines = [
        "Banc d'essai : réception pendant le traitement de courriels hostiles",
        f"Machine      : {m['cpu']}, {m['cores']} cœurs, {m['system']}, "
        f"charge moyenne {m['load']} (1, 5, 15 min)",
        f"Logiciels    : Python {m['python']}, Django {m['django']}, {m['database']}",
        f"Base         : {database} ({'conservée' if kept else 'supprimée à la fin'})",
        f"Hostiles     : {r.hostile} courriels de 1 Mo de <div> imbriqués, traités en "
        f"{r.worker_seconds:.2f} s par un worker ; états : "
        + ", ".join(f"{k} {v}" for k, v in r.states.items()),
        f"Réceptions   : {len(ms)} pendant ce temps (une toutes les {INTERVAL * 1000:.0f} ms)",
    ]
    if ms:
        lines.append(
            f"Latence de receive_event : médiane {statistics.median(ms):.1f} ms, "
            f"p99 {r.percentile(0.99) * 1000:.1f} ms, max {max(ms):.1f} ms"
        )
    out.write("\n".join(lines) + "\n")


def main(events: int, batch: int, keep: bool, out: TextIO) -> Result:
    """``events`` is the number of hostile mails; ``batch`` is not used."""
    original, name = base.create_bench_database()
    try:
        result = run(events)
    finally:
        base.drop_bench_database(original, keep)
    report(result, name, keep, out)
    return result
