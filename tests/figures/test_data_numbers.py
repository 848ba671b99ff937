"""Value rules: numbers only, Vietnamese formats only with --decimal-comma, no NaN."""
from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.figures.readers.batch import CELLS, Batch, split_cells
from cchc_rules.figures.readers.numbers import BadValue, parse_value


@pytest.mark.parametrize(("raw", "expected"), [
    ("4917", 4917.0), ("  246 ", 246.0), ("47.18", 47.18), ("0.917", 0.917), ("-12", -12.0),
    ("1234.567", 1234.567), ("1e3", 1000.0), (4.917, 4.917), (4917, 4917.0), ("", None),
    ("   ", None), (None, None),
])
def test_plain_numbers(raw, expected):
    assert parse_value(raw) == expected


@pytest.mark.parametrize("raw", ["4.917", "1.234.567", "47,18", "-4.917", "1.234,5", "2,491"])
def test_vietnamese_formats_need_decimal_comma(raw):
    with pytest.raises(BadValue) as info:
        parse_value(raw)
    assert info.value.code == "DAT02"
    assert "--decimal-comma" in info.value.hint


@pytest.mark.parametrize(("raw", "expected"), [
    ("4.917", 4917.0), ("47,18", 47.18), ("1.234.567", 1234567.0), ("1.234.567,5", 1234567.5),
    ("246", 246.0), ("-2.491", -2491.0), ("0,5", 0.5), (4.917, 4.917),
])
def test_decimal_comma(raw, expected):
    assert parse_value(raw, decimal_comma=True) == expected


@pytest.mark.parametrize("raw", ["47.18", "4.5", "12.34.5"])
def test_decimal_comma_refuses_dot_decimals(raw):
    with pytest.raises(BadValue) as info:
        parse_value(raw, decimal_comma=True)
    assert info.value.code in ("DAT01", "DAT02")


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-Infinity", float("nan"), float("inf"),
                                 "1e999"])
def test_nan_and_infinity_are_refused(raw):
    with pytest.raises(BadValue) as info:
        parse_value(raw)
    assert info.value.code == "DAT03"


@pytest.mark.parametrize(("raw", "hint"), [
    ("47,18%", "without '%'"), ("4 917", "spaces"), ("bốn nghìn", "numbers only"),
    (True, "numbers"), ([1], "number"),
])
def test_not_numbers(raw, hint):
    with pytest.raises(BadValue) as info:
        parse_value(raw)
    assert info.value.code == "DAT01"
    assert hint in info.value.hint


def _vietnamese(n: int, decimals: str) -> str:
    grouped = f"{n:,}".replace(",", ".")
    return grouped + ("," + decimals if decimals else "")


@given(st.integers(min_value=0, max_value=10**12),
       st.text(alphabet="0123456789", max_size=3))
def test_vietnamese_numbers_read_exactly_with_decimal_comma(n, decimals):
    expected = float(f"{n}.{decimals}" if decimals else n)
    assert parse_value(_vietnamese(n, decimals), decimal_comma=True) == expected


@given(st.integers(min_value=1000, max_value=10**12))
def test_grouped_thousands_are_never_read_silently_without_the_flag(n):
    with pytest.raises(BadValue):
        parse_value(_vietnamese(n, ""))


cell_texts = st.one_of(
    st.integers(-10**25, 10**25).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(0, 10**9).map(lambda n: f"{n:,}".replace(",", ".")),
    st.tuples(st.integers(0, 9999), st.integers(0, 999)).map(lambda t: f"{t[0]},{t[1]}"),
    st.tuples(st.integers(0, 999), st.integers(0, 999)).map(lambda t: f"{t[0]}.{t[1]:03d}"),
    st.sampled_from(["", " ", "\u00a04917 ", "nan", "-0", "+5", "1e3", "47,18%", "x"]),
)


@given(st.lists(st.tuples(st.sampled_from(["received", "rate", "other"]), cell_texts),
                max_size=20), st.booleans())
def test_columnar_and_cell_by_cell_reading_agree(cells, decimal_comma):
    known = {"received": "count", "rate": "percent"}
    one, many = Batch(decimal_comma, known), Batch(decimal_comma, known)
    for line, (metric, text) in enumerate(cells, start=2):
        one.add("u", "2024", metric, text, "f.csv", line)
    n = len(cells)
    num, texts = split_cells([t for _, t in cells], text_only=True)
    many.add_cells(pl.DataFrame({
        "unit": ["u"] * n, "period": ["2024"] * n, "metric": [m for m, _ in cells],
        "file": ["f.csv"] * n, "line": list(range(2, n + 2)), "col": [0] * n,
        "source": [None] * n, "num": num, "text": texts}, schema=CELLS))
    assert many.frame().equals(one.frame())
    assert many.problems == one.problems
    assert many.unknown_metrics == one.unknown_metrics
