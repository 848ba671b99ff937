"""Render stage: every output format, each a function of one `Evaluation`.

`FORMATS[name](evaluation, lang=..., fail_on=..., color=...)` returns the whole text;
`write(name, evaluation, out, ...)` sends it to a binary stream, straight from polars for
json and csv (national runs). html.py and pdf.py (reports) build on the same record model.
"""
from __future__ import annotations

from typing import Any, BinaryIO

from . import columnar, csv, json, junit, table

FORMATS = {"table": table.render, "json": json.render, "csv": csv.render,
           "junit": junit.render}
_WRITERS = {"table": table.write, "json": json.write, "csv": csv.write, "junit": junit.write,
            "parquet": columnar.write_parquet, "arrow": columnar.write_arrow}


def write(name: str, evaluation, out: BinaryIO, **options: Any) -> None:
    """Format `name` of `evaluation`, UTF-8, to the binary stream `out`."""
    if name in _WRITERS:
        _WRITERS[name](evaluation, out, **options)
    else:
        out.write(FORMATS[name](evaluation, **options).encode("utf-8"))
