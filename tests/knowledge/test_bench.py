"""``civique bench knowledge`` measures accuracy and latency in its own temporary database."""

from __future__ import annotations

from tests.bench.test_bench import bench_env, civique_bench  # noqa: F401 - a fixture, shared


def test_it_reports_accuracy_and_latency_then_drops_its_database(bench_env, tmp_path):  # noqa: F811
    done = civique_bench(bench_env, "knowledge", "--articles", "200", "--queries", "30")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Base de démo : 166 questions, top-1" in out
    assert "200 fiches ajoutées et indexées" in out
    assert "Latence de recherche sur 30 recherches (261 éléments) : médiane" in out
    assert not list((tmp_path / "bench").glob("*.sqlite3*"))


def test_it_refuses_nonsense_counts(bench_env):  # noqa: F811
    done = civique_bench(bench_env, "knowledge", "--queries", "0", timeout=120)
    assert done.returncode != 0
    assert "--queries" in done.stderr
