"""bench/index.py's criteria set: exactly N criteria per track, 8 areas, valid."""
from __future__ import annotations

from bench.index import ruleset_document
from cchc_rules.figures.scoring_book import book_rows
from cchc_rules.pipeline import Session
from tests.factory import write


def test_the_bench_criteria_set_has_60_criteria_per_track(tmp_path):
    path = write(tmp_path / "r.yaml", ruleset_document(60))
    scoring = Session().load_ruleset(path).model.scoring
    for level in ("department", "commune"):
        rows = [r for r in book_rows(scoring, level) if r.scored and r.id != "T"]
        assert len(rows) == 60
    assert len({g.id for g in scoring.groups}) == 8
