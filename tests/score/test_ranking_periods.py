"""Ranking compares like with like (issue 11): units are ranked within one period, never a
unit's 2025 figures beside another's 2025-H1; missing data is never zero points unless an
indicator says `when_no_data: zero`."""
from __future__ import annotations

import json

import polars as pl
from click.testing import CliRunner

from cchc_rules.cli import main
from cchc_rules.evaluation.result import RESULT_SCHEMA
from cchc_rules.score.share_met import latest_period, rank_units
from tests.factory import write

UNITS = [{"id": "tuyen-quang", "name": "Tỉnh Tuyên Quang", "level": "province"},
         {"id": "ha-giang", "name": "Tỉnh Hà Giang", "level": "province"},
         {"id": "lam-dong", "name": "Tỉnh Lâm Đồng", "level": "province"}]


def _results(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame([{"unit": u, "period": p, "target": t, "status": s, "weight": 1.0}
                         for u, p, t, s in rows], schema=RESULT_SCHEMA)


def test_status_ranking_never_places_2025_beside_2025_h1():
    frame = _results(("tuyen-quang", "2025", "A", "met"), ("tuyen-quang", "2025", "B", "met"),
                     ("lam-dong", "2025", "A", "not_met"), ("lam-dong", "2025", "B", "met"),
                     ("ha-giang", "2025-H1", "A", "not_met"))
    table = rank_units(frame)
    assert table.select("unit", "period", "rank").rows() == [
        ("tuyen-quang", "2025", 1), ("lam-dong", "2025", 2), ("ha-giang", "2025-H1", 1)]
    assert latest_period(table)["unit"].to_list() == ["tuyen-quang", "lam-dong"]


def test_status_ranking_leaves_missing_figures_out_of_the_score():
    frame = _results(("tuyen-quang", "2025", "A", "met"), ("tuyen-quang", "2025", "B", "no_data"),
                     ("lam-dong", "2025", "A", "met"), ("lam-dong", "2025", "B", "not_met"),
                     ("ha-giang", "2025", "A", "no_data"))
    assert rank_units(frame).select("unit", "score", "rank").rows() == [
        ("tuyen-quang", 100.0, 1), ("lam-dong", 50.0, 2)]   # ha-giang: nothing to rank on


def _scored(tmp_path, no_data: str | None = None):
    indicator = {"id": "2.1", "title": "Hồ sơ đúng hạn", "metric": "on_time", "max": 20,
                 "full_at": 100}
    extra = {"id": "5.4", "title": "Hài lòng", "metric": "satisfied", "max": 6, "full_at": 90,
             **({"when_no_data": no_data} if no_data else {})}
    rules = write(tmp_path / "r.yaml", {
        "ruleset": "like", "title": "Chấm điểm",
        "metrics": {"on_time": {"label": "Đúng hạn", "unit": "percent"},
                    "satisfied": {"label": "Hài lòng", "unit": "percent"}},
        "scoring": {"indicators": [indicator, extra]}})
    data = write(tmp_path / "d.yaml", {"units": UNITS, "reports": [
        {"unit": "tuyen-quang", "period": "2025", "values": {"on_time": 80, "satisfied": 90}},
        {"unit": "lam-dong", "period": "2025", "values": {"on_time": 90}},
        {"unit": "ha-giang", "period": "2025-H1", "values": {"on_time": 100, "satisfied": 90}}]})
    done = CliRunner().invoke(main, ["rank", str(rules), "--data", str(data),
                                     "--format", "json"])
    assert done.exit_code == 0, done.output
    return {r["unit"]: r for r in json.loads(done.stdout)["rankings"]}


def test_cchc_rank_ranks_each_period_apart(tmp_path):
    rows = _scored(tmp_path)
    assert (rows["ha-giang"]["period"], rows["ha-giang"]["rank"], rows["ha-giang"]["of"]) == \
        ("2025-H1", 1, 1)
    assert {u: (r["rank"], r["of"]) for u, r in rows.items() if r["period"] == "2025"} == \
        {"lam-dong": (1, 2), "tuyen-quang": (2, 2)}


def test_a_missing_figure_is_left_out_not_zero(tmp_path):
    rows = _scored(tmp_path)
    assert (rows["lam-dong"]["points"], rows["lam-dong"]["max"]) == (18, 20)   # 5.4 left out
    assert rows["lam-dong"]["index"] == 90


def test_when_no_data_zero_counts_it_as_zero(tmp_path):
    rows = _scored(tmp_path, "zero")
    assert (rows["lam-dong"]["points"], rows["lam-dong"]["max"]) == (18, 26)
    assert rows["lam-dong"]["rank"] == 2 and rows["tuyen-quang"]["rank"] == 1
