"""Data stage: the figures every reader adds to, with what went wrong.

Readers place each cell (file, line, col) and hand over the raw value, one by one (`add`) or a
table at a time (`add_cells`, columnar: plain numbers never pass through Python one by one);
parsing, the negative-count rule and unknown metrics are decided here for every format.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from math import inf

import polars as pl

from ...domain import LOWEST, NON_NEGATIVE_UNITS, WHOLE_UNITS
from ...errors import (
    CchcError,
    Position,
    Problem,
    did_you_mean,
    has_controls,
)
from ...messages import _, noun, translate
from ..units import Unit
from .numbers import (
    DECIMAL_COMMA_HINT,
    SPACES,
    BadValue,
    parse_value,
    whole_number_problem,
)

NON_NEGATIVE = frozenset(NON_NEGATIVE_UNITS)
WHOLE = frozenset(WHOLE_UNITS)
SCHEMA = {"unit": pl.String, "period": pl.String, "metric": pl.String, "value": pl.Float64,
          "file": pl.String, "line": pl.Int64, "col": pl.Int64, "source": pl.String}
# What add_cells takes: a cell is a number in `num`, or text in `text`, or empty (both null).
CELLS = {**{k: v for k, v in SCHEMA.items() if k != "value"}, "num": pl.Float64,
         "text": pl.String}
# Text the columnar path reads itself; everything else (errors included) goes through
# parse_value, so both paths give the same value and the same message.
# ASCII digits only: polars' \d would also take Arabic-Indic digits, which cannot be cast.
_FAST_DOT = r"^-?[0-9]+(?:\.[0-9]+)?$"
_AMBIGUOUS = r"^-?[1-9][0-9]{0,2}\.[0-9]{3}$"
_FAST_COMMA = r"^-?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]+)?$"


STRIP = SPACES + "\t\r\n"   # around a cell's text: not read
COMMA_LISTED = 5   # positions named in the one DAT02 line of a column


@dataclass
class Batch:
    decimal_comma: bool = False
    known_metrics: Mapping[str, str] | None = None
    metric_labels: Mapping[str, str] | None = None  # id -> label: wide columns may use labels
    rows: list[tuple] = field(default_factory=list)
    chunks: list[pl.DataFrame] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unknown_metrics: dict[str, Position] = field(default_factory=dict)
    # (file, line, col) of figures reported with `restated: true` (spec §6)
    restated_at: set[tuple[str, int, int]] = field(default_factory=set)
    # ("unit" | "period", text) -> where that text is first written, for unit and period
    # problems; a figure's own position stands in when a reader gives none.
    places: dict[tuple[str, str], Position] = field(default_factory=dict)
    # (unit, period, metric, file, line, col) of every `n/a` a unit declared (spec §7 v3)
    declared: list[tuple] = field(default_factory=list)
    # (file, metric) -> the cells written the Vietnamese way ("1.020", "4.917,5") without
    # --decimal-comma: (position, text), summed up as one DAT02 per column in `finish`
    comma_cells: dict[tuple[str, str], list[tuple[Position, str, Problem]]] = field(
        default_factory=dict)
    # level id -> the title a units or data file gives it (`levels:`)
    level_titles: dict[str, str] = field(default_factory=dict)
    # indexes of `chunks` whose figures' keys (unit, period, metric) all differ
    distinct: set[int] = field(default_factory=set)
    # index of a chunk -> the distinct units and periods of its figures, in the order they
    # first appear, when its reader found them on the way (a wide table: one per row)
    texts: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    # index of a chunk -> its figures as the wide table they were read from (`take_wide`):
    # `unit`, `period` and a Float64 column per metric, the rows with a figure
    tables: dict[int, pl.DataFrame] = field(default_factory=dict)

    def place(self, kind: str, text: str, pos: Position) -> None:
        if (kind, text) not in self.places and has_controls(text):
            # a newline or an escape code would forge lines in messages and break JUnit XML
            self.error("DAT08", _("the {kind} '{text}' holds a control character").format(
                                  kind=noun(kind), text=text), pos,
                       _("retype the cell: ids are letters, digits and punctuation"))
        self.places.setdefault((kind, text), pos)

    def error(self, code: str, message: str, pos: Position | None,
              hint: str | None = None) -> None:
        self.problems.append(Problem(code, message, pos, hint))

    def warn(self, code: str, message: str, pos: Position | None,
             hint: str | None = None) -> None:
        self.warnings.append(Problem(code, message, pos, hint, "warning"))

    def absorb(self, err: CchcError) -> None:
        """Keep a reader's own error and go on with the next file, so all problems show."""
        for problem in err.problems:
            (self.warnings if problem.severity == "warning" else self.problems).append(problem)

    def add(self, unit: str, period: str, metric: str, raw: object, file: str, line: int,
            col: int = 0, source: str | None = None) -> None:
        """One reported cell; an empty one is a missing figure and adds nothing."""
        value = self.check(unit, period, metric, raw, file, line, col)
        if value is not None:
            self.rows.append((unit, period, metric, value, file, line, col, source))

    def check(self, unit: str, period: str, metric: str, raw: object, file: str, line: int,
              col: int) -> float | None:
        """The cell's figure, or None after recording why there is none."""
        known = self.known_metrics
        if known is not None and metric not in known:
            self.unknown_metrics.setdefault(metric, Position(file, line, col))
            return None
        if is_declared(raw):   # "does not apply to this unit": no figure, said so
            self.declared.append((unit, period, metric, file, line, col))
            return None
        try:
            value = parse_value(raw, self.decimal_comma)
        except BadValue as bad:
            one = Problem(bad.code, _("'{metric}' for {unit} in {period}: {problem}").format(
                metric=metric, unit=unit, period=period, problem=bad.message),
                Position(file, line, col), bad.hint)
            if bad.code == "DAT02" and not self.decimal_comma and isinstance(raw, str):
                self.comma_cells.setdefault((file, metric), []).append(
                    (Position(file, line, col), raw.strip(STRIP), one))
            else:
                self.problems.append(one)
            return None
        if value is not None and value < 0 and known is not None \
                and known[metric] in NON_NEGATIVE:
            self.error("DAT04", _("'{metric}' for {unit} in {period} is {value}, but a {known} "
                                  "cannot be negative").format(
                                  metric=metric, unit=unit, period=period, value=shown(value),
                                  known=known[metric]), Position(file, line, col),
                       _("check the sign; a decrease is reported as a smaller figure"))
            return None
        if value is not None and known is not None and value < LOWEST.get(known[metric], -inf):
            self.error("DAT24", _("'{metric}' for {unit} in {period} is {value}, but a {kind} "
                                  "starts at {lowest}").format(
                metric=metric, unit=unit, period=period, value=shown(value), kind=known[metric],
                lowest=shown(float(LOWEST[known[metric]]))), Position(file, line, col),
                _("a rank counts from 1 (first place)"))
            return None
        if value is not None and known is not None and known[metric] in WHOLE \
                and not value.is_integer():
            refused = whole_number_problem(value)
            self.error(refused.code, f"'{metric}' for {unit} in {period} {refused.message}",
                       Position(file, line, col), refused.hint)
            return None
        return value

    def place_firsts(self, kind: str, firsts: pl.DataFrame, file: str, col: int) -> None:
        """`place` for each (text, line) row of `firsts`, a column's distinct texts where they
        are first written: only the texts holding a control character are looked at one by
        one (a national file's thousands of units are not; all of them are looked at in one
        search of their texts joined, which `has_controls` would find in one of them)."""
        texts, lines = firsts.get_column(kind).to_list(), firsts.get_column("line").to_list()
        if has_controls("".join(text for text in texts if text is not None)):
            # the same messages, in the same order, as `place` row by row
            for text, line in zip(texts, lines, strict=True):
                if has_controls(text or ""):
                    self.place(kind, text, Position(file, line, col))
                else:
                    self.places.setdefault((kind, text), Position(file, line, col))
            return
        places = self.places
        for text, line in zip(texts, lines, strict=True):
            if (kind, text) not in places:
                places[kind, text] = Position(file, line, col)

    def add_cells(self, cells: pl.DataFrame) -> None:
        """Many cells (CELLS columns) in reading order: plain numbers are read column-wise,
        the rest one by one through `check`, and the order is kept."""
        self.take_cells(*pl.collect_all(self.cells_plan(cells.lazy())))

    def cells_plan(self, cells: pl.LazyFrame, unknown: bool = True) -> list[pl.LazyFrame]:
        """What `take_cells` takes, as plans to collect together with the reader's own: the
        first cell of each metric not in the ruleset (unless the reader places those itself,
        `unknown=False`), and the cells (CELLS columns, in reading order) with `value` where
        plain figures are read column-wise and `slow` where the rest must go through
        `check`."""
        frame = cells.with_row_index("i").with_columns(
            pl.col("text").str.strip_chars(STRIP))
        known = self.known_metrics
        plans = []
        if known is not None and unknown:
            plans.append(frame.filter(~pl.col("metric").is_in(list(known)))
                         .group_by("metric", maintain_order=True).first()
                         .select("metric", "file", "line", "col"))
            frame = frame.filter(pl.col("metric").is_in(list(known)))
        lazy = frame.filter(pl.col("num").is_not_null() | (pl.col("text") != ""))
        lazy = lazy.with_columns(value=pl.coalesce("num", self.read_number(pl.col("text"))))
        slow = self._unplain(pl.col("value"), lambda units: pl.col("metric").is_in(
            [m for m, unit in (known or {}).items() if unit in units]))
        return [*plans, lazy.with_columns(slow=slow)]

    def _unplain(self, value: pl.Expr, of: Callable[[Collection[str]], pl.Expr | None]
                 ) -> pl.Expr:
        """Whether a cell's figure `value` must go through `check`: not a finite number, or
        one its metric's unit refuses (below zero, below its lowest, not whole). `of(units)`:
        whether the cell's metric has one of `units` (None: it has not)."""
        slow = value.is_null() | ~value.is_finite()
        if self.known_metrics is None:
            return slow
        refused = [(NON_NEGATIVE, value < 0),
                   *(({unit}, value < lowest) for unit, lowest in LOWEST.items()),
                   (WHOLE, value != value.round(0))]
        for units, refuses in refused:
            if (among := of(units)) is not None:
                slow = slow | (refuses & among)
        return slow

    def read_number(self, text: pl.Expr) -> pl.Expr:
        """The figure of a stripped text the columnar rule reads, else null. The rule takes
        no character that stripping removes: a text it reads as it stands reads the same
        stripped."""
        if self.decimal_comma:
            return pl.when(text.str.contains(_FAST_COMMA)).then(
                text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
                .cast(pl.Float64, strict=False))
        return pl.when(text.str.contains(_FAST_DOT) & ~text.str.contains(_AMBIGUOUS)
                       ).then(text.cast(pl.Float64, strict=False))

    @staticmethod
    def read_digits(text: pl.Expr) -> pl.Expr:
        """The figure of a text of ASCII digits alone (within 64 bits), else null: what
        `read_number` reads such a text as, without its regular expressions (polars' cast
        to an unsigned integer takes digits and a leading '+', which is refused here)."""
        return pl.when(~text.str.starts_with("+")).then(
            text.cast(pl.UInt64, strict=False)).cast(pl.Float64)

    def column_rule(self, num: pl.Expr, text: pl.Expr, value: pl.Expr, metric: str
                    ) -> pl.Expr:
        """`cells_plan`'s `slow` for a wide column of one metric (`num` its numbers, `text`
        its stripped texts, `value` their figures as `cells_plan` reads them): whether a
        cell must go through `check` (an empty cell need not: it is no figure)."""
        kind = None if self.known_metrics is None else self.known_metrics.get(metric)
        slow = self._unplain(value, lambda units: pl.lit(True) if kind in units else None)
        return (num.is_not_null() | text.ne("").fill_null(False)) & slow

    def take_wide(self, wide: pl.DataFrame, metrics: Sequence[tuple[str, int]], file: str,
                  distinct: bool = False) -> None:
        """A wide table's cells, collected by its reader: `line`, `unit`, `period`, `source`
        and, for the i-th of `metrics` ((metric, col)), `n{i}` and `s{i}` its numbers and
        stripped texts, `v{i}` their figures as `cells_plan` reads them, `x{i}` their
        `column_rule`; `slow` when a row has a cell to check. Those cells go through `check`
        row by row in column order (the order `take_cells` reads them in), then the figures
        are taken row by row, metrics in column order: what `take_cells` takes from the same
        cells in long form."""
        self._flush()
        if distinct:
            self.distinct.add(len(self.chunks))
        if not metrics:
            self.chunks.append(pl.DataFrame(schema=SCHEMA))
            return
        values = [wide.get_column(f"v{i}") for i in range(len(metrics))]
        if wide.get_column("slow").any():
            at: list[list[int]] = [[] for _ in metrics]
            checked: list[list[float | None]] = [[] for _ in metrics]
            for row in wide.with_row_index("r").filter("slow").iter_rows(named=True):
                for i, (metric, col) in enumerate(metrics):
                    if row[f"x{i}"]:
                        num = row[f"n{i}"]
                        at[i].append(row["r"])
                        checked[i].append(self.check(
                            row["unit"], row["period"], metric,
                            num if num is not None else row[f"s{i}"], file, row["line"], col))
            values = [v.clone().scatter(at[i], pl.Series(checked[i], dtype=pl.Float64))
                      if at[i] else v for i, v in enumerate(values)]
        # the rows with a figure, a row each: their texts are the figures' (a fortieth of
        # the cells of a national file looked at)
        names = [metric for metric, _col in metrics]
        figured = pl.DataFrame([wide.get_column("unit"), wide.get_column("period"),
                                *(v.alias(m) for v, m in zip(values, names, strict=True))]
                               ).filter(pl.any_horizontal(v.is_not_null() for v in values))
        self.texts[len(self.chunks)] = {key: in_order(figured.get_column(key))
                                        for key in ("unit", "period")}
        if len(set(names)) == len(names) and not {"unit", "period", ""} & set(names):
            self.tables[len(self.chunks)] = figured
        self.chunks.append(_row_major(wide, values, metrics, file))

    def take_cells(self, *found: pl.DataFrame, distinct: bool = False) -> None:
        """The collected `cells_plan`: unknown metrics placed, plain figures kept as they are,
        the rest checked one by one (`check`: its messages), the reading order kept.
        `distinct`: the reader knows no two cells share a unit, period and metric."""
        self._flush()
        *unknown, frame = found
        for metric, file, line, col in (unknown[0].iter_rows() if unknown else ()):
            self.unknown_metrics.setdefault(metric, Position(file, line, col))
        if distinct:
            self.distinct.add(len(self.chunks))
        if not frame.get_column("slow").any():   # every cell a plain figure: in order already
            self.chunks.append(frame.select(list(SCHEMA)))
            return
        checked = []
        for row in frame.filter("slow").iter_rows(named=True):
            raw = row["num"] if row["num"] is not None else row["text"]
            value = self.check(row["unit"], row["period"], row["metric"], raw, row["file"],
                               row["line"], row["col"])
            checked.append(value)
        redone = frame.filter("slow").with_columns(value=pl.Series(checked, dtype=pl.Float64))
        self.chunks.append(pl.concat([frame.filter(~pl.col("slow")), redone])
                           .drop_nulls("value").sort("i").select(list(SCHEMA)))

    def _flush(self) -> None:
        if self.rows:
            self.chunks.append(pl.DataFrame(self.rows, schema=SCHEMA, orient="row"))
            self.rows = []

    def finish(self) -> None:
        """Turn the unknown metrics seen into one warning each, at their first place, and
        the cells written the Vietnamese way into one DAT02 per file and column."""
        for (_file, metric), cells in self.comma_cells.items():
            first, text, one = cells[0]
            if len(cells) == 1:   # one cell: its own line says the most
                self.problems.append(one)
                continue
            places = ", ".join(f"{p.line}:{p.col}" if p.col else str(p.line)
                               for p, _t, _o in cells[:COMMA_LISTED])
            more = "" if len(cells) <= COMMA_LISTED else ", …"
            self.error("DAT02", _("'{metric}': {n} cell(s) written the Vietnamese way, such "
                                  "as '{text}' (at {places}{more})").format(
                                  metric=metric, n=len(cells), text=text, places=places,
                                  more=more), first, translate(DECIMAL_COMMA_HINT))
        self.comma_cells = {}
        known = list(self.known_metrics or ())
        for metric, pos in self.unknown_metrics.items():
            self.warn("DAT20", _("metric '{metric}' is not in the ruleset; its figures are "
                                 "ignored").format(
                                 metric=metric), pos, did_you_mean(metric, known))

    def keys_distinct(self) -> bool:
        """Whether every figure read is known to have a unit, period and metric of its own:
        all came in one chunk its reader vouched for."""
        self._flush()
        return len(self.chunks) == 1 and 0 in self.distinct

    def distinct_texts(self) -> dict[str, list[str]] | None:
        """The distinct units and periods of the figures read (`frame()`), each in the order
        it first appears, when the reader of their one chunk found them; else None."""
        self._flush()
        return self.texts.get(0) if len(self.chunks) == 1 else None

    def table(self) -> pl.DataFrame | None:
        """The figures read (`frame()`) as the wide table they came from (`tables`), when
        they are one chunk read so; else None."""
        self._flush()
        return self.tables.get(0) if len(self.chunks) == 1 else None

    def frame(self) -> pl.DataFrame:
        self._flush()
        return pl.concat(self.chunks) if self.chunks else pl.DataFrame(schema=SCHEMA)

    def declared_frame(self) -> pl.DataFrame:
        """The declared `n/a`s (DECLARED_SCHEMA), one per unit, period and metric."""
        return pl.DataFrame(self.declared, schema=DECLARED_SCHEMA, orient="row") \
            .unique(["unit", "period", "metric"], keep="first", maintain_order=True)


# The words a unit writes for "does not apply to us" (spec §7 v3), in any case.
NOT_APPLICABLE_WORDS = frozenset({"n/a", "không áp dụng"})
DECLARED_SCHEMA = {"unit": pl.String, "period": pl.String, "metric": pl.String,
                   "file": pl.String, "line": pl.Int64, "col": pl.Int64}


def is_declared(raw: object) -> bool:
    """Whether a cell declares that the criterion does not apply: `n/a` or `không áp dụng`
    (any case, NFC or not, spaces around ignored)."""
    if raw.__class__ is not str or len(raw) > 40:
        return False
    text = unicodedata.normalize("NFC", raw.strip(STRIP)).casefold()
    return " ".join(text.split()) in NOT_APPLICABLE_WORDS


def split_cells(values: Sequence[object] | pl.Series, text_only: bool = False
                ) -> tuple[pl.Series, pl.Series]:
    """A column of cells as (num, text) for `add_cells`: text cells (all of a CSV, so
    `text_only`) in one step; numbers (Excel) to `num`; anything else as its text, which
    `parse_value` refuses."""
    if text_only or all(v is None or v.__class__ is str for v in values):
        return pl.Series("num", [None] * len(values), dtype=pl.Float64), pl.Series(
            "text", values, dtype=pl.String)
    num = [v if v.__class__ in (int, float) else None for v in values]
    text = [None if v is None or v.__class__ in (int, float) else
            str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return pl.Series("num", num, dtype=pl.Float64), pl.Series("text", text, dtype=pl.String)


def _row_major(wide: pl.DataFrame, values: Sequence[pl.Series],
               metrics: Sequence[tuple[str, int]], file: str) -> pl.DataFrame:
    """The figures of a wide frame's `values` (one Series per metric), row by row, metrics in
    column order (SCHEMA): the values side by side as one array per row, read flat (no sort),
    the empty dropped, then each figure's row and metric gathered by its place."""
    k = len(metrics)
    flat = pl.DataFrame(values).select(
        pl.concat_arr(pl.all()).reshape((-1,)).alias("value"))
    at, of = pl.col("i") // k, pl.col("i") % k
    # one chunk each: a gather from a text column of several chunks takes ten times as long
    unit, period, line, source = (wide.get_column(name).rechunk()
                                  for name in ("unit", "period", "line", "source"))
    return flat.lazy().with_row_index("i").filter(pl.col("value").is_not_null()).select(
        unit=pl.lit(unit).gather(at), period=pl.lit(period).gather(at),
        metric=pl.lit(pl.Series([m for m, _ in metrics], dtype=pl.String)).gather(of),
        value="value", file=pl.lit(file, pl.String), line=pl.lit(line).gather(at),
        col=pl.lit(pl.Series([c for _, c in metrics], dtype=pl.Int64)).gather(of),
        source=pl.lit(source).gather(at) if source.null_count() < len(source)
        else pl.lit(None, pl.String)).collect()


def in_order(texts: pl.Series) -> list:
    """The distinct values of `texts`, in the order they first appear. Each run of one value
    is one value first (a unit's or a period's figures stand side by side): the same values
    in the same order, from a fraction of the rows hashed."""
    rest = texts.slice(1)
    return pl.concat([texts.head(1), rest.filter(rest.ne_missing(texts.head(len(rest))))]
                     ).unique(maintain_order=True).to_list()


def _where(row: Mapping) -> Position:
    return Position(row["file"], row["line"], row["col"])


def shown(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def cell_text(raw: object) -> str | None:
    """An identifier cell (unit, period, metric, source) as text; Excel's whole-number floats
    lose their '.0'. None when empty; ValueError for anything else."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw.strip() or None
    if isinstance(raw, bool):
        raise ValueError(_("{raw!r} is not text").format(raw=raw))
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    raise ValueError(_("{raw!r} is not text").format(raw=raw))
