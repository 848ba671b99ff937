"""The evaluation's trace: what evaluate decided, row for row with the results, read by
`explain` and never shown in records or renderers."""
from __future__ import annotations

import polars as pl
import pytest

import cchc_rules.render.explain as explain_module
from cchc_rules import evaluate
from cchc_rules.domain import Reason, Trajectory
from cchc_rules.evaluation.result import PUBLIC_OPTIONAL, RESULT_SCHEMA, TRACE_SCHEMA
from cchc_rules.figures.data import read_data
from cchc_rules.render import FORMATS
from cchc_rules.render.explain import explain
from cchc_rules.ruleset import load_ruleset

# Hàm Tân Q1/2024 (246 of 4,917 online) against TTHC-06; staff for the percent change.
DATA = """unit,period,received,received_online,salaried_staff
ham-tan,2020,,,1010
ham-tan,2021,,,1000
ham-tan,2024-Q1,4917,246,920
xa-moi,2024-Q1,100,,
xa-zero,2021,,,0
xa-zero,2024-Q1,,,5
"""


@pytest.fixture
def run(make_ruleset, tmp_path):
    ruleset = load_ruleset(make_ruleset())
    data = tmp_path / "data.csv"
    data.write_text(DATA, encoding="utf-8")
    figures = read_data([data])
    return ruleset, figures, evaluate(ruleset, figures)


def row(frame: pl.DataFrame, target: str, unit: str, period: str = "2024-Q1") -> dict:
    return frame.filter((pl.col("target") == target) & (pl.col("unit") == unit)
                        & (pl.col("period") == period)).row(0, named=True)


def test_trace_is_row_for_row_and_its_reason_gives_the_status(run):
    _, _, ev = run
    traced = ev.traced()
    assert ev.trace.height == ev.results.height and list(ev.trace.schema) == list(TRACE_SCHEMA)
    for status, reason in traced.select("status", "reason").iter_rows():
        assert Reason(reason).status == status


def test_trace_holds_the_trajectory_start_and_the_value_before_change(run):
    _, _, ev = run
    traced = ev.traced()
    online = row(traced, "TTHC-06", "ham-tan")
    assert (online["reason"], online["trajectory"]) == (Reason.OFF_TRACK, Trajectory.RUNNING)
    assert (online["start_period"], online["start_value"]) == ("2021", 12)
    assert (online["days_done"], online["days_total"]) == (821, 1461)
    assert online["raw"] == online["actual"]
    staff = row(traced, "TCBM-02", "ham-tan")
    assert staff["raw"] == 920 and staff["actual"] == pytest.approx(-8)
    assert staff["start_value"] == 0  # a change starts from no change
    assert row(traced, "TTHC-06", "xa-moi")["reason"] == Reason.NO_DATA
    assert row(traced, "TCBM-02", "xa-moi")["reason"] == Reason.NO_DATA
    assert row(traced, "TCBM-02", "xa-zero")["reason"] == Reason.INVALID_ZERO_BASE
    before = row(traced, "TCBM-02", "ham-tan", "2020")
    assert before["trajectory"] == Trajectory.NOT_STARTED and before["start_value"] is None
    assert before["reason"] == Reason.BEFORE_BASELINE   # v3 §3: not judged
    assert before["status"] == "not_applicable"


def test_records_csv_and_json_show_no_trace(run):
    _, _, ev = run
    keys = {k for record in ev.records() for k in record}
    public = {PUBLIC_OPTIONAL.get(name, name) for name in RESULT_SCHEMA}
    assert keys <= (public - {"threshold_high"}) | {"title"}
    assert keys >= (set(RESULT_SCHEMA) - set(PUBLIC_OPTIONAL) - {"threshold_high"}) | {"title"}
    header = FORMATS["csv"](ev).splitlines()[0].split(",")
    json_text = FORMATS["json"](ev)
    # `reason` is public in v3 with its own words (level, before_baseline), not the trace's
    for name in set(TRACE_SCHEMA) - {"reason"}:
        assert name not in header and f'"{name}"' not in json_text
    assert set(ev.results["na_reason"].drop_nulls().to_list()) <= {"level", "before_baseline"}


def test_explain_narrates_the_trace_it_is_given(run, monkeypatch):
    ruleset, figures, _ = run

    def moved_start(*args, **kwargs):
        ev = evaluate(*args, **kwargs)
        ev.trace = ev.trace.with_columns(pl.lit(20.0).alias("start_value"),
                                         pl.lit(77.0).alias("raw"))
        return ev

    monkeypatch.setattr(explain_module, "evaluate", moved_start)
    text = explain(ruleset, figures, "TTHC-06", "ham-tan", "2024-Q1", "en")
    assert "Trajectory: 20 + (50 − 20) × 821/1461 days" in text
    text = explain(ruleset, figures, "TCBM-02", "ham-tan", "2024-Q1", "en")
    assert "Change from baseline: (77 − 1,000) / 1,000 × 100" in text
