"""Evaluate stage output: `Evaluation`, the one record model every renderer reads.

Frames stay columnar (polars); `records()` and `check_records()` give the spec §4 JSON dicts.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import polars as pl

from ..domain import CHECK_STATUSES, DEFAULT_FAIL_ON, REASONS, STATUSES, TRAJECTORIES
from ..messages import _
from ..present import number, numbers  # noqa: F401  (the JSON number rule; kept importable)

if TYPE_CHECKING:  # the types of the fields; evaluator.py imports these stages at run time
    from ..derive.timeroll import TimeRoll
    from ..errors import Problem
    from ..figures.data import Figures
    from ..ruleset.loader import LoadedRuleset
    from ..score.points import Scores

_T = TypeVar("_T")

RESULT_SCHEMA: dict[str, Any] = {
    "target": pl.String, "unit": pl.String, "period": pl.String, "metric": pl.String,
    "area": pl.String, "level": pl.String, "status": pl.String, "actual": pl.Float64,
    "op": pl.String, "threshold": pl.Float64, "threshold_high": pl.Float64,
    "deadline": pl.String, "expected": pl.Float64, "gap": pl.Float64, "needed": pl.Float64,
    "baseline_period": pl.String, "baseline_value": pl.Float64, "weight": pl.Float64,
    "milestone": pl.Int64, "origin": pl.String, "na_reason": pl.String, "covers": pl.String,
    "field": pl.Float64, "base_field": pl.Float64, "share": pl.Float64, "base_share": pl.Float64,
}
# The same with every label column Categorical (a number per row, each text stored once):
# what a writer that reads each row once (CSV) asks for, a quarter of the labels' memory.
COMPACT_SCHEMA: dict[str, Any] = {name: pl.Categorical if dtype == pl.String else dtype
                                  for name, dtype in RESULT_SCHEMA.items()}
# `origin`: where the actual figure comes from (domain.Origin): "reported", "derived_time"
# (from the unit's shorter periods, spec §5), "rolled_up" (summed over its children, spec §2)
# or "restated" (on the territory after a merger, spec §6); for a formula metric, the
# strongest of its raw inputs' origins in that order. Null when there is no actual.
# `na_reason` (JSON `reason`, v3 §3): why a not_applicable result is one — "level" (the unit's
# level is not a target level) or "before_baseline"; null on every other result.
# `covers` (v3 §6): for a unit that began during the period and has no predecessors, the range
# of the sub-periods its figure covers ("2025-07/2025-12"), part of the period; else null.
# `field`, `base_field`, `share`, `base_share` (v3 §7): a result comparing ranks of two periods
# whose fields differ — each period's field (`of`) and the rank's share of it (rank / field ×
# 100: 20 of 63 is 31.7); null otherwise.
# Internal, row for row with the results: what `explain` narrates, never in records or
# renderers. `reason` is a status_plan.Reason, `trajectory` a status_plan.Trajectory;
# start_period/start_value: where a running trajectory starts; raw: the value before
# `change`; days_done/days_total: the trajectory's elapsed and whole span in days.
TRACE_SCHEMA: dict[str, Any] = {
    "reason": pl.Enum(REASONS), "trajectory": pl.Enum(TRAJECTORIES),
    "start_period": pl.Categorical, "start_value": pl.Float64, "raw": pl.Float64,
    "days_done": pl.Int32, "days_total": pl.Int32,
    "territory": pl.String, "territory_changed": pl.String,  # spec §6 restatement (territory.py)
}
# Result columns given only on the results that have them, by their public (JSON) name.
PUBLIC_OPTIONAL = {"na_reason": "reason", "covers": "covers", "field": "field",
                   "base_field": "base_field", "share": "share", "base_share": "base_share"}
CHECK_SCHEMA = pl.Schema({
    "check": pl.String, "unit": pl.String, "period": pl.String, "status": pl.String,
    "left": pl.Float64, "right": pl.Float64,
})
VALUE_SCHEMA = pl.Schema({
    "unit": pl.String, "period": pl.String, "metric": pl.String, "value": pl.Float64,
    "origin": pl.String,
})


class _Deferred(Generic[_T]):
    """A frame field that may be given as a zero-argument function instead: called on the
    first read, once. The evaluator computes statuses wide (one row per unit and period) and
    builds the long frames (one row per result) only when an output reads them."""

    def __init__(self, default: Any = dataclasses.MISSING) -> None:
        self.default = default

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj: object, owner: type | None = None) -> _T:
        if obj is None:   # dataclasses asks the class for the field's default
            if self.default is dataclasses.MISSING:
                raise AttributeError(self.slot)
            return cast(_T, self.default)   # the default given for this field's type
        value = obj.__dict__[self.slot]
        if callable(value):
            value = obj.__dict__[self.slot] = value()
        return cast(_T, value)   # set through __set__, which takes a _T or its function

    def __set__(self, obj: object, value: _T | Callable[[], _T]) -> None:
        obj.__dict__[self.slot] = value


@dataclass(kw_only=True)
class Evaluation:
    """Everything one run found. `results` has one row per target × unit × period with data
    (columns `RESULT_SCHEMA`), `checks` one per check × unit × period (`CHECK_SCHEMA`),
    `values` every figure after roll-up and derivation (`VALUE_SCHEMA`). Built by keyword."""

    ruleset: LoadedRuleset
    figures: Figures
    values: _Deferred[pl.DataFrame] = _Deferred()    # or a function giving it
    results: _Deferred[pl.DataFrame] = _Deferred()   # likewise
    checks: pl.DataFrame
    # what evaluating found itself (DAT22 reported vs computed, deriving over time), apart
    # from the figures' own warnings: `warnings` is both, the figures' first
    found: list[Problem] = field(default_factory=list)
    # TRACE_SCHEMA, row for row with `results`
    trace: _Deferred[pl.DataFrame | None] = _Deferred(None)
    time: TimeRoll | None = None  # how figures were derived over time (for explain)
    _scores: Scores | None = field(default=None, repr=False)
    counts: dict[str, int] | None = None  # status counts, when known without `results`
    # a function giving the result rows as COMPACT_SCHEMA frames, in order, a slice at a time
    compact: Callable[..., Iterator[pl.DataFrame]] | None = None
    # spec §7 v3: (unit, period, metric) declared n/a, after roll-up and through formulas
    declared: pl.DataFrame | None = None
    asked: tuple[str, ...] | None = None   # the periods asked for (`--period`), if any
    asked_units: tuple[str, ...] | None = None   # the units asked for (`--unit`), if any
    hidden: Any = None   # view.Hidden: what a reader's view left out (None: nothing)
    # plans in force by date (evaluation/versions.py): each version's record, oldest first,
    # and the ruleset.changes.Changes between consecutive ones; empty for a single plan
    versions: list = field(default_factory=list)
    version_changes: list = field(default_factory=list)
    chain: list = field(default_factory=list)   # the ruleset.versions.Version objects

    @property
    def warnings(self) -> list[Problem]:
        """Every warning of the run: the figures' own, then what evaluating found."""
        return [*self.figures.warnings, *self.found]

    @property
    def in_progress(self) -> list[str]:
        """The periods not ended as of the moment counted (records/ REC12; reported figures
        of such periods too), in order: every output marks their results, which are never
        judged not_met or off_track yet."""
        info = self.figures.records
        return sorted(info.in_progress) if info is not None else []

    def result_slices(self, rows: int | None = None) -> Iterator[pl.DataFrame]:
        """The result rows, in order, for a writer that reads each row once: frames with
        Categorical label columns (COMPACT_SCHEMA), built when asked and not kept, never the
        String `results`; one frame of every row unless `rows` (about that many results a
        slice) or evaluator.SLICE_RESULTS bounds a slice. `results` itself, in one piece,
        when it is already built (or cannot be built in slices)."""
        if self.compact is None or not callable(self.__dict__.get("_results")):
            yield self.results
            return
        yield from self.compact(rows)

    def compact_results(self, text: tuple[str, ...] = ("target", "unit", "period")
                        ) -> pl.DataFrame:
        """The result rows in one frame, the label columns Categorical (COMPACT_SCHEMA) but
        `text`, the keys a reader joins to other frames: for one that holds all the rows
        (the report), a national run's other labels in a quarter of the memory. `results`
        itself when already built."""
        frame = pl.concat(list(self.result_slices()))
        return frame.cast({name: pl.String for name in text
                           if frame.schema[name] != pl.String})

    def scores(self) -> Any:
        """The spec §7 points and ranks (scoring.Scores), computed once when first asked;
        None when the ruleset has no `scoring`."""
        scoring = self.ruleset.model.scoring
        if scoring is not None and self._scores is None:
            from ..figures.unitgraph import UnitGraph
            from ..score.points import score
            levels = {u.id: u.level for u in self.figures.units.values()}
            graph = UnitGraph.from_units(self.figures.units) \
                if any(i.inherit for i in scoring.indicators) else None
            self._scores = score(scoring, self.values, self.results, levels, graph,
                                 declared=self.declared)
        return self._scores

    def traced(self) -> pl.DataFrame:
        """`results` with the trace columns beside them (for `explain`)."""
        if self.trace is None:
            raise ValueError(_("this evaluation carries no trace"))
        return pl.concat([self.results, self.trace], how="horizontal")

    def summary(self) -> dict[str, int]:
        """Result counts for every status, zeros included."""
        if self.counts is not None:
            return dict.fromkeys(STATUSES, 0) | self.counts
        return _counts(self.results, STATUSES)

    def check_summary(self) -> dict[str, int]:
        return _counts(self.checks, CHECK_STATUSES)

    def failed(self, fail_on: Iterable[str] = DEFAULT_FAIL_ON) -> bool:
        """Whether the run exits 1: any result whose status is in `fail_on`, or a check whose
        status is `fail` (when "fail" is listed) or `no_data` (when "no_data" is listed)."""
        wanted = set(fail_on)
        if self.counts is not None:
            if any(self.counts.get(s) for s in wanted):
                return True
        elif self.results.filter(pl.col("status").is_in(list(wanted))).height:
            return True
        check_wanted = wanted & set(CHECK_STATUSES)
        return bool(self.checks.filter(pl.col("status").is_in(list(check_wanted))).height)

    def targets_by_id(self) -> dict[str, Any]:
        return {t.id: t for t in self.ruleset.model.targets}

    def records(self) -> list[dict[str, Any]]:
        """The spec §4 result objects, in the frame's (sorted) order."""
        frame = self.results
        titles = {t.id: t.title for t in self.ruleset.model.targets}
        columns = {name: numbers(frame[name]) if frame[name].dtype == pl.Float64
                   else frame[name].to_list()
                   for name in frame.columns if name != "threshold_high"}
        highs = numbers(frame["threshold_high"])
        for i in frame["threshold_high"].is_not_null().arg_true().to_list():
            columns["threshold"][i] = [columns["threshold"][i], highs[i]]
        columns["title"] = [titles[str(t)] for t in columns["target"]]
        optional = {name: columns.pop(name) for name in PUBLIC_OPTIONAL if name in columns}
        rows = _rows(columns)
        for name, values in optional.items():   # only on the results that have them (v3)
            for row, value in zip(rows, values, strict=True):
                if value is not None:
                    row[PUBLIC_OPTIONAL[name]] = value
        return rows

    def check_records(self) -> list[dict[str, Any]]:
        frame = self.checks
        return _rows({name: numbers(frame[name]) if frame[name].dtype == pl.Float64
                      else frame[name].to_list() for name in frame.columns})


def _rows(columns: dict[str, list]) -> list[dict[str, Any]]:
    keys = list(columns)
    return [dict(zip(keys, values, strict=True)) for values in zip(*columns.values(),
                                                                  strict=True)]


def _counts(frame: pl.DataFrame, statuses: tuple[str, ...]) -> dict[str, int]:
    counts = dict.fromkeys(statuses, 0)
    if frame.height:
        for status, n in frame.group_by("status").len().iter_rows():
            counts[status] = n
    return counts
