"""numbers_text writes, columnar, exactly what present.Formatter writes one value at a time
(the table of a national run relies on it)."""
from __future__ import annotations

import math

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.present import Formatter, number
from cchc_rules.render.numbers_text import needed_texts, value_texts

EDGES = [0.0, -0.0, 0.004, 0.005, -0.005, 0.125, 2.675, 47.185, 4917.0, 999.995, 999999.995,
         -1234.5, 1e-5, 1.5e-7, 1e15, 3e16, None, math.nan, math.inf, 56.99999999999999,
         12345678901234.5, 99.995, 0.0005, -999.9999, 0.00049999]
UNITS = ["percent", "count", None, "score", "days"]
# Below 1e20: Formatter.percent itself fails on larger values (decimal.InvalidOperation).
values = st.one_of(st.floats(-1e20, 1e20), st.just(math.nan), st.just(math.inf), st.none(),
                   st.integers(-10**9, 10**9).map(float),
                   st.decimals(-10**6, 10**6, places=3).map(float))


def check(xs: list) -> None:
    frame = pl.DataFrame({"x": xs}, schema={"x": pl.Float64})
    for lang in ("vi", "en"):
        fmt = Formatter(lang)
        for unit in UNITS:
            got = value_texts(frame, "x", "y", unit, lang)["y"].to_list()
            assert got == [fmt.value(number(x), unit) for x in xs], (lang, unit)
        got = needed_texts(frame, "x", "y", lang)["y"].to_list()
        assert got == ["" if number(x) is None else fmt.needed(number(x)) for x in xs]


def test_edges_round_half_up_and_group_as_babel():
    check(EDGES)


@settings(max_examples=40, deadline=None)
@given(st.lists(values, min_size=1, max_size=40))
def test_any_values_as_the_formatter_writes_them(xs):
    check(xs)
