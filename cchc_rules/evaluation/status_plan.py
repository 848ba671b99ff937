"""Evaluate stage: the status rules (spec §3–4) written once, as a backend-neutral row plan.

`STATUS_PLAN` decides, per target × unit × period row, the status with its reason, the
expected value on the trajectory, `gap` and `needed`; `expr.plan_polars` runs it for
`evaluate`, and any other backend (SQL) only needs a generator of the plan nodes.

Input columns (one row per result; `evaluate._results` builds them):
  actual          compared value (after `change`); null = missing, NaN = no number
  raw             the metric's value before `change` is applied
  baseline_value  the baseline (null without one), baseline_period (null without one)
  _start          where a trajectory from the baseline starts (0 for `change` targets)
  _opc            `Op.code` of the milestone in force; threshold, threshold_high
  reached         the period ends at or after the milestone's deadline
  held            the milestone must hold in this period (`every_period_from`): met or
                  not_met, never pending, on_track or off_track
  from_baseline   the milestone is the first, so its trajectory starts at the baseline
  anchor          the previous milestone's value; fraction: share of the trajectory elapsed
                  (null: no trajectory); anchor_period: where the trajectory starts;
                  days_done, days_total: its elapsed and whole span in calendar days
  _applicable     the unit's level is one of the target's levels
  _declared       the unit declared the metric, or an input of its formula, n/a (§7 v3)
  before_base     (v3) the period ends on or before the last day of the baseline period:
                  not_applicable, whatever the figures say
  _num, _den, _k, _integral   a ratio metric's numerator, denominator, factor, and whether
                  the numerator counts things (null parts: not a ratio)
Output columns: status, actual, expected, gap, needed (the spec's, masked as spec §4 says),
na_reason (the public `reason` of a not_applicable result: "level" or "before_baseline")
and the trace that `explain` narrates: reason, trajectory, and for a running trajectory
start_period, start_value, days_done, days_total.
"""
from __future__ import annotations

from ..domain import (
    NOT_APPLICABLE_REASONS,
    OPS,
    REASONS,
    RISING_OPS,
    STATUSES,
    TRAJECTORIES,
    TRAJECTORY_OPS,
    UNMET,
    UNRATED,
    Op,
    Reason,
    Status,
    Trajectory,
)
from ..plan.nodes import (
    Abs,
    ApproxCmp,
    Ceil,
    Cmp,
    Col,
    Floor,
    In,
    IsNaN,
    IsNull,
    Lit,
    Lookup,
    Max,
    Plan,
    Round,
    case,
)

NULL = Lit(None)
actual, raw, base = Col("actual"), Col("raw"), Col("baseline_value")
low, high = Col("threshold"), Col("threshold_high")
fraction, expected = Col("fraction"), Col("expected")


def op_in(*ops: str) -> In:
    """Whether the milestone in force has one of `ops`."""
    return In(Col("_opc"), tuple(OPS.index(o) for o in ops))


def status_in(*statuses: str) -> In:
    return In(Col("_status"), tuple(STATUSES.index(s) for s in statuses))


def _holds():
    """The milestone's condition, within the relative tolerance."""
    single = [(op_in(o), ApproxCmp(o, actual, low)) for o in OPS if o != Op.BETWEEN]
    return case(*single, otherwise=ApproxCmp(">=", actual, low) & ApproxCmp("<=", actual, high))


def _expected():
    """anchor + (threshold − anchor) × fraction; NaN (a NaN baseline) counts as none, and a
    milestone that must hold every period has no trajectory."""
    anchor = case((Col("from_baseline"), Col("_start")), otherwise=Col("anchor"))
    line = anchor + (low - anchor) * fraction
    return case((IsNaN(line) | Col("held"), NULL), otherwise=line), anchor


def _trajectory():
    return case(
        (Col("held"), Trajectory.EVERY_PERIOD.code),
        (~op_in(*TRAJECTORY_OPS), Trajectory.NONE_FOR_OP.code),
        (IsNull(fraction) & Col("from_baseline") & ~IsNull(Col("baseline_period")),
         Trajectory.NOT_STARTED.code),
        (IsNull(fraction) | IsNull(expected), Trajectory.NO_START.code),
        otherwise=Trajectory.RUNNING.code)


def _reason():
    trajectory = Col("_trajectory")
    on_track = case((op_in(*RISING_OPS), ApproxCmp(">=", actual, expected)),
                    otherwise=ApproxCmp("<=", actual, expected))
    return case(
        (~Col("_applicable"), Reason.NOT_APPLICABLE_LEVEL.code),
        (Col("_declared"), Reason.DECLARED.code),
        (Col("before_base"), Reason.BEFORE_BASELINE.code),
        (IsNull(actual) & IsNull(raw), Reason.NO_DATA.code),
        (IsNull(actual), Reason.NO_DATA_BASELINE.code),
        (IsNaN(actual) & IsNaN(raw), Reason.INVALID_NO_NUMBER.code),
        (IsNaN(actual) & IsNaN(base), Reason.INVALID_BASELINE.code),
        (IsNaN(actual), Reason.INVALID_ZERO_BASE.code),
        (Col("_holds"), Reason.MET.code),
        # "duy trì": a milestone that must hold every period is missed in each one it misses
        (Col("held"), Reason.NOT_MET_EVERY_PERIOD.code),
        (Col("reached"), Reason.NOT_MET_DEADLINE_PASSED.code),
        (IsNull(expected) & In(trajectory, (Trajectory.NONE_FOR_OP.code,)),
         Reason.PENDING_NO_TRAJECTORY_OP.code),
        (IsNull(expected) & In(trajectory, (Trajectory.NOT_STARTED.code,)),
         Reason.PENDING_NOT_STARTED.code),
        (IsNull(expected), Reason.PENDING_NO_START.code),
        (on_track, Reason.ON_TRACK.code),
        otherwise=Reason.OFF_TRACK.code)


def _gap():
    """actual − threshold; for `between` the signed distance to the nearer end, 0 inside."""
    return case((~op_in(Op.BETWEEN), actual - low),
                (Col("_holds"), 0.0),
                (Cmp("<", actual, low), actual - low),
                otherwise=actual - high)


def _needed():
    """How much the numerator of a ratio metric must change, the denominator held, for the
    milestone to hold: positive = more needed, negative = that much less (for `<=`/`<`).
    Whole numbers when the numerator counts dossiers; null when the metric is not a ratio."""
    num, den, k = Col("_num"), Col("_den"), Col("_k")
    below = op_in(*RISING_OPS) | (op_in(Op.BETWEEN) & Cmp("<", actual, low))
    goal = case((op_in(Op.BETWEEN) & ~below, high), otherwise=low) * den / k
    slack = Max((Lit(1.0), Abs(goal))) * 1e-9  # float noise, not a miss
    whole = case((op_in(Op.GT), Floor(goal + slack) + 1.0),
                 (below, Ceil(goal - slack)),
                 (op_in(Op.LT), Ceil(goal - slack) - 1.0),
                 (op_in(Op.EQ), Round(goal)),
                 otherwise=Floor(goal + slack))
    usable = ~IsNull(num) & ~IsNaN(num) & Cmp(">", den, Lit(0.0)) & Cmp(">", k, Lit(0.0))
    return case((usable, case((Col("_integral"), whole), otherwise=goal) - num))


def _plan() -> Plan:
    expected_, anchor = _expected()
    # A value is shown when there is one: not for unrated results, nor for invalid ones.
    shown = ~status_in(*UNRATED, Status.INVALID)
    running = In(Col("_trajectory"), (Trajectory.RUNNING.code,))
    return (
        (("expected", expected_), ("_holds", _holds())),
        (("_trajectory", _trajectory()),),
        (("_reason", _reason()),),
        (("_status", Lookup(Col("_reason"), tuple(Reason(r).status.code for r in REASONS))),),
        (("status", Lookup(Col("_status"), STATUSES)),
         ("actual", case((shown, actual))),
         ("expected", case((~status_in(Status.NOT_APPLICABLE), expected))),
         ("gap", case((shown, _gap()))),
         ("needed", case((status_in(*UNMET), _needed()))),
         ("reason", Lookup(Col("_reason"), REASONS)),
         ("na_reason", case(*((In(Col("_reason"), (Reason(r).code,)), word)
                              for r, word in NOT_APPLICABLE_REASONS.items()))),
         ("trajectory", Lookup(Col("_trajectory"), TRAJECTORIES)),
         ("start_period", case((running, Col("anchor_period")))),
         ("start_value", case((running, anchor))),
         ("days_done", case((running, Col("days_done")))),
         ("days_total", case((running, Col("days_total"))))),
    )


STATUS_PLAN: Plan = _plan()
