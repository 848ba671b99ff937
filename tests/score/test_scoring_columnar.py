"""The scorer reads target statuses straight from the evaluator's row-major results (result j
is the (unit, period) row j // n and target j % n) and falls back to a join for any other
layout: both give the same scores."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from cchc_rules import evaluate_files
from cchc_rules.score.points import _row_major_statuses, score

ROOT = Path(__file__).resolve().parents[2]
PAR = ROOT / "rulesets/examples/par-departments.yaml"
DATA = ROOT / "examples/par/tuyen-quang-departments-2024.yaml"


def test_row_major_and_shuffled_results_score_the_same():
    ev = evaluate_files(PAR, [DATA])
    levels = {u.id: u.level for u in ev.figures.units.values()}
    scoring = ev.ruleset.model.scoring
    rows = ev.values.select("unit", "period").unique().with_row_index("_row")
    dense = {"s:TTHC-DH": pl.repeat(None, rows.height, dtype=pl.String, eager=True)}
    assert _row_major_statuses(ev.results, ["TTHC-DH"], rows, dense)
    straight = score(scoring, ev.values, ev.results, levels)
    shuffled = score(scoring, ev.values, ev.results.sample(fraction=1.0, shuffle=True, seed=3),
                     levels)
    for name in ("scores", "groups", "rankings"):
        assert getattr(straight, name).equals(getattr(shuffled, name))
    met = straight.scores.filter((pl.col("indicator") == "3.1") & (pl.col("unit") == "so-noi-vu"))
    assert met["status"].to_list() == ["met"] and met["points"].to_list() == [3.0]


def test_two_targets_shuffled_take_the_join_and_agree(tmp_path):
    from tests.factory import write
    metrics = {"a": {"label": "a", "unit": "count"}, "b": {"label": "b", "unit": "count"}}
    targets = [{"id": t, "title": t, "area": "procedures", "metric": m,
                "milestones": [{"by": "2025", "op": ">=", "value": 10}]}
               for t, m in (("TA", "a"), ("TB", "b"))]
    indicators = [{"id": f"I{t}", "title": t, "target": t, "max": 2,
                   "by_status": {"met": 2, "not_met": 1}} for t in ("TA", "TB")]
    rules = write(tmp_path / "r.yaml", {"ruleset": "two", "title": "t", "metrics": metrics,
                                        "targets": targets,
                                        "scoring": {"indicators": indicators}})
    data = write(tmp_path / "d.yaml", {"reports": [
        {"unit": u, "period": "2025", "values": {"a": a, "b": b}}
        for u, a, b in (("x", 12, 3), ("y", 4, 30), ("z", 10, 10))]})
    ev = evaluate_files(rules, [data])
    rows = ev.values.select("unit", "period").unique().with_row_index("_row")
    shuffled = ev.results.sample(fraction=1.0, shuffle=True, seed=5)
    dense = {f"s:{t}": pl.repeat(None, rows.height, dtype=pl.String, eager=True)
             for t in ("TA", "TB")}
    assert _row_major_statuses(ev.results, ["TA", "TB"], rows, dict(dense))
    assert not _row_major_statuses(shuffled, ["TA", "TB"], rows, dense)
    levels = {u: None for u in ("x", "y", "z")}
    first = score(ev.ruleset.model.scoring, ev.values, ev.results, levels)
    second = score(ev.ruleset.model.scoring, ev.values, shuffled, levels)
    assert first.scores.equals(second.scores)
    assert dict(first.rankings.select("unit", "points").iter_rows()) == \
        {"x": 3.0, "y": 3.0, "z": 4.0}
