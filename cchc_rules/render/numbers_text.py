"""Render stage: `present.Formatter` numbers written columnar, for national tables.

`Formatter.value` and `Formatter.needed` write one number at a time through Babel, which
is exact but takes tens of microseconds; a national table writes millions. `value_texts`
and `needed_texts` write the same text in polars: the shortest decimal of the value (polars'
float text, the digits of `repr`), rounded half up on those digits, thousands grouped with
the language's symbols. Values polars writes with an exponent (below 1e-4, from 1e15) go
through the Formatter itself, once per distinct value. tests/test_render_numbers_text.py
holds both ways to the same text.
"""
from __future__ import annotations

import polars as pl

from ..domain import MetricUnit, decimals
from ..present import NOT_AVAILABLE, Formatter, number, rounded

_SYMBOLS = {"vi": (".", ","), "en": (",", ".")}  # (group, decimal), as Babel's vi and en
_LARGE = 1e15  # from here the text has an exponent; below it Int64 has room for 3 decimals
_MINUS = "−"   # how Formatter.signed writes a negative difference (Babel writes "-")


def _grouped(whole: pl.Expr, group: str) -> pl.Expr:
    """A non-negative Int64 below 1e15 with its thousands grouped."""
    out = whole.cast(pl.String)
    for level in (1, 2, 3, 4):  # up to 15 digits: five groups
        parts = [(whole // 1000 ** level).cast(pl.String)]
        for k in range(level - 1, -1, -1):
            parts += [pl.lit(group),
                      ((whole // 1000 ** k) % 1000).cast(pl.String).str.zfill(3)]
        out = pl.when(whole >= 1000 ** level).then(pl.concat_str(parts)).otherwise(out)
    return out


def _fixed(frame: pl.DataFrame, source: str, digits: int, trim: bool, lang: str
           ) -> pl.DataFrame:
    """Columns `_v` (number(x), null when missing), `_scaled` (|_v| rounded half up to
    `digits` decimals, as an integer) and `_abs` (that, grouped, with `digits` decimals, or
    fewer with trailing zeros cut when `trim`); `_abs` is null where left to Python."""
    group, point = _SYMBOLS[lang]
    v = pl.col(source).cast(pl.Float64)
    frame = frame.with_columns(
        (pl.when(v.is_finite()).then(rounded(v)) + 0.0).alias("_v"))
    frame = frame.with_columns(pl.col("_v").abs().cast(pl.String).alias("_t"))
    exotic = pl.col("_t").str.contains("e", literal=True) | (pl.col("_v").abs() >= _LARGE)
    frame = frame.with_columns(
        pl.col("_t").str.split_exact(".", 1).struct.rename_fields(["_w", "_f"])
        .struct.unnest())
    padded = pl.concat_str([pl.col("_f").fill_null(""), pl.lit("0" * (digits + 1))])
    kept = padded.str.slice(0, digits) if digits else pl.lit("")
    up = (padded.str.slice(digits, 1) >= "5").cast(pl.Int64)
    frame = frame.with_columns(
        pl.when(exotic).then(None).otherwise(
            pl.concat_str([pl.col("_w"), kept]).cast(pl.Int64, strict=False) + up)
        .alias("_scaled"))
    whole, part = pl.col("_scaled") // 10 ** digits, pl.col("_scaled") % 10 ** digits
    shown = _grouped(whole, group)
    if digits:
        fraction = part.cast(pl.String).str.zfill(digits)
        if trim:
            fraction = fraction.str.strip_chars_end("0")
        shown = pl.when(fraction == "").then(shown).otherwise(
            pl.concat_str([shown, pl.lit(point), fraction]))
    return frame.with_columns(shown.alias("_abs")).drop("_t", "_w", "_f")


def _python(frame: pl.DataFrame, out: str, source: str, how) -> pl.DataFrame:
    """`out` where it is still null (a value left to Python): `how(x)` of column `source`,
    once per distinct value."""
    left = frame.filter(pl.col(out).is_null())[source].unique().to_list()
    if not left:
        return frame
    mapping = {x: how(x) for x in left}
    return frame.with_columns(pl.col(out).fill_null(
        pl.col(source).replace_strict(mapping, default=None, return_dtype=pl.String)))


def value_texts(frame: pl.DataFrame, source: str, out: str, metric_unit: str | None,
                lang: str) -> pl.DataFrame:
    """`frame` with `out` = Formatter(lang).value(number(x), metric_unit) of `source`."""
    percent = metric_unit == MetricUnit.PERCENT
    digits = 2 if percent else decimals(metric_unit)
    work = _fixed(frame, source, digits, not percent, lang)
    sign = pl.when((pl.col("_v") < 0) & (pl.col("_scaled") > 0)).then(pl.lit("-")) \
        .otherwise(pl.lit(""))
    text = pl.concat_str([sign, pl.col("_abs"), pl.lit("%" if percent else "")])
    work = work.with_columns(
        pl.when(pl.col("_v").is_null()).then(pl.lit(NOT_AVAILABLE)).otherwise(text).alias(out))
    fmt = Formatter(lang)
    work = _python(work, out, source, lambda x: fmt.value(number(x), metric_unit))
    return work.drop("_v", "_scaled", "_abs")


def needed_texts(frame: pl.DataFrame, source: str, out: str, lang: str) -> pl.DataFrame:
    """`frame` with `out` = Formatter(lang).needed(number(x)) of `source`, or "" when there
    is no number (null, NaN, inf), as the table shows it."""
    work = _fixed(frame, source, 2, True, lang)
    signed = (pl.when(pl.col("_scaled") == 0).then(pl.col("_abs"))
              .when(pl.col("_v") > 0).then(pl.concat_str([pl.lit("+"), pl.col("_abs")]))
              .otherwise(pl.concat_str([pl.lit(_MINUS), pl.col("_abs")])))
    work = work.with_columns(
        pl.when(pl.col("_v").is_null()).then(pl.lit("")).otherwise(signed).alias(out))
    fmt = Formatter(lang)
    work = _python(work, out, source, lambda x: fmt.needed(number(x)))
    return work.drop("_v", "_scaled", "_abs")
