"""The wide decision (evaluation/wide.py: `WideStatuses.decide`) against the plain-Python
reference: every target's plan, folded on its own constants and given its own columns
`name#k` of one frame, all targets decided in one query, answers row for row as
`plan/rows.py` answers the whole STATUS_PLAN on that target's row — whether a constant is one
value for all the target's periods (folded) or differs between them (gathered per row)."""
from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.evaluation import wide
from cchc_rules.evaluation.status_plan import STATUS_PLAN
from cchc_rules.plan import rows as plan_rows
from tests.plan.test_plan_fold import INPUTS, OUTPUTS, constants, same, varying

PER_TARGET = ("baseline_period", "_k", "_integral")   # one value per target
PER_STEP = ("_opc", "threshold", "threshold_high", "reached", "held", "before_base",
            "from_baseline", "fraction", "anchor", "anchor_period")   # per target and period
VARYING = ("actual", "raw", "baseline_value", "_start", "_num", "_den", "_applicable",
           "_declared", "days_done", "days_total")
# Row inputs the long results take as they are (none of the plan's business): null here.
PASSED = {"origin": pl.String, "territory": pl.String, "territory_changed": pl.String,
          "covers": pl.String, "field": pl.Float64, "base_field": pl.Float64,
          "share": pl.Float64, "base_share": pl.Float64}


@st.composite
def workloads(draw) -> tuple[list[dict], list[list[dict]], list[list[dict]], list[int]]:
    """Targets' constants, their per-period steps, per row and target the varying inputs, and
    each row's period."""
    n, periods = draw(st.integers(1, 4)), draw(st.integers(1, 2))
    targets, steps = [], []
    for _ in range(n):
        first = draw(constants())
        # a later period keeps the first one's milestone or has one of its own
        steps.append([first] + [first if draw(st.booleans()) else draw(constants())
                                for _ in range(periods - 1)])
        targets.append(first)
    height = draw(st.integers(1, 12))
    period_of = [draw(st.integers(0, periods - 1)) for _ in range(height)]
    rows = [[draw(varying()) for _ in range(n)] for _ in range(height)]
    return targets, steps, rows, period_of


def statuses(targets, steps, rows, period_of) -> wide.WideStatuses:
    n, periods = len(targets), len(steps[0])
    inputs = pl.DataFrame({
        "unit": [f"u{r}" for r in range(len(rows))],
        "period": [f"p{p}" for p in period_of], "level": ["xa"] * len(rows),
        "_p": pl.Series(period_of, dtype=pl.UInt32),
        **{f"{name}#{k}": pl.Series([row[k][name] for row in rows], dtype=INPUTS[name])
           for name in VARYING for k in range(n)},
        **{f"{name}#{k}": pl.Series([None] * len(rows), dtype=kind)
           for name, kind in PASSED.items() for k in range(n)}})
    table = pl.DataFrame({
        "target": [f"t{k}" for k in range(n) for _ in range(periods)],
        "period": [f"p{p}" for _ in range(n) for p in range(periods)],
        **{name: pl.Series([step[name] for by_period in steps for step in by_period],
                           dtype=INPUTS[name]) for name in PER_STEP}})
    per_target = {"target": [f"t{k}" for k in range(n)],
                  **{name: [t[name] for t in targets] for name in PER_TARGET}}
    return wide.WideStatuses(STATUS_PLAN, inputs.lazy(), [*VARYING, *PASSED], table,
                             per_target, periods)


@settings(max_examples=60, deadline=None)
@given(workload=workloads())
def test_all_targets_decided_in_one_frame_answer_as_the_reference(workload):
    targets, steps, rows, period_of = workload
    decided = statuses(targets, steps, rows, period_of).decide(OUTPUTS).to_dicts()
    for r, (row, p) in enumerate(zip(rows, period_of, strict=True)):
        for k, target in enumerate(targets):
            given_ = {name: target[name] for name in PER_TARGET} \
                | {name: steps[k][p][name] for name in PER_STEP} | row[k]
            want = plan_rows.apply(given_, STATUS_PLAN)
            for name in OUTPUTS:
                got = decided[r][f"{name}#{k}"]
                assert same(got, want[name]), (name, k, given_, got, want[name])


def test_each_target_plan_is_compiled_once_for_every_decision(monkeypatch) -> None:
    """The statuses, the long results and the trace decide different outputs from one
    compiled plan per target (`WideStatuses.compiled`); a second evaluation compiles none."""
    from pathlib import Path

    from polars.testing import assert_frame_equal

    from cchc_rules.pipeline import Session
    root = Path(__file__).resolve().parents[2]
    ruleset = root / "rulesets/tuyen-quang/cchc-2021-2030.yaml"
    demo = sorted((root / "examples/demo").glob("*.yaml"))
    one = Session().evaluate(ruleset, demo)
    monkeypatch.setattr(wide, "ONE_PASS", 0)   # the national path: per target, folded
    monkeypatch.setattr(wide, "_COMPILED", {})
    made: list[str] = []
    compile_plan = wide.compile_plan
    monkeypatch.setattr(wide, "compile_plan",
                        lambda plan, suffix="", given=None: made.append(suffix)
                        or compile_plan(plan, suffix, given))
    each = Session().evaluate(ruleset, demo)
    assert_frame_equal(one.results, each.results)
    assert_frame_equal(one.trace, each.trace)
    targets = len(each.ruleset.model.targets)
    assert sorted(made) == sorted(f"#{k}" for k in range(targets))
    again = Session().evaluate(ruleset, demo)
    assert_frame_equal(again.results, each.results)
    assert len(made) == targets


def test_the_wide_rolls_order_is_the_sorted_order() -> None:
    """The roll-up on the wide frame gives its rows in (unit, period end, period) order, so
    `_wide` does not sort them again: the same frame as sorting."""
    from pathlib import Path

    from cchc_rules.evaluation import evaluator
    from cchc_rules.figures.unitgraph import UnitGraph
    from cchc_rules.pipeline import Session
    root = Path(__file__).resolve().parents[2]
    inputs = Session().load(root / "rulesets/tuyen-quang/cchc-2021-2030.yaml",
                            sorted((root / "examples/demo").glob("*.yaml")))
    ruleset, figures = inputs.ruleset, inputs.figures
    timed = evaluator._over_time(ruleset, figures, None)
    rolled, declared = evaluator._rolled(ruleset, timed.values, figures,
                                         UnitGraph.from_units(figures.units))
    assert rolled.ordered and declared is None
    fast = evaluator._wide(ruleset, rolled, figures, declared)
    rolled.ordered = False
    assert fast.equals(evaluator._wide(ruleset, rolled, figures, declared))
    assert fast.height > 10
