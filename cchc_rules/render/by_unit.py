"""Render stage: text documents grouped by unit (table, junit), written a slice at a time.

A national run has over a million rows. The table and the JUnit XML list them per unit
(units sorted, a unit's rows in frame order), each unit opened and closed by a few lines of
its own. Rows are turned into lines by polars over slices of whole units and written
straight to the output; the first row of a unit carries its opening and the last its
closing, so the document's text is never all in memory and nothing is sorted but the
(already sorted) units.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

import polars as pl

CHUNK = 200_000  # rows turned into lines per step (whole units)


def by_unit(frame: pl.DataFrame, labels: Iterable[str], columns: Iterable[str] | None = None
            ) -> pl.DataFrame:
    """`frame` (its `columns` only, when given) with its `labels` columns as text (they may
    be categorical), sorted by unit, stably: a unit's rows keep their order."""
    if columns is not None:
        frame = frame.select(c for c in columns if c in frame.columns)
    frame = frame.with_columns(pl.col(c).cast(pl.String) for c in labels if c in frame.columns)
    return frame if frame["unit"].is_sorted() else frame.sort("unit", maintain_order=True)


def _slices(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """`frame` (sorted by unit) in slices of about CHUNK rows, each of whole units."""
    start, end = 0, 0
    for length in frame["unit"].rle().struct.field("len").to_list():
        end += length
        if end - start >= CHUNK:
            yield frame.slice(start, end - start)
            start = end
    if end > start:
        yield frame.slice(start, end - start)


def write_units(out: BinaryIO, frame: pl.DataFrame, units: Iterable[str],
                opening: dict[str, str], closing: dict[str, str],
                lines: Callable[[pl.DataFrame], pl.DataFrame]) -> None:
    """Each of `units` (sorted), UTF-8, to `out`: its opening text, the lines of its rows in
    `frame` (sorted by unit), its closing text. `lines(slice)` gives a slice's `unit` and
    `line` columns, one row each; openings and closings end with a newline."""
    with_rows = set(frame["unit"].unique().to_list())
    # What follows a unit's last row: its closing, then every unit up to the next one with
    # rows (those are an opening and a closing only).
    after: dict[str, str] = {}
    pending: list[str] = []
    last = None
    for unit in [*units, None]:
        if unit is None or unit in with_rows:
            if last is None:
                out.write("".join(pending).encode("utf-8"))
            else:
                after[last] = "".join([closing[last], *pending])
            pending, last = [], unit
        else:
            pending.append(opening[unit] + closing[unit])
    if not after:
        return
    ends = pl.DataFrame({"unit": list(after), "_open": [opening[u] for u in after],
                         "_close": [text[:-1] for text in after.values()]})
    unit_col = pl.col("unit")
    for rows in _slices(frame):
        lines(rows).join(ends, on="unit", maintain_order="left").select(pl.concat_str([
            pl.when(unit_col.is_first_distinct()).then(pl.col("_open")).otherwise(pl.lit("")),
            pl.col("line"),
            pl.when(unit_col.is_last_distinct()).then(pl.concat_str([pl.lit("\n"), "_close"]))
            .otherwise(pl.lit(""))])
        ).write_csv(out, include_header=False, quote_style="never")
