"""Formula compilation to polars: null = missing, NaN = invalid, tolerant comparisons."""
from __future__ import annotations

import math
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.expr import (
    TOLERANCE,
    Binary,
    Call,
    Invalid,
    Name,
    Number,
    Unary,
    approx_cmp,
    approx_holds,
    compare_to_polars,
    evaluate_exact,
    parse,
    to_polars,
)

NAN = float("nan")


def run(text, allow_compare=False, **columns):
    frame = pl.DataFrame(columns, schema={k: pl.Float64 for k in columns})
    expr = to_polars(parse(text, allow_compare=allow_compare), pl.col)
    return frame.select(out=expr)["out"].to_list()


def same(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        if w is None or g is None:
            assert g is w, (got, want)
        elif isinstance(w, float) and math.isnan(w):
            assert isinstance(g, float) and math.isnan(g), (got, want)
        else:
            assert g == pytest.approx(w), (got, want)


def test_arithmetic():
    same(run("a / b * 100 + -c", a=[246.0], b=[4917.0], c=[1.0]), [246 / 4917 * 100 - 1])
    same(run("abs(a - b)", a=[1.0], b=[3.0]), [2.0])


def test_division_by_zero_is_nan_not_inf():
    same(run("a / b", a=[1.0, 0.0, -2.0], b=[0.0, 0.0, 0.0]), [NAN, NAN, NAN])


def test_null_wins_over_nan_in_every_operator():
    for op in "+-*/":
        same(run(f"a {op} b", a=[None, NAN, None, 1.0], b=[0.0, None, NAN, NAN]),
             [None, None, None, NAN])
    same(run("-a", a=[None, NAN]), [None, NAN])
    same(run("abs(a)", a=[None, NAN]), [None, NAN])


def test_min_max_propagate_null_and_nan():
    for func in ("min", "max"):
        same(run(f"{func}(a, b, 5)", a=[None, NAN, None, 1.0], b=[2.0, 2.0, NAN, 7.0]),
             [None, NAN, None, 1.0 if func == "min" else 7.0])


def test_overflow_is_nan():
    same(run("a * a", a=[1e200]), [NAN])
    same(run("1" + "0" * 400 + " + a", a=[1.0]), [NAN])


def test_tolerance_boundary_57_of_100():
    assert 57 / 100 * 100 < 57
    same(run("a / b * 100 >= 57", True, a=[57.0], b=[100.0]), [True])
    same(run("a / b * 100 < 57", True, a=[57.0], b=[100.0]), [False])
    same(run("a / b * 100 == 57", True, a=[57.0], b=[100.0]), [True])
    same(run("a >= 57", True, a=[57 - 57e-8]), [False])
    assert approx_holds(">=", 57 / 100 * 100, 57) and not approx_holds(">", 57, 57)
    assert approx_holds("==", 1e12, 1e12 + 100) and not approx_holds("==", 1e12, 1e12 + 1e4)
    assert TOLERANCE == 1e-9


def test_compare_is_null_on_missing_or_invalid():
    same(run("a == b + c", True, a=[5.0, None, 5.0, 5.0], b=[2.0, 2.0, 2.0, 1.0],
             c=[3.0, 3.0, None, 0.0]), [True, None, None, False])
    same(run("a / b > 0", True, a=[1.0], b=[0.0]), [None])


@pytest.mark.parametrize(("op", "want"), [
    ("==", [True, False, None]), ("!=", [False, True, None]), ("<", [False, True, None]),
    ("<=", [True, True, None]), (">", [False, False, None]), (">=", [True, False, None])])
def test_approx_cmp_against_a_literal(op, want):
    frame = pl.DataFrame({"x": [3.0, 2.0, NAN]})
    same(frame.select(out=approx_cmp(op, pl.col("x"), 3))["out"].to_list(), want)


def test_compare_to_polars_gives_sides():
    node = parse("total == a + b", allow_compare=True)
    holds, left, right = compare_to_polars(node, pl.col)
    frame = pl.DataFrame({"total": [10.0], "a": [4.0], "b": [5.0]})
    out = frame.select(h=holds, l=left, r=right).row(0)
    assert out == (False, 10.0, 9.0)


# Law: the columnar result agrees with exact evaluation, null where an input is
# missing and NaN where the exact arithmetic is invalid. Divisors are leaves so
# a zero divisor is exactly zero in both worlds.
_leaf = st.one_of(st.builds(Number, st.integers(-20, 20).map(Fraction)),
                  st.sampled_from([Name("a"), Name("b"), Name("c")]))


def _tree(children):
    return st.one_of(
        st.builds(Unary, st.just("-"), children),
        st.builds(Binary, st.sampled_from("+-*"), children, children),
        st.builds(Binary, st.just("/"), children, _leaf),
        st.builds(Call, st.sampled_from(["min", "max"]),
                  st.lists(children, min_size=2, max_size=3).map(tuple)),
        st.builds(lambda x: Call("abs", (x,)), children))


_value = st.one_of(st.integers(-20, 20).map(float), st.just(None), st.just(NAN))


@settings(max_examples=150, deadline=None)
@given(st.recursive(_leaf, _tree, max_leaves=8),
       st.lists(st.fixed_dictionaries({"a": _value, "b": _value, "c": _value}),
                min_size=1, max_size=6))
def test_columnar_agrees_with_exact(node, rows):
    frame = pl.DataFrame(rows, schema={"a": pl.Float64, "b": pl.Float64, "c": pl.Float64})
    got = frame.with_columns(out=to_polars(node, pl.col))["out"].to_list()
    for row, value in zip(rows, got, strict=True):
        try:
            want = evaluate_exact(node, row)
        except Invalid:
            want = NAN
        if want is None:
            assert value is None
        elif isinstance(want, float):
            assert value is not None and math.isnan(value)
        else:
            assert value == pytest.approx(float(want), rel=1e-9, abs=1e-3)
