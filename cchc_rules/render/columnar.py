"""Render stage: the CSV's rows as a typed file for DuckDB, BI tools and warehouses:
`--format parquet` (Apache Parquet, zstd) and `--format arrow` (Arrow IPC file).

Same columns as `--format csv` (and `--what` picks the same lists); numbers stay numbers and
empty cells are nulls. Texts are written as they are: the leading ' that keeps a spreadsheet
from reading a CSV cell as a formula has no reason to be in a typed column.
"""
from __future__ import annotations

import io
import json
from typing import Any, BinaryIO

import polars as pl

from ..evaluation.result import Evaluation
from .csv import SLICE, as_texts, chosen_frame, result_frame
from .json import diagnostics

# Repeated texts (unit, target, status, …) stored once per file, indexed per row.
REPEATED = ("target", "unit", "period", "metric", "area", "level", "status", "op", "deadline",
            "baseline_period", "origin", "title")


# The results' Parquet row groups: at most this many rows, split as equally as whole groups
# allow, written explicitly because polars groups a frame of several chunks (the slices)
# by its chunks. It is polars' own default for a frame of one chunk at national size (13
# groups of 123,877: the file of before, byte for byte) and at any multiple of it; where
# polars folds a short remainder into the last group (140,000 rows: one group), ours does
# not (two), which moves no value (tests/render/test_render_csv_slices.py).
ROW_GROUP = 128 * 1024


def row_groups(height: int) -> int:
    """The rows of each Parquet row group of `height` result rows (the last may be shorter)."""
    groups = max(1, -(-height // ROW_GROUP))
    return max(1, -(-height // groups))


def _typed(evaluation: Evaluation, what: str | None, slices: bool = False) -> pl.DataFrame:
    """The chosen rows with their label columns Categorical. The result rows come from the
    evaluation's compact slices (labels already Categorical), never from a String frame:
    with `slices`, a chunk a slice (for Parquet, written in `row_groups`); else one chunk,
    as the whole String frame was (an Arrow file's record batches follow the chunks)."""
    if what in (None, "results"):
        # the slices' other label columns (reason, covers) are texts, as they were
        frame = result_frame(evaluation, SLICE) if slices else \
            result_frame(evaluation).rechunk()
        frame = frame.with_columns(as_texts(frame[name]) for name, dtype in frame.schema.items()
                                   if dtype == pl.Categorical and name not in REPEATED)
    else:
        frame = chosen_frame(evaluation, what, safe=False)
    return frame.with_columns(pl.col(name).cast(pl.Categorical) for name in REPEATED
                              if frame.schema.get(name) == pl.String)


def _write(out: BinaryIO, save) -> None:
    """`save(stream)`, straight to `out` when it can seek (a file), else through memory (a
    pipe: both formats end with a footer that points back into the file)."""
    try:
        seekable = out.seekable()
    except (AttributeError, ValueError):
        seekable = False
    if seekable:
        save(out)
        return
    buffer = io.BytesIO()
    save(buffer)
    out.write(buffer.getbuffer())


def _notes(evaluation: Evaluation) -> dict[str, str]:
    """The run's warnings and data-quality counts, as the JSON's `diagnostics`: what both
    formats carry in their metadata under `cchc:diagnostics`."""
    return {"cchc:diagnostics": json.dumps(diagnostics(evaluation), ensure_ascii=False,
                                           sort_keys=True)}


def write_parquet(evaluation: Evaluation, out: BinaryIO, *, what: str | None = None,
                  **_options: Any) -> None:
    # The results built a slice at a time, each reusing the last one's working memory: a
    # national run's long frame in one piece touched 62 k fresh pages (~0.2 s on a machine
    # where a page fault costs 3 µs). Written in the row groups one chunk would have had:
    # the same file, byte for byte.
    frame = _typed(evaluation, what, slices=True)
    groups = row_groups(frame.height) if what in (None, "results") else None
    # in the file's key-value metadata (pyarrow: pq.read_metadata(f).metadata)
    notes = _notes(evaluation)
    _write(out, lambda stream: frame.write_parquet(stream, compression="zstd", metadata=notes,
                                                   row_group_size=groups))


def write_arrow(evaluation: Evaluation, out: BinaryIO, *, what: str | None = None,
                **_options: Any) -> None:
    import pyarrow as pa
    # in the schema's metadata (pyarrow: pa.ipc.open_file(f).schema.metadata); polars'
    # write_ipc writes none, so pyarrow writes the file from the same columns
    table = _typed(evaluation, what).to_arrow()
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           **_notes(evaluation)})

    def save(stream) -> None:
        options = pa.ipc.IpcWriteOptions(compression="zstd")
        with pa.ipc.new_file(stream, table.schema, options=options) as writer:
            writer.write_table(table)
    _write(out, save)
