"""Render stage: one CSV row per result (`--format csv`), written by polars for speed.

Columns are the results frame's (docs/architecture.md) plus the target's title; empty cells
are values that do not exist (no data, no trajectory), never zeros.
"""
from __future__ import annotations

from typing import Any

import polars as pl

from ..result import Evaluation


def render(evaluation: Evaluation, **_options: Any) -> str:
    titles = {t.id: t.title for t in evaluation.ruleset.model.targets}
    frame = evaluation.results.with_columns(
        pl.col("target").replace_strict(titles, default=None, return_dtype=pl.String)
        .alias("title"))
    return frame.write_csv(float_precision=None)
