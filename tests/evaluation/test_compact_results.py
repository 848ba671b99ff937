"""Evaluation.compact_results: the report's copy of the result rows, the labels Categorical
but the join keys, row for row and value for value the String results."""
from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import yaml

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
    statuses the ones `evaluate` decided, the rest from what that decision kept (the plan's
    last stage only), in one piece or in slices: each equal to the small path's, which
    decides every output of the unfolded plan in one query."""
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")

    def compact():
        ev = evaluate(load_ruleset(tmp_path / "r.yaml"), read_data([tmp_path / "d.csv"]))
        return pl.concat(list(ev.result_slices()))

    reference = compact()   # 26 results: all at once
    monkeypatch.setattr(wide, "ONE_PASS", 0)
    decided = []
    real = wide.WideStatuses.decide
    monkeypatch.setattr(wide.WideStatuses, "decide", lambda self, outputs: decided.append(
        (outputs, len(self.plan))) or real(self, outputs))
    once = compact()
    whole = len(evaluator.STATUS_PLAN)
    # decided once, with what the long results take from it; the rest by the last stage
    assert decided[0] == (("status", *evaluator.CARRIED), whole)
    assert [stages for _, stages in decided[1:]] == [1] and once.equals(reference)
    monkeypatch.setattr(evaluator, "SLICE_RESULTS", 4)   # two (unit, period) rows a slice
    decided.clear()
    sliced = compact()
    assert [o for o, _ in decided if "status" in o] == [("status", *evaluator.CARRIED)]
    # the last stage decided once for every row, the seven slices laid out from its parts
    assert [stages for _, stages in decided[1:]] == [1]
    assert sliced.equals(reference)


def test_long_results_of_a_rank_field_on_the_national_path(tmp_path, monkeypatch):
    """A quantity no target has (the rank's `field`, `share`, … when the fields are the
    same) is a column of nulls on the national path, one some target has is gathered:
    both as the small path decides them, value for value."""
    case = Path(__file__).parents[1] / "conformance" / "rank-fields-differ"
    shutil.copytree(case, tmp_path / "case")
    ruleset = tmp_path / "case" / "ruleset.yaml"
    data = tmp_path / "case" / "data.yaml"
    reports = yaml.safe_load(data.read_text(encoding="utf-8"))
    reports["units"].append({"id": "bac-lieu", "name": "Tỉnh Bạc Liêu", "level": "province"})
    for base_field, shown in ((63, True), (34, False)):
        reports["reports"] = [
            {"unit": unit, "period": period,
             "values": {"par_rank": rank, "provinces_ranked": field}}
            for unit, shift in (("ca-mau", 0), ("bac-lieu", 4))
            for period, rank, field in (("2024", 20 + shift, base_field),
                                        ("2025", 15 + shift, 34))]
        data.write_text(yaml.safe_dump(reports, allow_unicode=True), encoding="utf-8")

        def results():
            ev = evaluate(load_ruleset(ruleset), read_data([data]))
            return pl.concat(list(ev.result_slices()))

        monkeypatch.setattr(wide, "ONE_PASS", 100_000)
        small = results()
        monkeypatch.setattr(wide, "ONE_PASS", 0)
        national = results()
        assert national.equals(small) and national.height == small.height > 0
        assert (national["share"].null_count() < national.height) is shown
