"""The CSV writer's result rows come a slice of (unit, period) rows at a time, with
Categorical labels (Evaluation.result_slices): the file is byte for byte the one written
from the whole results frame."""
from __future__ import annotations

from cchc_rules.evaluation import evaluator
from cchc_rules.evaluation.evaluator import evaluate
from cchc_rules.evaluation.result import COMPACT_SCHEMA
from cchc_rules.figures.data import read_data
from cchc_rules.render import FORMATS
from cchc_rules.render.csv import _frame
from cchc_rules.ruleset import load_ruleset
from tests.factory import SLICES_DATA as DATA
from tests.factory import SLICES_RULESET as RULESET


def _evaluation(tmp_path):
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    return evaluate(load_ruleset(tmp_path / "r.yaml"), read_data([tmp_path / "d.csv"]))


def test_sliced_csv_is_the_whole_frames_csv(tmp_path, monkeypatch):
    monkeypatch.setattr(evaluator, "SLICE_RESULTS", 2)   # one (unit, period) row a slice
    ev = _evaluation(tmp_path)
    slices = list(ev.result_slices())
    assert len(slices) == 13 and all(dict(s.schema) == COMPACT_SCHEMA for s in slices)
    sliced = FORMATS["csv"](ev)
    whole = _frame(ev).write_csv()     # the String results, built now, in one piece
    assert sliced == whole
    assert "'=Tỷ lệ trực tuyến" in whole and whole.count("\n") == 27


def test_once_results_are_built_the_writer_reads_them(tmp_path):
    ev = _evaluation(tmp_path)
    assert ev.results.height == 26
    (only,) = ev.result_slices()
    assert only is ev.results
