"""Reporting periods: the four shapes, their first and last days, and refusals."""
from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.periods import is_period, parse_period


@pytest.mark.parametrize(("text", "kind", "start", "end"), [
    ("2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
    ("2024-H1", "half", date(2024, 1, 1), date(2024, 6, 30)),
    ("2024-H2", "half", date(2024, 7, 1), date(2024, 12, 31)),
    ("2024-Q1", "quarter", date(2024, 1, 1), date(2024, 3, 31)),
    ("2025-Q3", "quarter", date(2025, 7, 1), date(2025, 9, 30)),
    ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
    ("2023-02", "month", date(2023, 2, 1), date(2023, 2, 28)),
    (" 2024-12 ", "month", date(2024, 12, 1), date(2024, 12, 31)),
])
def test_shapes(text, kind, start, end):
    period = parse_period(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert str(period) == text.strip()


@pytest.mark.parametrize("text", ["2024-q1", "Q1/2024", "2024-Q5", "2024-H3", "2024-13",
                                  "2024-00", "24", "2024-1", "", "2024 Q1", 2024, None])
def test_refusals_say_what_is_expected(text):
    with pytest.raises(ValueError, match="expected \"2024\""):
        parse_period(text)
    assert not is_period(text)


@given(st.integers(1900, 2100), st.sampled_from(["", "-H1", "-H2", "-Q1", "-Q2", "-Q3", "-Q4"]
                                                + [f"-{m:02d}" for m in range(1, 13)]))
def test_a_period_lies_within_its_year(year, suffix):
    period = parse_period(f"{year}{suffix}")
    assert date(year, 1, 1) <= period.start <= period.end <= date(year, 12, 31)
    assert (period.end + timedelta(days=1)).day == 1  # ends on a month's last day


@given(st.integers(1900, 2100))
def test_quarters_and_months_tile_the_year(year):
    for parts in (["Q1", "Q2", "Q3", "Q4"], [f"{m:02d}" for m in range(1, 13)], ["H1", "H2"]):
        periods = [parse_period(f"{year}-{p}") for p in parts]
        assert periods[0].start == date(year, 1, 1) and periods[-1].end == date(year, 12, 31)
        for before, after in pairwise(periods):
            assert after.start == before.end + timedelta(days=1)
