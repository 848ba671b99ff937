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
from .csv import as_texts, chosen_frame, result_frame
from .json import diagnostics

# Repeated texts (unit, target, status, …) stored once per file, indexed per row.
REPEATED = ("target", "unit", "period", "metric", "area", "level", "status", "op", "deadline",
            "baseline_period", "origin", "title")


def _typed(evaluation: Evaluation, what: str | None) -> pl.DataFrame:
    """The chosen rows with their label columns Categorical. The result rows come from the
    evaluation's compact slices (labels already Categorical), never from a String frame."""
    if what in (None, "results"):
        # one chunk, as the whole String frame was: Parquet's row groups (and bytes) stay
        # the same; the slices' other label columns (reason, covers) are texts, as they were
        frame = result_frame(evaluation).rechunk()
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
    frame = _typed(evaluation, what)
    # in the file's key-value metadata (pyarrow: pq.read_metadata(f).metadata)
    notes = _notes(evaluation)
    _write(out, lambda stream: frame.write_parquet(stream, compression="zstd",
                                                   metadata=notes))


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
