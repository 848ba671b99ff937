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
