"""The domain vocabulary: statuses, operators, metric units, reform areas and unit levels.

Every attribute of a name lives here, once. Pydantic Literals, i18n keys, table symbols and
report colours are derived from these tables; no other module spells a set of them again.
Members are `StrEnum`s, so `Status.MET == "met"` and frames and JSON keep plain strings.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


@dataclass(frozen=True)
class StatusInfo:
    failing: bool      # makes `cchc evaluate` exit 1 by default (spec §4)
    rated: bool        # says something about progress (no_data / not_applicable do not)
    unmet: bool        # behind the milestone: `needed` says how far (not for on_track)
    good: bool         # counts towards a unit's score (met, on track)
    severity: int      # report order, worst first
    symbol: str        # one-character mark in tables and charts
    colour: str        # terminal colour (click) of the table's status word


class Status(StrEnum):
    """The status of one target × unit × period (spec §3), in spec order."""

    MET = "met"
    ON_TRACK = "on_track"
    PENDING = "pending"
    OFF_TRACK = "off_track"
    NOT_MET = "not_met"
    INVALID = "invalid"
    NO_DATA = "no_data"
    NOT_APPLICABLE = "not_applicable"

    @property
    def info(self) -> StatusInfo:
        return _STATUS_INFO[self]

    @property
    def failing(self) -> bool:
        return self.info.failing

    @property
    def rated(self) -> bool:
        return self.info.rated

    @property
    def code(self) -> int:
        """A small integer per status (its spec order), for columnar work."""
        return STATUSES.index(self.value)


_STATUS_INFO = {
    Status.MET: StatusInfo(False, True, False, True, 6, "✓", "green"),
    Status.ON_TRACK: StatusInfo(False, True, False, True, 5, "↗", "green"),
    Status.PENDING: StatusInfo(False, True, True, False, 4, "…", "cyan"),
    Status.OFF_TRACK: StatusInfo(True, True, True, False, 1, "↘", "yellow"),
    Status.NOT_MET: StatusInfo(True, True, True, False, 0, "✗", "red"),
    Status.INVALID: StatusInfo(True, True, False, False, 2, "!", "magenta"),
    Status.NO_DATA: StatusInfo(False, False, False, False, 3, "?", "bright_black"),
    Status.NOT_APPLICABLE: StatusInfo(False, False, False, False, 7, "–", "bright_black"),
}


class CheckStatus(StrEnum):
    """The outcome of one data check × unit × period."""

    PASS = "pass"
    FAIL = "fail"
    NO_DATA = "no_data"


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
CHECK_STATUSES: tuple[str, ...] = tuple(s.value for s in CheckStatus)
BY_SEVERITY: tuple[str, ...] = tuple(sorted(STATUSES, key=lambda s: Status(s).info.severity))
FAILING: tuple[str, ...] = tuple(s for s in BY_SEVERITY if Status(s).info.failing)
UNRATED: tuple[str, ...] = tuple(s for s in BY_SEVERITY if not Status(s).info.rated)
UNMET: tuple[str, ...] = tuple(s for s in BY_SEVERITY if Status(s).info.unmet)
GOOD: tuple[str, ...] = tuple(s.value for s in Status if s.info.good)
# What makes `cchc evaluate` exit 1 by default; "fail" stands for a failed check.
DEFAULT_FAIL_ON: tuple[str, ...] = (*FAILING, CheckStatus.FAIL.value)
FAIL_ON_CHOICES: tuple[str, ...] = (*STATUSES, CheckStatus.FAIL.value)
SYMBOLS: dict[str, str] = {s.value: s.info.symbol for s in Status}
COLOURS: dict[str, str] = {s.value: s.info.colour for s in Status}



class Reason(StrEnum):
    """Why a result has its status; each reason belongs to exactly one status."""

    NOT_APPLICABLE_LEVEL = "not_applicable_level"  # the unit's level is not a target level
    DECLARED = "declared"                # the unit declared the figure n/a (spec §7 v3)
    BEFORE_BASELINE = "before_baseline"  # (v3 §3) the period ends on or before the baseline's
    NO_DATA = "no_data"                  # a figure the metric needs is not reported
    NO_DATA_BASELINE = "no_data_baseline"  # the value exists, the `change` baseline does not
    INVALID_NO_NUMBER = "invalid_no_number"  # the figures give no number (division by 0)
    INVALID_BASELINE = "invalid_baseline"  # the `change` baseline itself is no number
    INVALID_ZERO_BASE = "invalid_zero_base"  # a percent change from a baseline of 0
    MET = "met"                          # the milestone's condition holds
    NOT_MET_DEADLINE_PASSED = "not_met_deadline_passed"  # deadline reached, not holding
    NOT_MET_EVERY_PERIOD = "not_met_every_period"  # must hold every period from a start on
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
    Reason.NOT_APPLICABLE_LEVEL: Status.NOT_APPLICABLE, Reason.DECLARED: Status.NOT_APPLICABLE,
    Reason.BEFORE_BASELINE: Status.NOT_APPLICABLE, Reason.NO_DATA: Status.NO_DATA,
    Reason.NO_DATA_BASELINE: Status.NO_DATA, Reason.INVALID_NO_NUMBER: Status.INVALID,
    Reason.INVALID_BASELINE: Status.INVALID, Reason.INVALID_ZERO_BASE: Status.INVALID,
    Reason.MET: Status.MET, Reason.NOT_MET_DEADLINE_PASSED: Status.NOT_MET,
    Reason.NOT_MET_EVERY_PERIOD: Status.NOT_MET,
    Reason.PENDING_NO_TRAJECTORY_OP: Status.PENDING, Reason.PENDING_NOT_STARTED: Status.PENDING,
    Reason.PENDING_NO_START: Status.PENDING, Reason.ON_TRACK: Status.ON_TRACK,
    Reason.OFF_TRACK: Status.OFF_TRACK,
}
REASONS: tuple[str, ...] = tuple(r.value for r in Reason)
# Why a result is not_applicable, as the public `reason` of a result (spec §3, v3): the
# unit's level is not a target level, or the period is not after the baseline period.
NOT_APPLICABLE_REASONS: dict[str, str] = {Reason.NOT_APPLICABLE_LEVEL.value: "level",
                                          Reason.BEFORE_BASELINE.value: "before_baseline",
                                          Reason.DECLARED.value: "declared"}


class Trajectory(StrEnum):
    """What the straight-line trajectory of the milestone in force is, for one result."""

    NONE_FOR_OP = "none_for_op"    # `==` and `between` milestones have none
    NOT_STARTED = "not_started"    # the period ends before the baseline period does
    NO_START = "no_start"          # nothing to start from (no baseline value, or a range)
    RUNNING = "running"            # start value, fraction elapsed and expected value known
    EVERY_PERIOD = "every_period"  # the milestone must hold in each period: none needed

    @property
    def code(self) -> int:
        return TRAJECTORIES.index(self.value)


TRAJECTORIES: tuple[str, ...] = tuple(t.value for t in Trajectory)


@dataclass(frozen=True)
class OpInfo:
    sign: str          # how the operator is printed: ≥, ≤, …
    trajectory: bool   # a straight-line trajectory applies (spec §3)
    direction: int     # +1 higher is better, -1 lower is better, 0 neither


class Op(StrEnum):
    """A milestone's comparison (spec §1)."""

    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    EQ = "=="
    BETWEEN = "between"

    @property
    def info(self) -> OpInfo:
        return _OP_INFO[self]

    @property
    def sign(self) -> str:
        return self.info.sign

    @property
    def code(self) -> int:
        return OPS.index(self.value)


_OP_INFO = {
    Op.GE: OpInfo("≥", True, 1),
    Op.GT: OpInfo(">", True, 1),
    Op.LE: OpInfo("≤", True, -1),
    Op.LT: OpInfo("<", True, -1),
    Op.EQ: OpInfo("=", False, 0),
    Op.BETWEEN: OpInfo("∈", False, 0),
}
OPS: tuple[str, ...] = tuple(o.value for o in Op)
TRAJECTORY_OPS: tuple[str, ...] = tuple(o.value for o in Op if o.info.trajectory)
RISING_OPS: tuple[str, ...] = tuple(o.value for o in Op if o.info.direction > 0)
FALLING_OPS: tuple[str, ...] = tuple(o.value for o in Op if o.info.direction < 0)
# Printed signs of the single-threshold operators; `between` is written as a range.
OP_SIGNS: dict[str, str] = {o.value: o.sign for o in Op if o is not Op.BETWEEN}
# Spellings planners type for an operator, with the one meant.
NEAR_OPS: dict[str, str] = {"=>": ">=", "=<": "<=", "≥": ">=", "≤": "<=", "=": "==",
                            "<>": "between"}


@dataclass(frozen=True)
class MetricUnitInfo:
    summable: bool     # a parent's figure is the sum of its children's (spec §2 roll-up)
    non_negative: bool # a reported figure below 0 is an error
    whole: bool        # counts things: `needed` is a whole number
    decimals: int      # decimals shown in tables and reports
    lowest: float | None = None  # the smallest figure that makes sense (a rank starts at 1)
    better: int = 1    # +1 a higher figure is better, -1 a lower one (a rank: 1 is best)


class MetricUnit(StrEnum):
    """What a metric measures in (spec §1)."""

    COUNT = "count"
    PERCENT = "percent"
    RATIO = "ratio"
    SCORE = "score"
    DAYS = "days"
    VND = "vnd"
    RANK = "rank"

    @property
    def info(self) -> MetricUnitInfo:
        return _UNIT_INFO[self]


_UNIT_INFO = {
    MetricUnit.COUNT: MetricUnitInfo(True, True, True, 0),
    MetricUnit.PERCENT: MetricUnitInfo(False, False, False, 2),
    MetricUnit.RATIO: MetricUnitInfo(False, False, False, 2),
    MetricUnit.SCORE: MetricUnitInfo(False, False, False, 2),
    MetricUnit.DAYS: MetricUnitInfo(False, False, False, 2),
    MetricUnit.VND: MetricUnitInfo(True, True, False, 0),
    # A published place (PAR Index 12/63): whole, from 1, lower is better; never summed.
    MetricUnit.RANK: MetricUnitInfo(False, True, True, 0, lowest=1.0, better=-1),
}
METRIC_UNITS: tuple[str, ...] = tuple(u.value for u in MetricUnit)
SUMMABLE_UNITS: tuple[str, ...] = tuple(u.value for u in MetricUnit if u.info.summable)
NON_NEGATIVE_UNITS: tuple[str, ...] = tuple(u.value for u in MetricUnit if u.info.non_negative)
WHOLE_UNITS: tuple[str, ...] = tuple(u.value for u in MetricUnit if u.info.whole)
# Units whose figures start above 0 (a rank starts at 1), with that lowest figure.
LOWEST: dict[str, float] = {u.value: u.info.lowest for u in MetricUnit
                            if u.info.lowest is not None and u.info.lowest > 0}
LOWER_IS_BETTER_UNITS: tuple[str, ...] = tuple(u.value for u in MetricUnit
                                               if u.info.better < 0)


def unit_info(unit: str | None) -> MetricUnitInfo | None:
    """The attributes of a metric unit by name; None for no or an unknown unit."""
    try:
        return MetricUnit(unit).info if unit is not None else None
    except ValueError:
        return None


def decimals(unit: str | None) -> int:
    """Decimals shown for a value in `unit` (2 when the unit is not known)."""
    info = unit_info(unit)
    return info.decimals if info else 2


def better(unit: str | None) -> int:
    """+1 when a higher figure in `unit` is better (and for no or an unknown unit), -1 when a
    lower one is (a rank: first place is 1)."""
    info = unit_info(unit)
    return info.better if info else 1


class Area(StrEnum):
    """The six reform areas of Resolution 76/NQ-CP (domain notes)."""

    INSTITUTIONS = "institutions"
    PROCEDURES = "procedures"
    ORGANIZATION = "organization"
    CIVIL_SERVICE = "civil_service"
    PUBLIC_FINANCE = "public_finance"
    DIGITAL_GOVERNMENT = "digital_government"


AREAS: tuple[str, ...] = tuple(a.value for a in Area)


class Level(StrEnum):
    """The unit levels spec §2 names; a units file may add others (ward, department …)."""

    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


LEVELS: tuple[str, ...] = tuple(lv.value for lv in Level)


class Change(StrEnum):
    """A target compared as a change against its baseline (spec §3)."""

    PERCENT = "percent"
    ABSOLUTE = "absolute"


CHANGES: tuple[str, ...] = tuple(c.value for c in Change)


class Fallback(StrEnum):
    """What a scoring indicator is worth when its input is missing or gives no number (§7)."""

    ZERO = "zero"          # 0 of max
    FULL = "full"          # max of max
    EXCLUDE = "exclude"    # left out of points and max


FALLBACKS: tuple[str, ...] = tuple(f.value for f in Fallback)


class IndicatorKind(StrEnum):
    """How an indicator's points count toward a unit's total (spec §7 v3)."""

    SCORE = "score"        # in points and in max
    BONUS = "bonus"        # điểm thưởng: added to points, not to max
    PENALTY = "penalty"    # điểm trừ: subtracted from points, not in max


INDICATOR_KINDS: tuple[str, ...] = tuple(k.value for k in IndicatorKind)


class OverTime(StrEnum):
    """How a raw figure adds up over the shorter periods that tile a longer one (spec §5)."""

    SUM = "sum"      # a flow: received in the year = received in each quarter, added
    FIRST = "first"  # a stock at the period's start: carried over from before
    LAST = "last"    # a stock at the period's end: pending at the year's end


OVER_TIMES: tuple[str, ...] = tuple(o.value for o in OverTime)
# Metric units whose figures never add up over time (a rate of a year is no sum of rates).
NOT_OVER_TIME_UNITS: tuple[str, ...] = (MetricUnit.PERCENT.value, MetricUnit.RATIO.value,
                                        MetricUnit.RANK.value)


class Origin(StrEnum):
    """Where a result's actual figure comes from (the `origin` field of a result)."""

    REPORTED = "reported"          # the unit reported it for the period (or its inputs)
    DERIVED_TIME = "derived_time"  # from the unit's shorter periods (spec §5)
    ROLLED_UP = "rolled_up"        # summed over the unit's children (spec §2)
    RESTATED = "restated"          # on the territory after a merger (spec §6)
    NOT_RESTATED = "not_restated"  # (v3 §6) a base figure that cannot be summed (percent,
    #                                ratio, days, score, rank): the unit's own, as it is


ORIGINS: tuple[str, ...] = tuple(o.value for o in Origin)


class RelativePeriod(StrEnum):
    """A baseline period named relative to each result's own period ("cùng kỳ năm trước")."""

    SAME_LAST_YEAR = "same_last_year"  # 2025-Q3 → 2024-Q3 (cùng kỳ năm trước)
    PREVIOUS = "previous"              # 2025-Q3 → 2025-Q2 (kỳ trước)


RELATIVE_PERIODS: tuple[str, ...] = tuple(r.value for r in RelativePeriod)

# Pydantic field types derived from the tables above (`Literal[("a", "b")]` is Literal["a", "b"]).
OpLiteral = Literal[OPS]  # type: ignore[valid-type]
AreaLiteral = Literal[AREAS]  # type: ignore[valid-type]
MetricUnitLiteral = Literal[METRIC_UNITS]  # type: ignore[valid-type]
ChangeLiteral = Literal[CHANGES]  # type: ignore[valid-type]
FallbackLiteral = Literal[FALLBACKS]  # type: ignore[valid-type]
IndicatorKindLiteral = Literal[INDICATOR_KINDS]  # type: ignore[valid-type]
OverTimeLiteral = Literal[OVER_TIMES]  # type: ignore[valid-type]


def is_relative(period: str | None) -> bool:
    """Whether a baseline's `period` is a relative one (same_last_year, previous)."""
    return period in RELATIVE_PERIODS
