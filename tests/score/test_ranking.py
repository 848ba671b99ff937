"""Ranking (domain): units by the weighted share of targets met or on track, latest period."""
from __future__ import annotations

from pathlib import Path

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules import evaluate_files
from cchc_rules.domain import STATUSES
from cchc_rules.evaluation.result import RESULT_SCHEMA
from cchc_rules.evaluation.view import for_readers
from cchc_rules.render.report.builder import build_context
from cchc_rules.score.share_met import SHARE_MET_SCHEMA, latest_results, rank_units, status_counts

ROOT = Path(__file__).resolve().parents[2]
DEMO = sorted((ROOT / "examples/demo").glob("*.yaml"))
TUYEN_QUANG = ROOT / "rulesets/tuyen-quang/cchc-2021-2030.yaml"


def results(*rows: tuple) -> pl.DataFrame:
    """Results rows of (unit, period, target, status[, weight]); other columns empty."""
    full = [{"unit": r[0], "period": r[1], "target": r[2], "status": r[3],
             "weight": r[4] if len(r) > 4 else 1.0} for r in rows]
    return pl.DataFrame(full, schema=RESULT_SCHEMA)


def ranked(frame: pl.DataFrame) -> list[tuple[str, float, int]]:
    return list(rank_units(frame).select("unit", "score", "rank").iter_rows())


def test_competition_ranks_ties_share_the_best_rank_and_are_listed_by_unit_id():
    frame = results(("d", "2024", "A", "met"), ("d", "2024", "B", "met"),
                    ("c", "2024", "A", "met"), ("c", "2024", "B", "not_met"),
                    ("b", "2024", "A", "on_track"), ("b", "2024", "B", "off_track"),
                    ("a", "2024", "A", "no_data"), ("a", "2024", "B", "invalid"))
    assert ranked(frame) == [("d", 100.0, 1), ("b", 50.0, 2), ("c", 50.0, 2), ("a", 0.0, 4)]


def test_score_is_weighted_and_not_applicable_does_not_count():
    frame = results(("x", "2024", "A", "met", 3.0), ("x", "2024", "B", "not_met", 1.0),
                    ("x", "2024", "C", "not_applicable", 5.0),
                    ("y", "2024", "A", "not_applicable"), ("z", "2024", "A", "met", 0.0))
    # y has nothing that applies: not ranked at all; z's rated weight is 0
    assert ranked(frame) == [("x", 75.0, 1), ("z", 0.0, 2)]


def test_only_each_units_latest_period_counts():
    # 2024-Q4 and 2024 end on the same day; the one starting later is the latest.
    frame = results(("x", "2023", "A", "met"), ("x", "2024-Q4", "A", "not_met"),
                    ("x", "2024", "A", "met"), ("y", "2023", "A", "met"))
    assert latest_results(frame)["period"].to_list() == ["2024-Q4", "2023"]
    table = rank_units(frame)    # never side by side: each period ranks its own units
    assert table.select("unit", "period", "score", "rank").rows() == [
        ("x", "2024-Q4", 0.0, 1), ("y", "2023", 100.0, 1)]


def test_counts_per_status_in_the_latest_period():
    frame = results(("x", "2024", "A", "met"), ("x", "2024", "B", "no_data"),
                    ("x", "2024", "C", "no_data"), ("x", "2023", "D", "invalid"))
    (row,) = rank_units(frame).iter_rows(named=True)
    assert status_counts(row) == {"met": 1, "no_data": 2}
    assert sum(row[s] for s in STATUSES) == 3


def test_empty_results_give_an_empty_ranking_with_the_schema():
    table = rank_units(pl.DataFrame(schema=RESULT_SCHEMA))
    assert table.height == 0 and table.schema == pl.Schema(SHARE_MET_SCHEMA)


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from(STATUSES),
                          st.sampled_from([0.0, 1.0, 2.0])), min_size=1, max_size=30))
def test_rank_order_follows_the_score_and_does_not_depend_on_row_order(rows):
    frame = results(*[(u, "2024", f"T{i}", s, w) for i, (u, s, w) in enumerate(rows)])
    table = rank_units(frame)
    scores, ranks = table["score"].to_list(), table["rank"].to_list()
    assert scores == sorted(scores, reverse=True)
    for i, (score, rank) in enumerate(zip(scores, ranks, strict=True)):
        assert rank == 1 + sum(s > score for s in scores)      # competition rank
        assert 0.0 <= score <= 100.0
        if i and scores[i - 1] == score:
            assert table["unit"][i - 1] < table["unit"][i]    # ties by unit id
    assert rank_units(frame.reverse()).equals(table)


def test_a_scored_ruleset_is_ranked_by_points_only():
    """Issue 23: with `scoring`, the report ranks by points per level and period (no share
    of met), and lists no unit with nothing scored."""
    context = build_context(evaluate_files(TUYEN_QUANG, DEMO), lang="en", detail="full")
    assert context.units == [] and context.scores is not None
    pairs = [(c.level, c.period) for c in context.scores.cohorts]
    assert len(pairs) == len(set(pairs))
    assert all(r.rank is not None and r.index != "—" for c in context.scores.cohorts
               for r in c.rows)


def test_share_of_met_ranks_per_period_and_level():
    frame = results(("p", "2025", "T", "met"), ("d", "2025", "T", "not_met"),
                    ("e", "2025", "T", "met")).with_columns(
        pl.Series("level", ["province", "district", "district"]))
    assert rank_units(frame).select("unit", "rank").rows() == [("d", 2), ("e", 1), ("p", 1)] \
        or rank_units(frame).select("unit", "rank").rows() == [("e", 1), ("d", 2), ("p", 1)]


def test_the_report_ranking_is_the_ranking_module_s(tmp_path):
    import yaml

    doc = yaml.safe_load(TUYEN_QUANG.read_text(encoding="utf-8"))
    doc.pop("scoring", None)
    doc["extends"] = [str(TUYEN_QUANG.parent / p) for p in doc.get("extends", [])]
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    ev = for_readers(evaluate_files(plain, DEMO))
    context = build_context(ev, lang="en", detail="full")
    table = rank_units(ev)
    assert [(u.id, u.rank, u.score, u.period) for u in context.units] == \
        table.select("unit", "rank", "score", "period").rows()
    assert [u.counts for u in context.units] == \
        [status_counts(r) for r in table.iter_rows(named=True)]
    assert len({u.rank for u in context.units}) > 1
