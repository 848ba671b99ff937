"""Render stage: the spec §4 JSON document (`--format json`).

Keys sorted, one record per line, no timestamps: the same input gives the same bytes.
Records are written by polars string expressions (each distinct text JSON-encoded once by
the json module), so a national run of 1.6 M results takes seconds, not minutes; one record
per line keeps that output a third of the size of indented fields, and greppable.
"""
from __future__ import annotations

import json
from typing import Any

import polars as pl

from ..result import Evaluation

TEXT_FIELDS = ("target", "unit", "period", "metric", "area", "level", "status", "op",
               "deadline", "baseline_period", "check")
NUMBER_FIELDS = ("actual", "expected", "gap", "needed", "baseline_value", "weight",
                 "milestone", "left", "right")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)


def _number(column: str) -> pl.Expr:
    """Like result.number(): null for missing/NaN/inf, 9 decimals, 50.0 written 50."""
    value = pl.col(column).cast(pl.Float64)
    rounded = value.round(9)
    whole = (rounded == rounded.floor()) & (rounded.abs() < 2.0**53)
    return (pl.when(value.is_null() | ~value.is_finite()).then(pl.lit("null"))
            .when(whole).then(rounded.cast(pl.Int64).cast(pl.String))
            .otherwise(rounded.cast(pl.String)))


def _text(frame: pl.DataFrame, column: str, mapping: dict | None = None) -> pl.Expr:
    """Each distinct text of `column` encoded by json.dumps, looked up per row."""
    if mapping is None:
        mapping = {v: v for v in frame[column].unique().to_list() if v is not None}
    encoded = {key: _dumps(text) for key, text in mapping.items()}
    return pl.col(column).replace_strict(encoded, default=None, return_dtype=pl.String) \
        .fill_null("null")


def _lines(frame: pl.DataFrame, fields: dict[str, pl.Expr]) -> str:
    """The frame's rows as JSON objects, one per line, keys sorted, inside a JSON array."""
    if not frame.height:
        return "[]"
    parts: list[pl.Expr] = []
    for i, key in enumerate(sorted(fields)):
        parts += [pl.lit(("{" if i == 0 else ", ") + _dumps(key) + ": "), fields[key]]
    parts.append(pl.lit("}"))
    body = frame.select(pl.concat_str(parts).str.join(",\n    "))[0, 0]
    return "[\n    " + body + "\n  ]"


def results_json(evaluation: Evaluation) -> str:
    frame = evaluation.results
    fields = {c: _text(frame, c) for c in frame.columns if c in TEXT_FIELDS}
    fields |= {c: _number(c) for c in frame.columns if c in NUMBER_FIELDS}
    low, high = _number("threshold"), _number("threshold_high")
    fields["threshold"] = pl.when(pl.col("threshold_high").is_null()).then(low) \
        .otherwise(pl.concat_str([pl.lit("["), low, pl.lit(", "), high, pl.lit("]")]))
    titles = {t.id: t.title for t in evaluation.ruleset.model.targets}
    fields["title"] = _text(frame, "target", titles)
    return _lines(frame, fields)


def checks_json(evaluation: Evaluation) -> str:
    frame = evaluation.checks
    fields = {c: _text(frame, c) if c in TEXT_FIELDS else _number(c) for c in frame.columns}
    return _lines(frame, fields)


def document(evaluation: Evaluation) -> dict[str, Any]:
    """The top-level fields besides the result and check lists."""
    model = evaluation.ruleset.model
    return {"ruleset": model.ruleset, "title": model.title,
            "summary": evaluation.summary(), "check_summary": evaluation.check_summary()}


def render(evaluation: Evaluation, **_options: Any) -> str:
    parts = {key: _dumps(value) for key, value in document(evaluation).items()}
    parts["results"] = results_json(evaluation)
    parts["checks"] = checks_json(evaluation)
    body = ",\n".join(f"  {_dumps(key)}: {parts[key]}" for key in sorted(parts))
    return "{\n" + body + "\n}\n"
