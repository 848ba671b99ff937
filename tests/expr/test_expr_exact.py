"""Exact evaluation, substituted arithmetic and ratio recognition."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.expr import (
    DivisionByZero,
    Invalid,
    Name,
    display_number,
    evaluate_exact,
    parse,
    ratio_parts,
    substitute,
)

F = Fraction


def test_evaluate_exact_is_exact():
    node = parse("received_online / received * 100")
    assert evaluate_exact(node, {"received_online": F(57), "received": F(100)}) == 57
    assert evaluate_exact(parse("min(a, b) - max(a, b) + abs(-a)"), {"a": F(1, 3), "b": F(2)}) \
        == F(1, 3) - 2 + F(1, 3)


def test_missing_input_is_none_even_with_division_by_zero():
    assert evaluate_exact(parse("a / b"), {"a": F(1)}) is None
    assert evaluate_exact(parse("a / 0 + c"), {"a": F(1), "c": None}) is None


def test_division_by_zero_raises_with_the_node():
    with pytest.raises(DivisionByZero) as info:
        evaluate_exact(parse("a + b / (c - c)"), {"a": F(1), "b": F(2), "c": F(3)})
    assert str(info.value) == "division by zero in b / (c - c)"


def test_compare_evaluates_to_bool():
    node = parse("total == a + b", allow_compare=True)
    assert evaluate_exact(node, {"total": F(3), "a": F(1), "b": F(2)}) is True
    assert evaluate_exact(node, {"total": F(3), "a": F(1), "b": F(1)}) is False


def test_substitute_shows_the_arithmetic():
    node = parse("received_online / received * 100")
    assert substitute(node, {"received_online": 246, "received": 4917.0}) == "246 / 4917 * 100"
    assert substitute(parse("a - b"), {"a": 5, "b": -3}) == "5 - (-3)"
    assert substitute(parse("a + b"), {"a": F(1, 3)}) == "0.333333 + b"
    assert substitute(parse("-a"), {"a": 2}) == "-(2)"


def test_display_number():
    assert display_number(0.1) == "0.1"
    assert display_number(F(2, 3)) == "0.666667"
    assert display_number(12.5) == "12.5"


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_exact_rate_matches_fraction(num, den):
    rate = evaluate_exact(parse("n / d * 100"), {"n": F(num), "d": F(den)})
    assert rate == F(num * 100, den)


@pytest.mark.parametrize(("text", "num", "den", "k"), [
    ("a / b", "a", "b", 1),
    ("a / b * 100", "a", "b", 100),
    ("(a / b) * 100", "a", "b", 100),
    ("100 * (a / b)", "a", "b", 100),
    ("a * 100 / b", "a", "b", 100),
    ("100 * a / b", "a", "b", 100),
    ("(a + c) / (b - d) * 0.5", "a + c", "b - d", F(1, 2)),
    ("a * c / b", "a * c", "b", 1),
])
def test_ratio_parts(text, num, den, k):
    got = ratio_parts(parse(text))
    assert got == (parse(num), parse(den), F(k))


@pytest.mark.parametrize("text", ["a + b", "a", "a / b * c", "a * b", "min(a, b)", "-a"])
def test_ratio_parts_refuses_other_shapes(text):
    assert ratio_parts(parse(text)) is None


def test_ratio_parts_of_a_name_node():
    assert ratio_parts(Name("x")) is None


def test_non_finite_input_is_invalid_and_shown():
    with pytest.raises(Invalid):
        evaluate_exact(parse("a + b"), {"a": 1.0, "b": float("nan")})
    assert evaluate_exact(parse("a + b"), {"a": 0.1, "b": 0.2}) == F(3, 10)
    assert substitute(parse("a * b"), {"a": 0.5, "b": float("nan")}) == "0.5 * nan"
