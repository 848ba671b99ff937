"""timeroll's coded path (`_complete_coded`: joins, group-by and sort on integer codes)
against the same steps on the texts (`_complete`, the path restated pieces take): the same
derived figures, PER02 warnings and order (issue 28)."""
from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.derive import timeroll
from cchc_rules.derive.timeroll import PIECE_SCHEMA, TILE, _complete, derive

MONTHS = [f"2024-{m:02d}" for m in range(1, 7)]
OTHERS = ["2024-Q1", "2024-Q2", "2024-01/2024-05"]
OVER_TIME = {"received": "sum", "pending": "last", "opening": "first"}
NEEDED = ["2024-Q1", "2024-Q2", "2024-H1", "2024-02/2024-04"]


def by_texts(plan, values, kinds):
    """What derive did before the coded path: every step on the texts."""
    known = values.filter(pl.col("metric").is_in(list(OVER_TIME)))
    complete = _complete(plan, known, kinds, pl.DataFrame(schema=PIECE_SCHEMA))
    reported = values.select("unit", "period", "metric", pl.col("value").alias("_reported"),
                             "file", "line")
    clash = complete.filter(pl.col("how") == TILE).join(
        reported, on=["unit", "period", "metric"])
    new = complete.join(reported, on=["unit", "period", "metric"], how="anti").sort(
        "unit", "period", "metric")
    return complete, clash, new


@settings(deadline=None, max_examples=60)
@given(st.data())
def test_the_coded_path_derives_what_the_texts_do(data):
    cells = [(u, p, m) for u in ("u1", "u2", "x") for p in MONTHS + OTHERS
             for m in (*OVER_TIME, "rate")]
    chosen = data.draw(st.lists(st.sampled_from(cells), unique=True, min_size=1))
    values = pl.DataFrame(
        [(u, p, m, float(data.draw(st.integers(0, 50))), "f.csv", i + 2)
         for i, (u, p, m) in enumerate(chosen)],
        schema={"unit": pl.String, "period": pl.String, "metric": pl.String,
                "value": pl.Float64, "file": pl.String, "line": pl.Int64}, orient="row")
    values = values.with_columns(pl.lit(None, pl.String).alias("source"))
    coded = derive(values, OVER_TIME, NEEDED)
    old = timeroll._complete_coded
    timeroll._complete_coded = by_texts
    try:
        texts = derive(values, OVER_TIME, NEEDED)
    finally:
        timeroll._complete_coded = old
    assert coded.values.equals(texts.values)
    assert [str(p) for p in coded.warnings] == [str(p) for p in texts.warnings]
    assert coded.covers.equals(texts.covers)


def _table(values: pl.DataFrame) -> pl.DataFrame:
    """`values` as the wide table read_data keeps (Figures.as_wide): a row per unit and
    period with a figure, a Float64 column per metric, null where no figure."""
    return values.pivot(on="metric", index=["unit", "period"], values="value")


@settings(deadline=None, max_examples=80)
@given(st.data())
def test_the_wide_table_derives_what_the_long_figures_do(data):
    """The tilings added on the wide table (`_complete_wide`) against the coded path on the
    long figures: the same figures, warnings and order, fractions included (a sum's order of
    addition shows in its last bit); with reported quarters the wide path steps aside."""
    periods = MONTHS + (OTHERS if data.draw(st.booleans()) else [])
    cells = [(u, p, m) for u in ("u1", "u2", "x") for p in periods
             for m in (*OVER_TIME, "rate")]
    chosen = data.draw(st.lists(st.sampled_from(cells), unique=True, min_size=1))
    values = pl.DataFrame(
        [(u, p, m, data.draw(st.integers(-40, 4000)) / 8 + data.draw(st.sampled_from(
            (0.0, 0.1, 1 / 3))), "f.csv", i + 2) for i, (u, p, m) in enumerate(chosen)],
        schema={"unit": pl.String, "period": pl.String, "metric": pl.String,
                "value": pl.Float64, "file": pl.String, "line": pl.Int64}, orient="row")
    values = values.with_columns(pl.lit(None, pl.String).alias("source"))
    wide = derive(values, OVER_TIME, NEEDED, table=_table(values))
    long = derive(values, OVER_TIME, NEEDED)
    assert wide.values.equals(long.values)
    assert [str(p) for p in wide.warnings] == [str(p) for p in long.warnings]
    assert wide.covers.equals(long.covers)
    assert wide.plan.sort(wide.plan.columns).equals(long.plan.sort(long.plan.columns))
    assert long.table is None
    if wide.table is not None:   # the roll-up reads it for `values`: the same cells
        cells = wide.table.unpivot(index=["unit", "period"], variable_name="metric") \
            .drop_nulls("value")
        keys = ["unit", "period", "metric"]
        assert cells.sort(keys).equals(wide.values.select(*keys, "value").sort(keys))
        assert wide.table.select("unit", "period").is_duplicated().sum() == 0


def test_months_alone_take_the_wide_path_and_a_reported_quarter_the_long_one():
    rows = [("u1", m, "received", float(i)) for i, m in enumerate(MONTHS[:3], start=1)]
    values = pl.DataFrame(rows, schema=["unit", "period", "metric", "value"], orient="row")
    plan = timeroll._plan(values, [timeroll.parse_period("2024-Q1")])
    kinds = pl.DataFrame({"metric": ["received"], "over_time": ["sum"]})
    found = timeroll._complete_wide(plan, _table(values), kinds)
    assert found is not None
    complete, clash, new, rows = found
    assert rows.rows() == [("u1", "2024-Q1", 6.0)]
    assert new.select("unit", "period", "metric", "_derived").rows() == [
        ("u1", "2024-Q1", "received", 6.0)]                  # 1 + 2 + 3
    assert complete.select("_n", "parts", "_sum").rows() == [(3, 3, 6.0)]
    assert clash.height == 0
    quarter = pl.concat([values, pl.DataFrame([("u1", "2024-Q1", "received", 6.0)],
                                              schema=values.schema, orient="row")])
    assert timeroll._complete_wide(timeroll._plan(quarter, [timeroll.parse_period(
        "2024-Q1")]), _table(quarter), kinds) is None
