"""Evaluate stage output: the Evaluation record model (summary, failed, spec §4 records)."""
from __future__ import annotations

import math

import polars as pl
import pytest
from factory import HAM_TAN, ONLINE, report, run, target
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.domain import DEFAULT_FAIL_ON, STATUSES
from cchc_rules.evaluation.result import number, numbers


@pytest.mark.parametrize(("value", "shown"), [
    (None, None), (math.nan, None), (math.inf, None), (50.0, 50), (-0.0, 0),
    (56.99999999999999, 57), (5.003050640634533, 5.003050641), (2213.0, 2213),
])
def test_number_for_json(value, shown):
    assert number(value) == shown
    assert type(number(value)) is type(shown)


@given(st.lists(st.one_of(st.none(), st.floats(), st.integers(-10**6, 10**6).map(float),
                         st.sampled_from([56.99999999999999, -0.0, 2.0**60, 5.6e16 + 8]))))
def test_numbers_drop_float_noise_only(values):
    got = numbers(pl.Series(values, dtype=pl.Float64))
    assert len(got) == len(values)
    for value, shown in zip(values, got, strict=True):
        if value is None or not math.isfinite(value):
            assert shown is None
            continue
        assert abs(shown - value) <= 5e-10 * max(1.0, abs(value)) + 1e-12
        assert isinstance(shown, int) == (float(shown).is_integer() and abs(shown) < 2**53)
    assert got == [number(v) for v in values]


def test_summary_counts_every_status_and_failed_follows_fail_on(tmp_path):
    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", **HAM_TAN)],
             [{"id": "c", "assert": "received == received_online"}], units=["ham-tan"])
    assert ev.summary() == {**dict.fromkeys(STATUSES, 0), "off_track": 1}
    assert list(ev.summary()) == list(STATUSES)
    assert ev.check_summary() == {"pass": 0, "fail": 1, "no_data": 0}
    assert ev.failed(DEFAULT_FAIL_ON)
    assert ev.failed(["fail"])          # the failed check alone
    assert ev.failed(["off_track"])
    assert not ev.failed(["not_met", "invalid"])
    assert not ev.failed([])


def test_records_carry_spec_fields_and_between_pairs(tmp_path):
    ev = run(tmp_path, [target("R", "share", ("2025", "between", (6, 10)))],
             [report("xa-moi", "2024", a=5, b=100)])
    (r,) = ev.records()
    assert {"target", "unit", "period", "metric", "status", "actual", "op", "threshold",
            "deadline", "expected", "gap", "needed", "title", "area", "level",
            "baseline_period", "baseline_value", "weight"} <= set(r)
    assert (r["threshold"], r["op"], r["gap"], r["level"]) == ([6, 10], "between", -1,
                                                               "commune")
    assert r["needed"] == 1   # 6 of 100 reaches the lower end
    (c,) = run(tmp_path, [], [report("xa-moi", "2024", a=5, b=100)],
               [{"id": "ab", "assert": "a < b"}]).check_records()
    assert c == {"check": "ab", "unit": "xa-moi", "period": "2024", "status": "pass",
                 "left": 5, "right": 100}


def test_evaluation_says_which_warnings_evaluating_found(tmp_path):
    # Hàm Tân Q1/2024 (seed 001): 246 of 4,917 online is 5.003%, reported here as 10 (DAT22,
    # found by evaluating); `not_a_metric` is no metric of the ruleset (DAT20, from reading).
    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", received=4917,
                                         received_online=246, online_rate=10,
                                         not_a_metric=3)])
    assert [w.code for w in ev.figures.warnings] == ["DAT20"]
    assert [w.code for w in ev.found] == ["DAT22"]
    assert ev.warnings == [*ev.figures.warnings, *ev.found]


def test_session_warns_once_per_warning_inputs_first(tmp_path):
    from factory import write_pair

    from cchc_rules.pipeline import Session

    rules, figures = write_pair(tmp_path, [ONLINE], [report(
        "ham-tan", "2024-Q1", received=4917, received_online=246, online_rate=10,
        not_a_metric=3)])
    seen: list[str] = []
    ev = Session().evaluate(rules, [figures], warn=lambda w: seen.append(w.code))
    assert seen == ["DAT20", "DAT22"] == [w.code for w in ev.warnings]


def test_evaluation_is_built_by_keyword_only(tmp_path):
    from cchc_rules.evaluation.result import Evaluation

    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", **HAM_TAN)])
    with pytest.raises(TypeError):
        Evaluation(ev.ruleset, ev.figures, checks=ev.checks)  # type: ignore[misc]
    again = Evaluation(ruleset=ev.ruleset, figures=ev.figures, values=ev.values,
                       results=ev.results, checks=ev.checks)
    assert again.records() == ev.records() and again.found == []
