"""Render stage: JUnit XML for CI dashboards (`--format junit`).

One testsuite per unit, one testcase per target × period and per check × period; a testcase
fails when its status is in `fail_on`, and `not_applicable`/`no_data` are skipped otherwise.

Built columnar, as the CSV is: each testcase's XML is one polars string expression over the
results, numbers written by the JSON number rule, and every text that needs XML escaping
(titles, units, operators) escaped once per distinct value in Python; a national run has
1.6 M testcases.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

import polars as pl

from ..domain import DEFAULT_FAIL_ON, UNRATED
from ..present import number, number_text
from ..result import Evaluation

_ATTR = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}  # what quoteattr adds to escape()
_INDENT = "    <testcase classname="


def _mapped(column: pl.Expr, frame: pl.DataFrame, name: str, how) -> pl.Expr:
    """`how(value)` for each distinct value of `frame[name]`, looked up per row."""
    values = frame[name].unique().to_list()
    return column.replace_strict({v: how(v) for v in values}, return_dtype=pl.String)


def _numbers(frame: pl.DataFrame, *columns: str) -> dict[str, pl.Expr]:
    """Per column, `str(number(x))`: what an f-string of a record's number shows ("None" when
    missing). Polars writes tiny numbers without an exponent (0.00001), Python with one
    (1e-05): those few are written by Python, once per distinct value."""
    out = {}
    for column in columns:
        value = pl.col(column).cast(pl.Float64)
        tiny = (value.abs() < 1e-4) & (value.round(9) != 0)
        text = pl.when(value.is_null() | ~value.is_finite()).then(pl.lit("None")) \
            .otherwise(number_text(pl.col(column)))
        few = frame.select(pl.col(column).cast(pl.Float64).filter(tiny).unique())[column]
        if few.len():
            python = {x: str(number(x)) for x in few.to_list()}
            text = pl.when(tiny).then(value.replace_strict(python, default=None,
                                                           return_dtype=pl.String)) \
                .otherwise(text)
        out[column] = text
    return out


def _quoting(title: str) -> tuple[str, bool]:
    """The quote quoteattr() puts round a text holding `title` (no other part of a detail
    holds a quote), and whether it must write `"` as &quot;."""
    if '"' not in title:
        return '"', False
    return ("'", False) if "'" not in title else ('"', True)


def _attr(text: str, quotes: bool) -> str:
    out = escape(text, _ATTR)
    return out.replace('"', "&quot;") if quotes else out


def _cases(frame: pl.DataFrame, wanted: set[str], classname: pl.Expr, name: pl.Expr,
           detail: list[tuple[pl.Expr, pl.Expr]], quote: pl.Expr) -> pl.Expr:
    """Each row's testcase. `detail` is the failure text in pieces, each as (attribute
    form, text form); `quote` is the per-row quote character of the message attribute."""
    head = pl.concat_str([pl.lit(_INDENT), classname, pl.lit(" name="), name])
    status = pl.col("status")
    message = pl.concat_str([quote, *(a for a, _ in detail), quote])
    text = pl.concat_str([t for _, t in detail])
    failing = status.is_in(list(wanted))
    return (pl.when(failing).then(pl.concat_str([
        head, pl.lit(">\n      <failure type="), _mapped(status, frame, "status", quoteattr),
        pl.lit(" message="), message, pl.lit(">"), text, pl.lit("</failure>\n    </testcase>")]))
        .when(status.is_in(list(UNRATED))).then(pl.concat_str([
            head, pl.lit(">\n      <skipped message="), _mapped(status, frame, "status",
                                                              quoteattr),
            pl.lit("/>\n    </testcase>")]))
        .otherwise(pl.concat_str([head, pl.lit("/>")])))


def _same(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A piece that needs no escaping, the same in the attribute and the text."""
    return expr, expr


def _result_cases(evaluation: Evaluation, ruleset: str, wanted: set[str]) -> pl.DataFrame:
    frame = evaluation.results
    if not frame.height:
        return pl.DataFrame(schema={"unit": pl.String, "case": pl.String,
                                    "failing": pl.Boolean})
    titles = {t.id: t.title for t in evaluation.ruleset.model.targets}
    quoting = {tid: _quoting(title) for tid, title in titles.items()}
    prefix = frame.select("status", "target").unique()
    lead = {(s, t): f"{s}: {titles[t]}; actual " for s, t in prefix.iter_rows()}
    key = pl.concat_str([pl.col("status"), pl.col("target")], separator="\x00")
    lead_attr = {f"{s}\x00{t}": _attr(text, quoting[t][1]) for (s, t), text in lead.items()}
    lead_text = {f"{s}\x00{t}": escape(text) for (s, t), text in lead.items()}
    num = _numbers(frame, "actual", "threshold", "threshold_high", "expected", "needed")
    threshold = pl.when(pl.col("threshold_high").is_null()).then(num["threshold"]).otherwise(
        pl.concat_str([pl.lit("["), num["threshold"], pl.lit(", "), num["threshold_high"],
                       pl.lit("]")]))
    op_attr = _mapped(pl.col("op"), frame, "op", lambda op: f", {_attr(str(op), False)} ")
    op_text = _mapped(pl.col("op"), frame, "op", lambda op: f", {escape(str(op))} ")
    deadline = (_mapped(pl.col("deadline"), frame, "deadline", lambda d: _attr(f" by {d}", False)),
                _mapped(pl.col("deadline"), frame, "deadline", lambda d: escape(f" by {d}")))
    expected = pl.when(num["expected"] != "None").then(
        pl.concat_str([pl.lit(", trajectory "), num["expected"]])).otherwise(pl.lit(""))
    needed = pl.when(num["needed"] != "None").then(
        pl.concat_str([pl.lit(", needed "), num["needed"]])).otherwise(pl.lit(""))
    detail = [(key.replace_strict(lead_attr, return_dtype=pl.String),
               key.replace_strict(lead_text, return_dtype=pl.String)),
              _same(num["actual"]), (op_attr, op_text), _same(threshold), deadline,
              _same(expected), _same(needed)]
    quote = pl.col("target").replace_strict({t: q for t, (q, _) in quoting.items()},
                                            return_dtype=pl.String)
    unit = pl.col("unit")
    classname = _mapped(unit, frame, "unit", lambda u: quoteattr(f"{ruleset}.{u}"))
    name = pl.concat_str([pl.col("target"), pl.col("period")], separator=" ")
    names = frame.select(name.alias("n")).unique()["n"].to_list()
    name = name.replace_strict({n: quoteattr(n) for n in names}, return_dtype=pl.String)
    return frame.select("unit", _cases(frame, wanted, classname, name, detail, quote)
                        .alias("case"), pl.col("status").is_in(list(wanted)).alias("failing"))


def _check_cases(evaluation: Evaluation, ruleset: str, wanted: set[str]) -> pl.DataFrame:
    frame = evaluation.checks
    if not frame.height:
        return pl.DataFrame(schema={"unit": pl.String, "case": pl.String,
                                    "failing": pl.Boolean})
    lead = _mapped(pl.col("status"), frame, "status", lambda s: escape(f"{s}: left "))
    num = _numbers(frame, "left", "right")
    detail = [_same(lead), _same(num["left"]), _same(pl.lit(", right ")), _same(num["right"])]
    classname = _mapped(pl.col("unit"), frame, "unit",
                        lambda u: quoteattr(f"{ruleset}.{u}.checks"))
    name = pl.concat_str([pl.col("check"), pl.col("period")], separator=" ")
    names = frame.select(name.alias("n")).unique()["n"].to_list()
    name = name.replace_strict({n: quoteattr(n) for n in names}, return_dtype=pl.String)
    return frame.select("unit", _cases(frame, wanted, classname, name, detail, pl.lit('"'))
                        .alias("case"), pl.col("status").is_in(list(wanted)).alias("failing"))


def lines(evaluation: Evaluation, fail_on: Iterable[str] = DEFAULT_FAIL_ON) -> pl.DataFrame:
    """The document's lines (column `line`; a testcase may span several), in order."""
    wanted = set(fail_on)
    ruleset = evaluation.ruleset.model.ruleset
    cases = pl.concat([_result_cases(evaluation, ruleset, wanted).with_columns(src=pl.lit(1)),
                       _check_cases(evaluation, ruleset, wanted).with_columns(src=pl.lit(2))])
    cases = cases.with_row_index("_i")
    suites = cases.group_by("unit").agg(pl.len().alias("tests"),
                                        pl.col("failing").sum().alias("failures"))
    names = suites["unit"].to_list()
    opening = suites.select(
        "unit", pl.lit(0).alias("src"), pl.lit(0, dtype=pl.UInt32).alias("_i"),
        pl.concat_str([pl.lit("  <testsuite name="),
                       pl.col("unit").replace_strict({u: quoteattr(u) for u in names},
                                                     return_dtype=pl.String),
                       pl.lit(' tests="'), pl.col("tests").cast(pl.String),
                       pl.lit('" failures="'), pl.col("failures").cast(pl.String),
                       pl.lit('">')]).alias("line"))
    closing = suites.select("unit", pl.lit(3).alias("src"), pl.lit(0, dtype=pl.UInt32)
                            .alias("_i"), pl.lit("  </testsuite>").alias("line"))
    total, failures = cases.height, int(cases["failing"].sum())
    head = pl.DataFrame({"line": ['<?xml version="1.0" encoding="UTF-8"?>',
                                  f"<testsuites name={quoteattr(ruleset)} tests=\"{total}\" "
                                  f"failures=\"{failures}\">"]})
    # Per unit (sorted): its suite's opening, its results in frame order, its checks, closing.
    body = (pl.concat([opening, cases.select("unit", "src", "_i", pl.col("case").alias("line")),
                       closing], how="vertical_relaxed")
            .sort("unit", "src", "_i").select("line"))
    return pl.concat([head, body, pl.DataFrame({"line": ["</testsuites>"]})])


def render(evaluation: Evaluation, *, fail_on: Iterable[str] = DEFAULT_FAIL_ON,
           **_options: Any) -> str:
    return "\n".join(lines(evaluation, fail_on)["line"].to_list()) + "\n"


def write(evaluation: Evaluation, out: BinaryIO, *, fail_on: Iterable[str] = DEFAULT_FAIL_ON,
          **_options: Any) -> None:
    """The document, UTF-8, straight from polars to a binary stream."""
    lines(evaluation, fail_on).write_csv(out, include_header=False, quote_style="never")
