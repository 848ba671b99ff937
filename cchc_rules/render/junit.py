"""Render stage: JUnit XML for CI dashboards (`--format junit`).

One testsuite per unit, one testcase per target × period and per check × period; a testcase
fails when its status is in `fail_on`, and `not_applicable`/`no_data` are skipped otherwise.

Built columnar, as the CSV is: each testcase's XML is one polars string expression over the
results, numbers written by the JSON number rule, and every text that needs XML escaping
(titles, units, operators) escaped once per distinct value in Python; a national run has
1.6 M testcases. They are written in slices of whole units straight to the output, so the
document's text is never all in memory, and a failure's detail is built for failing rows
only.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

import polars as pl

from ..domain import DEFAULT_FAIL_ON, UNRATED
from ..evaluation.result import Evaluation
from ..present import number, number_text
from .by_unit import by_unit, write_units

_ATTR = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}  # what quoteattr adds to escape()
_INDENT = "    <testcase classname="
_LABELS = ("target", "unit", "period", "status", "op", "deadline", "check")
_USED = (*_LABELS, "actual", "threshold", "threshold_high", "expected", "needed")


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


def _same(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A piece that needs no escaping, the same in the attribute and the text."""
    return expr, expr


def _failure(frame: pl.DataFrame, detail: list[tuple[pl.Expr, pl.Expr]], quote: pl.Expr
             ) -> pl.Expr:
    """What follows a failing testcase's head. `detail` is the failure text in pieces, each
    as (attribute form, text form); `quote` is the per-row quote of the message attribute."""
    return pl.concat_str([
        pl.lit(">\n      <failure type="), _mapped(pl.col("status"), frame, "status", quoteattr),
        pl.lit(" message="), quote, *(a for a, _ in detail), quote, pl.lit(">"),
        *(t for _, t in detail), pl.lit("</failure>\n    </testcase>")])


def _cases(frame: pl.DataFrame, wanted: set[str], classname: pl.Expr, name: pl.Expr,
           failures: pl.Series) -> pl.Expr:
    """Each row's testcase; `failures` holds the failure part of the failing rows, in order."""
    status = pl.col("status")
    statuses = frame["status"].unique().to_list()
    ends = {s: f">\n      <skipped message={quoteattr(s)}/>\n    </testcase>"
            if s in UNRATED else "/>" for s in statuses}
    end = status.replace_strict(ends, return_dtype=pl.String)
    if failures.len():
        failing = status.is_in(list(wanted))
        end = pl.when(failing).then(
            pl.lit(failures).gather((failing.cast(pl.Int64).cum_sum() - 1).clip(0))) \
            .otherwise(end)
    return pl.concat_str([pl.lit(_INDENT), classname, pl.lit(" name="), name, end])


_SPECIAL = re.compile("[&<>\"'\n\r\t]")  # what quoteattr() escapes or quotes by


def _quoted(frame: pl.DataFrame, prefix: str, parts: list[str], suffix: str = "") -> pl.Expr:
    """The attribute `prefix + parts (joined by spaces) + suffix`, quoted as quoteattr()
    does: plain double quotes round it when no part of it needs more (the common case,
    no lookup), else looked up per distinct text."""
    text = pl.concat_str([pl.lit(prefix), pl.concat_str(parts, separator=" "),
                          pl.lit(suffix)])
    if not _SPECIAL.search(prefix + suffix) and not any(
            _SPECIAL.search(v) for c in parts for v in frame[c].unique().to_list()):
        return pl.concat_str([pl.lit('"'), text, pl.lit('"')])
    texts = frame.select(text.alias("n")).unique()["n"].to_list()
    return text.replace_strict({n: quoteattr(n) for n in texts}, return_dtype=pl.String)


class _Results:
    """Testcases of result rows, a slice at a time."""

    def __init__(self, evaluation: Evaluation, wanted: set[str]) -> None:
        self.ruleset = evaluation.ruleset.model.ruleset
        self.wanted = wanted
        self.titles = {t.id: t.title for t in evaluation.ruleset.model.targets}
        self.quoting = {tid: _quoting(title) for tid, title in self.titles.items()}

    def _failures(self, frame: pl.DataFrame) -> pl.Series:
        titles, quoting = self.titles, self.quoting
        prefix = frame.select("status", "target").unique()
        lead = {(s, t): f"{s}: {titles[t]}; actual " for s, t in prefix.iter_rows()}
        key = pl.concat_str([pl.col("status"), pl.col("target")], separator="\x00")
        lead_attr = {f"{s}\x00{t}": _attr(text, quoting[t][1]) for (s, t), text in lead.items()}
        lead_text = {f"{s}\x00{t}": escape(text) for (s, t), text in lead.items()}
        num = _numbers(frame, "actual", "threshold", "threshold_high", "expected", "needed")
        threshold = pl.when(pl.col("threshold_high").is_null()).then(num["threshold"]) \
            .otherwise(pl.concat_str([pl.lit("["), num["threshold"], pl.lit(", "),
                                      num["threshold_high"], pl.lit("]")]))
        op_attr = _mapped(pl.col("op"), frame, "op", lambda op: f", {_attr(str(op), False)} ")
        op_text = _mapped(pl.col("op"), frame, "op", lambda op: f", {escape(str(op))} ")
        deadline = (_mapped(pl.col("deadline"), frame, "deadline",
                            lambda d: _attr(f" by {d}", False)),
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
        return frame.select(_failure(frame, detail, quote)).to_series()

    def cases(self, frame: pl.DataFrame) -> pl.Expr:
        failing = frame.filter(pl.col("status").is_in(list(self.wanted)))
        failures = self._failures(failing) if failing.height else pl.Series([], dtype=pl.String)
        classname = _quoted(frame, f"{self.ruleset}.", ["unit"])
        return _cases(frame, self.wanted, classname, _quoted(frame, "", ["target", "period"]),
                      failures)


def _check_cases(evaluation: Evaluation, frame: pl.DataFrame, wanted: set[str]
                 ) -> dict[str, str]:
    """Per unit, the testcases of its checks, one after the other."""
    if not frame.height:
        return {}
    ruleset = evaluation.ruleset.model.ruleset
    lead = _mapped(pl.col("status"), frame, "status", lambda s: escape(f"{s}: left "))
    failing = frame.filter(pl.col("status").is_in(list(wanted)))
    failures = pl.Series([], dtype=pl.String)
    if failing.height:
        num = _numbers(failing, "left", "right")
        detail = [_same(lead), _same(num["left"]), _same(pl.lit(", right ")),
                  _same(num["right"])]
        failures = failing.select(_failure(failing, detail, pl.lit('"'))).to_series()
    classname = _quoted(frame, f"{ruleset}.", ["unit"], ".checks")
    cases = frame.select("unit", _cases(frame, wanted, classname,
                                        _quoted(frame, "", ["check", "period"]), failures)
                         .alias("case"))
    return dict(cases.group_by("unit", maintain_order=True)
                .agg(pl.col("case").str.join("\n")).iter_rows())


def _suites(results: pl.DataFrame, checks: pl.DataFrame, wanted: set[str]) -> pl.DataFrame:
    """Per unit (sorted): its testcases and failures. The frames are sorted by unit: counted
    per run of a unit, with no string keys to hash."""
    def counted(frame: pl.DataFrame) -> pl.DataFrame:
        runs = frame.select(pl.col("unit").rle_id().alias("_r"),
                            pl.col("status").is_in(list(wanted)).alias("_f"))
        return runs.group_by("_r", maintain_order=True).agg(
            pl.len().alias("tests"), pl.col("_f").sum().alias("failures")).select(
            frame["unit"].rle().struct.field("value").alias("unit"), "tests", "failures")
    return (pl.concat([counted(results), counted(checks)]).group_by("unit")
            .agg(pl.col("tests").sum(), pl.col("failures").sum()).sort("unit"))


def write(evaluation: Evaluation, out: BinaryIO, *, fail_on: Iterable[str] = DEFAULT_FAIL_ON,
          **_options: Any) -> None:
    """The document, UTF-8, to a binary stream: per unit (sorted) a testsuite of its
    results' testcases in frame order, then its checks'."""
    wanted = set(fail_on)
    ruleset = evaluation.ruleset.model.ruleset
    results = by_unit(evaluation.results, _LABELS, _USED)
    checks = by_unit(evaluation.checks, _LABELS)
    suites = _suites(results, checks, wanted)
    total, failures = int(suites["tests"].sum()), int(suites["failures"].sum())
    out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name={quoteattr(ruleset)} '
              f'tests="{total}" failures="{failures}">\n'.encode())
    checked = _check_cases(evaluation, checks, wanted)
    openings, closings = {}, {}
    for unit, tests, failed in suites.iter_rows():
        openings[unit] = f"  <testsuite name={quoteattr(unit)} tests=\"{tests}\" " \
                         f"failures=\"{failed}\">\n"
        closings[unit] = (checked[unit] + "\n" if unit in checked else "") + "  </testsuite>\n"
    cases = _Results(evaluation, wanted)
    write_units(out, results, suites["unit"].to_list(), openings, closings,
                lambda rows: rows.select("unit", cases.cases(rows).alias("line")))
    out.write(b"</testsuites>\n")


def render(evaluation: Evaluation, **options: Any) -> str:
    buffer = io.BytesIO()
    write(evaluation, buffer, **options)
    return buffer.getvalue().decode("utf-8")
