"""Spec §6 for the sub-periods of §5: a merged unit's period derived from shorter ones takes
each piece that ends before the merger on the territory of the derived period."""
from __future__ import annotations

from pathlib import Path

import pytest

from cchc_rules.evaluation.evaluator import evaluate
from cchc_rules.figures.data import read_data
from cchc_rules.render.explain import explain
from cchc_rules.ruleset import load_ruleset

RULESET = """\
ruleset: m
title: Sáp nhập giữa năm
metrics:
  received: {label: Hồ sơ tiếp nhận, unit: count, over_time: sum}
  on_time:  {label: Hồ sơ đúng hạn, unit: count, over_time: sum}
  on_time_rate: {label: Tỷ lệ đúng hạn, unit: percent, formula: on_time / received * 100}
targets:
  - {id: R, title: Hồ sơ, area: procedures, metric: received,
     milestones: [{by: "2025", op: ">=", value: 100}]}
  - {id: D, title: Đúng hạn, area: procedures, metric: on_time_rate,
     milestones: [{by: "2025", op: ">=", value: 90}]}
"""
UNITS = """\
units:
  - {id: tuyen-quang, name: Tuyên Quang, level: province}
  - {id: ha-giang, name: Hà Giang, level: province, valid_to: 2025-06-30, successor: tuyen-quang}
"""
# Hà Giang ends on 30 June: its Q1, which ended before it did, joins Tuyên Quang's Q1 for the
# year 2025 (Q2 ended with it: not after it, so not restated, spec §6 read literally)
DATA = """\
unit,period,received,on_time
tuyen-quang,2025-Q1,10,10
tuyen-quang,2025-Q2,10,8
tuyen-quang,2025-Q3,30,27
tuyen-quang,2025-Q4,30,27
ha-giang,2025-Q1,5,{hg_on_time}
"""


def _run(tmp_path: Path, hg_on_time: str = "4"):
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "u.yaml").write_text(UNITS, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA.format(hg_on_time=hg_on_time), encoding="utf-8")
    rules = load_ruleset(tmp_path / "r.yaml")
    figures = read_data([tmp_path / "d.csv"], units_file=tmp_path / "u.yaml")
    return rules, figures, evaluate(rules, figures, periods=["2025"])


def _result(ev, target: str) -> dict:
    (row,) = [r for r in ev.records() if (r["target"], r["unit"]) == (target, "tuyen-quang")]
    return row


def test_pieces_before_the_merger_are_summed_over_the_merged_units(tmp_path):
    _, _, ev = _run(tmp_path)
    received = _result(ev, "R")
    assert (received["actual"], received["origin"]) == (85, "restated")   # 15 + 10 + 30 + 30
    # the rate is computed from the restated sums: 76 / 85
    assert _result(ev, "D")["actual"] == pytest.approx(76 / 85 * 100)


def test_every_merged_unit_must_have_the_piece(tmp_path):
    _, _, ev = _run(tmp_path, hg_on_time="")
    assert _result(ev, "R")["actual"] == 85
    assert _result(ev, "D")["status"] == "no_data"


def test_explain_shows_the_restated_pieces(tmp_path):
    rules, figures, _ = _run(tmp_path)
    text = explain(rules, figures, "R", "tuyen-quang", "2025", lang="en")
    assert "received = 85 (restated)" in text
    assert "2025 = 2025-Q1 + 2025-Q2 + 2025-Q3 + 2025-Q4 = 15 + 10 + 30 + 30 = 85" in text
    assert "(2025-Q1: tuyen-quang + ha-giang, on the territory of 2025)" in text
