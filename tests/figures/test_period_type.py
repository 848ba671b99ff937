"""The Period type: order, containment, sub-periods, stepping, and ranges (spec §5)."""
from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.periods import KINDS, RANGE, Period, is_period, parse_period, period_key

SUFFIXES = ["", "-H1", "-H2", "-Q1", "-Q2", "-Q3", "-Q4"] + [f"-{m:02d}" for m in range(1, 13)]
calendar_periods = st.builds(lambda y, s: parse_period(f"{y}{s}"), st.integers(2019, 2026),
                             st.sampled_from(SUFFIXES))


@st.composite
def any_period(draw) -> Period:
    first = draw(calendar_periods)
    if not draw(st.booleans()):
        return first
    last = draw(calendar_periods.filter(lambda p: p.start >= first.start and p.end >= first.end))
    return Period.between(first, last)


@given(st.lists(any_period(), min_size=2, max_size=12))
def test_sorting_by_the_key_follows_end_then_start(periods):
    ordered = sorted(periods)
    assert ordered == sorted(periods, key=lambda p: p.key)
    for a, b in pairwise(ordered):
        assert a.end < b.end or (a.end == b.end and a.start <= b.start)


@given(any_period(), any_period())
def test_sorting_is_consistent_with_contains(a, b):
    if a.contains(b) and not b.contains(a):
        # a sub-period ending earlier comes first; of two ending together the container does
        assert (b < a) if b.end < a.end else (a < b)
    elif a != b:  # the same days ("2024" and "2024-01/2024-12"): ordered by kind, then text
        assert (a < b) != (b < a)
    assert (a == b) == (a.key == b.key)
    assert a.contains(b) == (a.start <= b.start and b.end <= a.end)


@given(any_period(), st.sampled_from(KINDS))
def test_sub_periods_tile_the_period_in_order(period, kind):
    try:
        parts = period.sub_periods(kind)
    except ValueError as err:
        assert "whole" in str(err)
        return
    assert parts[0].start == period.start and parts[-1].end == period.end
    assert all(p.kind == kind and period.contains(p) for p in parts)
    assert all(b.start == a.end + timedelta(days=1) for a, b in pairwise(parts))
    assert list(parts) == sorted(parts)


@pytest.mark.parametrize(("text", "kind", "expected"), [
    ("2024", "quarter", ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]),
    ("2024-H1", "month", ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]),
    ("2024-H2", "quarter", ["2024-Q3", "2024-Q4"]),
    ("2024", "year", ["2024"]),
    ("2024-Q2", "month", ["2024-04", "2024-05", "2024-06"]),
])
def test_sub_periods_examples(text, kind, expected):
    assert [p.text for p in parse_period(text).sub_periods(kind)] == expected


def test_a_quarter_has_no_halves():
    with pytest.raises(ValueError, match="not made of whole halves"):
        parse_period("2024-Q1").sub_periods("half")


@given(calendar_periods, st.integers(-30, 30))
def test_shift_steps_by_whole_periods_of_the_same_kind(period, steps):
    moved = period.shift(steps)
    assert moved.kind == period.kind and moved.ordinal == period.ordinal + steps
    assert moved.shift(-steps) == period
    if steps == 1:
        assert moved.start == period.end + timedelta(days=1)


def test_previous_period_and_same_period_last_year():
    q3 = parse_period("2025-Q3")
    assert (q3.shift(-1).text, q3.shift(-4).text) == ("2025-Q2", "2024-Q3")
    assert parse_period("2025-01").shift(-1).text == "2024-12"
    assert parse_period("2025-H1").shift(-1).text == "2024-H2"


def test_ranges_are_built_and_parsed():
    nine = parse_period("2024-01/2024-09", ranges=True)
    assert (nine.kind, nine.start, nine.end) == (RANGE, date(2024, 1, 1), date(2024, 9, 30))
    assert nine == Period.between(parse_period("2024-01"), parse_period("2024-09"))
    assert [p.text for p in nine.sub_periods("quarter")] == ["2024-Q1", "2024-Q2", "2024-Q3"]
    assert nine.contains(parse_period("2024-H1")) and not nine.contains(parse_period("2024"))
    assert parse_period("2024-Q1/2024-Q3", ranges=True).end == date(2024, 9, 30)
    # Every input accepts ranges now (spec §5); refusing them is still possible.
    assert parse_period("2024-01/2024-09") == nine and is_period("2024-01/2024-09")
    assert not is_period("2024-01/2024-09", ranges=False)
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_period("2024-Q3/2024-01", ranges=True)
    with pytest.raises(ValueError, match="range"):
        nine.shift(1)


def test_period_key_sorts_strings_by_dates_not_text():
    texts = ["2024", "2024-12", "2024-H2", "2024-Q4", "2024-01", "2023"]
    assert sorted(texts, key=period_key) == [
        "2023", "2024-01", "2024", "2024-H2", "2024-Q4", "2024-12"]
