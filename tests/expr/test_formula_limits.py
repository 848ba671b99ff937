"""Formula size limits (issue 15, item 8): a huge literal or a very long chain is one
positioned FRM line, never INT01; everything up to the documented limits works."""
from __future__ import annotations

import copy
import time
from fractions import Fraction

import polars as pl
import pytest
import yaml
from click.testing import CliRunner
from factory import BASE_RULESET

from cchc_rules.cli import main
from cchc_rules.errors import CchcError
from cchc_rules.expr import evaluate_exact, parse, substitute, to_polars, to_text
from cchc_rules.expr.parser import MAX_HEIGHT, MAX_TOKENS
from cchc_rules.expr.tokens import MAX_NUMBER_DIGITS


def problems(text: str) -> list:
    with pytest.raises(CchcError) as err:
        parse(text)
    return err.value.problems


def chain(terms: int, op: str = "+") -> str:
    return f" {op} ".join(["a"] * terms)


# A bound that catches a hang (minutes before the fix), not a speed goal: speed is measured
# by `make bench`, never here.
HANG = 60


@pytest.mark.parametrize("text, col", [
    ("1" * 5000, 1), ("a + " + "9" * (MAX_NUMBER_DIGITS + 1), 5),
    ("a * 0." + "1" * MAX_NUMBER_DIGITS, 5)])
def test_an_over_long_literal_is_frm08_at_its_column(text: str, col: int) -> None:
    found = problems(text)
    assert [p.code for p in found] == ["FRM08"], found
    assert found[0].pos.col == col and "digits" in found[0].message, found[0]


def test_the_longest_literal_still_parses() -> None:
    assert parse("9" * MAX_NUMBER_DIGITS).value == Fraction(10 ** MAX_NUMBER_DIGITS - 1)


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_chains_up_to_the_limit_parse_print_and_evaluate(op: str) -> None:
    node = parse(chain(MAX_HEIGHT, op))
    assert parse(to_text(node)) == node
    assert substitute(node, {"a": 2}).count("2") == MAX_HEIGHT
    expected = {"+": MAX_HEIGHT * 2, "-": 2 - (MAX_HEIGHT - 1) * 2,
                "*": 2 ** MAX_HEIGHT, "/": Fraction(2, 2 ** (MAX_HEIGHT - 1))}[op]
    assert evaluate_exact(node, {"a": Fraction(2)}) == expected
    started = time.monotonic()
    column = pl.DataFrame({"a": [2.0]}).select(to_polars(node, pl.col).alias("x"))["x"]
    assert column[0] == pytest.approx(float(expected)) and time.monotonic() - started < HANG


@pytest.mark.parametrize("terms", [MAX_HEIGHT + 2, 1000, 5000])
def test_a_longer_chain_is_one_frm09_line(terms: int) -> None:
    started = time.monotonic()
    found = problems(chain(terms))
    assert time.monotonic() - started < HANG
    assert [p.code for p in found] == ["FRM09"], found
    assert str(MAX_HEIGHT) in found[0].message and found[0].pos.col == 1


def test_a_huge_formula_is_refused_before_parsing() -> None:
    started = time.monotonic()
    found = problems(chain(MAX_TOKENS))
    assert time.monotonic() - started < HANG
    assert [p.code for p in found] == ["FRM09"] and f"{MAX_TOKENS:,}" in found[0].message


def test_validate_gives_positioned_lines_not_int01(tmp_path) -> None:
    data = copy.deepcopy(BASE_RULESET)
    data["metrics"]["online_rate"]["formula"] = chain(1000).replace("a", "received")
    data["metrics"]["salaried_staff"]["formula"] = "received * " + "7" * 4400
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if " error " in line]
    assert any(" error FRM09 " in line for line in lines), lines
    assert any(" error FRM08 " in line for line in lines), lines
    assert all(line.startswith(f"{path}:") for line in lines), lines
    assert "INT01" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("func", ["min", "max"])
def test_nested_min_max_stay_linear(func: str) -> None:
    """Each argument is referred to once, so 60 nested calls compile and run at once."""
    text = "a"
    for _ in range(60):
        text = f"{func}({text}, a)"
    column = pl.DataFrame({"a": [2.0, None]}).select(to_polars(parse(text), pl.col))
    assert column.to_series().to_list() == [2.0, None]
