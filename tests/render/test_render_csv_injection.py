"""Render stage: `--format csv` never hands a spreadsheet a formula (issue 15, item 12)."""
from __future__ import annotations

import csv
import io

import polars as pl
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.cli import main
from cchc_rules.present import FORMULA_STARTS, spreadsheet_safe
from cchc_rules.render.csv import _risky_labels


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)",
                                  "\tcmd", "\rcmd"])
def test_a_cell_that_starts_a_formula_gets_a_quote(text):
    got = pl.select(spreadsheet_safe(pl.lit(text))).item()
    assert got == "'" + text


@pytest.mark.parametrize("text", ["ham-tan", "Tỷ lệ = 50%", "2024-Q1", "", " =x"])
def test_other_text_is_left_alone(text):
    assert pl.select(spreadsheet_safe(pl.lit(text))).item() == text


def test_null_stays_an_empty_cell():
    assert pl.select(spreadsheet_safe(pl.lit(None, dtype=pl.String))).item() is None


def test_every_owasp_start_is_covered():
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


def test_csv_output_quotes_unit_and_title_but_not_negative_numbers(tmp_path):
    ruleset = {
        "ruleset": "inject", "title": "t",
        "metrics": {"staff": {"label": "Biên chế", "unit": "count"}},
        "targets": [{"id": "T1", "title": "=HYPERLINK(\"http://evil\",\"bấm\")",
                     "area": "organization", "metric": "staff", "change": "absolute",
                     "baseline": {"period": "2021", "value": 100},
                     "milestones": [{"by": "2025", "op": "<=", "value": -10}]}],
    }
    data = {"reports": [{"unit": "@cmd", "period": "2024", "values": {"staff": 95}},
                        {"unit": "-xa", "period": "2024", "values": {"staff": 80}}]}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(ruleset, allow_unicode=True), "utf-8")
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(tmp_path / "r.yaml"), "--data",
                                       str(tmp_path / "d.yaml"), "--format", "csv"])
    assert result.exit_code in (0, 1), result.output
    rows = {r["unit"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert set(rows) == {"'@cmd", "'-xa"}
    assert rows["'@cmd"]["title"] == "'=HYPERLINK(\"http://evil\",\"bấm\")"
    assert rows["'-xa"]["actual"] == "-20.0"       # a negative number stays a number
    assert rows["'-xa"]["threshold"] == "-10.0"
    assert rows["'-xa"]["op"] == "<="              # an operator is not a formula start


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.sampled_from(
    ["a", "b-", "=x", "+1", "@c", "-d", "ham-tan", " =y", "\tz"])), min_size=0, max_size=6),
    min_size=1, max_size=4))
def test_a_categorical_column_is_risky_when_one_of_its_cells_is(columns):
    """The CSV's check of its Categorical label columns (every category the process knows
    looked at first, the column's own texts only when one of those is risky) says what a
    plain look at each cell says."""
    height = max(len(c) for c in columns)
    frame = pl.DataFrame({f"c{i}": pl.Series(c + [None] * (height - len(c)), dtype=pl.String)
                          for i, c in enumerate(columns)}).cast(pl.Categorical)
    expected = [any(cell is not None and cell.startswith(FORMULA_STARTS) for cell in c)
                for c in columns]
    assert _risky_labels(frame, frame.columns) == expected
