"""Evaluate stage: figures for longer periods from the unit's shorter ones (spec §5).

Runs per unit, before the roll-up over units. For every needed period P (named by `--period`,
a baseline or a milestone's `by`) and every unit, the unit's reported periods that lie inside
P are searched for a tiling of P: no gap, no overlap, the fewest periods (on a tie, the one
whose pieces come longest first). A metric with `over_time` then gets P's figure from the
tiling's figures (`sum` adds them, `first`/`last` take the first/last one) when every piece
has it. When no tiling exists, a `sum` metric may still be derived by difference: a reported
year-to-date period R that ends with P, minus a tiling of R's part before P
(Q3 = 2024-01/2024-09 − H1). A figure the unit reported for P always wins; when it differs
from a complete tiling's figure, a PER02 warning names both places.

The search runs once per distinct set of reported periods (units reporting the same periods
share it); the figures are then joined, grouped and added in polars.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import polars as pl

from ..domain import Origin, OverTime, is_relative
from ..errors import Position, Problem
from ..figures.readers.batch import shown
from ..messages import _
from ..periods import Period, is_period, parse_period
from .relative import resolved

PLAN_SCHEMA = pl.Schema({"unit": pl.String, "period": pl.String, "part": pl.String,
                         "pos": pl.Int32, "sign": pl.Float64, "parts": pl.Int32,
                         "how": pl.String})
# What explain reads: how each derived figure was made, its parts and their figures in order.
HOW_SCHEMA = pl.Schema({"unit": pl.String(), "period": pl.String(), "metric": pl.String(),
                        "how": pl.String(), "parts": pl.List(pl.String),
                        "values": pl.List(pl.Float64)})
# A tiling piece's figure on the territory of the period it helps derive (spec §6).
PIECE_SCHEMA = pl.Schema({"unit": pl.String, "period": pl.String, "part": pl.String,
                          "metric": pl.String, "value": pl.Float64, "territory": pl.String})
TILE, DIFFERENCE = "tile", "difference"
# (v3 §6) a unit without predecessors that began during the period: its lifetime's tiling
LIFETIME = "lifetime"
# One row per (unit, period) whose figures cover only part of the period (v3 §6): `covers`
# the range of the sub-periods used ("2025-07/2025-12"), `began` the unit's valid_from.
COVERS_SCHEMA = {"unit": pl.String, "period": pl.String, "covers": pl.String,
                 "began": pl.String}
ALTERNATIVE = "alternative"   # an equally short tiling not chosen: only checked against (PER03)


@dataclass
class TimeRoll:
    """`values`: the input plus the derived rows (origin "derived_time"); `plan`: the pieces
    of every unit's tiling or difference of every needed period (PLAN_SCHEMA); `warnings`:
    PER02. `how` and `missing` read one figure's story back (for explain and messages)."""

    values: pl.DataFrame
    plan: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PLAN_SCHEMA))
    warnings: list[Problem] = field(default_factory=list)
    # pieces taken on the territory of the derived period (spec §6): PIECE_SCHEMA
    restated: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PIECE_SCHEMA))
    # (v3 §6) figures of a unit that began during the period, over its lifetime only
    covers: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=COVERS_SCHEMA))
    # `values` as one wide table (Figures.as_wide's shape: `unit`, `period`, a Float64
    # column per metric), when derive added its figures on the table the reported ones
    # were read as: the roll-up then reads it instead of finding the long figures' keys
    table: pl.DataFrame | None = None

    def _pieces(self, keep: pl.Expr) -> pl.DataFrame:
        plan = self.plan.filter(keep)
        figures = self.values.select("unit", pl.col("period").alias("part"), "metric", "value",
                                     "origin")
        own = plan.join(figures, on=["unit", "part"], how="left")
        if self.restated.height:
            keys = ["unit", "period", "part"]
            own = pl.concat([
                own.join(self.restated, on=keys, how="anti"),
                plan.join(self.restated.drop("territory").with_columns(
                    pl.lit(Origin.RESTATED.value).alias("origin")), on=keys)
                .select(own.columns)])
        return own.sort("pos")

    @property
    def how(self) -> pl.DataFrame:
        """One row per derived figure (HOW_SCHEMA): how, its parts and their figures."""
        derived = self.values.filter(pl.col("origin").is_in(
            [Origin.DERIVED_TIME.value, Origin.RESTATED.value])).select(
            "unit", "period", "metric")
        if not derived.height:
            return pl.DataFrame(schema=HOW_SCHEMA)
        pieces = self._pieces(pl.col("unit").is_in(derived["unit"].unique().to_list()))
        return (pieces.join(derived, on=["unit", "period", "metric"])
                .group_by("unit", "period", "metric", "how", maintain_order=True)
                .agg(pl.col("part").alias("parts"), pl.col("value").alias("values"))
                .select(list(HOW_SCHEMA)).cast(HOW_SCHEMA))

    def missing(self, unit: str | None = None, period: str | None = None) -> pl.DataFrame:
        """Per unit × period × metric whose tiling has the figure in some pieces but not all:
        the pieces without it (`absent`), optionally for one unit and/or period."""
        keep = pl.col("how") == TILE
        if unit is not None:
            keep &= pl.col("unit") == unit
        if period is not None:
            keep &= pl.col("period") == period
        pieces = self._pieces(keep)
        whole = pieces.select("unit", "period", "part", "pos").unique()
        have = pieces.drop_nulls("metric").select("unit", "period", "metric", "part")
        if not have.height:
            return _no_missing()
        wanted = have.select("unit", "period", "metric").unique().join(
            whole, on=["unit", "period"])
        return (wanted.join(have, on=["unit", "period", "metric", "part"], how="anti")
                .sort("pos").group_by("unit", "period", "metric", maintain_order=True)
                .agg(pl.col("part").alias("absent")))


def needed_periods(model, asked: Iterable[str] | None, reported: Iterable[str] = ()
                   ) -> list[str]:
    """The periods spec §5 derives: `--period`, every baseline's and every milestone's; for
    a relative baseline (relative.py), the period it names for each of those and for each
    `reported` period."""
    found = list(asked or ())
    relative = set()
    for target in model.targets:
        if target.baseline is not None:
            if is_relative(target.baseline.period):
                relative.add(target.baseline.period)
            else:
                found.append(target.baseline.period)
        found += [m.by for m in target.milestones]
    found = [p for p in found if is_period(p)]
    for kind in sorted(relative):
        found += resolved(kind, {*found, *reported}).values()
    return sorted(set(found), key=lambda p: parse_period(p).key)


def derive(values: pl.DataFrame, over_time: Mapping[str, str], needed: Iterable[str],
           units: Mapping | None = None, restated: pl.DataFrame | None = None,
           summable: Collection[str] = (), table: pl.DataFrame | None = None) -> TimeRoll:
    """`values` (unit, period, metric, value, file, line, source; reported figures) plus the
    figures spec §5 derives for the `needed` periods of the metrics in `over_time`
    (metric id → sum | first | last). With `units`, a piece that ends before units merged
    into the unit (spec §6) is taken on the derived period's territory: the `summable`
    metrics added over the merged units, or the unit's own `restated` report. `table`: the
    same figures as `values`, as the wide table they were read from (Figures.as_wide); the
    tilings then add the table's rows (`_complete_wide`) instead of the long figures."""
    empty = TimeRoll(values.with_columns(pl.lit(Origin.REPORTED.value).alias("origin")))
    periods = [parse_period(p) for p in needed]
    if not over_time or not periods or not values.height:
        return empty
    # the units' reported periods: the table's rows have them all, as the long figures'
    plan = _plan(values if table is None else table, periods, units)
    if not plan.height:
        return empty
    known = values.filter(pl.col("metric").is_in(list(over_time)))
    kinds = pl.DataFrame({"metric": list(over_time), "over_time": list(over_time.values())},
                         schema={"metric": pl.String, "over_time": pl.String})
    others = plan.filter(pl.col("how") == ALTERNATIVE)
    plan = plan.filter(pl.col("how") != ALTERNATIVE)
    moved = restated_pieces(plan, values, units, restated, summable) if units else \
        pl.DataFrame(schema=PIECE_SCHEMA)
    wide = _complete_wide(plan, table, kinds) if table is not None and not moved.height \
        else None
    if wide is not None:
        complete, clash, new, derived = wide
    elif moved.height:
        complete = _complete(plan, known, kinds, moved)
        reported = values.select("unit", "period", "metric",
                                 pl.col("value").alias("_reported"), "file", "line")
        clash = complete.filter(pl.col("how") == TILE).join(
            reported, on=["unit", "period", "metric"])
        new = complete.join(reported, on=["unit", "period", "metric"], how="anti").sort(
            "unit", "period", "metric")
    else:
        complete, clash, new = _complete_coded(plan, values, kinds)
    rows = new.select("unit", "period", "metric", pl.col("_derived").alias("value"),
                      pl.when(pl.col("_restated")).then(pl.lit(Origin.RESTATED.value))
                      .otherwise(pl.lit(Origin.DERIVED_TIME.value)).alias("origin"))
    base = values if "origin" in values.columns else \
        values.with_columns(pl.lit(Origin.REPORTED.value).alias("origin"))
    out = pl.concat([base, rows.with_columns(
        *(pl.lit(None, base.schema[c]).alias(c) for c in base.columns if c not in rows.columns)
    ).select(base.columns)])
    covers = _covers(plan, new, units)
    return TimeRoll(out, plan, _clashes(clash, known, plan)
                    + _ambiguous(complete, _complete(others, known, kinds, moved), plan,
                                 others, known) + _part_warnings(covers), moved, covers,
                    # the reported rows and the derived ones: no (unit, period) is both
                    pl.concat([table, derived], how="diagonal_relaxed")
                    if wide is not None and table is not None else None)


def _covers(plan: pl.DataFrame, new: pl.DataFrame, units: Mapping | None) -> pl.DataFrame:
    """COVERS_SCHEMA: the (unit, period) derived from a lifetime tiling (v3 §6) that has a
    figure, with the range from its first to its last sub-period."""
    life = plan.filter(pl.col("how") == LIFETIME)
    if not life.height or units is None:
        return pl.DataFrame(schema=COVERS_SCHEMA)
    made = new.select("unit", "period").unique()
    rows = (life.join(made, on=["unit", "period"], how="semi").sort("pos")
            .group_by("unit", "period", maintain_order=True)
            .agg(pl.col("part").first().alias("_a"), pl.col("part").last().alias("_b")))
    return pl.DataFrame(
        [(u, p, a if a == b else f"{a}/{b}", units[u].valid_from) for u, p, a, b in
         rows.sort("unit", "period").iter_rows()], schema=COVERS_SCHEMA, orient="row")


def _part_warnings(covers: pl.DataFrame) -> list[Problem]:
    """UNT16: one per unit and period whose figures cover only its lifetime (v3 §6)."""
    return [Problem("UNT16", _("'{unit}' began on {day}, during {period}: its figures for "
                               "{period} cover only {covers}, part of the period").format(
                        unit=u, day=day, period=p, covers=c), None,
                    _("declare the units it was formed from with 'successor' to cover the "
                      "whole period"), "warning", about=(("unit", u), ("period", p)))
            for u, p, c, day in covers.iter_rows()]


def _complete(plan: pl.DataFrame, known: pl.DataFrame, kinds: pl.DataFrame,
              moved: pl.DataFrame) -> pl.DataFrame:
    """Per unit × period × metric whose plan pieces all have the figure: `_derived`, the
    pieces' sum (signed: a difference subtracts), first or last as its `over_time` says;
    `_restated` when a piece was taken on a later territory (`moved`, PIECE_SCHEMA)."""
    keys = ["unit", "period", "part"]
    pieces = plan.join(known.select("unit", pl.col("period").alias("part"), "metric", "value"),
                       on=["unit", "part"]).with_columns(pl.lit(False).alias("_r"))
    if moved.height:
        pieces = pl.concat([pieces.join(moved, on=keys, how="anti"),
                            plan.join(moved.drop("territory"), on=keys)
                            .with_columns(pl.lit(True).alias("_r")).select(pieces.columns)])
    joined = (pieces
              .join(kinds, on="metric")
              # a difference only makes sense for a flow
              .filter((pl.col("how") != DIFFERENCE) | (pl.col("over_time") == OverTime.SUM)))
    groups = (joined
              # one plan per unit and period: how, over_time and parts are the same in a group
              .group_by("unit", "period", "metric")
              .agg(pl.col("how", "over_time", "parts").first(), pl.len().alias("_n"),
                   pl.col("_r").any().alias("_restated"),
                   (pl.col("value") * pl.col("sign")).sum().alias("_sum"),
                   pl.col("value").filter(pl.col("pos") == 0).first().alias("_first"),
                   pl.col("value").filter(pl.col("pos") == pl.col("parts") - 1).first()
                   .alias("_last")))
    return groups.filter(pl.col("_n") == pl.col("parts")).with_columns(
        pl.when(pl.col("over_time") == OverTime.FIRST).then(pl.col("_first"))
        .when(pl.col("over_time") == OverTime.LAST).then(pl.col("_last"))
        .otherwise(pl.col("_sum")).alias("_derived"))


def _complete_coded(plan: pl.DataFrame, values: pl.DataFrame, kinds: pl.DataFrame
                    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """`_complete` without restated pieces, and what `derive` reads of it — (complete, the
    complete tilings of reported figures with `_reported`, `file`, `line`; the new figures,
    by unit, period and metric) — with the joins, group-by and sort on integer codes of
    unit, period and metric (their order the texts' order) instead of on the texts."""
    names = {key: sorted(set(values[key].unique().to_list())
                         | (set(plan[key].unique().to_list()) if key != "metric" else set()))
             for key in ("unit", "period", "metric")}
    code = {key: {name: i for i, name in enumerate(found)} for key, found in names.items()}

    def coded(column: str, key: str) -> pl.Expr:   # an Enum's codes: its categories' order
        return pl.col(column).cast(pl.Enum(names[key])).to_physical().cast(pl.UInt32)

    n_periods, n_metrics = len(names["period"]), len(names["metric"])

    def cell(unit: str, period: str) -> pl.Expr:
        """One integer for a (unit, period): joins and groups run on one key, not three."""
        return coded(unit, "unit").cast(pl.UInt64) * n_periods + coded(period, "period")

    key = pl.col("_g")   # (unit × periods + period) × metrics + metric
    texts = (pl.lit(pl.Series(names["unit"], dtype=pl.String))
             .gather(key // n_metrics // n_periods).alias("unit"),
             pl.lit(pl.Series(names["period"], dtype=pl.String))
             .gather(key // n_metrics % n_periods).alias("period"),
             pl.lit(pl.Series(names["metric"], dtype=pl.String))
             .gather(key % n_metrics).alias("metric"))
    given = values.lazy().select(
        (cell("unit", "period") * n_metrics + coded("metric", "metric")).alias("_g"),
        "metric", "value", "file", "line").collect().lazy()
    known = given.filter(pl.col("metric").is_in(kinds["metric"].to_list())).select(
        (key // n_metrics).alias("_part"), (key % n_metrics).alias("_m"), "value")
    steps = plan.lazy().select(cell("unit", "period").alias("_at"),
                               cell("unit", "part").alias("_part"),
                               "pos", "sign", "parts", "how")
    over = kinds.lazy().filter(pl.col("metric").is_in(names["metric"])).select(
        coded("metric", "metric").cast(pl.UInt64).alias("_m"), "over_time")
    flows = [code["metric"][m] for m, kind in kinds.iter_rows()
             if kind == OverTime.SUM and m in code["metric"]]
    # one plan per unit and period: its how and parts are joined after the group-by, which
    # then only counts, adds and takes maxima (its fast kernels)
    plans = steps.unique("_at", keep="first").select("_at", "how", "parts")
    complete = (steps.join(known, on="_part")
                # a difference only makes sense for a flow
                .filter((pl.col("how") != DIFFERENCE) | pl.col("_m").is_in(flows))
                # the first and last piece's figure as columns; a plan has one piece at each
                # position
                .select((pl.col("_at") * n_metrics + pl.col("_m")).alias("_g"),
                        (pl.col("value") * pl.col("sign")).alias("_v"),
                        pl.when(pl.col("pos") == 0).then("value").alias("_first"),
                        pl.when(pl.col("pos") == pl.col("parts") - 1).then("value")
                        .alias("_last"))
                .group_by("_g")
                .agg(pl.len().alias("_n"), pl.col("_v").sum().alias("_sum"),
                     pl.col("_first").max(), pl.col("_last").max())
                .with_columns((key // n_metrics).alias("_at"), (key % n_metrics).alias("_m"))
                .join(plans, on="_at")
                .filter(pl.col("_n") == pl.col("parts"))
                .join(over, on="_m")
                .with_columns(*texts, pl.lit(False).alias("_restated"),
                              pl.when(pl.col("over_time") == OverTime.FIRST).then(pl.col("_first"))
                              .when(pl.col("over_time") == OverTime.LAST).then(pl.col("_last"))
                              .otherwise(pl.col("_sum")).alias("_derived"))
                .collect())
    reported = given.select("_g", pl.col("value").alias("_reported"), "file", "line")
    columns = ["unit", "period", "metric", "how", "over_time", "parts", "_n", "_restated",
               "_sum", "_first", "_last", "_derived"]
    clash, new = pl.collect_all([
        complete.lazy().filter(pl.col("how") == TILE).join(reported, on="_g")
        .select(*columns, "_reported", "file", "line"),
        complete.lazy().join(reported, on="_g", how="anti").sort("_g").select(columns)])
    return complete.select(columns), clash, new


def _complete_wide(plan: pl.DataFrame, table: pl.DataFrame, kinds: pl.DataFrame
                   ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame] | None:
    """`_complete_coded` from the wide table the figures were read as (`unit`, `period`, a
    Float64 column per metric, null where no figure): each plan piece joins its table row
    once, its metrics side by side, and each (unit, period) is one group with every metric's
    count, sum, first and last in columns — a sixteenth of the rows the long figures give
    (issue 28: the quarterly variant's national tilings 200–250 → 47–55 ms, FINDINGS.md).
    Fourth, the new figures as table rows (`unit`, `period`, a column per derived metric).
    None when a derived (unit, period) is also a row of the table: a figure it reports may
    clash with its tiling (PER02), which the long path checks with the figure's place."""
    metrics = [m for m in kinds["metric"].to_list()
               if m in table.columns and table[m].null_count() < table.height]
    if not metrics:
        return None
    how = dict(kinds.iter_rows())
    pieces = plan.lazy().join(
        table.lazy().select("unit", pl.col("period").alias("part"), *metrics),
        on=["unit", "part"], maintain_order="left")
    # one plan per unit and period: its how and parts are the same in every piece
    groups = pieces.group_by("unit", "period", maintain_order=True).agg(
        pl.col("how", "parts").first(),
        *(agg for i, m in enumerate(metrics) for agg in (
            pl.col(m).count().alias(f"_n{i}"), (pl.col(m) * pl.col("sign")).sum().alias(f"_s{i}"),
            pl.when(pl.col("pos") == 0).then(m).max().alias(f"_f{i}"),
            pl.when(pl.col("pos") == pl.col("parts") - 1).then(m).max().alias(f"_l{i}")))
    ).collect().sort("unit", "period").with_row_index("_at")
    if groups.join(table.select("unit", "period"), on=["unit", "period"], how="semi").height:
        return None
    taken = {OverTime.FIRST: "_f", OverTime.LAST: "_l"}

    def made(i: int, m: str) -> pl.Expr:
        """Whether metric m (the i-th) has a figure: every piece has it, and a difference
        only makes sense for a flow."""
        return (pl.col(f"_n{i}") == pl.col("parts")) \
            & ((pl.col("how") != DIFFERENCE) | pl.lit(how[m] == OverTime.SUM))

    def derived(i: int, m: str) -> pl.Expr:
        return pl.col(f"{taken.get(how[m], '_s')}{i}")
    # the new figures' order (unit, period, metric, as the coded path's codes give it): a
    # group's place times the metrics plus the metric's rank, an integer sort
    rank = {m: r for r, m in enumerate(sorted(metrics))}
    complete = pl.concat([groups.filter(made(i, m)).select(
        (pl.col("_at").cast(pl.UInt64) * len(metrics) + rank[m]).alias("_key"),
        "unit", "period", pl.lit(m, pl.String).alias("metric"), "how",
        pl.lit(how[m], pl.String).alias("over_time"), "parts", pl.col(f"_n{i}").alias("_n"),
        pl.lit(False).alias("_restated"), pl.col(f"_s{i}").alias("_sum"),
        pl.col(f"_f{i}").alias("_first"), pl.col(f"_l{i}").alias("_last"),
        derived(i, m).alias("_derived"))
        for i, m in enumerate(metrics)], how="vertical")
    new = complete.sort("_key").drop("_key")
    complete = complete.drop("_key")
    clash = complete.clear().with_columns(pl.lit(None, pl.Float64).alias("_reported"),
                                          pl.lit(None, pl.String).alias("file"),
                                          pl.lit(None, pl.Int64).alias("line"))
    rows = groups.select("unit", "period", *(pl.when(made(i, m)).then(derived(i, m)).alias(m)
                                             for i, m in enumerate(metrics)))
    return complete, clash, new, rows.filter(pl.any_horizontal(
        pl.col(m).is_not_null() for m in metrics))


def restated_pieces(plan: pl.DataFrame, values: pl.DataFrame, units: Mapping,
                    restated: pl.DataFrame | None, summable: Collection[str]) -> pl.DataFrame:
    """PIECE_SCHEMA rows for the plan's pieces that end before units merged into the unit,
    taken on the territory of the period they derive (territory.py): a piece whose unit
    absorbed others before that period ends is their sum (every one must have it); after a
    split, only the unit's own restated report."""
    from ..figures.unitgraph import UnitGraph
    from .territory import restated_figures, territory
    # only units something ended into can change territory: found in one pass, so a country
    # without mergers costs nothing here
    touched = {u.successor for u in units.values() if u.successor} \
        | {s for u in units.values() for s in u.split_into}
    rows = plan.filter(pl.col("unit").is_in(list(touched))).select(
        "part", "unit", "period").unique()
    if not rows.height:
        return pl.DataFrame(schema=PIECE_SCHEMA)
    graph = UnitGraph.from_units(dict(units))
    reports = restated if restated is not None else values.clear()
    frames = []
    for (part,), group in rows.group_by("part"):
        found = {(u, p): t for u, p in group.select("unit", "period").rows()
                 if (t := territory(graph, u, parse_period(part), parse_period(p)))}
        if found:
            where = pl.DataFrame([(u, p, t.text) for (u, p), t in found.items()],
                                 schema=["unit", "period", "territory"], orient="row")
            frames.append(restated_figures(found, values, reports, part, summable)
                          .with_columns(pl.lit(part).alias("part"))
                          .join(where, on=["unit", "period"], how="left"))
    if not frames:
        return pl.DataFrame(schema=PIECE_SCHEMA)
    return pl.concat(frames).select(list(PIECE_SCHEMA)).cast(PIECE_SCHEMA)


def _ambiguous(chosen: pl.DataFrame, others: pl.DataFrame, plan: pl.DataFrame,
               alternatives: pl.DataFrame, known: pl.DataFrame) -> list[Problem]:
    """PER03 where an equally short tiling, not chosen, gives another figure."""
    if not others.height:
        return []
    keys = ["unit", "period", "metric"]
    wrong = chosen.filter(pl.col("how") == TILE).join(
        others.select(*keys, pl.col("_derived").alias("_other")), on=keys).filter(
        (pl.col("_derived") - pl.col("_other")).abs()
        > 1e-9 * pl.max_horizontal(pl.col("_other").abs(), pl.lit(1.0)))
    places = {(u, p, m): Position(f or "", ln or 0) for u, p, m, f, ln in known.select(
        "unit", "period", "metric", "file", "line").iter_rows()}
    first = {(u, p): parts[0] for u, p, parts in plan.filter(pl.col("how") == TILE)
             .sort("pos").group_by("unit", "period", maintain_order=True).agg("part")
             .iter_rows()}
    pieces = {}
    for frame in (plan.filter(pl.col("how") == TILE), alternatives):
        for unit, period, how, parts in frame.sort("pos").group_by(
                "unit", "period", "how", maintain_order=True).agg("part").iter_rows():
            pieces[(unit, period, how)] = " + ".join(parts)
    return [Problem("PER03", _("'{metric}' for {unit} in {period} is {chosen} over {parts}, "
                               "but {other} over {others}, which tiles it as well").format(
                        metric=m, unit=u, period=p, chosen=shown(a), parts=pieces[(u, p, TILE)],
                        other=shown(b), others=pieces[(u, p, ALTERNATIVE)]),
                    places.get((u, first[(u, p)], m)),
                    _("the tiling with longer pieces first is used; check the reports that "
                      "overlap"), "warning")
            for u, p, m, a, b in wrong.sort(keys).select(*keys, "_derived", "_other")
            .iter_rows()]


def _no_missing() -> pl.DataFrame:
    return pl.DataFrame(schema={"unit": pl.String, "period": pl.String, "metric": pl.String,
                                "absent": pl.List(pl.String)})


def _clashes(clash: pl.DataFrame, known: pl.DataFrame, plan: pl.DataFrame) -> list[Problem]:
    """PER02 for each reported figure that a complete tiling contradicts (beyond rounding)."""
    wrong = clash.filter((pl.col("_derived") - pl.col("_reported")).abs()
                         > 1e-9 * pl.max_horizontal(pl.col("_reported").abs(), pl.lit(1.0)))
    if not wrong.height:
        return []
    places = {(u, p, m): Position(f or "", ln or 0) for u, p, m, f, ln in known.select(
        "unit", "period", "metric", "file", "line").iter_rows()}
    pieces = {(u, p): parts for u, p, parts in plan.filter(pl.col("how") == TILE).sort("pos")
              .group_by("unit", "period", maintain_order=True).agg("part").iter_rows()}
    problems = []
    for row in wrong.sort("unit", "period", "metric").iter_rows(named=True):
        key = (row["unit"], row["period"], row["metric"])
        parts = ", ".join(_("{period} at {where}").format(
            period=p, where=places.get((row["unit"], p, row["metric"]), "?"))
            for p in pieces[(row["unit"], row["period"])])
        problems.append(Problem(
            "PER02", _("'{metric}' for {unit} in {period} is reported as {_reported}, but its "
                       "{over_time} over {parts} is {_derived}").format(
                       metric=row['metric'], unit=row['unit'], period=row['period'],
                       _reported=shown(row['_reported']), over_time=row['over_time'], parts=parts,
                       _derived=shown(row['_derived'])), places.get(key),
            _("the reported figure is used; check both for a typing error"), "warning"))
    return problems


def _plan(values: pl.DataFrame, needed: list[Period], units: Mapping | None = None
          ) -> pl.DataFrame:
    """One row per piece of each unit's tiling (or difference) of each needed period. A unit
    that began during a needed period (v3 §6) is planned on its own: see `_began_plan`."""
    per_unit = values.group_by("unit").agg(pl.col("period").unique().sort())
    began = _began(units, needed) if units else {}
    reported = dict(per_unit.iter_rows()) if began else {}
    shapes: dict[tuple[str, ...], list[str]] = {}   # reported periods -> the units
    rows: list[tuple] = []
    for unit, periods in per_unit.iter_rows():
        if unit in began:
            rows += [(unit, *row) for row in _began_plan(tuple(periods), needed,
                                                         began[unit], reported)]
            continue
        shapes.setdefault(tuple(periods), []).append(unit)
    # each shape's plan once, given to all its units by one cross join (not a tuple a row)
    pieces = {k: v for k, v in PLAN_SCHEMA.items() if k != "unit"}
    frames = [pl.DataFrame({"unit": members}, schema={"unit": pl.String}).join(
                  pl.DataFrame(found, schema=pieces, orient="row"), how="cross")
              for shape, members in shapes.items() if (found := _shape_plan(shape, needed))]
    frames.append(pl.DataFrame(rows, schema=PLAN_SCHEMA, orient="row"))
    return pl.concat(frames).select(list(PLAN_SCHEMA))


def _began(units: Mapping, needed: list[Period]) -> dict[str, tuple]:
    """Units whose `valid_from` falls after the first day of a needed period: id ->
    (first day, predecessors — the units that ended into it, directly or in a chain)."""
    from datetime import date as _date

    from ..figures.unitgraph import UnitGraph
    from .territory import absorbed
    dated = {uid: _date.fromisoformat(str(u.valid_from)) for uid, u in units.items()
             if u.valid_from}
    dated = {uid: day for uid, day in dated.items()
             if any(p.start < day <= p.end for p in needed)}
    if not dated:
        return {}
    graph = UnitGraph.from_units(dict(units))
    return {uid: (day, tuple(absorbed(graph, uid))) for uid, day in dated.items()}


def _began_plan(reported: tuple[str, ...], needed: list[Period], began: tuple,
                by_unit: Mapping[str, list[str]]) -> list[tuple]:
    """(period, part, pos, sign, parts, how) rows for a unit that began on `day` (v3 §6): a
    needed period P it began during is tiled from its own periods and, before `day`, its
    predecessors' periods (restated from them by `restated_pieces`); with no predecessors,
    from its own periods from `day` to P's end only (LIFETIME: `covers`, part of P). The
    months before the unit existed are never asked for."""
    day, predecessors = began
    own = [parse_period(p) for p in reported if is_period(p)]
    texts = sorted({p for old in predecessors for p in by_unit.get(old, ())})
    earlier = [q for q in (parse_period(p) for p in texts if is_period(p)) if q.end < day]
    rows = []
    for target in needed:
        if not target.start < day <= target.end:
            rows += _shape_plan(reported, [target])
            continue
        if predecessors:
            tiling = tile(target, [*own, *earlier])
            how = TILE
        else:
            tiling = tile(target, [p for p in own if p.start >= day], start=day)
            how = LIFETIME
        if tiling:
            rows += [(target.text, p.text, i, 1.0, len(tiling), how)
                     for i, p in enumerate(tiling)]
    return rows


def _shape_plan(reported: tuple[str, ...], needed: list[Period]) -> list[tuple]:
    """(period, part, pos, sign, parts, how) rows for one set of reported periods."""
    own = [parse_period(p) for p in reported if is_period(p)]
    rows = []
    for target in needed:
        tiling = tile(target, own)
        if tiling:
            rows += [(target.text, p.text, i, 1.0, len(tiling), TILE)
                     for i, p in enumerate(tiling)]
            other = alternative(target, own, tiling) or []
            rows += [(target.text, p.text, i, 1.0, len(other), ALTERNATIVE)
                     for i, p in enumerate(other)]
            continue
        if target.text in reported:
            continue
        minus = difference(target, own)
        if minus:
            whole, before = minus
            rows.append((target.text, whole.text, 0, 1.0, len(before) + 1, DIFFERENCE))
            rows += [(target.text, p.text, i + 1, -1.0, len(before) + 1, DIFFERENCE)
                     for i, p in enumerate(before)]
    return rows


def tile(target: Period, periods: Collection[Period], *, start=None) -> list[Period] | None:
    """The fewest of `periods` (each inside `target`, not itself) that cover `target` from
    `start` (default its first day) to its end with no gap or overlap; None when none do.
    Breadth-first over days, longer pieces tried first: of tilings with as many pieces, the
    one whose pieces come longest first wins."""
    begin = start or target.start
    inside = sorted((p for p in periods if target.contains(p) and p.start >= begin
                     and p.text != target.text),
                    key=lambda p: (p.start, -(p.end - p.start).days, p.text))
    # Days as ordinals: the day after 9999-12-31 is a number, not an OverflowError.
    starting: dict = {}
    for p in inside:
        starting.setdefault(p.start.toordinal(), []).append(p)
    goal = target.end.toordinal() + 1
    came: dict = {begin.toordinal(): None}
    queue = deque([begin.toordinal()])
    while queue:
        day = queue.popleft()
        if day == goal:
            break
        for p in starting.get(day, ()):
            nxt = p.end.toordinal() + 1
            if nxt not in came:
                came[nxt] = (day, p)
                queue.append(nxt)
    if goal not in came:
        return None
    pieces, day = [], goal
    while came[day] is not None:
        day, piece = came[day]
        pieces.append(piece)
    return pieces[::-1]


def alternative(target: Period, periods: Collection[Period], chosen: list[Period]
                ) -> list[Period] | None:
    """Another tiling of `target` with as few pieces as `chosen`, when overlapping reports
    make one (2024 = 2024-01/2024-09 + Q4 = H1 + 2024-07/2024-12); None when none."""
    for piece in chosen:
        other = tile(target, [p for p in periods if p != piece])
        if other and len(other) == len(chosen):
            return other
    return None


def difference(target: Period, periods: Collection[Period]
               ) -> tuple[Period, list[Period]] | None:
    """A reported period that ends with `target` and starts before it (a year-to-date
    report), with the fewest pieces tiling its part before `target`; None when none."""
    best = None
    for whole in periods:
        if whole.end != target.end or whole.start >= target.start:
            continue
        span = Period(f"{whole.text}-before", "range", whole.start,
                      target.start - timedelta(days=1))
        before = tile(span, periods)
        if before and (best is None or len(before) < len(best[1])):
            best = (whole, before)
    return best


def absent_parts(target: str, reported: Iterable[str], since=None) -> list[str] | None:
    """For a period no unit has or can derive: the pieces of its tiling by the calendar kind
    of the longest reported periods inside it that nobody reported; None when nothing inside
    it was reported at all. `since` (a date): the units began then, so pieces that end
    before it are never asked for (v3 §6)."""
    period = parse_period(target)
    inside = [q for q in (parse_period(p) for p in reported if is_period(p))
              if period.contains(q) and q != period and q.kind != "range"]
    if not inside:
        return None
    longest = max(inside, key=lambda q: ((q.end - q.start).days, q.text))
    try:
        pieces = period.sub_periods(longest.kind)
    except ValueError:
        return None
    have = {q.text for q in inside}
    return [p.text for p in pieces if p.text not in have and (since is None or p.end >= since)]


def began_since(units: Mapping, unit_ids: Iterable[str], period: str):
    """The earliest `valid_from` of `unit_ids` when every one of them began after `period`'s
    first day (v3 §6: nothing before it is asked for); None otherwise."""
    from datetime import date as _date
    first = parse_period(period).start
    days = []
    for uid in unit_ids:
        unit = units.get(uid)
        day = _date.fromisoformat(str(unit.valid_from)) if unit and unit.valid_from else None
        if day is None or day <= first:
            return None
        days.append(day)
    return min(days) if days else None
