"""Evaluate stage: the status plan run wide, on one row per (unit, period) and per target.

`evaluate` decides every target's status on the (unit, period) frame it already has (40 k
rows nationally), each target's columns side by side in that one frame and decided in one
query, instead of on the long frame of one row per result (1.6 M rows). The long results
and trace are built from the same plan only when an output reads them
(`WideStatuses.results`, `.trace`): a run that only counts statuses never allocates them.
status_plan.STATUS_PLAN stays the one statement of the rules: each target runs it folded on
what is one value for all its rows (plan/fold.py), compiled once per such set and process
(a long-running caller, `cchc serve`, re-evaluates without compiling again).

A small evaluation (at most `ONE_PASS` results) decides everything the long frames read in
the one pass that decides the statuses, on inputs collected once: each polars query costs
milliseconds whatever its size, and three passes over a few thousand results were most of
a re-evaluation. A large one keeps one quantity in memory at a time.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Final, TypeVar

import polars as pl

from ..domain import NOT_APPLICABLE_REASONS, ORIGINS, STATUSES
from ..plan.fold import fold
from ..plan.nodes import Plan
from ..plan.nodes import columns as node_columns
from ..plan.polars import Compiled, apply, compile_plan, literal
from .result import RESULT_SCHEMA, TRACE_SCHEMA

# Per result, what the long frames take from the plan's outputs and the target's own inputs.
ROW = ("status", "actual", "expected", "gap", "needed", "reason", "na_reason", "trajectory",
       "start_period", "start_value", "days_done", "days_total",
       "raw", "baseline_value", "origin", "territory", "territory_changed", "covers",
       "field", "base_field", "share", "base_share")
# The per-target columns' types: the long frames' types, with the labels the plan makes
# from a few words enums (the status, the origin, why not applicable): the long frames
# gather their codes, and a Categorical or String column is made from the codes once
# (`_typed`), never by hashing 1.6 M texts (issue 28). `covers`, null on nearly every row,
# is Categorical: each target's texts cast in the query, the long frame gathers codes.
WIDE_SCHEMA = RESULT_SCHEMA | TRACE_SCHEMA | {
    "status": pl.Enum(STATUSES), "origin": pl.Enum(ORIGINS),
    "na_reason": pl.Enum(sorted(set(NOT_APPLICABLE_REASONS.values()))),
    "covers": pl.Categorical}
# Per (target, period): what the long results take from the milestone in force.
FROM_STEPS = ("milestone", "op", "threshold", "threshold_high", "deadline")
ONE_PASS = 100_000   # results: up to this many, every output is decided in one pass
# The engine evaluate's own queries run on, whatever the process's default: their frames
# are in memory already, and polars' default engine starts each deep query at a fixed cost
# (in-process evaluate() +48 ms nationally, the decision alone +19 ms: bench/FINDINGS.md).
# The CLI sets the same for the whole run (cli.run); a library caller now gets it too.
ENGINE: Final = "in-memory"
# What is made once per process for a plan (`remembered`): (plan id, …) -> (the plan, kept so
# its id is not reused; what was made). The compiled plans by folded constants and suffix:
_COMPILED: dict[tuple, tuple[Plan, Compiled]] = {}
_MOST_COMPILED = 4096   # a bound for a process that sees ever new rulesets
# what `_kept` found, by outputs
_KEPT: dict[tuple, tuple[Plan, tuple[list[set[str]], set[str]]]] = {}
_Made = TypeVar("_Made")


def remembered(cache: dict[tuple, tuple[Plan, _Made]], plan: Plan, key: tuple,
               make: Callable[[], _Made]) -> _Made:
    """`make()` for `plan` and `key`, made once per process: kept in `cache` beside the plan
    itself (an id is reused only once its object is gone, and then the plan differs), the
    cache emptied at `_MOST_COMPILED` entries."""
    found = cache.get((id(plan), *key))
    if found is not None and found[0] is plan:
        return found[1]
    if len(cache) >= _MOST_COMPILED:
        cache.clear()
    made = make()
    cache[(id(plan), *key)] = (plan, made)
    return made


def pruned(stages: Plan, outputs: set[str]) -> tuple[Plan, set[str]]:
    """Only the columns of `stages` that `outputs` need, and the columns that pruned plan
    reads that none of its stages makes (its inputs)."""
    kept, wanted = _kept(stages, outputs)
    plan = (tuple((name, node) for name, node in stage if name in names)
            for stage, names in zip(stages, kept, strict=True))
    return tuple(stage for stage in plan if stage), set(wanted)


def _kept(stages: Plan, outputs: set[str]) -> tuple[list[set[str]], set[str]]:
    """Per stage of `stages`, the names of the columns `outputs` need from it (`pruned`),
    and the columns read that no kept column makes; not to be changed (remembered per plan
    and outputs: walking the plan's nodes cost milliseconds per decision)."""
    return remembered(_KEPT, stages, (frozenset(outputs),), lambda: _walked(stages, outputs))


def _walked(stages: Plan, outputs: set[str]) -> tuple[list[set[str]], set[str]]:
    """`_kept`, found by walking `stages` from the last."""
    wanted, kept = set(outputs), []
    for stage in reversed(stages):
        made = {name for name, _ in stage if name in wanted}
        wanted -= made
        for name, node in stage:
            if name in made:
                wanted |= node_columns(node)
        kept.append(made)
    return kept[::-1], wanted


class WideStatuses:
    """The status plan over `inputs`: one row per (unit, period) with `unit, period, level,
    _p` (the period's index) and, per target k, the row inputs `name#k` (`row_inputs`).
    `steps` (trajectory.plan: target-major, one row per target × period) and `per_target`
    (name -> one value per target) give the rest of what the plan reads. `height`: how many
    rows `inputs` has, when the caller knows (counting them plans its every column)."""

    def __init__(self, plan: Plan, inputs: pl.LazyFrame, row_inputs: list[str],
                 steps: pl.DataFrame, per_target: dict[str, list], periods: int,
                 finish: tuple[pl.Expr, ...] = (), height: int | None = None) -> None:
        self.plan, self.inputs, self.row_inputs = plan, inputs, row_inputs
        self.finish = finish   # last touches on the long frames' columns, by output name
        self.steps, self.per_target, self.periods = steps, per_target, periods
        self.n = len(per_target["target"])
        by_period = [c for c in steps.columns if c not in ("target", "period")]
        missing = pruned(plan, set(ROW))[1] - set(row_inputs) \
            - set(by_period) - set(per_target)
        if missing:
            raise KeyError(f"the status plan reads {sorted(missing)}, which evaluate does "
                           "not provide")
        self._long_rows: pl.DataFrame | None = None   # every result at once (small runs)
        # the long frames' outputs decided for every row (`with_outputs`): (outputs, frame)
        self._outputs: tuple[tuple[str, ...], pl.DataFrame] | None = None
        self._targets: list[tuple[Compiled, dict[str, pl.Expr]]] | None = None
        self.height = height if height is not None else \
            self.inputs.select(pl.len()).collect(engine=ENGINE).item()
        if self.height * self.n <= ONE_PASS:
            self._long_rows = self._all_at_once()
        else:
            self.status = self.decide(("status",))

    def over_rows(self, start: int, length: int) -> WideStatuses:
        """The same statuses over `length` of their (unit, period) rows from `start` (every
        row is decided on its own; the compiled plans are shared)."""
        part = copy.copy(self)
        part.inputs = self.inputs.slice(start, length)
        part.height = max(0, min(length, self.height - start))
        if self._long_rows is not None:   # row-major: a row's n results are adjacent
            part._long_rows = self._long_rows.slice(start * self.n, length * self.n)
        if self._outputs is not None:
            outputs, frame = self._outputs
            part._outputs = outputs, frame.slice(start, length)
        return part

    def with_outputs(self, schema: dict) -> WideStatuses:
        """The same statuses with what the long frames of `schema` read from the plan
        decided once for every (unit, period) row: slices of it (`over_rows`) lay out their
        results from their part, instead of each deciding the plan again (a query's fixed
        cost, ~30 ms a national slice). The decided columns are a 40th of the long frame's
        cells (53 MB nationally)."""
        part = copy.copy(self)
        if self._long_rows is None:
            outputs = _outputs(schema)
            part._outputs = outputs, self.decide(outputs)
        return part

    def counts(self) -> dict[str, int]:
        """How many results have each status (statuses with none left out)."""
        if self._long_rows is not None:
            statuses = self._long_rows["status"]
        else:
            statuses = pl.concat([self.status[f"status#{k}"] for k in range(self.n)])
        return dict(statuses.value_counts().iter_rows())

    def decide(self, outputs: tuple[str, ...]) -> pl.DataFrame:
        """`outputs` (plan outputs or row inputs) for every target: columns `name#k`, one row
        per (unit, period) of `inputs`, all targets decided in one query: each target's plan,
        folded on its constants, reads and makes its own columns `name#k` of one frame, and
        the targets' expressions of a stage are one `with_columns`. Forty queries of the
        same plans cost a tenth more CPU: polars' fixed cost per query (bench/FINDINGS.md).
        Each target's plan is compiled once (`compiled`), whatever the outputs asked."""
        made = {name for stage in self.plan for name, _ in stage}
        kept, read = _kept(self.plan, set(outputs) & made)
        own = sorted((read | (set(outputs) - made)) & set(self.row_inputs))

        frame = self.inputs.select(*(pl.col(f"{name}#{k}") for name in own
                                     for k in range(self.n)), "_p")
        given: list[pl.Expr] = []
        stages: Compiled = [[] for _ in self.plan]
        shown: list[pl.Expr] = []
        for k in range(self.n):
            compiled, varying = self.compiled(k)
            given.extend(expr for name, expr in varying.items() if name in read)
            for exprs, more in zip(stages, _picked(self.plan, compiled, kept), strict=True):
                exprs.extend(more)
            shown.extend(_shown(outputs, f"#{k}"))
        for exprs in (given, *stages):
            if exprs:
                frame = frame.with_columns(exprs)
        return frame.select(shown).collect(engine=ENGINE)

    def compiled(self, k: int) -> tuple[Compiled, dict[str, pl.Expr]]:
        """Target k's whole plan folded on its constants and compiled with its columns
        `name#k` (`_compiled`: once per process for each set of constants), and the columns
        of its constants that vary by period (`name#k`, from the period's index `_p`). A
        constant that is one value in all its rows is written into the compiled expressions
        instead of being a column. Made once per WideStatuses, for every `decide`."""
        return self.every_compiled()[k]

    def every_compiled(self) -> list[tuple[Compiled, dict[str, pl.Expr]]]:
        """`compiled` of every target, in target order."""
        if self._targets is None:
            self._targets = self._compile_targets()
        return self._targets

    def _compile_targets(self) -> list[tuple[Compiled, dict[str, pl.Expr]]]:
        """`compiled` for every target: which constants are one value per target, in one
        query over the milestone steps."""
        made = {name for stage in self.plan for name, _ in stage}
        read = pruned(self.plan, made)[1] - set(self.row_inputs)
        by_period = sorted(read & (set(self.steps.columns) - {"target", "period"})
                           - set(self.per_target))
        one = self.steps.select(by_period).with_columns(   # per target: one value?
            (pl.int_range(pl.len(), dtype=pl.UInt32) // self.periods).alias("_t")) \
            .group_by("_t", maintain_order=True).agg(pl.all().n_unique() == 1) \
            .to_dict(as_series=False)
        firsts = self.steps.select(by_period).gather_every(self.periods)
        first, types = firsts.to_dict(as_series=False), firsts.schema
        out = []
        for k in range(self.n):
            known: dict[str, tuple] = {name: (values[k], _dtype(values[k]))
                                       for name, values in self.per_target.items()
                                       if name in read}
            varying: dict[str, pl.Expr] = {}
            for name in by_period:
                if one[name][k]:
                    known[name] = (first[name][k], types[name])
                else:
                    values = self.steps[name].slice(k * self.periods, self.periods)
                    varying[name] = pl.lit(values).gather(pl.col("_p")).alias(f"{name}#{k}")
            out.append((_compiled(self.plan, known, f"#{k}"), varying))
        return out

    def _all_at_once(self) -> pl.DataFrame:
        """Every ROW output of every result in one query: the targets' inputs stacked into
        one row per result (row-major, as `_long` orders them), the plan run unfolded once.
        The folded plan gives the same values (tests/test_plan_fold.py), so a small run
        trades per-target folding, which pays on millions of rows, for one query."""
        inputs = self.inputs.collect(engine=ENGINE)
        n, height = self.n, inputs.height
        j = pl.int_range(height * n, dtype=pl.UInt32, eager=True)
        perm = (j % n) * height + j // n
        stacked = [_stack([inputs[f"{name}#{k}"] for k in range(n)]).gather(perm)
                   .alias(name) for name in self.row_inputs]
        rows = (inputs.select("unit", "period", "level", "_p").gather(j // n)
                .with_columns((j % n).alias("_t"), *stacked))
        made = {name for stage in self.plan for name, _ in stage}
        kept, read = _kept(self.plan, set(ROW) & made)
        index = pl.col("_t") * self.periods + pl.col("_p")
        given = [pl.lit(pl.Series(name, self.per_target[name])).gather(pl.col("_t"))
                 .alias(name) if name in self.per_target
                 else pl.lit(self.steps[name]).gather(index).alias(name)
                 for name in sorted(read - set(self.row_inputs))]
        frame = apply(rows.lazy().with_columns(given),
                      [exprs for exprs in _picked(self.plan, _compiled(self.plan, {}), kept)
                       if exprs])
        # Without common-subexpression elimination: polars 2.1's in-memory engine (the one
        # `cchc serve` runs) mis-types a shared column in this plan ("cannot unpack series
        # of type u8 into bool", tests/test_time_territory.py); the plan is small anyway.
        return frame.select("unit", "period", "level", "_p", "_t", *_shown(ROW)).collect(
            engine=ENGINE, optimizations=pl.QueryOptFlags(comm_subexpr_elim=False))

    def results(self, schema: dict = RESULT_SCHEMA) -> pl.DataFrame:
        """One row per result (`schema`: RESULT_SCHEMA or result.COMPACT_SCHEMA), row-major:
        see `_long`."""
        return self._long(schema)

    def trace(self) -> pl.DataFrame:
        """What explain narrates (TRACE_SCHEMA), row for row with `results()`; built
        apart, so a run that writes results never holds it."""
        return self._long(TRACE_SCHEMA)

    def _long(self, schema: dict) -> pl.DataFrame:
        """The columns of `schema`, row-major: result j is (unit, period) row j // n and
        target j % n, in ruleset order. Each quantity's n per-target columns side by side are
        one fixed-size array per row, read flat (`concat_arr` + `reshape`): the transposition
        in one copy, where stacking the columns end to end and gathering by a permutation took
        two (and concat_list + explode ten times more); a key is gathered n times by one
        index. Per-target and per-milestone values are gathered from small tables. All of it is
        one query, so polars lays the quantities out on every core at once; one that no
        target has (a rank's `field`, …) is a null column, never laid out."""
        if self._long_rows is not None:
            return self._finish(self._long_rows.lazy(), schema)
        n = self.n
        row = _outputs(schema)
        decided = self._outputs[1] if self._outputs is not None and self._outputs[0] == row \
            else self.decide(row)
        keys = self.inputs.select("unit", "period", "level", "_p").collect(
            engine=ENGINE).cast({name: schema[name] for name in ("unit", "period", "level")
                                      if name in schema})

        def flat(columns: list[pl.Expr]) -> pl.Expr:
            return pl.concat_arr(columns).reshape((-1,))

        # a key is its row's, n times: gathered by one shared index (2-3x quicker than
        # laying out n copies of it side by side)
        j = pl.int_range(keys.height * n, dtype=pl.UInt32, eager=True)
        at, target = pl.lit(j // n), (j % n).alias("_t")
        del j
        laid = [pl.col(name).gather(at) for name in keys.columns]
        laid.append(pl.lit(target))
        for name in row:
            columns = [decided[f"{name}#{k}"] for k in range(n)]
            if all(c.null_count() == c.len() for c in columns):
                laid.append(pl.lit(None, dtype=schema[name]).alias(name))
                continue
            kind = _common_type(columns)
            column = flat([pl.col(c.name).cast(kind) for c in columns])
            laid.append(_typed(column, kind, schema[name]).alias(name))
        frame = pl.concat([keys, decided], how="horizontal").lazy().select(laid)
        return self._finish(frame, schema)

    def _finish(self, done: pl.LazyFrame, schema: dict) -> pl.DataFrame:
        """The long frame of `schema` from one row per result (`unit, period, level, _p`,
        `_t` the target's index, the plan's outputs): per-target and per-milestone values
        gathered, the last touches made, columns in order and typed."""
        index = pl.col("_t") * self.periods + pl.col("_p")
        # in-memory: the streaming engine would give each column in ~16 chunks, which a
        # writer then copies into one (Parquet's row groups follow the chunks)
        return (done.with_columns(
            *(_spread(pl.Series(name, values).cast(schema[name]), pl.col("_t"))
              for name, values in self.per_target.items() if name in schema),
            *(_spread(self.steps[name].cast(schema[name]), index)
              for name in FROM_STEPS if name in schema))
            .with_columns(*(e for e in self.finish if e.meta.output_name() in schema))
            .select(list(schema)).cast(schema).collect(engine=ENGINE))


def _outputs(schema: dict) -> tuple[str, ...]:
    """What the long frame of `schema` takes from the plan and the row inputs, in ROW order."""
    return tuple(name for name in ROW if name in schema)


def _spread(values: pl.Series, index: pl.Expr) -> pl.Expr:
    """`values` (per target, or per target and period) at `index`, one per result: the one
    value, when all are the same (a weight, a null upper threshold), without a gather."""
    if values.len() and values.n_unique() == 1:
        return pl.lit(values.head(1)).first().alias(values.name)
    return pl.lit(values).gather(index).alias(values.name)


def _common_type(columns: list[pl.Series]) -> pl.DataType:
    """The type `columns` end to end take: the one type of those not all null without a
    type, else their supertype."""
    types = {c.dtype for c in columns} - {pl.Null}
    if len(types) <= 1:
        return types.pop() if types else pl.Null()
    return pl.concat([c.clear().to_frame("c") for c in columns], how="vertical_relaxed").dtypes[0]


def _stack(columns: list[pl.Series]) -> pl.Series:
    """`columns` end to end, as the type they take together (`_common_type`)."""
    kind = _common_type(columns)
    return pl.concat([c if c.dtype == kind else c.cast(kind) for c in columns], rechunk=True)


def _typed(column: pl.Expr, kind: pl.DataType, dtype: pl.DataType) -> pl.Expr:
    """`column` (of type `kind`) as `dtype`. An enum's words are cast, a few of them, and
    its codes look them up: a plain cast to Categorical or String does the work per row
    (issue 28)."""
    if isinstance(kind, pl.Enum) and kind != dtype:
        return pl.lit(kind.categories.cast(dtype)).gather(column.to_physical())
    return column.cast(dtype)


def _shown(outputs: tuple[str, ...], suffix: str = "") -> list[pl.Expr]:
    """The columns `name + suffix` of `outputs`, typed as the long frames; no compared value
    (`actual`), no origin. A column of the plan's own (`_reason`) as the plan makes it."""
    shown = [pl.col(name + suffix).cast(WIDE_SCHEMA[name]) if name in WIDE_SCHEMA
             else pl.col(name + suffix) for name in outputs]
    if "origin" in outputs:
        shown[outputs.index("origin")] = pl.when(pl.col("actual" + suffix).is_not_null()) \
            .then(pl.col("origin" + suffix)).alias("origin" + suffix)
    return shown


def _dtype(value: object) -> pl.DataType:
    """The type of the column `pl.lit(value)` makes, for a value of one target."""
    for kind, dtype in ((bool, pl.Boolean()), (int, pl.Int32()), (float, pl.Float64()),
                        (str, pl.String())):
        if isinstance(value, kind):
            return dtype
    return pl.Null()


def _picked(whole: Plan, compiled: Compiled, kept: list[set[str]]) -> Compiled:
    """The expressions of `compiled` (all of `whole`'s columns, stage by stage) named in
    `kept` (per stage, `_kept`); an empty list for a stage none of them is in."""
    return [[expr for (name, _), expr in zip(stage, exprs, strict=True) if name in names]
            for stage, exprs, names in zip(whole, compiled, kept, strict=True)]


def _compiled(whole: Plan, known: dict[str, tuple], suffix: str = "") -> Compiled:
    """`whole` folded on `known` (name -> (value, type)), each known column written in as
    its value, compiled with its columns named `name + suffix`: once per process for each
    such set (a long-running caller, `cchc serve`, re-evaluates without compiling again)."""
    key = (tuple(sorted((name, repr(value), repr(dtype))
                        for name, (value, dtype) in known.items())), suffix)
    return remembered(_COMPILED, whole, key, lambda: compile_plan(
        fold(whole, {name: value for name, (value, _) in known.items()}), suffix,
        {name: literal(value, dtype) for name, (value, dtype) in known.items()}))
