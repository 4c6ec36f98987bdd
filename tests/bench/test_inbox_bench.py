"""``civique bench inbox`` builds its own base, prints one line per measure, and cleans up."""

from __future__ import annotations

import json
import os
import re

import pytest

from civique.ingest.management.commands.bench import load_benchmark
from tests.bench.test_bench import bench_env, civique_bench  # noqa: F401 (bench_env: fixture)

MEASURE = re.compile(r"^(?P<label>.+?)\s+p50\s+(?P<p50>[\d.]+) ms\s+p95\s+(?P<p95>[\d.]+) ms")

EXPECTED = [
    *(
        f"inbox {role} {what}"
        for role in ("agent", "supervisor", "administrator")
        for what in (
            "first page",
            "filter status closed",
            "filter status new",
            "filter all statuses",
            "filter channel",
            "filter team",
            "filter assigned to me",
            "filter unassigned",
            "filter assigned to an agent",
            "filter public",
            "filter category",
            "filter late",
            "sort waiting",
            "sort recent",
            "sort oldest",
            "sort priority",
            "sort due",
            "page 2 (all statuses)",
        )
    ),
    "inbox agent page 1000 or last (all statuses)",
    "inbox administrator page 1000 or last (all statuses)",
    "conversation page (200 messages)",
    "contact history",
    *(
        f"search {role} {what}"
        for role in ("agent", "administrator")
        for what in ("common word «encombrants»", "rare word «mérule»", "reference «V-", "a name «")
    ),
    "API list agent",
    "API list administrator",
]


def test_it_builds_measures_every_page_and_removes_its_base(bench_env, tmp_path):  # noqa: F811
    report = tmp_path / "inbox.json"
    done = civique_bench(
        bench_env, "inbox", "--messages", "500", "--runs", "2", "--json", str(report), timeout=600
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(
        line.startswith("Construite en ") and "500 messages, 100 demandes" in line for line in lines
    )
    measures = {}
    for line in lines:
        found = MEASURE.match(line)
        if found:
            measures[found["label"].strip()] = (float(found["p50"]), float(found["p95"]))
            assert "(2 runs; " in line and " SQL, " in line
            target = 50 if line.startswith("inbox ") else 100
            assert (f"✗ > {target} ms" in line) == (float(found["p95"]) > target)
    for label in EXPECTED:
        assert any(name.startswith(label) for name in measures), label
    assert len(measures) == len(EXPECTED)
    assert all(0 < p50 <= p95 for p50, p95 in measures.values())
    assert any(line.startswith("Machine : ") and "Python" in line for line in lines)
    data = json.loads(report.read_text())
    assert data["messages"] == 500 and data["conversations"] == 100
    assert [m["label"] for m in data["measures"]] == list(measures)
    assert data["database"] == ""
    assert not list((tmp_path / "bench").glob("*.sqlite3*"))


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="looks for the SQLite file"
)
def test_it_keeps_its_base_when_asked(bench_env, tmp_path):  # noqa: F811
    done = civique_bench(bench_env, "inbox", "--messages", "100", "--runs", "1", "--keep")
    assert done.returncode == 0, done.stderr
    kept = list((tmp_path / "bench").glob("*.sqlite3"))
    assert len(kept) == 1
    assert f"Base conservée : {kept[0]}" in done.stdout


def test_it_refuses_nonsense_sizes(bench_env):  # noqa: F811
    done = civique_bench(bench_env, "inbox", "--messages", "10", timeout=120)
    assert done.returncode != 0
    assert "--messages" in done.stderr
    done = civique_bench(bench_env, "inbox", "--runs", "0", timeout=120)
    assert done.returncode != 0
    assert "--runs" in done.stderr


def test_the_percentiles_are_nearest_rank():
    inbox = load_benchmark("inbox")
    values = [float(v) for v in range(20, 0, -1)]
    assert inbox.percentile(values, 0.5) == 10.0
    assert inbox.percentile(values, 0.95) == 19.0
    assert inbox.percentile([7.0], 0.95) == 7.0
