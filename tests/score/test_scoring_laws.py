"""Laws of the score stage (spec §7, issue 11): points in [0, max], monotone proportional
rules, index in [0, scale], rank order follows the index, ties share a rank and the next
skips, and nothing depends on row order."""
from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.ruleset.schema import Scoring
from cchc_rules.score.points import score
from cchc_rules.score.ranks import TIE

VALUES = st.floats(min_value=-50, max_value=200, allow_nan=False)
RULE = st.sampled_from(["full_at", "lower", "steps", "as_points"])


def _scoring(rule: str, top: float = 10.0, scale: float = 100.0) -> Scoring:
    rules = {"full_at": {"full_at": 80, "zero_at": 20}, "lower": {"full_at": 0, "zero_at": 20},
             "steps": {"steps": [{"op": ">", "value": 90, "points": 2 * top},
                                 {"op": ">=", "value": 70, "points": top / 2}]},
             "as_points": {"as_points": True}}
    return Scoring.model_validate({"scale": scale, "bands": [{"id": "A", "min": 50}],
                                   "indicators": [{"id": "1", "title": "t", "metric": "m",
                                                   "max": top, **rules[rule]}]})


def _values(rates: list[float | None], period: str = "2025") -> pl.DataFrame:
    return pl.DataFrame({"unit": [f"u{i:03d}" for i in range(len(rates))],
                         "period": [period] * len(rates), "metric": ["m"] * len(rates),
                         "value": rates}, schema={"unit": pl.String, "period": pl.String,
                                                  "metric": pl.String, "value": pl.Float64})


def _run(scoring: Scoring, values: pl.DataFrame):
    levels = {u: "commune" for u in values["unit"].unique().to_list()}
    return score(scoring, values, pl.DataFrame(schema={"target": pl.String, "unit": pl.String,
                                                       "period": pl.String,
                                                       "status": pl.String}), levels)


@settings(max_examples=60, deadline=None)
@given(rule=RULE, rates=st.lists(VALUES, min_size=1, max_size=12),
       top=st.floats(min_value=0.5, max_value=40), scale=st.sampled_from([1.0, 10.0, 100.0]))
def test_points_within_max_and_index_within_scale(rule, rates, top, scale):
    result = _run(_scoring(rule, top, scale), _values(rates))
    points = result.scores["points"].to_list()
    assert all(0 <= p <= top + 1e-12 for p in points)
    assert all(0 <= i <= scale + 1e-9 for i in result.rankings["index"].to_list())


@settings(max_examples=60, deadline=None)
@given(low=VALUES, high=VALUES)
def test_raising_the_value_never_lowers_the_points_when_full_at_is_above_zero_at(low, high):
    low, high = sorted((low, high))
    points = _run(_scoring("full_at"), _values([low, high])).scores["points"].to_list()
    assert points[0] <= points[1]


@settings(max_examples=60, deadline=None)
@given(rates=st.lists(VALUES, min_size=1, max_size=15))
def test_rank_follows_the_index_and_ties_share_a_rank_with_a_skip(rates):
    ranked = _run(_scoring("full_at"), _values(rates)).rankings.sort("rank", "unit")
    indices, ranks = ranked["index"].to_list(), ranked["rank"].to_list()
    assert ranks[0] == 1 and all(n == len(rates) for n in ranked["of"].to_list())
    for i in range(1, len(ranks)):
        assert indices[i] <= indices[i - 1] + 1e-9          # a better rank never has less
        if ranks[i] == ranks[i - 1]:
            assert indices[i - 1] - indices[i] <= TIE + 1e-9
        else:                                               # competition ranking: 1, 2, 2, 4
            assert ranks[i] == i + 1


def test_tied_units_share_a_rank_and_the_next_skips():
    ranked = _run(_scoring("as_points", top=100), _values([90, 88.004, 88, 80]))
    assert dict(ranked.rankings.select("unit", "rank").iter_rows()) == \
        {"u000": 1, "u001": 2, "u002": 2, "u003": 4}


@settings(max_examples=40, deadline=None)
@given(rates=st.lists(st.one_of(st.none(), VALUES), min_size=1, max_size=10),
       seed=st.integers(0, 1000))
def test_scores_do_not_depend_on_row_order(rates, seed):
    values = pl.concat([_values(rates, "2024-Q4"), _values(list(reversed(rates)), "2025-Q1")])
    values = values.drop_nulls("value") if len(values) > 1 else values
    first, second = (_run(_scoring("steps"), v) for v in (values, values.sample(
        fraction=1.0, shuffle=True, seed=seed)))
    for name in ("scores", "groups", "rankings"):
        assert getattr(first, name).equals(getattr(second, name))


def test_no_data_is_not_zero_points_unless_asked():
    scoring = _scoring("full_at")
    values = _values([50.0, 60.0]).vstack(
        pl.DataFrame({"unit": ["u002"], "period": ["2025"], "metric": ["other"],
                      "value": [1.0]}))
    result = _run(scoring, values)
    missing = result.scores.filter(pl.col("unit") == "u002").row(0, named=True)
    assert missing["points"] is None and missing["max"] is None
    assert result.rankings.filter(pl.col("unit") == "u002")["index"].to_list() == [None]
