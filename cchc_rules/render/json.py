"""Render stage: the spec §4 JSON document (`--format json`).

Keys sorted, one record per line, no timestamps: the same input gives the same bytes.
Records are written by polars string expressions (each distinct text JSON-encoded once by
the json module) straight to the output, so a national run of 1.6 M results takes seconds,
not minutes; one record per line keeps it a third of the size of indented fields.
"""
from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Any, BinaryIO

import polars as pl

from ..evaluation.result import PUBLIC_OPTIONAL, Evaluation
from ..evaluation.survey import with_margins
from ..present import number_text

if TYPE_CHECKING:  # the scoring's modules load only when a run scores (start-up, issue 28)
    from ..score.points import WideList

TEXT_FIELDS = ("target", "unit", "period", "metric", "area", "level", "status", "op",
               "deadline", "baseline_period", "check", "origin", "indicator", "group",
               "band", "inherited_from", "version")
CHUNK = 200_000  # records rendered per step
# Result fields written only on the results that have them (v3), under their public name.
OPTIONAL_FIELDS = PUBLIC_OPTIONAL
NUMBER_FIELDS = ("actual", "expected", "gap", "needed", "baseline_value", "weight",
                 "milestone", "left", "right")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)


def _number(column: str) -> pl.Expr:
    return number_text(pl.col(column))


def _text(frame: pl.DataFrame, column: str, mapping: dict | None = None) -> pl.Expr:
    """Each distinct text of `column` encoded by json.dumps, looked up per row."""
    if mapping is None:
        mapping = {v: v for v in frame[column].unique().to_list() if v is not None}
    encoded = {key: _dumps(text) for key, text in mapping.items()}
    return pl.col(column).replace_strict(encoded, default=None, return_dtype=pl.String) \
        .fill_null("null")


def _record(fields: Mapping[str, pl.Expr | str],
            optional: Mapping[str, pl.Expr] | None = None) -> list[pl.Expr | str]:
    """The parts of one JSON object per row, keys sorted: a field is an expression of its
    JSON text or, when the same on every row, that text. An `optional` field (its JSON text,
    null where the row has none) is written only on the rows that have it; the first key
    is never optional."""
    parts: list[pl.Expr | str] = []
    optional = optional or {}
    for i, key in enumerate(sorted([*fields, *optional])):
        if key in optional:
            parts.append(pl.concat_str([pl.lit(", " + _dumps(key) + ": "), optional[key]])
                         .fill_null(""))
            continue
        parts += [("{" if i == 0 else ", ") + _dumps(key) + ": ", fields[key]]
    return [*parts, "}"]


def _joined(parts: list[pl.Expr | str]) -> pl.Expr:
    """The parts concatenated per row, neighbouring texts merged first: each part costs a
    step per row."""
    merged: list[pl.Expr | str] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in merged])


def _write_lines(frame: pl.DataFrame, line: pl.Expr, out: BinaryIO, rows: int = CHUNK) -> None:
    """The JSON text of each row (`line`: one or more records) as elements of a JSON array,
    one record per line.

    polars writes the lines straight to `out`: no Python string of the whole document (with
    Vietnamese text that would take two bytes per character, copied at every step)."""
    if not frame.height:
        out.write(b"[]")
        return
    out.write(b"[\n    ")
    plain: dict[str, Any] = {"include_header": False, "quote_style": "never"}
    # A slice at a time, so the text of a national run is never all in memory at once.
    for start in range(0, frame.height, rows):
        part = frame.slice(start, rows)
        # two halves at once, one per core (collect_all runs independent queries in parallel)
        halves = [part.slice(0, (part.height + 1) // 2), part.slice((part.height + 1) // 2)]
        lines = pl.concat(pl.collect_all([h.lazy().select(line.alias("line"))
                                          for h in halves if h.height]))
        last = start + rows >= frame.height
        body = lines.head(-1) if last else lines
        if body.height:
            body.write_csv(out, line_terminator=",\n    ", **plain)
        if last:
            lines.tail(1).write_csv(out, line_terminator="\n  ]", **plain)


def _write_array(frame: pl.DataFrame, fields: dict[str, pl.Expr], out: BinaryIO,
                 optional: dict[str, pl.Expr] | None = None) -> None:
    """The frame's rows as JSON objects, one per line, keys sorted, inside a JSON array."""
    _write_lines(frame, _joined(_record(fields, optional)), out)


def _results(evaluation: Evaluation, out: BinaryIO) -> None:
    frame = with_margins(evaluation, evaluation.results)
    fields = {c: _text(frame, c) for c in frame.columns if c in TEXT_FIELDS}
    fields |= {c: _number(c) for c in frame.columns if c in NUMBER_FIELDS}
    if "within_margin" in frame.columns:   # spec §7 v3: survey figures
        fields["margin"] = _number("margin")
        fields["within_margin"] = pl.when(pl.col("within_margin")).then(pl.lit("true")) \
            .when(~pl.col("within_margin")).then(pl.lit("false")).otherwise(pl.lit("null"))
    low, high = _number("threshold"), _number("threshold_high")
    fields["threshold"] = pl.when(pl.col("threshold_high").is_null()).then(low) \
        .otherwise(pl.concat_str([pl.lit("["), low, pl.lit(", "), high, pl.lit("]")]))
    titles = {t.id: t.title for t in evaluation.ruleset.model.targets}
    fields["title"] = _text(frame, "target", titles)
    running = evaluation.in_progress
    if running:   # counted from records before the period ended: never judged yet
        fields["in_progress"] = pl.when(pl.col("period").cast(pl.String).is_in(running)) \
            .then(pl.lit("true")).otherwise(pl.lit("false"))
    # reason (level, before_baseline, declared), covers, fields and shares: on the results
    # that have them only (v3)
    optional = {OPTIONAL_FIELDS[c]: _optional(frame, c) for c in frame.columns
                if c in OPTIONAL_FIELDS and frame[c].null_count() < frame.height}
    _write_array(frame, fields, out, optional)


def _optional(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The JSON text of an optional field, null where the row has none."""
    text = _text(frame, column) if frame[column].dtype == pl.String else _number(column)
    return pl.when(pl.col(column).is_not_null()).then(text)


def _checks(evaluation: Evaluation, out: BinaryIO) -> None:
    frame = evaluation.checks
    fields = {c: _text(frame, c) if c in TEXT_FIELDS else _number(c) for c in frame.columns}
    _write_array(frame, fields, out)


def _scored(name: str):
    """A writer of one §7 list (`scores`, `groups`, `rankings`); texts and numbers as above.
    `status` (by_status indicators only) is left out when no indicator has one."""
    def write_list(evaluation: Evaluation, out: BinaryIO) -> None:
        scores = evaluation.scores()
        wide = scores.wide(name)
        if wide is not None:
            _write_wide(wide, out)
            return
        frame = getattr(scores, name)
        if "status" in frame.columns and frame["status"].null_count() == frame.height:
            frame = frame.drop("status")
        fields = {c: _text(frame, c) if c in TEXT_FIELDS else _few_numbers(frame, c)
                  for c in frame.columns}
        _write_array(frame, fields, out)
    return write_list


def _write_wide(wide: WideList, out: BinaryIO) -> None:
    """A §7 list kept one frame per indicator (or group): the same records, in the same
    order, as `_write_array` of the long frame, one line per key row holding the records of
    all its indicators. The JSON text of every varying field is computed once, in one
    parallel pass, and once only for columns equal to another (indicators of one metric
    share their values); ids and fields the same on every row are literal text; nothing is
    interleaved."""
    keys, count = wide.keys, len(wide.columns)
    if not count or not keys.height:
        out.write(b"[]")
        return
    names = [f for f in wide.fields if f not in ("unit", "period", wide.name, *wide.texts)]
    if "status" in names and all(c["status"].null_count() == c.height for c in wide.columns):
        names.remove("status")
    frame = pl.DataFrame([keys["unit"], keys["period"],
                          *(c[f].rename(f"{n}:{f}") for n, c in enumerate(wide.columns)
                            for f in names)])
    texts = {"unit": _text(frame, "unit"), "period": _text(frame, "period")}
    columns = [f"{n}:{f}" for n in range(count) for f in names]
    fields = _Fields(frame, columns, {c for c in columns if c.partition(":")[2] in TEXT_FIELDS})
    texts |= {column: fields.text(column) for column in fields.varying}
    once = fields.constants()
    parts: list[pl.Expr | str] = []
    for n in range(count):
        ids = {wide.name: wide.ids[n]} | {k: v[n] for k, v in wide.texts.items()}
        record: dict[str, pl.Expr | str] = {k: _dumps(v) for k, v in ids.items()}
        record |= {f: once[c] if c in once else pl.col(fields.first[c])
                   for f, c in ((f, f"{n}:{f}") for f in names)}
        record |= {"unit": pl.col("unit"), "period": pl.col("period")}
        parts += [*([",\n    "] if n else []), *_record(record)]
    frame = frame.select(expr.alias(name) for name, expr in texts.items())
    _write_lines(frame, _joined(parts), out, rows=max(1, CHUNK // count))


class _Fields:
    """What the JSON text of a wide list's value columns needs, found in one parallel pass
    over all of them: which are the same on every row (a max, a missing status: one text
    for 40 k rows), which equal an earlier column (`first`: their text is that column's),
    and the distinct values of the varying ones."""

    def __init__(self, frame: pl.DataFrame, columns: list[str], texts: set[str]) -> None:
        # each column's distinct values (a list) and null count, all columns in one query
        self.values = frame.select(*(pl.col(c).drop_nulls().unique().implode()
                                     for c in columns),
                                   *(pl.col(c).null_count().alias(f"{c}:nulls")
                                     for c in columns))
        stats = self.values.select(*(pl.col(c).list.len() for c in columns),
                                   pl.col("^.*:nulls$")).row(0)
        self.frame, self.height, self.texts = frame, frame.height, texts
        self.distinct = dict(zip(columns, stats[:len(columns)], strict=True))
        nulls = dict(zip(columns, stats[len(columns):], strict=True))
        self.same = {c for c in columns if not self.distinct[c]
                     or (self.distinct[c] == 1 and not nulls[c])}
        self.first: dict[str, str] = {}
        seen: dict[tuple, list[str]] = {}
        for c in columns:
            if c in self.same:
                continue
            alike = seen.setdefault((frame[c].dtype, self.distinct[c], nulls[c]), [])
            # equal values give equal text: -0.0 equals 0.0 and both write 0, NaN equals NaN
            # and both write null
            self.first[c] = next((o for o in alike if frame[c].equals(frame[o])), c)
            if self.first[c] == c:
                alike.append(c)
        self.varying = [c for c, o in self.first.items() if o == c]
        self.lookups = self._lookups()

    def text(self, column: str) -> pl.Expr:
        """The JSON text of a varying column's values (`_few_numbers`, `_text`)."""
        if column in self.lookups:
            values, texts = self.lookups[column]
            return pl.col(column).replace_strict(values, texts, default="null",
                                                 return_dtype=pl.String)
        if column not in self.texts:
            return _number(column)
        distinct = self.values[column].explode().to_list()
        return _text(self.frame, column, {v: v for v in distinct})

    def _lookups(self) -> dict[str, tuple[pl.Series, pl.Series]]:
        """The distinct values of each varying column of few distinct numbers, and their
        texts, all written in one query (a column is one row per key, so setting up its
        lookup costs more than the lookup)."""
        few = [c for c in self.varying if c not in self.texts
               and _few(self.distinct[c], self.height, self.frame[c].dtype)]
        if not few:
            return {}
        values = self.values.select(pl.concat_list(few).explode().alias("v"))
        texts = values.select(number_text(pl.col("v"))).to_series()
        out, start = {}, 0
        for c in few:
            count = self.distinct[c]
            out[c] = (values["v"].slice(start, count), texts.slice(start, count))
            start += count
        return out

    def constants(self) -> dict[str, str]:
        """The text of each column that is the same on every row, from its first row."""
        row = self.frame.head(1)
        numbers = [c for c in self.same if self.distinct[c] and c not in self.texts]
        once = row.select(_number(c).alias(c) for c in numbers).row(0, named=True) \
            if numbers else {}
        return {c: once[c] if c in once else _dumps(row[c][0]) if self.distinct[c]
                else "null" for c in self.same}


def _few(distinct: int, rows: int, dtype: pl.DataType) -> bool:
    """Whether a column of `rows` numbers with `distinct` distinct ones has each written once
    and looked up per row (max, step and status points: 1.6 M rows of a national run); a
    column of mostly distinct numbers (an index) is written row by row, which costs less."""
    return dtype.is_float() and distinct * 4 <= rows


def _few_numbers(frame: pl.DataFrame, column: str) -> pl.Expr:
    """`_number`, or for a column of `_few` distinct numbers a lookup of their texts."""
    distinct = frame[column].drop_nulls().unique()
    if not _few(distinct.len(), frame.height, distinct.dtype):
        return _number(column)
    texts = distinct.to_frame().select(number_text(pl.col(column))).to_series()
    return pl.col(column).replace_strict(distinct, texts, default="null",
                                         return_dtype=pl.String)


def document(evaluation: Evaluation) -> dict[str, Any]:
    """The top-level fields besides the result and check lists."""
    model = evaluation.ruleset.model
    out = {"ruleset": model.ruleset, "title": model.title,
           "summary": evaluation.summary(), "check_summary": evaluation.check_summary(),
           "diagnostics": diagnostics(evaluation)}
    running = evaluation.in_progress
    if running:   # counted from records before the period ended: never judged yet
        out["in_progress"] = running
    if evaluation.versions:   # plans in force by date: which version judged which periods
        from ..ruleset.changes import to_json as changes_json
        out["versions"] = evaluation.versions
        out["version_changes"] = [json.loads(changes_json(c))
                                  for c in evaluation.version_changes]
    return out


def diagnostics(evaluation: Evaluation) -> dict[str, Any]:
    """What the run said besides its results (docs/evaluate.md, `diagnostics`): every
    warning as a record (errors.Problem.record) and, per record source, its data-quality
    counts (figures/records/quality.SourceQuality; the location as shown everywhere)."""
    warnings = [*evaluation.ruleset.warnings, *evaluation.warnings]
    info = evaluation.figures.records
    sources = [{k: v.isoformat() if isinstance(v, date) else v
                for k, v in asdict(q).items()} for q in (info.sources if info else ())]
    counting = list(info.counting) if info else []
    return {"warnings": [w.record() for w in warnings], "records": sources,
            **({"counting": counting} if counting else {})}


def write(evaluation: Evaluation, out: BinaryIO, **_options: Any) -> None:
    """The whole document, UTF-8, to a binary stream."""
    small = {key: _dumps(value) for key, value in document(evaluation).items()}
    lists = {"results": _results, "checks": _checks}
    if evaluation.ruleset.model.scoring is not None:
        lists |= {name: _scored(name) for name in ("scores", "groups", "rankings")}
    for i, key in enumerate(sorted([*small, *lists])):
        out.write(("{\n" if i == 0 else ",\n").encode() + f"  {_dumps(key)}: ".encode())
        if key in lists:
            lists[key](evaluation, out)
        else:
            out.write(small[key].encode())
    out.write(b"\n}\n")


def render(evaluation: Evaluation, **options: Any) -> str:
    buffer = io.BytesIO()
    write(evaluation, buffer, **options)
    return buffer.getvalue().decode("utf-8")
