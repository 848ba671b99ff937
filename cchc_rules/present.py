"""Presentation: how a value is written, in every output. One module, so the table, the
report, its charts, `explain`, JSON, CSV and JUnit never disagree about a number.

- The JSON number rule (`rounded`, `number`, `numbers`, `number_text`): float noise rounded
  to 9 decimals, 50.0 written 50, NaN/inf written null.
- `Formatter`: a value in its metric unit and language (4.917 / 4,917; 47,18%; dates).
  Decimals per metric unit come from `domain.decimals`, nowhere else.
- `threshold_text`: "≥ 50,00%", "[6; 10]" or "6 – 10", the one way a milestone is written.
- `spreadsheet_safe`: text cells a spreadsheet would run as a formula, defused (OWASP).

Babel is imported on first use: JSON and CSV runs never need it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import polars as pl

from .domain import OP_SIGNS, Change, MetricUnit, decimals

if TYPE_CHECKING:
    from babel import Locale
    from babel.numbers import NumberPattern

NOT_AVAILABLE = "—"

# -- the JSON number rule ---------------------------------------------------------------------

# Rounding x to 9 decimals computes x * 1e9; above this that loses digits, and a float's own
# precision is coarser than 1e-9 anyway, so larger values are kept as they are.
_ROUND_BELOW = 2.0**53 / 1e9
_WHOLE_BELOW = 2.0**53  # whole floats above this are not exact integers any more


def rounded(value: pl.Expr) -> pl.Expr:
    """`value` to 9 decimals, which removes float noise (56.99999999999999 -> 57)."""
    return pl.when(value.abs() < _ROUND_BELOW).then(value.round(9)).otherwise(value)


def _whole(value: pl.Expr) -> pl.Expr:
    """A rounded value that JSON writes as an integer (50.0 -> 50)."""
    return (value == value.floor()) & (value.abs() < _WHOLE_BELOW)


def number_text(value: pl.Expr) -> pl.Expr:
    """The JSON text of each value: `null` for missing/NaN/inf, 9 decimals, 50.0 -> `50`."""
    value = value.cast(pl.Float64)
    shown = rounded(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    return (pl.when(value.is_null() | ~value.is_finite()).then(pl.lit("null"))
            .when(_whole(shown)).then(shown.cast(pl.Int64).cast(pl.String))
            .otherwise(shown.cast(pl.String)))


def numbers(series: pl.Series) -> list[float | int | None]:
    """`number()` of every value, computed by polars: a national run has millions."""
    frame = series.rename("x").to_frame().select(
        rounded(pl.col("x")).alias("r"), pl.col("x").is_finite().fill_null(False).alias("f"))
    frame = frame.with_columns((pl.col("f") & _whole(pl.col("r"))).alias("w"))
    ints = frame.select(pl.when("w").then(pl.col("r").cast(pl.Int64))).to_series().to_list()
    if frame["w"].all():
        return ints
    floats = frame.select(pl.when(pl.col("f") & ~pl.col("w")).then(pl.col("r")) + 0.0) \
        .to_series().to_list()
    if not frame["w"].any():
        return floats
    return [f if i is None else i for i, f in zip(ints, floats, strict=True)]


def number(value: float | None) -> float | int | None:
    """A float for JSON: None for missing/NaN/inf, float noise rounded away, 50.0 -> 50."""
    return numbers(pl.Series([value], dtype=pl.Float64))[0]


# -- text in a language -----------------------------------------------------------------------

def _half_up(value: float, digits: int) -> Decimal:
    # Officials round half up (47.185 -> 47.19); Babel alone would round half-even.
    # repr() keeps the shortest decimal that round-trips, so 0.125 stays 0.125.
    # "+ 0" turns -0.00 into 0.00 so a tiny negative never prints as "-0".
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP) + 0


@lru_cache(maxsize=64)
def _pattern(pattern: str) -> NumberPattern:
    from babel.numbers import parse_pattern
    return parse_pattern(pattern)


@lru_cache(maxsize=8)
def _locale(lang: str) -> Locale:
    from babel import Locale
    return Locale.parse(lang)


@lru_cache(maxsize=65536)
def _format(value: Decimal, pattern: str, lang: str) -> str:
    # Babel's format_decimal re-parses pattern and locale on every call; a national
    # report formats tens of thousands of numbers, many of them twice (chart and table).
    return _pattern(pattern).apply(value, _locale(lang), decimal_quantization=False)


def _missing(value: float | None) -> bool:
    return value is None or value != value or value in (float("inf"), float("-inf"))


@dataclass(frozen=True)
class Formatter:
    """Numbers, percentages and dates for one language."""

    lang: str

    def number(self, value: float | None, digits: int = 2) -> str:
        """4917 -> '4.917' (vi) / '4,917' (en); up to `digits` decimals, trailing zeros cut."""
        if value is None or _missing(value):
            return NOT_AVAILABLE
        try:
            shown = _half_up(float(value), digits)
        except InvalidOperation:
            return NOT_AVAILABLE
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return _format(shown, pattern, self.lang)

    def percent(self, value: float | None, digits: int = 2) -> str:
        """A 0–100 percentage with fixed decimals: 47.183 -> '47,18%' (vi) / '47.18%' (en)."""
        if value is None or _missing(value):
            return NOT_AVAILABLE
        shown = _half_up(float(value), digits)
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return _format(shown, pattern, self.lang) + "%"

    def value(self, value: float | None, metric_unit: str | None) -> str:
        """A metric value in its own unit: percent gets '%', counts no decimals."""
        if metric_unit == MetricUnit.PERCENT:
            return self.percent(value)
        return self.number(value, decimals(metric_unit))

    def signed(self, value: float | None, metric_unit: str | None) -> str:
        """A difference, always with its sign: '+2,5' / '−44,997'."""
        if value is None or value != value:
            return NOT_AVAILABLE
        text = self.value(abs(value), metric_unit)
        if text == NOT_AVAILABLE:
            return text
        zero = _half_up(abs(float(value)), decimals(metric_unit)) == 0
        return text if zero else ("+" if value > 0 else "−") + text

    def needed(self, value: float | None) -> str:
        """`needed`, signed, with two decimals: it counts the ratio's numerator (dossiers),
        whatever the compared metric's unit."""
        return self.signed(value, None)

    def date(self, day: date) -> str:
        """31/03/2024 (vi) / 03/31/2024 (en)."""
        from babel.dates import format_date
        return format_date(day, "dd/MM/yyyy" if self.lang == "vi" else "MM/dd/yyyy",
                           locale=self.lang)


def compared_unit(target: Any, metrics: dict[str, Any]) -> str | None:
    """The unit a target's actual and threshold are written in: its metric's, except that a
    percent change from the baseline is a percentage."""
    if target.change == Change.PERCENT:
        return MetricUnit.PERCENT.value
    metric = metrics.get(target.metric)
    return metric.unit if metric else None


# How `between` ranges are written: the table and explain bracket them, the report dashes.
RANGE_BRACKETS = "[{low}; {high}]"
RANGE_DASH = "{low} – {high}"


def threshold_text(op: str | None, threshold: float | None, threshold_high: float | None,
                   unit: str | None, fmt: Formatter, *, style: str = RANGE_BRACKETS,
                   digits: int | None = None) -> str:
    """A milestone's condition: '≥ 50,00%', or the range in `style` when there is a high end.

    Values are written in `unit`, or with `digits` decimals when given (explain shows 3
    whatever the unit). An unknown or missing `op` is written as given ('' for None), so
    `threshold_text(None, …)` is the bare value; a missing threshold is '—'."""
    def text(value: float | None) -> str:
        return fmt.value(value, unit) if digits is None else fmt.number(value, digits)

    if threshold_high is not None:
        return style.format(low=text(threshold), high=text(threshold_high))
    if threshold is None:
        return NOT_AVAILABLE
    if op is None:
        return text(threshold)
    return f"{OP_SIGNS.get(op, op)} {text(threshold)}"


# -- spreadsheets ------------------------------------------------------------------------------

# A cell starting with one of these runs as a formula in Excel / LibreOffice (OWASP, "CSV
# injection"); tab and carriage return are on OWASP's list too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: pl.Expr) -> pl.Expr:
    """Text cells that would start a formula, prefixed with a single quote ('=1+1 -> '=1+1).
    Apply it to text columns only: a negative number is a number, not a formula."""
    risky = text.str.starts_with(FORMULA_STARTS[0])
    for start in FORMULA_STARTS[1:]:
        risky = risky | text.str.starts_with(start)
    return pl.when(risky).then(pl.lit("'") + text).otherwise(text)
