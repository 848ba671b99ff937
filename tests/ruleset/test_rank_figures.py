"""Ranks as figures (issue 11): a metric of unit `rank` is a published place, 1 = best, with
its field (`of`) changing from 63 provinces to 34 in 2025. "Top N" is `<= N`, "up N places
on 2024" a change against the 2024 baseline, "top N%" a derived share of the field.

The field sizes are real (63 provinces before 1 July 2025, 34 after, domain notes); the
places are illustrative: neither the notes nor the seeds publish a province's PAR Index or
PAPI place.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from cchc_rules import evaluate_files
from cchc_rules.domain import MetricUnit, better, decimals
from cchc_rules.errors import CchcError
from cchc_rules.present import Formatter
from cchc_rules.ruleset import load_ruleset
from tests.factory import write

UNITS = [{"id": "tuyen-quang", "name": "Tỉnh Tuyên Quang", "level": "province"},
         {"id": "lam-dong", "name": "Tỉnh Lâm Đồng", "level": "province"}]


def _ruleset(**par_rank) -> dict:
    return {
        "ruleset": "par-rank", "title": "Nâng hạng Chỉ số CCHC",
        "metrics": {
            "par_rank": {"label": "Xếp hạng PAR Index", "unit": "rank", "of": "provinces",
                         **par_rank},
            "provinces": {"label": "Số tỉnh được xếp hạng", "unit": "count"},
            "par_rank_share": {"label": "Thứ hạng trên tổng số (%)", "unit": "percent",
                               "formula": "par_rank / provinces * 100"}},
        "targets": [
            {"id": "TOP-20", "title": "PAR Index trong nhóm 20 tỉnh dẫn đầu",
             "area": "institutions", "metric": "par_rank",
             "milestones": [{"by": "2025", "op": "<=", "value": 20}]},
            {"id": "UP-5", "title": "Tăng ít nhất 5 bậc so với năm 2024",
             "area": "institutions", "metric": "par_rank", "change": "absolute",
             "baseline": {"period": "2024"},
             "milestones": [{"by": "2025", "op": "<=", "value": -5}]},
            {"id": "TOP-20PCT", "title": "Trong nhóm 20% tỉnh dẫn đầu",
             "area": "institutions", "metric": "par_rank_share",
             "milestones": [{"by": "2025", "op": "<=", "value": 20}]}]}


def _run(tmp_path: Path, reports: list[dict]):
    rules = write(tmp_path / "r.yaml", _ruleset())
    data = write(tmp_path / "d.yaml", {"units": UNITS, "reports": reports})
    return evaluate_files(rules, [data])


def _status(ev, target: str, unit: str, period: str = "2025") -> dict:
    return next(r for r in ev.records()
                if (r["target"], r["unit"], r["period"]) == (target, unit, period))


REPORTS = [
    {"unit": "tuyen-quang", "period": "2024", "values": {"par_rank": 30, "provinces": 63}},
    {"unit": "tuyen-quang", "period": "2025", "values": {"par_rank": 12, "provinces": 34}},
    {"unit": "lam-dong", "period": "2024", "values": {"par_rank": 10, "provinces": 63}},
    {"unit": "lam-dong", "period": "2025", "values": {"par_rank": 6, "provinces": 34}},
]


def test_rank_is_a_whole_lower_is_better_unit():
    info = MetricUnit.RANK.info
    assert (info.whole, info.lowest, info.summable, decimals("rank"), better("rank")) == \
        (True, 1, False, 0, -1)
    assert better("percent") == 1
    assert Formatter("vi").value(12.0, "rank") == "12"


def test_top_n_is_at_most_n(tmp_path):
    ev = _run(tmp_path, REPORTS)
    assert _status(ev, "TOP-20", "tuyen-quang")["status"] == "met"      # 12 ≤ 20
    assert _status(ev, "TOP-20", "lam-dong")["status"] == "met"


def test_up_n_places_is_a_change_against_the_baseline_year(tmp_path):
    ev = _run(tmp_path, REPORTS)
    up = _status(ev, "UP-5", "tuyen-quang")
    assert (up["status"], up["actual"]) == ("met", -18)                 # 30th → 12th
    down = _status(ev, "UP-5", "lam-dong")
    assert (down["status"], down["actual"]) == ("not_met", -4)          # 10th → 6th: 4 up


def test_top_percent_is_a_share_of_the_field_that_changes_in_2025(tmp_path):
    ev = _run(tmp_path, REPORTS)
    tq = _status(ev, "TOP-20PCT", "tuyen-quang")
    assert tq["status"] == "not_met" and tq["actual"] == pytest.approx(12 / 34 * 100)
    ld = _status(ev, "TOP-20PCT", "lam-dong")                           # 6 / 34 = 17.6%
    assert ld["status"] == "met" and ld["actual"] == pytest.approx(6 / 34 * 100)


def test_of_adds_the_check_rank_within_the_field(tmp_path):
    ev = _run(tmp_path, [{"unit": "lam-dong", "period": "2025",
                          "values": {"par_rank": 40, "provinces": 34}},
                         {"unit": "tuyen-quang", "period": "2025",
                          "values": {"par_rank": 12, "provinces": 34}}])
    checks = {(r["unit"], r["status"]) for r in ev.check_records()
              if r["check"] == "par_rank.of"}
    assert checks == {("lam-dong", "fail"), ("tuyen-quang", "pass")}


def test_a_rank_below_one_is_a_data_error(tmp_path):
    with pytest.raises(CchcError) as err:
        _run(tmp_path, [{"unit": "lam-dong", "period": "2025",
                         "values": {"par_rank": 0, "provinces": 34}}])
    assert [p.code for p in err.value.problems] == ["DAT24"]
    assert err.value.problems[0].pos.line > 0


@pytest.mark.parametrize(("change", "message"), [
    ({"unit": "count"}, "'of' is only for rank metrics"),
    ({"of": "provincse"}, "unknown metric 'provincse'"),
    ({"of": "par_rank_share"}, "must be a count")])
def test_of_is_checked_with_a_position(tmp_path, change, message):
    doc = _ruleset(**change)
    path = write(tmp_path / "r.yaml", doc)
    with pytest.raises(CchcError) as err:
        load_ruleset(path)
    problems = [p for p in err.value.problems if p.code == "SEM40"]
    assert len(problems) == 1 and message in problems[0].message
    assert problems[0].pos.line == 7        # the par_rank metric's `of` line
    if change.get("of") == "provincse":
        assert "provinces" in (problems[0].hint or "")
