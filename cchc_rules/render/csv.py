"""Render stage: one CSV row per result (`--format csv`), written by polars for speed;
`--what scores|groups|rankings` writes that spec §7 list instead.

Columns are the results frame's (docs/architecture.md) plus the target's title; empty cells
are values that do not exist (no data, no trajectory), never zeros. A text cell that would
start a spreadsheet formula (=, +, -, @, tab, CR) is written with a leading ' (OWASP).
"""
from __future__ import annotations

from typing import Any, BinaryIO

import polars as pl

from ..present import FORMULA_STARTS, spreadsheet_safe
from ..result import Evaluation


def _frame(evaluation: Evaluation, safe: bool = True, compact: bool = False) -> pl.DataFrame:
    titles = {t.id: t.title for t in evaluation.ruleset.model.targets}
    if safe:
        titles = {tid: _safe(title) for tid, title in titles.items()}
    # One copy of each title (an enum), not one per result row: a national run has 1.6 M.
    rows = evaluation.compact_results() if compact else evaluation.results
    frame = rows.with_columns(
        pl.col("target").replace_strict(titles, default=None,
                                        return_dtype=pl.Enum(sorted(set(titles.values()))))
        .alias("title"))
    if not safe:
        return frame
    # Text columns only: numbers stay numbers, a negative gap is not a formula. Only the
    # columns that have such a cell are rewritten (each rewrite copies the column).
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    labels = [name for name, dtype in frame.schema.items() if dtype == pl.Categorical]
    if not texts + labels or not frame.height:
        return frame
    risky = list(frame.select(_risky(pl.col(name)).any() for name in texts).row(0)) \
        if texts else []
    # a Categorical column: its distinct texts are enough to look at
    risky += [frame[name].unique().to_frame().select(_risky(pl.col(name).cast(pl.String))
                                                     .any()).item() for name in labels]
    return frame.with_columns(spreadsheet_safe(pl.col(name).cast(pl.String)).alias(name)
                              for name, found in zip(texts + labels, risky, strict=True)
                              if found)


def _risky(text: pl.Expr) -> pl.Expr:
    return pl.any_horizontal(text.str.starts_with(start) for start in FORMULA_STARTS)


def _safe(text: str) -> str:
    """spreadsheet_safe for one text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def chosen_frame(evaluation: Evaluation, what: str | None, safe: bool = True,
                 compact: bool = False) -> pl.DataFrame:
    """`what`: None or "results" (the result rows), or a §7 list: scores, groups, rankings
    (an empty list when the ruleset has no scoring). `safe`: text cells that would start a
    spreadsheet formula get a leading ' (the result rows; the §7 lists have their own).
    `compact`: the result rows with Categorical labels, built for this call only (a writer
    of text, where a label reads the same either way)."""
    if what in (None, "results"):
        return _frame(evaluation, safe, compact)
    from .scores import csv_frame
    scores = evaluation.scores()
    if scores is None:
        from ..scoring import GROUP_SCHEMA, RANKING_SCHEMA, SCORE_SCHEMA
        schema = {"scores": SCORE_SCHEMA, "groups": GROUP_SCHEMA, "rankings": RANKING_SCHEMA}
        return pl.DataFrame(schema=schema[what])
    titles = {i.id: i.title for i in evaluation.ruleset.model.scoring.indicators}
    return csv_frame(scores, what, titles)


def write(evaluation: Evaluation, out: BinaryIO, *, what: str | None = None,
          **_options: Any) -> None:
    """The CSV, UTF-8, straight to a binary stream."""
    chosen_frame(evaluation, what, compact=True).write_csv(out)


def render(evaluation: Evaluation, *, what: str | None = None, **_options: Any) -> str:
    return chosen_frame(evaluation, what, compact=True).write_csv()
