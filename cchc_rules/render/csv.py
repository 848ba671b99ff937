"""Render stage: one CSV row per result (`--format csv`), written by polars for speed;
`--what scores|groups|rankings` writes that spec §7 list instead.

Columns are the results frame's (docs/architecture.md) plus the target's title, and
`in_progress` (true on the results of a period not ended, REC12) when a period is; empty cells
are values that do not exist (no data, no trajectory), never zeros. A text cell that would
start a spreadsheet formula (=, +, -, @, tab, CR) is written with a leading ' (OWASP).
"""
from __future__ import annotations

import io
from typing import Any, BinaryIO

import polars as pl

from ..evaluation.result import PUBLIC_OPTIONAL, Evaluation
from ..evaluation.survey import with_margins
from ..present import FORMULA_STARTS, spreadsheet_safe


def _frame(evaluation: Evaluation, safe: bool = True,
           rows: pl.DataFrame | None = None) -> pl.DataFrame:
    """The CSV's columns for `rows` (by default every result)."""
    titles = {t.id: t.title for t in evaluation.ruleset.model.targets}
    if safe:
        titles = {tid: _safe(title) for tid, title in titles.items()}
    # One copy of each title (an enum), not one per result row: a national run has 1.6 M.
    frame = with_margins(evaluation, evaluation.results if rows is None else rows)
    frame = frame.with_columns(_titles(frame["target"], titles))
    running = evaluation.in_progress
    if running:   # results of periods not ended (REC12): marked as the JSON marks them
        frame = frame.with_columns(pl.col("period").cast(pl.String).is_in(running)
                                   .alias("in_progress"))
    # the v3 optional fields under their public names (JSON's `reason`, `covers`, …)
    frame = frame.rename({k: v for k, v in PUBLIC_OPTIONAL.items() if k in frame.columns})
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
    risky += _risky_labels(frame, labels)
    return frame.with_columns(spreadsheet_safe(pl.col(name).cast(pl.String)).alias(name)
                              for name, found in zip(texts + labels, risky, strict=True)
                              if found)


def _titles(target: pl.Series, titles: dict[str, str]) -> pl.Series:
    """Each result's target title (`titles`: by target id), an enum of the titles. A
    Categorical target's few category texts are mapped and its codes look them up: a
    replace per row hashes every result's text (19 ms a national run)."""
    kind = pl.Enum(sorted(set(titles.values())))
    if target.dtype == pl.Categorical:
        words = target.dtype.categories.to_series()   # type: ignore[attr-defined]
        return words.replace_strict(titles, default=None, return_dtype=kind) \
            .gather(target.to_physical()).alias("title")
    return target.replace_strict(titles, default=None, return_dtype=kind).alias("title")


def as_texts(column: pl.Series) -> pl.Series:
    """A Categorical column as String: its category texts looked up by code (a cast does
    the work per row: 12 ms for a national run's reasons). A column of nulls (`covers` on
    nearly every run) is one without a look-up."""
    if column.null_count() == column.len():
        return pl.repeat(None, column.len(), dtype=pl.String, eager=True).alias(column.name)
    words = column.dtype.categories.to_series()   # type: ignore[attr-defined]
    return words.gather(column.to_physical()).alias(column.name)


def _risky_labels(frame: pl.DataFrame, labels: list[str]) -> list[bool]:
    """Whether each Categorical column of `labels` has a cell that would start a formula.
    Every text its categories hold (the process's category list, a few thousand texts,
    looked at once) is enough when none is risky, the usual case; else the column's
    distinct texts are looked at (a hash of each row: 0.02 s a national slice)."""
    anywhere: dict[tuple, bool] = {}
    found = []
    for name in labels:
        categories = frame.schema[name].categories   # type: ignore[attr-defined]
        key = (categories.namespace(), categories.name())
        if key not in anywhere:
            words = categories.to_series()
            anywhere[key] = words.to_frame("w").select(_risky(pl.col("w")).any()).item()
        found.append(anywhere[key] and frame[name].unique().to_frame().select(
            _risky(pl.col(name).cast(pl.String)).any()).item())
    return found


def _risky(text: pl.Expr) -> pl.Expr:
    return pl.any_horizontal(text.str.starts_with(start) for start in FORMULA_STARTS)


def _safe(text: str) -> str:
    """spreadsheet_safe for one text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def chosen_frame(evaluation: Evaluation, what: str | None, safe: bool = True
                 ) -> pl.DataFrame:
    """`what`: None or "results" (the result rows), or a §7 list: scores, groups, rankings
    (an empty list when the ruleset has no scoring). `safe`: text cells that would start a
    spreadsheet formula get a leading ' (the result rows; the §7 lists have their own)."""
    if what in (None, "results"):
        return _frame(evaluation, safe)
    from .scores import csv_frame
    scores, scoring = evaluation.scores(), evaluation.ruleset.model.scoring
    if scores is None or scoring is None:   # both or neither
        from ..score.points import GROUP_SCHEMA, RANKING_SCHEMA, SCORE_SCHEMA
        schema = {"scores": SCORE_SCHEMA, "groups": GROUP_SCHEMA, "rankings": RANKING_SCHEMA}
        return pl.DataFrame(schema=schema[what])
    titles = {i.id: i.title for i in scoring.indicators}
    return csv_frame(scores, what, titles)


def result_frame(evaluation: Evaluation, rows: int | None = None) -> pl.DataFrame:
    """Every result row with its CSV columns, texts as they are (not spreadsheet-safe), built
    from `Evaluation.result_slices`: label columns Categorical, no String copy of them. With
    `rows`, built about that many results a slice and kept as one chunk per slice (each
    slice's working memory is the next one's: no copy of the whole into one chunk)."""
    return pl.concat([_frame(evaluation, safe=False, rows=part)
                      for part in evaluation.result_slices(rows)], rechunk=False)


# About this many results a slice: the CSV's text of 1.6 M national results in one piece
# peaked at 532–557 MiB, over issue 13's 500 MiB; three slices peak at 385–413 MiB (the plan
# decided once for every row, 53 MB, each slice laid out from its part: bench/FINDINGS.md).
SLICE = 600_000


def write(evaluation: Evaluation, out: BinaryIO, *, what: str | None = None,
          **_options: Any) -> None:
    """The CSV, UTF-8, straight to a binary stream; the result rows as they come
    (`Evaluation.result_slices`), the header once. A cell's text depends on its row only,
    so the slices' CSVs end to end are the whole frame's CSV."""
    if what not in (None, "results"):
        chosen_frame(evaluation, what).write_csv(out)
        return
    for i, rows in enumerate(evaluation.result_slices(SLICE)):
        _frame(evaluation, rows=rows).write_csv(out, include_header=i == 0)


def render(evaluation: Evaluation, *, what: str | None = None, **_options: Any) -> str:
    out = io.BytesIO()
    write(evaluation, out, what=what)
    return out.getvalue().decode("utf-8")
