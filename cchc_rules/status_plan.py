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
  from_baseline   the milestone is the first, so its trajectory starts at the baseline
  anchor          the previous milestone's value; fraction: share of the trajectory elapsed
                  (null: no trajectory); anchor_period: where the trajectory starts;
                  days_done, days_total: its elapsed and whole span in calendar days
  _applicable     the unit's level is one of the target's levels
  _num, _den, _k, _integral   a ratio metric's numerator, denominator, factor, and whether
                  the numerator counts things (null parts: not a ratio)
Output columns: status, actual, expected, gap, needed (the spec's, masked as spec §4 says)
and the trace that `explain` narrates: reason, trajectory, and for a running trajectory
start_period, start_value, days_done, days_total.
"""
from __future__ import annotations

from enum import StrEnum

from .domain import OPS, RISING_OPS, STATUSES, TRAJECTORY_OPS, UNMET, UNRATED, Op, Status
from .expr.plan import (
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


class Reason(StrEnum):
    """Why a result has its status; each reason belongs to exactly one status."""

    NOT_APPLICABLE_LEVEL = "not_applicable_level"  # the unit's level is not a target level
    NO_DATA = "no_data"                  # a figure the metric needs is not reported
    NO_DATA_BASELINE = "no_data_baseline"  # the value exists, the `change` baseline does not
    INVALID_NO_NUMBER = "invalid_no_number"  # the figures give no number (division by 0)
    INVALID_BASELINE = "invalid_baseline"  # the `change` baseline itself is no number
    INVALID_ZERO_BASE = "invalid_zero_base"  # a percent change from a baseline of 0
    MET = "met"                          # the milestone's condition holds
    NOT_MET_DEADLINE_PASSED = "not_met_deadline_passed"  # deadline reached, not holding
    PENDING_NO_TRAJECTORY_OP = "pending_no_trajectory_op"  # `==`/`between`: no trajectory
    PENDING_NOT_STARTED = "pending_not_started"  # the period ends before the baseline's
    PENDING_NO_START = "pending_no_start"  # no start value: no baseline (figure), or the
    #                                        previous milestone is a range
    ON_TRACK = "on_track"                # at or past the trajectory's expected value
    OFF_TRACK = "off_track"              # short of the trajectory's expected value

    @property
    def status(self) -> Status:
        return _REASON_STATUS[self]

    @property
    def code(self) -> int:
        return REASONS.index(self.value)


_REASON_STATUS = {
    Reason.NOT_APPLICABLE_LEVEL: Status.NOT_APPLICABLE, Reason.NO_DATA: Status.NO_DATA,
    Reason.NO_DATA_BASELINE: Status.NO_DATA, Reason.INVALID_NO_NUMBER: Status.INVALID,
    Reason.INVALID_BASELINE: Status.INVALID, Reason.INVALID_ZERO_BASE: Status.INVALID,
    Reason.MET: Status.MET, Reason.NOT_MET_DEADLINE_PASSED: Status.NOT_MET,
    Reason.PENDING_NO_TRAJECTORY_OP: Status.PENDING, Reason.PENDING_NOT_STARTED: Status.PENDING,
    Reason.PENDING_NO_START: Status.PENDING, Reason.ON_TRACK: Status.ON_TRACK,
    Reason.OFF_TRACK: Status.OFF_TRACK,
}
REASONS: tuple[str, ...] = tuple(r.value for r in Reason)


class Trajectory(StrEnum):
    """What the straight-line trajectory of the milestone in force is, for one result."""

    NONE_FOR_OP = "none_for_op"    # `==` and `between` milestones have none
    NOT_STARTED = "not_started"    # the period ends before the baseline period does
    NO_START = "no_start"          # nothing to start from (no baseline value, or a range)
    RUNNING = "running"            # start value, fraction elapsed and expected value known

    @property
    def code(self) -> int:
        return TRAJECTORIES.index(self.value)


TRAJECTORIES: tuple[str, ...] = tuple(t.value for t in Trajectory)

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
    """anchor + (threshold − anchor) × fraction; NaN (a NaN baseline) counts as none."""
    anchor = case((Col("from_baseline"), Col("_start")), otherwise=Col("anchor"))
    line = anchor + (low - anchor) * fraction
    return case((IsNaN(line), NULL), otherwise=line), anchor


def _trajectory():
    return case(
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
        (IsNull(actual) & IsNull(raw), Reason.NO_DATA.code),
        (IsNull(actual), Reason.NO_DATA_BASELINE.code),
        (IsNaN(actual) & IsNaN(raw), Reason.INVALID_NO_NUMBER.code),
        (IsNaN(actual) & IsNaN(base), Reason.INVALID_BASELINE.code),
        (IsNaN(actual), Reason.INVALID_ZERO_BASE.code),
        (Col("_holds"), Reason.MET.code),
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
         ("trajectory", Lookup(Col("_trajectory"), TRAJECTORIES)),
         ("start_period", case((running, Col("anchor_period")))),
         ("start_value", case((running, anchor))),
         ("days_done", case((running, Col("days_done")))),
         ("days_total", case((running, Col("days_total"))))),
    )


STATUS_PLAN: Plan = _plan()
