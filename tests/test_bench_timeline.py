"""bench/timeline.py: a real `cchc evaluate` timed at the pipeline's stages, in a fresh
process, on a small generated workload: every phase is there, in order, and together they
are the run (the parent's wall time, less the spawn before the process's start time)."""
from __future__ import annotations

import time

import pytest

from bench.generate import main as generate
from bench.timeline import run_once, timeline

PHASES = ["interpreter start", "import the CLI", "import polars", "import the rest",
          "load the ruleset", "read the figures", "evaluate()", "render and write",
          "close the output", "exit"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("small")
    generate(["--out", str(out), "--scale-units", "0.01", "--seed", "3"])
    return out


def test_a_run_is_its_phases_in_order(small, tmp_path):
    output = tmp_path / "results.parquet"
    start = time.perf_counter()
    phases = run_once(small, "parquet", output)
    wall = time.perf_counter() - start
    assert [name for name, _, _ in phases] == PHASES
    assert all(seconds >= 0 for _, seconds, _ in phases)
    assert all(faults >= 0 for _, _, faults in phases)
    # the process's phases add up to no more than its parent saw, and the writer wrote
    assert sum(seconds for _, seconds, _ in phases) <= wall + 0.02
    assert output.stat().st_size > 0


def test_medians_of_fresh_runs(small, tmp_path):
    found = timeline(small, "csv", 2, tmp_path / "results.csv")
    assert [p["phase"] for p in found["phases"]] == PHASES
    assert all(len(p["runs_s"]) == 2 for p in found["phases"])
    assert len(found["totals_s"]) == 2
    assert min(found["totals_s"]) <= found["total_s"] <= max(found["totals_s"])
    assert not (tmp_path / "results.csv").exists()   # the run's output is not left behind
