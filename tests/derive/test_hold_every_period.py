""""Duy trì" (issue 10): a milestone with `every_period_from` must hold in every period from
then on; each such period is met or not_met, never pending, on_track or off_track."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.domain import OPS, Reason, Trajectory
from cchc_rules.errors import CchcError
from cchc_rules.evaluation.evaluator import evaluate
from cchc_rules.evaluation.status_plan import STATUS_PLAN
from cchc_rules.figures.data import read_data
from cchc_rules.plan import rows as plan_rows
from cchc_rules.render.explain import explain
from cchc_rules.ruleset import load_ruleset

# "Duy trì vị trí TOP 20 cả nước hằng năm": rank ≤ 20 every year from 2024, last milestone 2025
RULESET = """\
ruleset: top20
title: Duy trì TOP 20
metrics:
  rank: {label: Thứ hạng PAR INDEX, unit: count}
targets:
  - {id: TOP20, title: Duy trì TOP 20 hằng năm, area: institutions, metric: rank,
     baseline: {period: "2022", value: 30},
     milestones: [{by: "2025", op: "<=", value: 20, every_period_from: "2024"}]}
"""


def _run(tmp_path: Path, rows: str, ruleset: str = RULESET):
    (tmp_path / "r.yaml").write_text(ruleset, encoding="utf-8")
    (tmp_path / "d.csv").write_text("unit,period,rank\n" + rows, encoding="utf-8")
    rules, figures = load_ruleset(tmp_path / "r.yaml"), read_data([tmp_path / "d.csv"])
    return rules, figures, evaluate(rules, figures)


def _status(ev, period: str) -> str:
    return ev.results.filter(pl.col("period") == period)["status"].item()


def test_22nd_in_2024_fails_2024_though_the_last_milestone_is_2025(tmp_path):
    _, _, ev = _run(tmp_path, "khanh-hoa,2023,25\nkhanh-hoa,2024,22\nkhanh-hoa,2025,18\n")
    assert _status(ev, "2024") == "not_met"
    assert _status(ev, "2025") == "met"
    # before the period it applies from, the trajectory from the baseline still judges
    assert _status(ev, "2023") in ("on_track", "off_track")


def test_a_held_period_is_met_or_not_met_whatever_its_kind(tmp_path):
    _, _, ev = _run(tmp_path, "khanh-hoa,2024-Q1,19\nkhanh-hoa,2024-H2,21\n")
    assert _status(ev, "2024-Q1") == "met" and _status(ev, "2024-H2") == "not_met"
    trace = ev.traced().filter(pl.col("period") == "2024-H2").row(0, named=True)
    assert trace["reason"] == Reason.NOT_MET_EVERY_PERIOD
    assert trace["trajectory"] == Trajectory.EVERY_PERIOD and trace["expected"] is None


def test_explain_says_the_milestone_must_hold_every_period(tmp_path):
    rules, figures, _ = _run(tmp_path, "khanh-hoa,2024,22\n")
    text = explain(rules, figures, "TOP20", "khanh-hoa", "2024", lang="en")
    assert "applies to every period starting from 2024 on" in text
    assert "must hold in every period from 2024 and 22 is not ≤ 20" in text


def test_every_period_from_after_the_deadline_is_an_error_at_its_place(tmp_path):
    text = RULESET.replace('every_period_from: "2024"', 'every_period_from: "2026"')
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CchcError) as err:
        load_ruleset(tmp_path / "r.yaml")
    (problem,) = err.value.problems
    assert (problem.code, problem.pos.line) == ("SEM09", 8) and "2026" in problem.message


def test_a_bad_every_period_from_is_a_period_error(tmp_path):
    text = RULESET.replace('every_period_from: "2024"', 'every_period_from: "2024-Q5"')
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CchcError) as err:
        load_ruleset(tmp_path / "r.yaml")
    assert [(p.code, p.pos.line) for p in err.value.problems] == [("SCH06", 8)]


ROW = {"raw": 7.0, "baseline_value": 1.0, "baseline_period": "2021", "_start": 1.0,
       "threshold_high": None, "from_baseline": True, "anchor": None, "fraction": 0.5,
       "anchor_period": "2021", "_applicable": True, "_declared": False, "_num": None,
       "_den": None, "_k": 1.0,
       "_integral": False, "days_done": 10, "days_total": 20, "before_base": False}


@settings(max_examples=80, deadline=None)
@given(actual=st.one_of(st.floats(-100, 100), st.none()), low=st.floats(-100, 100),
       op=st.sampled_from([">=", ">", "<=", "<", "=="]), reached=st.booleans())
def test_a_held_row_is_never_pending_on_track_or_off_track(actual, low, op, reached):
    row = {**ROW, "actual": actual, "threshold": low, "_opc": OPS.index(op),
           "reached": reached, "held": True}
    got = plan_rows.apply(row, STATUS_PLAN)
    assert got["status"] in (("no_data",) if actual is None else ("met", "not_met"))
    assert got["expected"] is None


def test_a_target_may_say_it_holds_every_period_for_all_its_milestones(tmp_path):
    ruleset = RULESET.replace(', every_period_from: "2024"}]}',
                              '}],\n     every_period_from: "2024"}')
    assert 'every_period_from: "2024"}' in ruleset
    _, _, ev = _run(tmp_path, "khanh-hoa,2024,22\nkhanh-hoa,2025,18\n", ruleset)
    assert _status(ev, "2024") == "not_met" and _status(ev, "2025") == "met"
    late = ruleset.replace('every_period_from: "2024"}', 'every_period_from: "2026"}')
    (tmp_path / "r.yaml").write_text(late, encoding="utf-8")
    with pytest.raises(CchcError) as err:
        load_ruleset(tmp_path / "r.yaml")
    (problem,) = err.value.problems
    assert (problem.code, problem.pos.line) == ("SEM09", 9)
