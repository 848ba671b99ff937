"""Evaluation.compact_results: the report's copy of the result rows, the labels Categorical
but the join keys, row for row and value for value the String results."""
from __future__ import annotations

import polars as pl

from cchc_rules.evaluation import evaluator
from cchc_rules.evaluation.evaluator import evaluate
from cchc_rules.figures.data import read_data
from cchc_rules.ruleset import load_ruleset
from tests.factory import SLICES_DATA as DATA
from tests.factory import SLICES_RULESET as RULESET


def test_compact_results_are_the_results_with_categorical_labels(tmp_path, monkeypatch):
    monkeypatch.setattr(evaluator, "SLICE_RESULTS", 3)   # built from several slices
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    ev = evaluate(load_ruleset(tmp_path / "r.yaml"), read_data([tmp_path / "d.csv"]))
    compact = ev.compact_results()
    assert {n for n, t in compact.schema.items() if t == pl.String} == \
        {"target", "unit", "period"}
    assert compact.schema["status"] == pl.Categorical and compact.height == 26
    strings = {n: pl.String for n, t in compact.schema.items() if t == pl.Categorical}
    assert compact.cast(strings).equals(ev.results)
    assert ev.compact_results().equals(ev.results)
