"""Data stage: a table of cells (a CSV file or a spreadsheet) into figures, long or wide.

Long tables have `unit, period, metric, value[, source]`; wide ones `unit, period[, source]` and
one column per metric, where an empty cell is a missing figure, not zero. Planners' sheets are
read as they are kept: up to 10 title rows above the header, the Vietnamese column names
(`Đơn vị`, `Kỳ báo cáo`, `Chỉ số`, `Giá trị`, `Nguồn`) and a metric's label for its id,
compared without regard to case and spacing. Columns named `#…` are notes (a form's names).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from ...errors import Position
from ...messages import N_, _, translate
from .batch import CELLS, STRIP, Batch, cell_text, split_cells
from .numbers import SPACES

BAD = "\x00"  # an identifier cell already reported as not text
LONG = ("unit", "period", "metric", "value", "source")
# The names planners give these columns; compared after `normalise`.
VIETNAMESE = {"đơn vị": "unit", "kỳ báo cáo": "period", "chỉ số": "metric", "giá trị": "value",
              "nguồn": "source"}
NAMES = {key: f"'{key}' or '{vi[0].upper() + vi[1:]}'" for vi, key in VIETNAMESE.items()}
NOTE = "#"           # a column whose name starts with it is a note, not read (form name columns)
TITLE_ROWS = 10      # title rows allowed above the header
HEADER_HINT = N_("the first row names the columns: unit, period, then one column per metric "
                 "(wide) or metric, value (long); source is optional")


def normalise(text: str) -> str:
    """Case, Unicode composition and runs of spaces do not matter in a column name."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def column_role(name: str) -> str | None:
    """`unit`, `period`, `metric`, `value` or `source` when `name` is one, in English or
    Vietnamese."""
    key = normalise(name)
    return key if key in LONG else VIETNAMESE.get(key)


def _names(row: Sequence[object]) -> list[str]:
    out = []
    for cell in row:
        try:
            text = cell_text(cell)
        except ValueError:
            continue
        if text is not None:
            out.append(text)
    return out


def find_header(rows: Sequence[Sequence[object]]) -> int | None:
    """The index of the header row: among the first non-empty rows (titles may stand above
    it), the first that names `unit` and `period` by id (a form's id row, below its
    Vietnamese labels), else the first that names them in English or Vietnamese."""
    filled = [i for i, row in enumerate(rows[:TITLE_ROWS * 4]) if _names(row)][:TITLE_ROWS + 1]
    for exact in (True, False):
        for i in filled:
            names = _names(rows[i])
            roles = ({normalise(n) for n in names} if exact
                     else {column_role(n) for n in names})
            if {"unit", "period"} <= roles:
                return i
    return None


def describe(row: Sequence[object]) -> str:
    """The names a row holds, for a message saying what was found."""
    names = _names(row)
    shown = ", ".join(f"'{n}'" for n in names[:8]) + (", …" if len(names) > 8 else "")
    return _("found {names}").format(names=shown) if names else _("found an empty row")


@dataclass(frozen=True)
class Layout:
    """Which column holds what; `metrics` maps a column index to its metric (wide tables)."""

    index: dict[str, int]
    metrics: dict[int, str]

    @property
    def long(self) -> bool:
        return "metric" in self.index


def _empty(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def read_header(batch: Batch, header: Sequence[object], rows: Sequence[Sequence[object]],
                file: str, line: int, cols: Sequence[int]) -> Layout | None:
    """The layout the header row describes, or None after recording why there is none.
    `rows` is only consulted for columns without a name: ignored when empty throughout."""
    index: dict[str, int] = {}
    metrics: dict[int, str] = {}
    ok = True
    ambiguous = False  # a column already refused as two metrics' label
    labels = _labels(batch)
    for j, cell in enumerate(header):
        pos = Position(file, line, cols[j])
        try:
            name = cell_text(cell)
        except ValueError:
            name = str(cell)
        if name is None:
            if any(j < len(row) and not _empty(row[j]) for row in rows):
                batch.error("DAT05", _("column {j} has figures but no name").format(
                                       j=j + 1), pos, translate(HEADER_HINT))
                ok = False
            continue
        if name.startswith(NOTE):
            continue
        role = column_role(name)
        metric = name if role is None else None
        if role is None and batch.known_metrics is not None and name not in batch.known_metrics:
            matches = labels.get(normalise(name), [])
            if len(matches) > 1:
                batch.error("DAT05", _("column '{name}' is the label of both '{matches}' and "
                                       "'{matches2}'").format(
                                       name=name, matches=matches[0],
                                       matches2=matches[1]), pos,
                            _("name the column by the metric's id"))
                ok, ambiguous = False, True
                continue
            metric = matches[0] if matches else name
        if (role or "") in index or metric in metrics.values():
            batch.error("DAT05", _("column '{name}' appears twice in the header").format(
                                   name=name), pos)
            ok = False
        elif role is not None:
            index[role] = j
        elif metric is not None:   # always, when it has no role
            metrics[j] = metric
    where = Position(file, line, cols[0] if cols else 0)
    for need in ("unit", "period"):
        if need not in index:
            from difflib import get_close_matches  # a header without unit or period only
            close = get_close_matches(need, list(metrics.values()), n=1, cutoff=0.6)
            batch.error("DAT06", _("the header has no '{need}' column (expected {NAMES}; "
                                   "{found})").format(
                                   need=need, NAMES=NAMES[need], found=describe(header)), where,
                        _("rename the column '{close}' to '{need}'").format(
                          close=close[0], need=need) if close else translate(HEADER_HINT))
            ok = False
    if "metric" in index or "value" in index:
        for need in ("metric", "value"):
            if need not in index:
                batch.error("DAT06", _("a long table needs a '{need}' column too (expected "
                                       "{NAMES}; {found})").format(
                                       need=need, NAMES=NAMES[need],
                                       found=describe(header)), where, translate(HEADER_HINT))
                ok = False
        for j, name in metrics.items():
            batch.error("DAT05", _("unexpected column '{name}' in a long table").format(
                                   name=name), Position(
                file, line, cols[j]), _("a long table has unit, period, metric, value, source"))
            ok = False
    elif not metrics and not ambiguous:
        batch.error("DAT06", _("the header names no metric columns"), where, translate(HEADER_HINT))
        ok = False
    return Layout(index, metrics) if ok else None


def _labels(batch: Batch) -> dict[str, list[str]]:
    """Normalised metric label -> the metric ids that carry it."""
    out: dict[str, list[str]] = {}
    for mid, label in (batch.metric_labels or {}).items():
        out.setdefault(normalise(label), []).append(mid)
    return out


def read_rows(batch: Batch, layout: Layout, rows: Iterable[tuple[int, Sequence[object]]],
              file: str, cols: Sequence[int], width: int, text_only: bool = False) -> None:
    """Every data row into `batch`; `rows` gives (line, cells) pairs, `text_only` when every
    cell is a string (CSV). Work is done a column at a time; only rows with problems are
    looked at one by one."""
    lines, kept = _fit(batch, rows, file, width)
    if not kept:
        return
    read_columns(batch, layout, lines, list(zip(*kept, strict=True)), file, cols, text_only)


def read_columns(batch: Batch, layout: Layout, lines: Sequence[int] | pl.Series,
                 columns: Sequence[Sequence[object] | pl.Series], file: str, cols: Sequence[int],
                 text_only: bool = False) -> None:
    """`read_rows` once the rows are columns (`columns[j]` holds column j's cells, a list or
    a polars String Series, `lines[i]` the line of row i). Two polars passes: the rows with
    their ids and flags, then together the rows missing an id, where each unit and period is
    first written, and the cells: a wide table's parsed a column at a time, side by side
    (`_wide`), then laid out in reading order (row by row, metrics in column order) by
    `Batch.take_wide`; a long table's in one long column (`_cells`, `Batch.cells_plan`)."""
    places = ([(layout.index["value"], None)] if layout.long
              else list(layout.metrics.items()))
    keys = [key for key in layout.index if key != "value"]
    data: dict[str, pl.Series] = {"line": pl.Series("line", lines, dtype=pl.Int64)}
    for key in keys:   # a cell that is not text (Excel) is said here, in column order
        j = layout.index[key]
        data[key] = pl.Series(key, columns[j], dtype=pl.String) if text_only \
            else _texts(batch, key, columns[j], file, lines, cols[j], False)
    for n, (j, _metric) in enumerate(places):
        if text_only:   # every cell text: no number column to build
            data[f"t{n}"] = pl.Series(f"t{n}", columns[j], dtype=pl.String)
        else:
            data[f"n{n}"], data[f"t{n}"] = split_cells(columns[j])
    nums = [pl.lit(None, pl.Float64) if text_only else pl.col(f"n{n}")
            for n in range(len(places))]
    frame = pl.DataFrame(data).lazy()
    if text_only:
        frame = frame.with_columns(_stripped(pl.col(key)).alias(key) for key in keys)
    filled = [pl.col(k).is_not_null() for k in keys] + [
        num.is_not_null() | pl.col(f"t{n}").str.strip_chars(SPACES).fill_null("").ne("")
        for n, num in enumerate(nums)]
    needed = [k for k in ("unit", "period", "metric") if k in keys]
    wide = by_columns(layout)
    # a wide column of digits alone (most of a national file) is read without the number
    # rule's regular expressions: which are, looked at before the cells are read
    rows, digits = pl.collect_all([frame.with_columns(
        missing=pl.any_horizontal([pl.col(k).is_null() for k in needed]),
        bad=pl.any_horizontal([pl.col(k).eq_missing(BAD) for k in keys])), frame.select(
            *((pl.col(f"t{n}").is_null() | batch.read_digits(pl.col(f"t{n}")).is_not_null())
              .all().alias(str(n)) for n in range(len(places) if wide else 0)))])
    # a blank row (nothing `filled`) misses its unit too: only the rows missing an id are
    # looked at for blanks, not every cell of the file
    gaps_plan = rows.filter("missing").lazy().filter(pl.any_horizontal(filled))
    kept = rows.lazy().filter(~(pl.col("missing") | pl.col("bad")))
    known = batch.known_metrics
    read = [(n, j, metric) for n, (j, metric) in enumerate(places)
            if metric is None or known is None or metric in known]
    # a wide table's rows each of another unit and period: its figures' keys all differ (its
    # metric columns do), which spares `merge` hashing them all (equal hashes: not shown)
    pair = pl.col("unit").hash(1) * 0x9E3779B97F4A7C15 + pl.col("period").hash(2)
    distinct = pl.lit(False) if layout.long else pair.n_unique() == pl.len()
    cells = [_wide(batch, kept, read, nums, keys, {int(n) for n, all_digits
                                                   in digits.row(0, named=True).items()
                                                   if all_digits} if digits.width else set())
             ] if wide else batch.cells_plan(
        _cells(kept, read, nums, keys, file, cols), unknown=layout.long)
    gaps, unit_firsts, period_firsts, unique, *found = pl.collect_all([
        gaps_plan.select("line", *needed),
        *(kept.group_by(key, maintain_order=True).agg(pl.col("line").first())
          for key in ("unit", "period")), kept.select(distinct=distinct), *cells])
    for row in gaps.iter_rows(named=True):
        for key in needed:
            if row[key] is None:
                batch.error("DAT08", _("the row has no {key}").format(key=key),
                            Position(file, row["line"], cols[layout.index[key]]))
    for key, first in (("unit", unit_firsts), ("period", period_firsts)):
        batch.place_firsts(key, first, file, cols[layout.index[key]])
    if not layout.long and unit_firsts.height:   # a wide column of a metric not in the ruleset:
        line = unit_firsts.item(0, "line")      # its first cell is on the first row read
        for j, metric in layout.metrics.items():
            if known is not None and metric not in known:
                batch.unknown_metrics.setdefault(metric, Position(file, line, cols[j]))
    if not wide:
        batch.take_cells(*found, distinct=unique.item())
    else:
        batch.take_wide(found[0], [(metric or "", cols[j]) for _n, j, metric in read], file,
                        distinct=unique.item())


def by_columns(layout: Layout) -> bool:
    """Whether the cells are read a column at a time (`_wide`: a wide table's columns each
    of one metric) rather than as one long column of cells (`_cells`, `Batch.cells_plan`),
    which reads any table the same way (a law in the tests holds them to each other)."""
    return not layout.long


def _stripped(text: pl.Expr) -> pl.Expr:
    """A text cell without its spaces, null when nothing is left."""
    text = text.str.strip_chars()
    return pl.when(text != "").then(text)


def _cells(kept: pl.LazyFrame, read: Sequence[tuple[int, int, str | None]],
           nums: Sequence[pl.Expr], keys: Sequence[str], file: str, cols: Sequence[int]
           ) -> pl.LazyFrame:
    """The kept rows' cells (CELLS) of the columns `read` ((n, j, metric): the n-th place,
    column j), row by row, metrics in column order: one piece per column, concatenated in
    column order, then a stable sort on the line alone (a sort on line and column costs
    ten times as much and gives the same order: the pieces are in column order)."""
    source = pl.col("source") if "source" in keys else pl.lit(None, pl.String)
    pieces = [kept.select(
        "unit", "period",
        metric=pl.lit(metric, pl.String) if metric is not None else pl.col("metric"),
        file=pl.lit(file), line="line", col=pl.lit(cols[j], pl.Int64), source=source,
        num=nums[n], text=f"t{n}") for n, j, metric in read]
    if not pieces:
        return kept.select(**{k: pl.lit(None, t) for k, t in CELLS.items()}).clear()
    return pl.concat(pieces).sort("line", maintain_order=True) if len(pieces) > 1 \
        else pieces[0]


def _wide(batch: Batch, kept: pl.LazyFrame, read: Sequence[tuple[int, int, str | None]],
          nums: Sequence[pl.Expr], keys: Sequence[str], digits: Collection[int] = ()
          ) -> pl.LazyFrame:
    """The kept rows of a wide table as `Batch.take_wide` takes them: each metric column's
    texts read by `Batch.read_number` (those it refuses stripped and read again), then
    ruled by `Batch.column_rule`, a column at a time (not one long column of all the cells:
    the columns are read side by side). A column among `digits` (its texts all digits
    alone) is read by `Batch.read_digits`, which reads those as `read_number` does: none
    is refused, none stripped."""
    k = range(len(read))
    frame = kept.select(
        "line", "unit", "period",
        (pl.col("source") if "source" in keys else pl.lit(None, pl.String)).alias("source"),
        *(nums[n].alias(f"n{i}") for i, (n, _j, _m) in enumerate(read)),
        *(pl.col(f"t{n}").alias(f"t{i}") for i, (n, _j, _m) in enumerate(read)),
        *((batch.read_digits if n in digits else batch.read_number)(pl.col(f"t{n}"))
          .alias(f"f{i}") for i, (n, _j, _m) in enumerate(read)))
    # a text the rule reads as it stands reads the same stripped: only the others are
    # stripped and read again (most cells of a file are plain figures)
    frame = frame.with_columns(
        (pl.lit(None, pl.String) if n in digits else pl.when(pl.col(f"f{i}").is_null())
         .then(pl.col(f"t{i}")).str.strip_chars(STRIP)).alias(f"q{i}")
        for i, (n, _j, _m) in enumerate(read))
    frame = frame.with_columns(
        *(pl.coalesce(f"n{i}", f"f{i}", *([] if n in digits else
                                          [batch.read_number(pl.col(f"q{i}"))])).alias(f"v{i}")
          for i, (n, _j, _m) in enumerate(read)),
        *(pl.coalesce(f"q{i}", f"t{i}").alias(f"s{i}") for i in k))
    frame = frame.with_columns(batch.column_rule(pl.col(f"n{i}"), pl.col(f"s{i}"),
                                                 pl.col(f"v{i}"), metric or "").alias(f"x{i}")
                               for i, (_n, _j, metric) in enumerate(read))
    return frame.with_columns(slow=pl.any_horizontal(f"x{i}" for i in k) if read
                              else pl.lit(False))


def _fit(batch: Batch, rows: Iterable[tuple[int, Sequence[object]]], file: str, width: int
         ) -> tuple[list[int], list[Sequence[object]]]:
    """Lines and rows of exactly `width` cells: short rows padded with empty cells; long ones
    refused unless the extra cells are empty."""
    rows = list(rows)
    if set(map(len, (cells for _, cells in rows))) == {width}:
        return [line for line, _ in rows], [cells for _, cells in rows]
    lines: list[int] = []
    kept: list[Sequence[object]] = []
    for line, cells in rows:
        if len(cells) != width:
            if len(cells) > width and not all(_empty(c) for c in cells[width:]):
                batch.error("DAT07", _("the row has {n} cells but the header only {width}").format(
                                       n=len(cells), width=width), Position(file, line),
                            _("quote cells that contain the separator"))
                continue
            cells = [*cells[:width], *[None] * (width - len(cells))]
        lines.append(line)
        kept.append(cells)
    return lines, kept


def _texts(batch: Batch, key: str, column: Sequence[object] | pl.Series, file: str,
           lines: Sequence[int] | pl.Series, col: int, text_only: bool) -> pl.Series:
    """An identifier column as text, null where empty and BAD where the cell is not text."""
    if text_only or all(v is None or v.__class__ is str for v in column):
        return pl.select(_stripped(pl.lit(pl.Series(key, column, dtype=pl.String)))
                         .alias(key)).to_series()
    out: list[str | None] = []
    for line, cell in zip(lines, column, strict=True):
        try:
            out.append(cell_text(cell))
        except ValueError:
            hint = (_("Excel turned it into a date: format the column as Text and type the "
                      "period again, e.g. 2024-03") if isinstance(cell, date) else None)
            batch.error("DAT08", _("'{key}' must be text, got {cell!r}").format(
                                   key=key, cell=cell), Position(file, line, col),
                        hint)
            out.append(BAD)
    return pl.Series(key, out, dtype=pl.String)
