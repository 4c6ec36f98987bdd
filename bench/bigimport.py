"""Benchmark of big imports with ``civique ingest``: memory and rate.

1. Reading alone: peak memory (tracemalloc) and time of going through an mbox of 20N mails and
   of one of 80N mails (the generated mails repeated), with the streaming reader
   ``civique.ingest.sources.mbox_mails`` and, for comparison, the standard library's
   ``mailbox.mbox``.
2. Whole imports, each a ``civique ingest`` subprocess on a fresh SQLite database of its own
   (migrated, one email channel, before timing): N mails with ``--jobs 1`` and with
   ``--jobs 2``, and 4N mails with ``--jobs 1``; wall time, rate, CPU time and peak resident
   memory (``ru_maxrss`` of the process, from ``wait4``). The start-up of the command (Django,
   an empty mbox) is timed apart and taken out of the rate.

The mails are the ingestion benchmark's generated French mail (``bench/ingest.py``). Everything
lives in a temporary folder, removed at the end unless ``keep``. SQLite only: the database is
not what this measures.
"""

from __future__ import annotations

import mailbox
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from civique.ingest.management.commands.bench import load_benchmark
from civique.ingest.sources import mbox_mails

READ_FACTOR = 20  # the reading phase's mboxes hold READ_FACTOR × N and 4 × READ_FACTOR × N mails

FROM_LINE = b"From usager@bench.example Mon Jan  6 09:00:00 2025\n"
SEED = """
from civique.core.models import Team
from civique.channels.models import Channel
team = Team.objects.create(slug="accueil", name="Accueil")
Channel.objects.create(kind="email", name="contact@bench.example", team=team, is_active=False)
"""


@dataclass
class Run:
    label: str
    mails: int
    seconds: float  # wall time, start-up taken out
    cpu: float  # user + system CPU time of the command and its pool processes
    max_rss_kb: int
    output: str

    @property
    def rate(self) -> float:
        return self.mails / self.seconds if self.seconds > 0 else float("nan")


def write_mbox(path: Path, mails: Iterable[bytes]) -> Path:
    with path.open("wb") as handle:
        for raw in mails:
            body = raw.replace(b"\r\n", b"\n")
            quoted = b"\n".join(
                b">" + line if line.lstrip(b">").startswith(b"From ") else line
                for line in body.split(b"\n")
            )
            handle.write(FROM_LINE + quoted + b"\n\n")
    return path


def generate(count: int) -> list[bytes]:
    """4 × ``count`` generated mails (the generator makes half mail, half web forms)."""
    payloads = load_benchmark("ingest").build_payloads(count * 9, seed=7)
    return [p.body for p in payloads if p.kind == "email"][: 4 * count]


def repeated(mails: list[bytes], count: int) -> Iterable[bytes]:
    for index in range(count):
        yield mails[index % len(mails)]


def peak_bytes(read: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def stream(path: Path) -> int:
    return sum(1 for _mail in mbox_mails(path, 10**9))


def stdlib(path: Path) -> int:
    box = mailbox.mbox(path, create=False)
    try:
        return sum(1 for key in box.keys() if box.get_bytes(key))  # noqa: SIM118 - the table
    finally:
        box.close()


def environment(folder: Path) -> dict:
    """A fresh SQLite database in ``folder``, migrated, with one email channel."""
    env = {
        **os.environ,
        "CIVIQUE_VAR_DIR": str(folder),
        "CIVIQUE_TASKS_BACKEND": "database",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for args in (["migrate", "--verbosity", "0"], ["shell", "-c", SEED]):
        subprocess.run(  # noqa: S603 - our own command, arguments written here
            [sys.executable, "-m", "civique.cli", *args],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return env


def timed(env: dict, *args: str) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS in KB, standard output) of ``civique *args``."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own command, arguments written here
        [sys.executable, "-m", "civique.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    output = process.stdout.read().decode()
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"civique {' '.join(args)} : code {process.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, output.strip()


def import_run(folder: Path, label: str, path: Path, mails: int, jobs: int, empty: Path) -> Run:
    env = environment(folder / label)
    startup, _cpu, _rss, _out = timed(env, "ingest", str(empty))
    elapsed, cpu, rss, output = timed(env, "ingest", str(path), "--jobs", str(jobs))
    return Run(label, mails, elapsed - startup, cpu, rss, output)


def reading(folder: Path, mails: list[bytes], events: int, out: TextIO) -> None:
    sizes = (READ_FACTOR * events, 4 * READ_FACTOR * events)
    paths = [write_mbox(folder / f"lecture-{n}.mbox", repeated(mails, n)) for n in sizes]
    out.write(
        "Lecture seule, pic de mémoire (tracemalloc) et durée : "
        + ", ".join(
            f"{n} courriels ({p.stat().st_size / 1e6:.1f} Mo)"
            for n, p in zip(sizes, paths, strict=True)
        )
        + "\n"
    )
    for name, read in (("flux (ingest.sources)", stream), ("mailbox.mbox", stdlib)):
        cells = []
        for count, path in zip(sizes, paths, strict=True):
            started = time.perf_counter()
            peak = peak_bytes(lambda p=path, r=read: r(p)) / 1e6
            cells.append(f"{count:>7} : {peak:7.2f} Mo en {time.perf_counter() - started:5.1f} s")
        out.write(f"  {name:22} " + "   ".join(cells) + "\n")
    for path in paths:
        path.unlink()


def main(events: int, keep: bool, out: TextIO) -> list[Run]:
    ingest = load_benchmark("ingest")
    folder = Path(tempfile.mkdtemp(prefix="civique-bigimport-"))
    try:
        info = ingest.machine()
        mails = generate(events)
        small = write_mbox(folder / f"{events}.mbox", mails[:events])
        large = write_mbox(folder / f"{4 * events}.mbox", repeated(mails, 4 * events))
        empty = folder / "vide.mbox"
        empty.write_bytes(b"")
        out.write(
            "Banc d'essai : gros imports (civique ingest)\n"
            f"Machine  : {info['cpu']}, {info['cores']} cœurs, {info['system']}, charge "
            f"moyenne {info['load']} (1, 5, 15 min)\n"
            f"Logiciels: Python {info['python']}, Django {info['django']}, SQLite\n"
            f"Dossier  : {folder}\n\n"
        )
        reading(folder, mails, events, out)
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} Mo" for p in (small, large))
        out.write(f"\nImports complets (sous-processus, base SQLite neuve chacun) : {sizes}\n")
        runs = [
            import_run(folder, "jobs1", small, events, 1, empty),
            import_run(folder, "jobs2", small, events, 2, empty),
            import_run(folder, "jobs1-x4", large, 4 * events, 1, empty),
        ]
        for run in runs:
            out.write(
                f"  {run.label:9} {run.mails:>7} courriels : {run.seconds:7.2f} s "
                f"{run.rate:8.1f} courriels/s  CPU {run.cpu:7.2f} s  "
                f"RSS max {run.max_rss_kb / 1024:6.1f} Mo\n"
                f"            {run.output}\n"
            )
        return runs
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
