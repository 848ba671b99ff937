"""Formula tokenizer and parser: accepted grammar, refused constructs with exact columns."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.errors import CchcError, Position
from cchc_rules.expr import Binary, Call, Compare, Name, Number, Unary, names, parse, position_at
from cchc_rules.expr.tokens import tokenize


def problems(text, pos=None, allow_compare=False):
    with pytest.raises(CchcError) as info:
        parse(text, pos, allow_compare)
    return [(p.code, p.pos.col) for p in info.value.problems], info.value.problems


def test_precedence_and_associativity():
    a, b, c = Name("a"), Name("b"), Name("c")
    assert parse("a + b * c") == Binary("+", a, Binary("*", b, c))
    assert parse("a - b - c") == Binary("-", Binary("-", a, b), c)
    assert parse("a / b / c") == Binary("/", Binary("/", a, b), c)
    assert parse("a - (b - c)") == Binary("-", a, Binary("-", b, c))
    assert parse("received_online / received * 100") == Binary(
        "*", Binary("/", Name("received_online"), Name("received")), Number(Fraction(100)))


def test_numbers_and_unary_minus():
    assert parse("0.5") == Number(Fraction(1, 2))
    assert parse(".25") == Number(Fraction(1, 4))
    assert parse("-3") == Number(Fraction(-3))
    assert parse("-(3)") == Unary("-", Number(Fraction(3)))
    assert parse("--a") == Unary("-", Unary("-", Name("a")))
    assert parse("+a") == Name("a")
    assert parse("a * -b") == Binary("*", Name("a"), Unary("-", Name("b")))
    assert parse("-a * b") == Binary("*", Unary("-", Name("a")), Name("b"))


def test_calls_and_columns():
    node = parse("max(a, min(b, c, 1)) + abs(d)")
    assert node == Binary("+", Call("max", (Name("a"), Call("min", (
        Name("b"), Name("c"), Number(Fraction(1)))))), Call("abs", (Name("d"),)))
    assert node.col == 21 and node.left.col == 0 and node.right.args[0].col == 27
    assert names(node) == {"a", "b", "c", "d"}


def test_compare_only_in_assert():
    node = parse("received == online + direct", allow_compare=True)
    assert isinstance(node, Compare) and node.op == "==" and node.col == 9
    for op in ("==", "!=", "<", "<=", ">", ">="):
        assert parse(f"a {op} b", allow_compare=True).op == op
    assert problems("a == b")[0] == [("FRM05", 3)]
    assert problems("a + b", allow_compare=True)[0] == [("FRM05", 1)]
    assert problems("a < b < c", allow_compare=True)[0] == [("FRM05", 7)]
    assert problems("(a == b)", allow_compare=True)[0] == [("FRM05", 1), ("FRM05", 4)]


@pytest.mark.parametrize(("text", "expected"), [
    ("a.b", [("FRM02", 2)]),
    ("__import__('os')", [("FRM03", 1), ("FRM02", 12)]),
    ("len(x)", [("FRM03", 1)]),
    ("'text'", [("FRM02", 1)]),
    ('a + "b"', [("FRM02", 5)]),
    ("lambda x: x", [("FRM02", 1), ("FRM02", 9)]),
    ("x[0]", [("FRM02", 2)]),
    ("a ** 2", [("FRM02", 3)]),
    ("a % 2", [("FRM02", 3)]),
    ("a and b", [("FRM02", 3)]),
    ("not a", [("FRM02", 1)]),
    ("None", [("FRM02", 1)]),
    ("a ^ 2", [("FRM02", 3)]),
    ("a = b", [("FRM01", 3), ("FRM05", 3)]),
    ("a ! b", [("FRM01", 3)]),
    ("abs(a, b)", [("FRM04", 1)]),
    ("min(a)", [("FRM04", 1)]),
    ("max()", [("FRM04", 1)]),
    ("(a + b", [("FRM01", 1)]),
    ("a + b)", [("FRM01", 6)]),
    ("a b", [("FRM01", 3)]),
    ("a +", [("FRM01", 4)]),
    ("0,5", [("FRM01", 2)]),
    ("", [("FRM06", 1)]),
    ("   ", [("FRM06", 1)]),
    ("tỷ_lệ + 1", [("FRM07", 1)]),
    ("1e5", [("FRM08", 1)]),
    ("1.2.3", [("FRM08", 1)]),
    ("a $ b", [("FRM01", 3)]),
    ("a.b + len(c) + d ** 2", [("FRM02", 2), ("FRM03", 7), ("FRM02", 18)]),
])
def test_refused_constructs_at_exact_columns(text, expected):
    assert problems(text)[0] == expected


def test_did_you_mean_for_misspelt_function():
    _, found = problems("mim(a, b)")
    assert found[0].hint == "did you mean 'min'?"


def test_position_is_shifted_into_the_file():
    _, found = problems("a / b.c", Position("plan.yaml", 12, 14))
    assert str(found[0].pos) == "plan.yaml:12:19"
    assert found[0].pos.file == "plan.yaml"


def test_deep_nesting_is_an_error_not_a_crash():
    codes, _ = problems("(" * 500 + "a" + ")" * 500)
    assert codes[0][0] == "FRM01"


def test_tokens_carry_columns():
    tokens, found = tokenize("a>=b")
    assert [(t.kind, t.text, t.col) for t in tokens][:3] == [
        ("name", "a", 0), ("operator", ">=", 1), ("name", "b", 3)]
    assert found == []


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1_.()+-*/,<=>!% 'xm[]:é\n")) , max_size=30)
       | st.text(max_size=20))
def test_random_text_parses_or_raises_positioned_error(text):
    for allow_compare in (False, True):
        try:
            parse(text, Position("f.yaml", 3, 5), allow_compare)
        except CchcError as error:
            assert error.problems
            for p in error.problems:
                assert p.code.startswith("FRM") and p.pos.file == "f.yaml"
                assert p.pos.col >= 5 and 3 <= p.pos.line <= 3 + text.count("\n")


def test_non_text_formula_is_a_problem():
    codes, _ = problems(100)
    assert codes == [("FRM06", 1)]


def test_multi_line_formula_positions_count_lines():
    _, found = problems("a +\n  len(b)", Position("plan.yaml", 9, 7))
    assert str(found[0].pos) == "plan.yaml:10:9"
    assert str(position_at(Position("p.yaml", 3, 5), 4, "ab\ncd")) == "p.yaml:4:6"
    assert str(position_at(None, 2)) == "<formula>:1:3"


def test_soft_keywords_are_metric_ids():
    assert parse("type + match") == Binary("+", Name("type"), Name("match"))


def test_word_processor_look_alikes_get_the_ascii_operator_as_hint():
    _, found = problems("a × b ÷ c − d")
    assert [(p.pos.col, p.hint) for p in found] == [
        (3, "write '*' instead"), (7, "write '/' instead"), (11, "write '-' instead")]
    _, found = problems("a ≥ b", allow_compare=True)
    assert found[0].hint == "write '>=' instead" and len(found) == 1
