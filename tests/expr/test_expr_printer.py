"""Formula printer: minimal parentheses and the round-trip law parse(to_text(n)) == n."""
from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.expr import Binary, Call, Compare, Name, Number, Unary, parse, to_text
from cchc_rules.expr.printer import decimal_text
from cchc_rules.expr.tokens import KEYWORDS

# Literals the parser can produce: finite decimals, any sign.
decimals = st.builds(lambda n, places: Fraction(n, 10**places),
                     st.integers(-10**6, 10**6), st.integers(0, 4))
leaves = st.one_of(st.builds(Number, decimals),
                   st.builds(Name, st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True)
                             .filter(lambda s: s not in KEYWORDS)))


def _tree(children):
    return st.one_of(
        st.builds(Unary, st.just("-"), children),
        st.builds(Binary, st.sampled_from("+-*/"), children, children),
        st.builds(Call, st.sampled_from(["min", "max"]),
                  st.lists(children, min_size=2, max_size=3).map(tuple)),
        st.builds(lambda a: Call("abs", (a,)), children),
    )


formulas = st.recursive(leaves, _tree, max_leaves=12)
asserts = st.builds(Compare, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
                    formulas, formulas)


@settings(max_examples=400, deadline=None)
@given(formulas)
def test_formula_round_trips(node):
    assert parse(to_text(node)) == node


@settings(max_examples=150, deadline=None)
@given(asserts)
def test_assert_round_trips(node):
    assert parse(to_text(node), allow_compare=True) == node


def test_minimal_parentheses():
    for text in ["a - (b - c)", "a / (b * c)", "a / b * 100", "(a + b) * c", "a + b + c",
                 "a * (b / c)", "-a * b", "-(a * b)", "-3 * a", "min(a, -b) + abs(c)",
                 "a - (-3)", "-(-a)", "-(3)", "a + b == c - d"]:
        assert to_text(parse(text, allow_compare="==" in text)) == text


def test_decimal_spelling():
    assert decimal_text(Fraction(1, 8)) == "0.125"
    assert decimal_text(Fraction(-5, 2)) == "-2.5"
    assert decimal_text(Fraction(100)) == "100"
    assert decimal_text(Fraction(1, 3)) is None
    assert to_text(Number(Fraction(1, 3))) == "(1 / 3)"
    assert to_text(Binary("*", Name("a"), Number(Fraction(-7, 100)))) == "a * (-0.07)"
