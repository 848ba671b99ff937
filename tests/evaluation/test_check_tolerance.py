"""Checks on published figures (issue 15, messages): a check may state an absolute
`tolerance`, and a check's line shows its assert with the figures put in."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cchc_rules import evaluate_files
from cchc_rules.cli import main
from cchc_rules.expr import parse
from cchc_rules.render import FORMATS
from cchc_rules.render.checktext import check_text
from cchc_rules.render.i18n import Formatter

# PAR Index 2024 of one province as published: 54.2 + 31.59 = 85.79, printed 85.78.
PAR = {"par_a": 54.2, "par_b": 31.59, "par_total": 85.78}
METRICS = {m: {"label": m, "unit": "score"} for m in PAR}


def run(tmp_path: Path, checks: list[dict[str, Any]], values: dict[str, float] = PAR):
    ruleset = {"ruleset": "par", "title": "PAR", "metrics": METRICS, "checks": checks,
               "targets": []}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(ruleset, allow_unicode=True), "utf-8")
    data = {"units": [{"id": "tinh", "name": "Tỉnh", "level": "province"}],
            "reports": [{"unit": "tinh", "period": "2024", "values": values}]}
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return evaluate_files(tmp_path / "r.yaml", [tmp_path / "d.yaml"])


def statuses(tmp_path: Path, **check: Any) -> str:
    ev = run(tmp_path, [{"id": "sum", "assert": "par_total == par_a + par_b", **check}])
    return ev.check_records()[0]["status"]


def test_published_rounding_fails_without_a_tolerance_and_passes_with_one(tmp_path) -> None:
    assert statuses(tmp_path) == "fail"
    assert statuses(tmp_path, tolerance=0.01) == "pass"
    assert statuses(tmp_path, tolerance=0.005) == "fail"


@pytest.mark.parametrize("op, tolerance, status", [
    ("<", 0.0, "pass"), ("<", 0.02, "fail"),  # within the tolerance counts as equal
    ("!=", 0.0, "pass"), ("!=", 0.01, "fail"), (">=", 0.01, "pass"), (">=", 0.0, "fail")])
def test_tolerance_treats_close_sides_as_equal_for_every_operator(
        tmp_path, op: str, tolerance: float, status: str) -> None:
    ev = run(tmp_path, [{"id": "c", "assert": f"par_total {op} par_a + par_b",
                         "tolerance": tolerance}])
    assert ev.check_records()[0]["status"] == status


def test_a_negative_tolerance_is_a_schema_error(tmp_path) -> None:
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(
        {"ruleset": "par", "title": "PAR", "metrics": METRICS, "targets": [],
         "checks": [{"id": "c", "assert": "par_a == par_b", "tolerance": -1}]}), "utf-8")
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "r.yaml")])
    assert result.exit_code == 2 and "tolerance" in result.output, result.output
    assert f"{tmp_path / 'r.yaml'}:" in result.output


@pytest.mark.parametrize("text, values, lang, sides, shown", [
    ("abs(a - b) <= 0.01", {"a": 5, "b": 0}, "vi", (5, 0.01), "abs(5 - 0) <= 0,01 → 5 <= 0,01"),
    ("t == a + b", {"a": 54.2, "b": 31.59, "t": 85.78}, "en", (85.78, 85.79),
     "85.78 == 54.2 + 31.59 → 85.78 == 85.79"),
    ("a <= b", {"a": 9, "b": 5}, "en", (9, 5), "9 <= 5"),
    ("a - b >= 0", {"a": 2, "b": -3}, "en", (5, 0), "2 - (-3) >= 0 → 5 >= 0"),
    ("a == b + c", {"a": 4917, "b": 246}, "vi", (4917, None), "4.917 == 246 + c"),
])
def test_check_text_puts_the_figures_in(text, values, lang, sides, shown) -> None:
    node = parse(text, allow_compare=True)
    assert check_text(node, values, Formatter(lang).number, *sides) == shown


def test_table_line_shows_the_assert_with_figures(tmp_path) -> None:
    ev = run(tmp_path, [{"id": "close", "assert": "abs(par_total - (par_a + par_b)) <= 0.001"}])
    text = FORMATS["table"](ev)
    assert "Kiểm tra close 2024: không khớp: abs(85,78 - (54,2 + 31,59)) <= 0,001 → 0,01 <= 0" \
        in text, text


def test_cchc_test_says_test_wants_not_expected(tmp_path) -> None:
    run(tmp_path, [{"id": "sum", "assert": "par_total == par_a + par_b"}])
    (tmp_path / "r.test.yaml").write_text(yaml.safe_dump({
        "ruleset": "r.yaml",
        "cases": [{"name": "rounding", "data": "d.yaml", "expect": [
            {"check": "sum", "unit": "tinh", "period": "2024", "status": "pass"}]}]}),
        "utf-8")
    result = CliRunner().invoke(main, ["test", str(tmp_path / "r.test.yaml")])
    assert result.exit_code == 1, result.output
    assert "status fail, test wants pass" in result.output and ", expected" not in result.output
