"""Evaluation.compact_results: the report's copy of the result rows, the labels Categorical
but the join keys, row for row and value for value the String results."""
from __future__ import annotations

import polars as pl

from cchc_rules import evaluator
from cchc_rules.data import read_data
from cchc_rules.evaluator import evaluate
from cchc_rules.ruleset import load_ruleset

RULESET = """\
ruleset: compact
title: Nhãn gọn
metrics:
  received: {label: Hồ sơ tiếp nhận, unit: count}
  online:   {label: Hồ sơ trực tuyến, unit: count}
  online_rate: {label: Tỷ lệ trực tuyến, unit: percent, formula: online / received * 100}
targets:
  - {id: TTHC-06, title: Tỷ lệ hồ sơ trực tuyến, area: procedures, metric: online_rate,
     milestones: [{by: "2025-02", op: ">=", value: 40}, {by: "2025-04", op: ">=", value: 80}]}
"""
DATA = "unit,period,received,online\n" + "".join(
    f"{unit},2025-0{month},{100 + month},{10 * month + len(unit)}\n"
    for unit in ("ham-tan", "la-gi") for month in range(1, 5))


def test_compact_results_are_the_results_with_categorical_labels(tmp_path, monkeypatch):
    monkeypatch.setattr(evaluator, "SLICE_RESULTS", 3)   # built from several slices
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    ev = evaluate(load_ruleset(tmp_path / "r.yaml"), read_data([tmp_path / "d.csv"]))
    compact = ev.compact_results()
    assert {n for n, t in compact.schema.items() if t == pl.String} == \
        {"target", "unit", "period"}
    assert compact.schema["status"] == pl.Categorical
    strings = {n: pl.String for n, t in compact.schema.items() if t == pl.Categorical}
    assert compact.cast(strings).equals(ev.results)
    assert ev.compact_results().equals(ev.results)
