"""Evaluation.compact_results: the report's copy of the result rows, the labels Categorical
but the join keys, row for row and value for value the String results."""
from __future__ import annotations

import polars as pl

from cchc_rules.evaluation import evaluator, wide
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


def test_long_results_reuse_the_decided_statuses(tmp_path, monkeypatch):
    """The national path (per target, folded; ONE_PASS 0) builds the long results once, its
    statuses the ones `evaluate` decided, in one piece or in slices: each equal to the small
    path's, which decides every output of the unfolded plan in one query."""
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")

    def compact():
        ev = evaluate(load_ruleset(tmp_path / "r.yaml"), read_data([tmp_path / "d.csv"]))
        return pl.concat(list(ev.result_slices()))

    reference = compact()   # 26 results: all at once
    monkeypatch.setattr(wide, "ONE_PASS", 0)
    decided = []
    real = wide.WideStatuses.decide
    monkeypatch.setattr(wide.WideStatuses, "decide",
                        lambda self, outputs: decided.append(outputs) or real(self, outputs))
    once = compact()
    assert [o for o in decided if "status" in o] == [("status",)]   # decided once
    assert len(decided) == 2 and once.equals(reference)
    monkeypatch.setattr(evaluator, "SLICE_RESULTS", 4)   # two (unit, period) rows a slice
    decided.clear()
    sliced = compact()
    assert [o for o in decided if "status" in o] == [("status",)] and len(decided) == 8
    assert sliced.equals(reference)
