"""Render stage: one CSV row per result (`--format csv`), written by polars for speed.

Columns are the results frame's (docs/architecture.md) plus the target's title; empty cells
are values that do not exist (no data, no trajectory), never zeros. A text cell that would
start a spreadsheet formula (=, +, -, @, tab, CR) is written with a leading ' (OWASP).
"""
from __future__ import annotations

from typing import Any, BinaryIO

import polars as pl

from ..present import spreadsheet_safe
from ..result import Evaluation


def _frame(evaluation: Evaluation) -> pl.DataFrame:
    titles = {t.id: t.title for t in evaluation.ruleset.model.targets}
    frame = evaluation.results.with_columns(
        pl.col("target").replace_strict(titles, default=None, return_dtype=pl.String)
        .alias("title"))
    # Text columns only: numbers stay numbers, a negative gap is not a formula.
    return frame.with_columns(spreadsheet_safe(pl.col(name)).alias(name)
                              for name, dtype in frame.schema.items() if dtype == pl.String)


def write(evaluation: Evaluation, out: BinaryIO, **_options: Any) -> None:
    """The CSV, UTF-8, straight to a binary stream."""
    _frame(evaluation).write_csv(out)


def render(evaluation: Evaluation, **_options: Any) -> str:
    return _frame(evaluation).write_csv()
