"""Evaluate stage: the milestone in force and the calendar-day trajectory (spec §3)."""
from __future__ import annotations

import pytest

from cchc_rules.evaluation.trajectory import plan, step_for
from cchc_rules.ruleset.schema import Baseline, Milestone, Target


def make(*milestones: tuple, baseline: tuple | None = ("2021", 12.0)) -> Target:
    return Target.model_validate({
        "id": "T", "title": "T", "area": "procedures", "metric": "m",
        "baseline": Baseline.model_validate(
            {"period": baseline[0], "value": baseline[1]}) if baseline else None,
        "milestones": [Milestone.model_validate({"by": by, "op": op, "value": value})
                       for by, op, value in milestones]})


ONLINE = make(("2025", ">=", 50), ("2030", ">=", 80))


def test_spec_example_821_of_1461_days():
    step = step_for(ONLINE, "2024-Q1")
    assert (step.index, step.by, step.reached, step.from_baseline) == (0, "2025", False, True)
    assert (step.anchor_period, step.days_done, step.days_total) == ("2021", 821, 1461)
    assert 12 + 38 * step.fraction == pytest.approx(33.354, abs=5e-4)


@pytest.mark.parametrize(("period", "index", "reached", "fraction"), [
    ("2025-Q3", 0, False, 1369 / 1461),
    ("2025-12", 0, True, 1.0),        # ends on the deadline
    ("2025", 0, True, 1.0),
    ("2026-H1", 1, False, 181 / 1826),  # from the previous milestone, 50 by 2025
    ("2030", 1, True, 1.0),
    ("2032", 1, True, 1.0),           # after the last milestone: the last
])
def test_milestone_in_force(period, index, reached, fraction):
    step = step_for(ONLINE, period)
    assert (step.index, step.reached) == (index, reached)
    assert step.fraction == pytest.approx(fraction)
    if index == 1:
        assert (step.anchor_period, step.anchor_value, step.from_baseline) == ("2025", 50, False)


def test_no_trajectory_without_baseline_before_it_or_for_equal_and_between():
    assert step_for(make(("2025", ">=", 50), baseline=None), "2024").fraction is None
    assert step_for(ONLINE, "2020").fraction is None
    assert step_for(ONLINE, "2021").fraction == 0
    assert step_for(make(("2025", "==", 50)), "2024").fraction is None
    between = make(("2025", "between", [6, 10]), ("2030", "<=", 5))
    assert (step_for(between, "2024").low, step_for(between, "2024").high) == (6, 10)
    assert step_for(between, "2027").fraction is None  # no single point to start from


def test_plan_rows_are_targets_outer_periods_inner():
    other = make(("2024", "<=", 5), baseline=None)
    frame = plan([ONLINE, other], ["2024-Q1", "2026"])
    assert frame.select("period", "deadline", "milestone").rows() == [
        ("2024-Q1", "2025", 0), ("2026", "2030", 1), ("2024-Q1", "2024", 0), ("2026", "2024", 0)]
    assert frame["reached"].to_list() == [False, False, False, True]
