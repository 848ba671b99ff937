"""Data stage: a table of cells (a CSV file or a spreadsheet) into figures, long or wide.

Long tables have `unit, period, metric, value[, source]`; wide ones `unit, period[, source]` and
one column per metric, where an empty cell is a missing figure, not zero.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import get_close_matches

from ..errors import Position
from .batch import Batch, cell_text

LONG = ("unit", "period", "metric", "value", "source")
HEADER_HINT = ("the first row names the columns: unit, period, then one column per metric "
               "(wide) or metric, value (long); source is optional")


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
    for j, cell in enumerate(header):
        pos = Position(file, line, cols[j])
        try:
            name = cell_text(cell)
        except ValueError:
            name = str(cell)
        if name is None:
            if any(j < len(row) and not _empty(row[j]) for row in rows):
                batch.error("DAT05", f"column {j + 1} has figures but no name", pos, HEADER_HINT)
                ok = False
            continue
        if name.lower() in index or name in metrics.values():
            batch.error("DAT05", f"column '{name}' appears twice in the header", pos)
            ok = False
        elif name.lower() in LONG:
            index[name.lower()] = j
        else:
            metrics[j] = name
    where = Position(file, line, cols[0] if cols else 0)
    for need in ("unit", "period"):
        if need not in index:
            close = get_close_matches(need, list(metrics.values()), n=1, cutoff=0.6)
            batch.error("DAT06", f"the header has no '{need}' column", where,
                        f"rename the column '{close[0]}' to '{need}'" if close else HEADER_HINT)
            ok = False
    if "metric" in index or "value" in index:
        for need in ("metric", "value"):
            if need not in index:
                batch.error("DAT06", f"a long table needs a '{need}' column too", where,
                            HEADER_HINT)
                ok = False
        for j, name in metrics.items():
            batch.error("DAT05", f"unexpected column '{name}' in a long table", Position(
                file, line, cols[j]), "a long table has unit, period, metric, value, source")
            ok = False
    elif not metrics:
        batch.error("DAT06", "the header names no metric columns", where, HEADER_HINT)
        ok = False
    return Layout(index, metrics) if ok else None


def read_rows(batch: Batch, layout: Layout, rows: Iterable[tuple[int, Sequence[object]]],
              file: str, cols: Sequence[int], width: int) -> None:
    """Every data row into `batch`; `rows` gives (line, cells) pairs."""
    at = layout.index
    for line, cells in rows:
        if all(_empty(c) for c in cells):
            continue
        if len(cells) > width and not all(_empty(c) for c in cells[width:]):
            batch.error("DAT07", f"the row has {len(cells)} cells but the header only {width}",
                        Position(file, line), "quote cells that contain the separator")
            continue
        names = {}
        for key in ("unit", "period", "source", "metric"):
            j = at.get(key)
            if j is None:
                continue
            cell = cells[j] if j < len(cells) else None
            try:
                names[key] = cell_text(cell)
            except ValueError:
                batch.error("DAT08", f"'{key}' must be text, got {cell!r}",
                            Position(file, line, cols[j]))
                names[key] = ""
            if names[key] is None and key != "source":
                batch.error("DAT08", f"the row has no {key}", Position(file, line, cols[j]))
        unit, period, source = names.get("unit"), names.get("period"), names.get("source")
        if not unit or not period or ("metric" in at and not names.get("metric")):
            continue
        if layout.long:
            j = at["value"]
            batch.add(unit, period, names["metric"], cells[j] if j < len(cells) else None,
                      file, line, cols[j], source)
            continue
        for j, metric in layout.metrics.items():
            if j < len(cells):
                batch.add(unit, period, metric, cells[j], file, line, cols[j], source)
