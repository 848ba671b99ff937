"""Relative baselines (issue 10): `baseline: {period: same_last_year}` ("cùng kỳ năm trước")
and `{period: previous}` ("kỳ trước") resolve, per result, to the matching earlier period."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.derive.relative import resolve
from cchc_rules.errors import CchcError
from cchc_rules.evaluation.evaluator import evaluate
from cchc_rules.figures.data import read_data
from cchc_rules.periods import parse_period
from cchc_rules.render.explain import explain
from cchc_rules.ruleset import load_ruleset
from cchc_rules.ruleset.schema import json_schema

RULESET = """\
ruleset: rel
title: So với cùng kỳ
metrics:
  received: {label: Hồ sơ tiếp nhận, unit: count, over_time: sum}
  online:   {label: Hồ sơ trực tuyến, unit: count, over_time: sum}
  online_rate: {label: Tỷ lệ trực tuyến, unit: percent, formula: online / received * 100}
targets:
  - {id: YOY, title: Tăng 10% so với cùng kỳ, area: procedures, metric: online,
     change: percent, baseline: {period: same_last_year},
     milestones: [{by: "2025", op: ">=", value: 10}]}
  - {id: QOQ, title: Tỷ lệ không giảm so với kỳ trước, area: procedures, metric: online_rate,
     change: absolute, baseline: {period: previous},
     milestones: [{by: "2025", op: ">=", value: 0}]}
"""

DATA = """\
unit,period,received,online
ham-tan,2024-Q2,100,40
ham-tan,2024-Q3,100,50
ham-tan,2025-Q2,100,60
ham-tan,2025-Q3,100,54
"""


def _run(tmp_path: Path, ruleset: str = RULESET, data: str = DATA, **options):
    (tmp_path / "r.yaml").write_text(ruleset, encoding="utf-8")
    (tmp_path / "d.csv").write_text(data, encoding="utf-8")
    rules, figures = load_ruleset(tmp_path / "r.yaml"), read_data([tmp_path / "d.csv"])
    return rules, figures, evaluate(rules, figures, **options)


def _result(ev, target: str, period: str) -> dict:
    rows = [r for r in ev.records() if (r["target"], r["period"]) == (target, period)]
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(("period", "last_year", "previous"), [
    ("2025", "2024", "2024"),
    ("2025-H1", "2024-H1", "2024-H2"),
    ("2025-Q3", "2024-Q3", "2025-Q2"),
    ("2025-Q1", "2024-Q1", "2024-Q4"),
    ("2025-01", "2024-01", "2024-12"),
    ("2025-01/2025-09", "2024-01/2024-09", "2024-04/2024-12"),   # nine months before
    ("2025-Q1/2025-Q3", "2024-Q1/2024-Q3", "2024-Q2/2024-Q4"),
    ("2025-01/2025-Q3", "2024-01/2024-Q3", "2024-04/2024-12"),   # two kinds: in months
    ("2024-02-29/2024-12-31", "2023-02-28/2023-12-31", "2023-04-28/2024-02-28"),
])
def test_a_relative_period_resolves_to_the_matching_earlier_one(period, last_year, previous):
    assert resolve("same_last_year", period) == last_year
    assert resolve("previous", period) == previous


@given(year=st.integers(1901, 9998), kind=st.sampled_from(["", "-H", "-Q", "-"]),
       index=st.integers(1, 12))
def test_same_last_year_is_the_shift_by_one_year_and_previous_ends_the_day_before(
        year, kind, index):
    suffix = {"": "", "-H": f"-H{(index - 1) % 2 + 1}", "-Q": f"-Q{(index - 1) % 4 + 1}",
              "-": f"-{index:02d}"}[kind]
    period = parse_period(f"{year}{suffix}")
    last_year = parse_period(resolve("same_last_year", period.text))
    assert (last_year.kind, last_year.start.replace(year=year), last_year.end.year) == (
        period.kind, period.start, year - 1)
    before = parse_period(resolve("previous", period.text))
    assert before.kind == period.kind and (period.start - before.end).days == 1


def test_each_result_is_compared_with_its_own_earlier_period(tmp_path):
    _, _, ev = _run(tmp_path)
    yoy = _result(ev, "YOY", "2025-Q3")
    assert (yoy["baseline_period"], yoy["baseline_value"], yoy["actual"]) == ("2024-Q3", 50, 8)
    assert _result(ev, "YOY", "2025-Q2")["baseline_period"] == "2024-Q2"
    assert _result(ev, "YOY", "2025-Q2")["actual"] == 50
    qoq = _result(ev, "QOQ", "2025-Q3")
    assert (qoq["baseline_period"], qoq["baseline_value"], qoq["actual"]) == ("2025-Q2", 60, -6)
    # 2024-Q2's previous period 2024-Q1 was not reported: no data, and the JSON says which
    first = _result(ev, "QOQ", "2024-Q2")
    assert (first["status"], first["baseline_period"]) == ("no_data", "2024-Q1")


def test_a_relative_baseline_starts_no_trajectory(tmp_path):
    _, _, ev = _run(tmp_path)
    yoy = _result(ev, "YOY", "2025-Q3")   # 8% < 10% before the deadline: pending, not off
    assert (yoy["status"], yoy["expected"]) == ("pending", None)


def test_the_base_period_is_derived_from_shorter_ones(tmp_path):
    data = DATA + "".join(f"ham-tan,2024-Q{q},100,{10 * q}\n" for q in (1, 4)) \
        + "ham-tan,2025-Q1,100,20\nham-tan,2025-Q4,100,20\n"
    _, _, ev = _run(tmp_path, data=data, periods=["2025"])
    yoy = _result(ev, "YOY", "2025")   # 2025: 154 online; 2024: 10 + 40 + 50 + 40 = 140
    assert (yoy["baseline_period"], yoy["baseline_value"]) == ("2024", 140)
    assert yoy["actual"] == pytest.approx(10)


def test_explain_names_the_period_used(tmp_path):
    rules, figures, _ = _run(tmp_path)
    vi = explain(rules, figures, "YOY", "ham-tan", "2025-Q3")
    en = explain(rules, figures, "QOQ", "ham-tan", "2025-Q3", lang="en")
    assert "Mốc gốc: kỳ 2024-Q3 (cùng kỳ năm trước của 2025-Q3) = 50" in vi
    assert "Baseline: 2025-Q2 (the previous period of 2025-Q3) = 60" in en
    assert "Trajectory: none (the baseline moves with the period)" in en


def test_a_merged_unit_compares_with_last_year_on_todays_territory(tmp_path):
    units = ("units:\n  - {id: tuyen-quang, name: Tuyên Quang, level: province}\n"
             "  - {id: ha-giang, name: Hà Giang, level: province, valid_to: 2025-06-30,"
             " successor: tuyen-quang}\n")
    (tmp_path / "units.yaml").write_text(units, encoding="utf-8")
    data = ("unit,period,received,online\ntuyen-quang,2024-H2,100,40\n"
            "ha-giang,2024-H2,100,60\ntuyen-quang,2025-H2,200,110\n")
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.csv").write_text(data, encoding="utf-8")
    ev = evaluate(load_ruleset(tmp_path / "r.yaml"),
                  read_data([tmp_path / "d.csv"], units_file=tmp_path / "units.yaml"))
    yoy = _result(ev, "YOY", "2025-H2")   # 110 against 40 + 60 on the merged territory
    assert (yoy["baseline_period"], yoy["baseline_value"], yoy["origin"]) == (
        "2024-H2", 100, "restated")
    assert yoy["actual"] == pytest.approx(10) and yoy["status"] == "met"


@pytest.mark.parametrize(("written", "hint"), [
    ("same_lst_year", "same_last_year"), ("same-last-year", "same_last_year"),
    ("previos", "previous"), ("Previous", "previous")])
def test_a_misspelt_relative_period_is_an_error_with_a_did_you_mean(tmp_path, written, hint):
    text = RULESET.replace("{period: previous}", f"{{period: {written}}}")
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CchcError) as err:
        load_ruleset(tmp_path / "r.yaml")
    (problem,) = err.value.problems
    line = text.splitlines().index(next(x for x in text.splitlines() if written in x)) + 1
    assert (problem.code, problem.pos.line) == ("SCH06", line)
    assert hint in problem.hint and "same_last_year, previous" in problem.message


def test_a_relative_baseline_takes_no_value(tmp_path):
    text = RULESET.replace("{period: previous}", "{period: previous, value: 12}")
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CchcError) as err:
        load_ruleset(tmp_path / "r.yaml")
    (problem,) = err.value.problems
    assert problem.code == "SEM10" and problem.pos.line == 12 and "previous" in problem.message


def test_the_json_schema_offers_the_relative_periods():
    period = json_schema()["definitions"]["Baseline"]["properties"]["period"]
    assert {"enum": ["same_last_year", "previous"]} in period["anyOf"]
