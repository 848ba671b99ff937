"""Evaluate stage: relative baselines — the earlier period each result is compared with.

`baseline: {period: same_last_year}` ("cùng kỳ năm trước") and `{period: previous}` ("kỳ
trước") name no period of their own: each result's baseline is the matching earlier period
of the result's period (2025-Q3 → 2024-Q3 and 2025-Q2; 2025 → 2024 for both).

- A calendar period shifts within its kind: `same_last_year` by one year's worth of periods,
  `previous` by one.
- A range of two calendar periods shifts both ends: by a year, or by as many periods of the
  ends' kind as the range holds (2025-Q1/2025-Q3 → 2024-Q2/2024-Q4); ends of two kinds are
  counted in months (2025-01/2025-Q3 → 2024-04/2024-12).
- A date range shifts by a year (29 February becomes 28), or by its own length in days.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import polars as pl

from ..domain import RELATIVE_PERIODS, RelativePeriod, is_relative
from ..periods import MONTHS, RANGE, Period, parse_period


def resolve(relative: str, period: str) -> str:
    """The period a `relative` baseline names for a result of `period` (see the module)."""
    p = parse_period(period)
    rel = RelativePeriod(relative)
    if p.kind != RANGE:
        return p.shift(-(12 // MONTHS[p.kind]) if rel is RelativePeriod.SAME_LAST_YEAR
                       else -1).text
    first, _, last = p.text.partition("/")
    if "-" in first[5:]:   # two ISO dates: "2021-09-28/2024-08-31"
        return _days(p, rel)
    a, b = parse_period(first), parse_period(last)
    if rel is RelativePeriod.SAME_LAST_YEAR:
        return f"{a.shift(-(12 // MONTHS[a.kind])).text}/{b.shift(-(12 // MONTHS[b.kind])).text}"
    if a.kind == b.kind:
        n = b.ordinal - a.ordinal + 1
        return f"{a.shift(-n).text}/{b.shift(-n).text}"
    months = p.sub_periods("month")
    return f"{months[0].shift(-len(months)).text}/{months[-1].shift(-len(months)).text}"


def _days(p: Period, rel: RelativePeriod) -> str:
    if rel is RelativePeriod.SAME_LAST_YEAR:
        start, end = _year_before(p.start), _year_before(p.end)
    else:
        length = p.end - p.start + timedelta(days=1)
        start, end = p.start - length, p.end - length
    return f"{start.isoformat()}/{end.isoformat()}"


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:   # 29 February
        return day.replace(year=day.year - 1, day=28)


def resolved(relative: str, periods: Iterable[str]) -> dict[str, str]:
    """Each of `periods` → the period `relative` names for it (unparsable ones left out)."""
    out = {}
    for period in periods:
        try:
            out[period] = resolve(relative, period)
        except ValueError:
            continue
    return out


def base_groups(targets: Iterable, rows: Iterable[tuple[str, str]]
                ) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(baseline, base period, the (unit, period) result `rows` that read it) for every
    baseline without a value among `targets`: a fixed period reads one base period for all
    rows, a relative one a base period per row's period."""
    rows = list(rows)
    out = []
    for baseline in sorted({t.baseline.period for t in targets
                            if t.baseline is not None and t.baseline.value is None}):
        if not is_relative(baseline):
            out.append((baseline, baseline, rows))
            continue
        names = resolved(baseline, {period for _, period in rows})
        groups: dict[str, list[tuple[str, str]]] = {}
        for unit, period in rows:
            if period in names:
                groups.setdefault(names[period], []).append((unit, period))
        out += [(baseline, base, group) for base, group in sorted(groups.items())]
    return out


def join_base(lf: pl.LazyFrame, wide: pl.DataFrame, baseline: str, columns: list[pl.Expr]
              ) -> pl.LazyFrame:
    """`lf` (one row per unit and period) with `columns` read from the `wide` row of the same
    unit for the base period: `baseline` itself, or the period a relative one names for the
    row's period."""
    if not is_relative(baseline):
        own = wide.lazy().filter(pl.col("period") == baseline).select("unit", *columns)
        return lf.join(own, on="unit", how="left", maintain_order="left")
    names = resolved(baseline, wide["period"].unique().to_list())
    own = wide.lazy().select("unit", pl.col("period").alias("_base_period"), *columns)
    return (lf.with_columns(pl.col("period").replace_strict(names, default=None,
                                                            return_dtype=pl.String)
                            .alias("_base_period"))
            .join(own, on=["unit", "_base_period"], how="left", maintain_order="left")
            .drop("_base_period"))


def with_resolved_baselines(periods: Iterable[str], targets: Iterable) -> pl.Expr:
    """The `baseline_period` column with each relative name replaced by the period it names
    for the row's period (what the JSON result and explain show); unchanged when no target
    has a relative baseline."""
    periods = list(periods)
    column = pl.col("baseline_period")
    used = {t.baseline.period for t in targets if t.baseline is not None}
    for relative in sorted(used & set(RELATIVE_PERIODS)):
        names = resolved(relative, periods)
        column = pl.when(pl.col("baseline_period") == relative).then(
            pl.col("period").replace_strict(names, default=None, return_dtype=pl.String)
        ).otherwise(column)
    return column.alias("baseline_period")
