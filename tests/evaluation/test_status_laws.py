"""Status laws (hypothesis), for every trajectory operator: `needed` is exactly enough, the
trajectory reaches the threshold at the deadline, and a better figure never gives a worse
status."""
from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cchc_rules import evaluate
from cchc_rules.domain import FALLING_OPS, RISING_OPS, TRAJECTORY_OPS, Op, Status
from cchc_rules.figures.data import Figures
from cchc_rules.figures.units import Unit
from cchc_rules.ruleset import load_ruleset

THRESHOLDS = (0, 12.5, 33.3, 50, 57, 66.7, 80, 99.9, 100)
BETTER = [Status.NOT_MET, Status.OFF_TRACK, Status.ON_TRACK, Status.MET]  # worst first
DEADLINE = {"2024-Q2": "2024-Q2", "2025": "2025", "2025-Q4": "2025"}  # milestone in force
PERIODS = ("2024-Q1", "2024-Q2", "2024-Q4", "2025", "2025-Q4", "2026")


def _target(tid: str, op: str, milestones, baseline: float | None = None) -> dict:
    out = {"id": tid, "title": tid, "area": "procedures", "metric": "online_rate",
           "milestones": [{"by": by, "op": op, "value": v} for by, v in milestones]}
    if baseline is not None:
        out["baseline"] = {"period": "2021", "value": baseline}
    return out


def _targets() -> list[dict]:
    # One deadline that has passed for every threshold (the `needed` law), and two running
    # trajectories per operator: rising ones from 12, falling ones from 90.
    out = [_target(f"N{i}-{Op(op).name}", op, [("2024", v)])
           for op in TRAJECTORY_OPS for i, v in enumerate(THRESHOLDS)]
    for op in TRAJECTORY_OPS:
        rising = op in RISING_OPS
        goals = [("2024-Q2", 50 if rising else 60), ("2025", 80 if rising else 30)]
        out.append(_target(f"T-{Op(op).name}", op, goals, baseline=12 if rising else 90))
    return out


TARGETS = _targets()
LAWS = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def loaded(make_ruleset):
    """The shared test ruleset's metrics (conftest) with this module's targets."""
    return load_ruleset(make_ruleset(targets=TARGETS, checks=None))


def figures(counts: dict[str, tuple[float, float]], period: str = "2024-Q4") -> Figures:
    """unit -> (received, received_online), all in one period."""
    rows = [(u, metric, value) for u, (received, online) in counts.items()
            for metric, value in (("received", received), ("received_online", online))]
    frame = pl.DataFrame(
        {"unit": [r[0] for r in rows], "period": [period] * len(rows),
         "metric": [r[1] for r in rows], "value": [float(r[2]) for r in rows],
         "file": ["d.csv"] * len(rows), "line": list(range(2, len(rows) + 2)),
         "source": [None] * len(rows)},
        schema={"unit": pl.String, "period": pl.String, "metric": pl.String,
                "value": pl.Float64, "file": pl.String, "line": pl.Int64, "source": pl.String})
    return Figures(frame, {u: Unit(u, u) for u in counts}, [])


@LAWS
@given(received=st.integers(1, 5000), share=st.floats(0, 1))
def test_needed_meets_the_milestone_and_one_less_does_not(loaded, received, share):
    online = int(received * share)
    first = evaluate(loaded, figures({"u": (received, online)}))
    short = first.results.filter(pl.col("target").str.starts_with("N")
                                 & (pl.col("status") == Status.NOT_MET))
    assume(short.height)
    fixed = {}
    for tid, needed in short.select("target", "needed").iter_rows():
        assert needed == int(needed) and needed != 0, (tid, needed)
        enough = online + needed
        if enough < 0:  # "< 0" cannot be met by counts
            continue
        # One numerator fewer than needed: one less of "more", or one more of "less".
        fixed[f"{tid}|at"] = (received, enough)
        fixed[f"{tid}|short"] = (received, enough - math.copysign(1, needed))
    assume(fixed)
    second = evaluate(loaded, figures(fixed)).results
    status = {(t, u): s for t, u, s in second.select("target", "unit", "status").iter_rows()}
    for tid in {key.split("|")[0] for key in fixed}:
        assert status[(tid, f"{tid}|at")] == Status.MET, (tid, fixed[f"{tid}|at"])
        assert status[(tid, f"{tid}|short")] == Status.NOT_MET, (tid, fixed[f"{tid}|short"])


@LAWS
@given(received=st.integers(1, 5000), share=st.floats(0, 1),
       period=st.sampled_from(sorted(DEADLINE)))
def test_the_trajectory_equals_the_threshold_at_the_deadline(loaded, received, share, period):
    ev = evaluate(loaded, figures({"u": (received, int(received * share))}, period))
    goals = {t["id"]: t["milestones"] for t in TARGETS if t["id"].startswith("T")}
    for record in ev.records():
        if record["target"] in goals:
            by = {m["by"]: m["value"] for m in goals[record["target"]]}
            assert record["expected"] == by[DEADLINE[period]]
    raw = ev.results.filter(pl.col("target").str.starts_with("T"))
    assert (raw["expected"] - raw["threshold"]).abs().max() < 1e-9


@LAWS
@given(received=st.integers(1, 5000), steps=st.integers(2, 40), period=st.sampled_from(PERIODS))
def test_a_better_figure_never_gives_a_worse_status(loaded, received, steps, period):
    # A ladder of units with ever more online dossiers, from none to 120% of those received.
    ladder = [round(received * 1.2 * i / steps) for i in range(steps + 1)]
    units = {f"u{i:02}": (received, online) for i, online in enumerate(ladder)}
    results = evaluate(loaded, figures(units, period)).results.sort("unit")
    for op in TRAJECTORY_OPS:
        statuses = results.filter(pl.col("target") == f"T-{Op(op).name}")["status"].to_list()
        ranks = [BETTER.index(s) for s in statuses]
        # More online dossiers raise the rate: better for ≥ and >, worse for ≤ and <.
        want = sorted(ranks) if op in RISING_OPS else sorted(ranks, reverse=True)
        assert ranks == want, (op, list(zip(ladder, statuses, strict=True)))
    assert set(RISING_OPS) | set(FALLING_OPS) == set(TRAJECTORY_OPS)
