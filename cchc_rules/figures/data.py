"""Data stage: reported figures from YAML, JSON, CSV and Excel files into one long table.

`read_data` reads every file, checks units, periods and values, merges repeats (conflicts are
errors naming both places) and raises one CchcError with every problem found.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from ..errors import Position, Problem, did_you_mean, raise_if
from ..messages import _
from ..periods import VI_EXAMPLES, VI_WORDS, from_vietnamese, parse_period, plain
from .readers import Batch, read_into
from .readers.batch import DECLARED_SCHEMA, SCHEMA, in_order, shown
from .units import Unit, collect_units, level_warnings
from .validity import outside_validity

if TYPE_CHECKING:
    from .records.quality import RecordsInfo

KEYS = ["unit", "period", "metric"]
COLUMNS = ["unit", "period", "metric", "value", "file", "line", "source"]


@dataclass
class Figures:
    """`values`: one row per unit × period × metric, with where it was read (file, line) and
    the report's `source`; `units`: declared units, or when none is declared anywhere, one
    `Unit(id, id)` per reported unit; `warnings`: problems that did not stop the reading."""

    values: pl.DataFrame
    units: dict[str, Unit]
    warnings: list[Problem] = field(default_factory=list)
    # figures reported with `restated: true`: on the unit's territory of today (spec §6)
    restated: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(
        schema={c: t for c, t in SCHEMA.items() if c in COLUMNS}))
    records: RecordsInfo | None = None  # when figures were counted from records
    # figures a unit declared `n/a` (spec §7 v3): the criterion does not apply to it
    declared: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(
        schema=DECLARED_SCHEMA))
    # level id -> its title from a units or data file (`levels:`), shown instead of the id
    level_titles: dict[str, str] = field(default_factory=dict)
    # `values` as the wide table they were read from, while `values` is that frame
    # (`as_wide`)
    wide: WideFigures | None = field(default=None, repr=False, compare=False)

    def level_title(self, level: str | None) -> str | None:
        """The title of `level` given by the data (`levels:`), else None."""
        return self.level_titles.get(level) if level else None

    def as_wide(self) -> pl.DataFrame | None:
        """`values` as one row per unit and period with a figure, `unit`, `period` and a
        Float64 column per metric (null: no figure), when they were read so (one wide table,
        every figure kept as read); None otherwise, or once `values` is another frame."""
        wide = self.wide
        return wide.table if wide is not None and wide.values is self.values else None


@dataclass(frozen=True, eq=False)
class WideFigures:
    """`table`: the figures of `values` (that very frame) as the wide table they were read
    from. The roll-up reads them so, without finding the long figures' 640 k keys again."""

    table: pl.DataFrame
    values: pl.DataFrame


def read_data(paths: Iterable[str | PathLike], units_file: str | PathLike | None = None,
              decimal_comma: bool = False,
              known_metrics: Mapping[str, str] | None = None,
              metric_labels: Mapping[str, str] | None = None) -> Figures:
    """Read and merge figure files. `decimal_comma`: text numbers use '.' for thousands and
    ',' for decimals. `known_metrics` (metric id -> unit, e.g. from the ruleset): figures of
    other metrics are dropped with one warning each, and counts and amounts must be >= 0.
    `metric_labels` (metric id -> label): a wide table's column may name a metric by label."""
    batch = Batch(decimal_comma, known_metrics, metric_labels)
    if units_file is not None:
        read_into(batch, Path(units_file), units=True)
    for path in paths:
        read_into(batch, Path(path))
    batch.finish()
    read, restated = _split_restated(batch.frame(), batch.restated_at)
    # the reader's distinct units and periods, while they are the figures' own
    texts = batch.distinct_texts() if not batch.restated_at else None
    frame = _canonical_periods(read, texts["period"] if texts else None)
    restated = _canonical_periods(restated)
    # keys the reader vouched for stay distinct unless two period names became one
    distinct = batch.keys_distinct() and frame is read
    units, problems = collect_units(batch.units)
    batch.warnings += level_warnings(units)
    declared = batch.declared_frame()
    # a declared `n/a` names a unit and a period like any figure: both are checked
    placed = pl.concat([frame, declared], how="diagonal_relaxed") if declared.height else frame
    if placed is not read:
        texts = None
    problems = batch.problems + problems + _check_periods(
        placed, batch.places, texts["period"] if texts else None)
    if batch.units:
        problems += _check_reported_units(placed, units, batch.places,
                                          texts["unit"] if texts else None)
    else:
        units = {u: Unit(u, u) for u in placed["unit"].unique(maintain_order=True)}
    problems += _declared_and_reported(declared, frame)
    frame, conflicts = (frame, []) if distinct else merge(frame)
    restated, restated_conflicts = merge(restated)
    raise_if(problems + conflicts + restated_conflicts + batch.warnings)
    kept, outside = outside_validity(frame, units)
    batch.warnings += outside
    values = kept.select(COLUMNS)
    # the wide table holds the same figures while none was renamed, merged or left out
    table = batch.table() if distinct and kept is frame and not batch.restated_at else None
    return Figures(values, units, batch.warnings, restated.select(COLUMNS),
                   declared=declared, level_titles=dict(batch.level_titles),
                   wide=WideFigures(table, values) if table is not None else None)


def _declared_and_reported(declared: pl.DataFrame, frame: pl.DataFrame) -> list[Problem]:
    """A figure declared `n/a` and also reported (spec §7 v3): DAT30 naming both places."""
    if not declared.height:
        return []
    both = declared.join(frame.select(*KEYS, "value", pl.col("file").alias("_file"),
                                      pl.col("line").alias("_line")), on=KEYS)
    return [Problem("DAT30", _("'{metric}' for {unit} in {period} is declared n/a here and "
                               "reported as {value} at {file}:{line}").format(
                        metric=r["metric"], unit=r["unit"], period=r["period"],
                        value=shown(r["value"]), file=r["_file"], line=r["_line"]),
                    Position(r["file"], r["line"], r["col"]),
                    _("keep one: the figure, or n/a when the criterion does not apply"))
            for r in both.iter_rows(named=True)]



def _canonical_periods(frame: pl.DataFrame, periods: list[str] | None = None
                       ) -> pl.DataFrame:
    """Vietnamese period names ("Quý I/2024", "9 tháng năm 2024") as their canonical period
    ("2024-Q1", "2024-01/2024-09"): each distinct text looked at once (`periods`, when the
    reader gave them)."""
    if not frame.height:
        return frame
    names = {text: named for text in (periods or _distinct(frame, "period"))
             if (named := from_vietnamese(text)) is not None}
    if not names:
        return frame
    return frame.with_columns(pl.col("period").replace(names))


def _split_restated(frame: pl.DataFrame, places: set[tuple[str, int, int]]
                    ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The unit's own figures, and those reported `restated: true` (kept apart: both may
    exist for the same unit, period and metric)."""
    if not places:
        return frame, frame.clear()
    marked = pl.DataFrame(list(places), schema={"file": pl.String, "line": pl.Int64,
                                                "col": pl.Int64}, orient="row")
    return (frame.join(marked, on=["file", "line", "col"], how="anti", maintain_order="left"),
            frame.join(marked, on=["file", "line", "col"], how="semi", maintain_order="left"))


def _firsts(frame: pl.DataFrame, column: str) -> list[dict]:
    """Each distinct value of `column` with the place it first appears and how often."""
    return frame.group_by(column, maintain_order=True).agg(
        pl.col("file").first(), pl.col("line").first(), pl.col("col").first(),
        pl.len().alias("rows"),
        pl.col("metric").unique(maintain_order=True).head(_LISTED + 1).alias("metrics"),
        pl.col("metric").n_unique().alias("n_metrics")).rows(named=True)


def _where(row: Mapping, places: Mapping[tuple[str, str], Position] | None = None,
           kind: str = "") -> Position:
    """Where the row's `kind` (unit or period) is written, else where its figure is."""
    found = places.get((kind, row[kind])) if places else None
    return found or Position(row["file"], row["line"], row["col"])


def _distinct(frame: pl.DataFrame, column: str) -> list[str]:
    """The distinct texts of `column`, in the order they first appear (`batch.in_order`)."""
    return in_order(frame.get_column(column))


def _check_periods(frame: pl.DataFrame, places: Mapping[tuple[str, str], Position],
                   periods: list[str] | None = None) -> list[Problem]:
    """PER01 for each period text that is not a period. Each distinct text (`periods`, when
    the reader gave them) is parsed once; where a bad one is used (`_firsts`) is looked up
    only when there is one."""
    good, bad = [], {}
    for text in _distinct(frame, "period") if periods is None else periods:
        try:
            parse_period(text)
            good.append(text)
        except ValueError as err:
            bad[text] = str(err)
    if not bad:
        return []
    firsts = _firsts(frame.filter(pl.col("period").is_in(list(bad))), "period")
    return [Problem("PER01", bad[row["period"]] + _more(row), _where(row, places, "period"),
                    _period_hint(row["period"], good)) for row in firsts]


_REWRITES = [
    (re.compile(r"(?i)q\.?\s*([1-4])\s*[/\-. ]\s*(\d{4})"), "{1}-Q{0}"),
    (re.compile(r"(?i)(\d{4})\s*[/\-. ]?\s*q([1-4])"), "{0}-Q{1}"),
    (re.compile(r"(?i)(\d{4})\s*[/\-. ]?\s*h([12])"), "{0}-H{1}"),
    (re.compile(r"(\d{1,2})\s*[/\-.]\s*(\d{4})"), "{1}-{0:0>2}"),
    (re.compile(r"(\d{4})\s*[/.]\s*(\d{1,2})|(\d{4})-(\d)"), "{0}-{1:0>2}"),
]


def _period_hint(text: str, good: list[str]) -> str | None:
    if any(word in plain(text) for word in VI_WORDS):   # meant as a Vietnamese name
        return did_you_mean(text, good) or _("write a period as {examples}, or "
                                             "2024-Q1").format(examples=VI_EXAMPLES)
    for pattern, template in _REWRITES:
        m = pattern.fullmatch(text.strip())
        if m:
            groups = [g for g in m.groups() if g is not None]
            guess = template.format(*groups)
            try:
                parse_period(guess)
            except ValueError:
                continue
            return _("did you mean '{name}'?").format(name=guess)
    return did_you_mean(text, good)


_LISTED = 3  # metric ids named when a bad unit or period is used by many figures


def _more(row: Mapping) -> str:
    """Which figures use the bad unit or period, when more than the one pointed at."""
    if row["rows"] <= 1:
        return ""
    metrics = ", ".join(row["metrics"][:_LISTED])
    if row["n_metrics"] > _LISTED:
        metrics += _(" and {n} more metrics").format(n=row["n_metrics"] - _LISTED)
    return _(" (used by {rows} figures, of {metrics}; the first is here)").format(
        rows=row["rows"], metrics=metrics)


def _check_reported_units(frame: pl.DataFrame, units: Mapping[str, Unit],
                          places: Mapping[tuple[str, str], Position],
                          reported: list[str] | None = None) -> list[Problem]:
    return [Problem("UNT07", _("unit '{unit}' is not declared{more}").format(
                               unit=row['unit'], more=_more(row)),
                    _where(row, places, "unit"),
                    did_you_mean(row["unit"], units) or _("add it under 'units:' or to the "
                                                          "--units file"))
            for row in _firsts(frame.filter(pl.col("unit").is_in(unknown)), "unit")] \
        if (unknown := [u for u in (_distinct(frame, "unit") if reported is None else reported)
                        if u not in units]) else []


def _key_hash() -> pl.Expr:
    """One 64-bit hash of unit, period and metric: keys whose hashes all differ all differ
    (equal hashes send `merge` to the exact comparison)."""
    unit, period, metric = (pl.col(k).hash(seed) for seed, k in enumerate(KEYS, start=1))
    return (unit * 0x9E3779B97F4A7C15 + period) * 0xC2B2AE3D27D4EB4F + metric


def merge(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[Problem]]:
    """Keep the first of repeated unit × period × metric figures; a repeat with another value
    is an error at the first place naming the other."""
    if not frame.height or frame.select(_key_hash().n_unique()).item() == frame.height:
        return frame, []   # no two keys hash alike: no repeat (the common case, one pass)
    repeated = frame.with_row_index("row").filter(pl.struct(KEYS).is_duplicated())
    problems: list[Problem] = []
    for _key, group in repeated.group_by(KEYS, maintain_order=True):
        first, *others = group.sort("row").rows(named=True)
        for other in others:
            if other["value"] != first["value"]:
                problems.append(Problem(
                    "DAT09", _("'{metric}' for {unit} in {period} is given twice: {value} here, "
                               "{value2} at {where}").format(
                               metric=first['metric'], unit=first['unit'], period=first['period'],
                               value=shown(first['value']), value2=shown(other['value']),
                               where=_where(other)), _where(first),
                    _("keep one of the two figures")))
    if repeated.height:
        frame = frame.unique(subset=KEYS, keep="first", maintain_order=True)
    return frame, problems
