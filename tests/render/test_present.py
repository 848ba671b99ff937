"""Presentation: the one way values, thresholds and JSON numbers are written."""
from __future__ import annotations

import json
import math
from types import SimpleNamespace

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.present import (
    RANGE_DASH,
    Formatter,
    compared_unit,
    number,
    number_text,
    numbers,
    threshold_text,
)

VI, EN = Formatter("vi"), Formatter("en")


@pytest.mark.parametrize(("op", "low", "high", "unit", "fmt", "kw", "text"), [
    (">=", 50, None, "percent", VI, {}, "≥ 50,00%"),
    ("<=", 5, None, "percent", EN, {}, "≤ 5.00%"),
    ("==", 4917, None, "count", VI, {}, "= 4.917"),
    ("between", 6, 10, "score", VI, {}, "[6; 10]"),
    ("between", 6, 10, "percent", EN, {"style": RANGE_DASH}, "6.00% – 10.00%"),
    (">", 1 / 3, None, "percent", VI, {"digits": 3}, "> 0,333"),   # explain: 3 decimals
    (None, 12.5, None, None, EN, {"digits": 3}, "12.5"),           # the bare value
    (None, 6, 10, None, EN, {"digits": 3}, "[6; 10]"),
    (">=", None, None, "percent", VI, {}, "—"),
])
def test_threshold_text(op, low, high, unit, fmt, kw, text):
    assert threshold_text(op, low, high, unit, fmt, **kw) == text


def test_needed_is_signed_with_two_decimals_whatever_the_unit():
    assert VI.needed(2213.0) == "+2.213"
    assert EN.needed(-2075.0) == "−2,075"
    assert EN.needed(0.004) == "0"
    assert EN.needed(None) == "—"


def test_compared_unit_is_percent_for_a_percent_change():
    metrics = {"staff": SimpleNamespace(unit="count")}
    assert compared_unit(SimpleNamespace(change="percent", metric="staff"), metrics) == "percent"
    assert compared_unit(SimpleNamespace(change="absolute", metric="staff"), metrics) == "count"
    assert compared_unit(SimpleNamespace(change=None, metric="gone"), metrics) is None


@given(st.lists(st.one_of(st.none(), st.floats(),
                          st.sampled_from([56.99999999999999, -0.0, 50.0, 2.0**60]))))
def test_json_text_and_python_numbers_follow_one_rule(values):
    series = pl.Series(values, dtype=pl.Float64)
    texts = series.to_frame("x").select(number_text(pl.col("x"))).to_series().to_list()
    assert [json.loads(t) for t in texts] == numbers(series)


def test_json_number_rule_examples():
    assert [number(v) for v in (50.0, 56.99999999999999, math.nan, -0.0)] == [50, 57, None, 0]
