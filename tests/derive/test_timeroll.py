"""Figures over time (spec §5, cchc_rules/timeroll.py): tilings, differences, the reported
figure winning, origins, messages and explain's arithmetic."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from cchc_rules.derive.timeroll import absent_parts, derive, difference, tile
from cchc_rules.errors import CchcError
from cchc_rules.evaluation.evaluator import evaluate
from cchc_rules.figures.data import read_data
from cchc_rules.periods import RANGE, parse_period
from cchc_rules.render.explain import explain
from cchc_rules.ruleset import load_ruleset

RULESET = """\
ruleset: flow
title: Hồ sơ theo kỳ
metrics:
  received: {label: Hồ sơ tiếp nhận, unit: count, over_time: sum}
  on_time:  {label: Hồ sơ đúng hạn, unit: count, over_time: sum}
  staff:    {label: Biên chế, unit: count}
  on_time_rate: {label: Tỷ lệ đúng hạn, unit: percent, formula: on_time / received * 100}
targets:
  - {id: D1, title: Đúng hạn, area: procedures, metric: on_time_rate,
     milestones: [{by: "2025", op: ">=", value: 90}]}
  - {id: S, title: Biên chế, area: organization, metric: staff,
     milestones: [{by: "2025", op: "<=", value: 10}]}
"""


def periods(*texts: str) -> list:
    return [parse_period(t) for t in texts]


def run(tmp_path, csv: str, **options):
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.csv").write_text(csv, encoding="utf-8")
    ruleset = load_ruleset(tmp_path / "r.yaml")
    figures = read_data([tmp_path / "d.csv"])
    return ruleset, figures, evaluate(ruleset, figures, **options)


def test_the_fewest_pieces_tile_a_period():
    year = parse_period("2025")
    months = periods(*(f"2025-{m:02d}" for m in range(1, 13)))
    got = tile(year, [*months, *periods("2025-Q1", "2025-Q2", "2025-H2")])
    assert [p.text for p in got] == ["2025-Q1", "2025-Q2", "2025-H2"]
    # a gap, or only overlapping pieces, tile nothing
    assert tile(year, periods("2025-Q1", "2025-Q2", "2025-Q4")) is None
    assert tile(year, periods("2025-H1", "2025-Q2", "2025-Q3")) is None
    # the period itself is no tiling of itself; the same days written as a range are
    assert tile(year, periods("2025")) is None
    assert [p.text for p in tile(year, periods("2025", "2025-01/2025-12"))] == [
        "2025-01/2025-12"]


def test_of_equally_short_tilings_the_longer_pieces_come_first():
    got = tile(parse_period("2025-H1"), periods("2025-01", "2025-02/2025-06",
                                                "2025-01/2025-05", "2025-06"))
    assert [p.text for p in got] == ["2025-01/2025-05", "2025-06"]


def test_a_quarter_is_the_year_to_date_minus_what_came_before():
    whole, before = difference(parse_period("2025-Q3"),
                               periods("2025-H1", "2025-01/2025-09", "2025-Q1"))
    assert whole.text == "2025-01/2025-09" and [p.text for p in before] == ["2025-H1"]
    assert difference(parse_period("2025-Q3"), periods("2025-01/2025-09")) is None


def test_date_ranges_are_periods_ending_on_their_last_day():
    period = parse_period("2021-09-28/2024-08-31")
    assert (period.kind, period.start, period.end) == (RANGE, date(2021, 9, 28),
                                                      date(2024, 8, 31))
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_period("2024-08-31/2021-09-28")
    with pytest.raises(ValueError, match="ends before its first part ends"):
        parse_period("2024/2024-03")


def test_derive_sums_flows_and_leaves_other_metrics_alone():
    values = pl.DataFrame({
        "unit": ["x"] * 4 + ["y"], "period": ["2025-H1", "2025-H2", "2025-H1", "2025-H2",
                                             "2025-H1"],
        "metric": ["received", "received", "staff", "staff", "received"],
        "value": [10.0, 20.0, 5.0, 6.0, 1.0], "file": ["d"] * 5, "line": [1, 2, 3, 4, 5],
        "source": [None] * 5}, schema_overrides={"source": pl.String})
    timed = derive(values, {"received": "sum"}, ["2025"])
    new = timed.values.filter(pl.col("origin") == "derived_time")
    assert new.select("unit", "period", "metric", "value").rows() == [
        ("x", "2025", "received", 30.0)]
    assert timed.how.row(0)[3:] == ("tile", ["2025-H1", "2025-H2"], [10.0, 20.0])


def test_a_derived_year_has_results_and_says_where_it_came_from(tmp_path):
    csv = "unit,period,received,on_time,staff\n" + "".join(
        f"x,2025-Q{q},100,{90 + q},{q}\n" for q in range(1, 5))
    _, _, ev = run(tmp_path, csv)
    year = ev.results.filter(pl.col("period") == "2025")
    got = dict(zip(year["target"], zip(year["status"], year["actual"], year["origin"],
                                       strict=True), strict=True))
    assert got["D1"] == ("met", 92.5, "derived_time")
    # staff has no over_time: never derived across periods
    assert got["S"] == ("no_data", None, None)
    assert set(ev.results.filter(pl.col("period") == "2025-Q1")["origin"]) == {"reported"}


def test_rolled_up_origin_after_derivation_per_unit(tmp_path):
    (tmp_path / "u.yaml").write_text(
        "units:\n  - {id: p, name: P, level: province}\n"
        "  - {id: a, name: A, level: district, parent: p}\n", encoding="utf-8")
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.csv").write_text("unit,period,received,on_time\na,2025-H1,10,9\n"
                                    "a,2025-H2,10,10\n", encoding="utf-8")
    ev = evaluate(load_ruleset(tmp_path / "r.yaml"),
                  read_data([tmp_path / "d.csv"], tmp_path / "u.yaml"))
    row = ev.results.filter((pl.col("unit") == "p") & (pl.col("period") == "2025")
                            & (pl.col("target") == "D1"))
    assert row.select("actual", "origin").row(0) == (95.0, "rolled_up")


def test_an_underivable_period_names_what_is_missing_and_suggests_no_quarter(tmp_path):
    with pytest.raises(CchcError) as err:
        run(tmp_path, "unit,period,received,on_time\nx,2025-Q1,1,1\n", periods=["2025-H1"])
    problem = err.value.problems[0]
    assert problem.code == "EVL01" and "2025-Q2" in problem.message
    assert "did you mean" not in (problem.hint or "")
    with pytest.raises(CchcError) as err:
        run(tmp_path, "unit,period,received,on_time\nx,2024-H1,1,1\n", periods=["2025-H1"])
    assert err.value.problems[0].hint == "did you mean '2024-H1'?"  # a half-year for a half-year


def test_absent_parts_uses_the_longest_reported_kind():
    assert absent_parts("2025", ["2025-Q1", "2025-03", "2025-Q3"]) == ["2025-Q2", "2025-Q4"]
    assert absent_parts("2025", ["2024"]) is None


def test_the_period_option_derives_a_half_year(tmp_path):
    _, _, ev = run(tmp_path, "unit,period,received,on_time\nx,2025-Q1,10,9\nx,2025-Q2,10,10\n",
                   periods=["2025-H1"])
    assert ev.results.filter(pl.col("target") == "D1").select(
        "period", "actual", "origin").rows() == [("2025-H1", 95.0, "derived_time")]


def test_explain_shows_the_difference(tmp_path):
    ruleset, figures, _ = run(tmp_path, "unit,period,received,on_time\nx,2025-H1,200,180\n"
                              "x,2025-01/2025-09,300,250\n")
    text = explain(ruleset, figures, "D1", "x", "2025-Q3", lang="en")
    assert "2025-Q3 = 2025-01/2025-09 − 2025-H1 = 300 − 200 = 100" in text
    assert "on_time = 70 (derived from shorter periods)" in text
