"""`rollup.aggregate` serves time as well as units: quarters summed into a year, months into
quarters into a year, with the roll-up's rules (all children present, own figure wins)."""
from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.derive.rollup import aggregate
from cchc_rules.periods import parse_period

KEYS = ["unit", "period", "metric"]


def values(*rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"unit": pl.String, "period": pl.String,
                                      "metric": pl.String, "value": pl.Float64}, orient="row")


def tiling(text: str, *kinds: str) -> pl.DataFrame:
    """Sub-period → period edges, down through `kinds` (level 1 under `text`)."""
    rows, parents = [], [parse_period(text)]
    for level, kind in enumerate(kinds, start=1):
        children = []
        for parent in parents:
            for part in parent.sub_periods(kind):
                rows.append((part.text, parent.text, level))
                children.append(part)
        parents = children
    return pl.DataFrame(rows, schema={"child": pl.String, "parent": pl.String,
                                      "level": pl.Int64}, orient="row")


def over_time(frame: pl.DataFrame, edges: pl.DataFrame, summable=("received",)) -> dict:
    out = aggregate(frame, edges, set(summable), along="period", keys=KEYS, metric="metric")
    assert out.columns == [*KEYS, "value"]
    return {(u, p, m): v for u, p, m, v in out.iter_rows()}


def test_four_quarters_sum_into_the_year():
    edges = tiling("2024", "quarter")
    got = over_time(values(
        ("ham-tan", "2024-Q1", "received", 100.0), ("ham-tan", "2024-Q2", "received", 200.0),
        ("ham-tan", "2024-Q3", "received", 300.0), ("ham-tan", "2024-Q4", "received", 400.0),
        ("tay-ninh", "2024-Q1", "received", 5.0),                # three quarters missing
        ("ha-giang", "2024-Q1", "received", 1.0), ("ha-giang", "2024-Q2", "received", 1.0),
        ("ha-giang", "2024-Q3", "received", 1.0), ("ha-giang", "2024-Q4", "received", 1.0),
        ("ha-giang", "2024", "received", 9.0),                   # reported: it wins
        ("ham-tan", "2024-Q1", "rate", 1.0), ("ham-tan", "2024-Q2", "rate", 1.0),
        ("ham-tan", "2024-Q3", "rate", 1.0), ("ham-tan", "2024-Q4", "rate", 1.0)), edges)
    assert got == {("ham-tan", "2024", "received"): 1000.0}


def test_months_into_quarters_into_the_year():
    edges = tiling("2024", "quarter", "month")
    months = [p.text for p in parse_period("2024").sub_periods("month")]
    got = over_time(values(*[("u", m, "received", float(i)) for i, m in enumerate(months)]),
                    edges)
    assert got[("u", "2024-Q1", "received")] == 0 + 1 + 2
    assert got[("u", "2024", "received")] == sum(range(12))
    assert len(got) == 5


@given(st.lists(st.integers(0, 10**6), min_size=12, max_size=12), st.sets(st.integers(0, 11)))
def test_a_year_is_the_sum_of_its_months_only_when_all_are_there(figures, missing):
    months = [p.text for p in parse_period("2024").sub_periods("month")]
    frame = values(*[("u", m, "received", float(v)) for i, (m, v) in
                     enumerate(zip(months, figures, strict=True)) if i not in missing])
    got = over_time(frame, tiling("2024", "month"))
    assert got == ({} if missing else {("u", "2024", "received"): float(sum(figures))})


def test_no_edges_or_nothing_summable_adds_nothing():
    frame = values(("u", "2024-Q1", "received", 1.0))
    assert over_time(frame, tiling("2024", "quarter").clear()) == {}
    assert over_time(frame, tiling("2024", "quarter"), summable=()) == {}
