"""Evaluate stage: which milestone is in force for a period, and how far along its trajectory.

Spec §3: the milestone in force is the earliest whose `by` has not ended before the period
ends (after the last one, the last one); its trajectory runs straight from the baseline (first
milestone) or the previous milestone, over calendar days between the periods' last days.

A relative baseline (same_last_year, previous) moves with the period: no trajectory starts
from it. A milestone with `every_period_from` must hold in every period that starts on or
after that period's first day ("duy trì"): such a period is `held`, met or not met, with no
trajectory.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from ..domain import TRAJECTORY_OPS, is_relative
from ..periods import parse_period

if TYPE_CHECKING:
    from ..ruleset.schema import Milestone, Target


@dataclass(frozen=True)
class Step:
    """The milestone in force for one target and one period."""

    index: int                 # position of the milestone in the ruleset's list
    op: str
    low: float
    high: float | None         # only for `between`
    by: str
    reached: bool              # the period ends at or after the deadline
    from_baseline: bool        # trajectory starts at the baseline (first milestone)
    anchor_period: str | None  # where the trajectory starts; None: no trajectory
    anchor_value: float | None  # previous milestone's value; None when from the baseline
    days_done: int | None      # calendar days from the anchor's end to the period's end
    days_total: int | None     # calendar days from the anchor's end to the deadline's end
    held: bool = False         # the milestone must hold in this period (every_period_from)
    before_base: bool = False  # (v3 §3) the period ends on or before the baseline period ends

    @property
    def fraction(self) -> float | None:
        """Share of the trajectory elapsed, at most 1; None without a trajectory."""
        if self.days_total is None or self.days_done is None:
            return None
        return min(1.0, self.days_done / self.days_total)


def _bounds(value: float | tuple[float, float] | list[float]) -> tuple[float, float | None]:
    if isinstance(value, tuple | list):
        return float(value[0]), float(value[1])
    return float(value), None


def ordered_milestones(target: Target) -> list[tuple[int, Milestone]]:
    """(ruleset index, milestone) by deadline; stable for equal deadlines."""
    indexed = list(enumerate(target.milestones))
    return sorted(indexed, key=lambda item: parse_period(item[1].by).end)


def held_since(target: Target, milestone: Milestone) -> str | None:
    """The period from which `milestone` must hold in every period: its own
    `every_period_from`, else the target's; None when neither says."""
    return milestone.every_period_from or target.every_period_from


def step_for(target: Target, period: str) -> Step:
    """The milestone in force for `period` and where its trajectory starts."""
    start, end = parse_period(period).start, parse_period(period).end
    ordered = ordered_milestones(target)
    pick = next((i for i, (_, m) in enumerate(ordered) if parse_period(m.by).end >= end),
                len(ordered) - 1)
    index, milestone = ordered[pick]
    low, high = _bounds(milestone.value)
    deadline = parse_period(milestone.by).end
    anchor_period: str | None = None
    anchor_value: float | None = None
    held_from = held_since(target, milestone)
    held = held_from is not None and start >= parse_period(held_from).start
    relative = target.baseline is not None and is_relative(target.baseline.period)
    if milestone.op in TRAJECTORY_OPS and not held:
        if pick == 0:
            if target.baseline is not None and not relative:
                anchor_period = target.baseline.period
        else:
            previous = ordered[pick - 1][1]
            prev_low, prev_high = _bounds(previous.value)
            # A `between` milestone gives no single point to start from: no trajectory.
            if prev_high is None:
                anchor_period, anchor_value = previous.by, prev_low
    days_done = days_total = None
    if anchor_period is not None:
        anchor_end = parse_period(anchor_period).end
        days_done, days_total = (end - anchor_end).days, (deadline - anchor_end).days
        # Before its starting period ends, a trajectory has not begun: nothing to be behind.
        if days_total <= 0 or days_done < 0:
            anchor_period = anchor_value = days_done = days_total = None
    return Step(index, milestone.op, low, high, milestone.by, end >= deadline,
                pick == 0 and not relative, anchor_period, anchor_value, days_done, days_total,
                held, before_baseline(target, end))


def before_baseline(target, end) -> bool:
    """(v3 §3) Whether a period ending on `end` ends on or before the last day of the target's
    baseline period: a plan measures from its baseline and does not judge such a period. A
    relative baseline (same_last_year, previous) is always before the result's own period."""
    baseline = target.baseline
    if baseline is None or is_relative(baseline.period):
        return False
    return end <= parse_period(baseline.period).end


PLAN_SCHEMA = {
    "target": pl.String, "period": pl.String, "milestone": pl.Int64, "op": pl.String,
    "threshold": pl.Float64, "threshold_high": pl.Float64, "deadline": pl.String,
    "reached": pl.Boolean, "from_baseline": pl.Boolean, "anchor": pl.Float64,
    "fraction": pl.Float64, "anchor_period": pl.String, "days_done": pl.Int64,
    "days_total": pl.Int64, "held": pl.Boolean, "before_base": pl.Boolean,
}


def plan(targets: Iterable[Target], periods: Sequence[str]) -> pl.DataFrame:
    """One row per target × period, targets outer, both in the given order: the milestone in
    force and its trajectory fraction (row t × len(periods) + p is target t, period p).

    Its size is targets × distinct periods (hundreds of rows), independent of the unit count.
    """
    rows = []
    for target in targets:
        for period in periods:
            s = step_for(target, period)
            rows.append((target.id, period, s.index, s.op, s.low, s.high, s.by, s.reached,
                         s.from_baseline, s.anchor_value, s.fraction, s.anchor_period,
                         s.days_done, s.days_total, s.held, s.before_base))
    return pl.DataFrame(rows, schema=PLAN_SCHEMA, orient="row")
