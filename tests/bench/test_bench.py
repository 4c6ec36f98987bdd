"""``civique bench ingest`` runs in its own temporary database and prints both rates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def civique_bench(env: dict[str, str], *args: str, timeout: int = 300):
    return subprocess.run(
        [sys.executable, "-m", "civique.cli", "bench", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def bench_env(tmp_path) -> dict[str, str]:
    # A separate process: the benchmark creates and drops its own database, which must not
    # disturb the test database of this session. DATABASE_URL, if set, is passed on.
    return {**os.environ, "CIVIQUE_VAR_DIR": str(tmp_path)}


def test_it_measures_the_pipeline_and_the_floor(bench_env, tmp_path):
    done = civique_bench(bench_env, "ingest", "--events", "20", "--batch", "7")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "De bout en bout" in out
    assert "Plancher (bulk_create" in out
    assert "Rapport plancher / bout en bout" in out
    assert "→ 20 messages reçus" in out
    assert not list((tmp_path / "bench").glob("*.sqlite3*"))


def test_it_refuses_nonsense_counts(bench_env):
    done = civique_bench(bench_env, "ingest", "--events", "0", timeout=120)
    assert done.returncode != 0
    assert "--events" in done.stderr


def test_the_webhook_benchmark_runs_its_own_server_and_loses_nothing(bench_env, tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "civique.cli",
            "bench",
            "webhooks",
            "--rate",
            "20",
            "--seconds",
            "1",
        ],
        cwd=ROOT,
        env=bench_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Réponses     : 20 en 2xx, 0 autres, 0 échecs de connexion" in out
    assert "Enregistrés  : 20 événements sur 20 envoyés : rien de perdu" in out
    assert "p99" in out and "worker actif" in out
    assert not list((tmp_path / "bench").iterdir())  # database and server folder removed


def test_the_webhook_benchmark_only_aims_at_this_machine(bench_env):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "civique.cli",
            "bench",
            "webhooks",
            "--url",
            "http://10.0.0.7:8000",
            "--channel",
            "1",
        ],
        cwd=ROOT,
        env=bench_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "adresse http locale" in done.stderr


def test_the_analysis_benchmark_reports_quality_and_speed(bench_env, tmp_path):
    done = civique_bench(bench_env, "analysis", "--no-ner", "--mlma", str(tmp_path / "none.csv"))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Jeu d'évaluation (362 commentaires" in out
    assert "Jeu frais (110 commentaires" in out
    assert "abuse.insult" in out and "tone.angry" in out
    assert "MLMA : fichier absent" in out
    assert "Règles et lexiques (par message)" in out and "messages/s" in out
