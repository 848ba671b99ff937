"""`cchc form`: the data-entry workbook, its Excel validation and checks, and the round trip
through `cchc evaluate` with the Hàm Tân Q1/2024 figures."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from factory import HAM_TAN, HAM_TAN_SOURCE, REPORT_RULESET, UNITS, cchc, write

from cchc_rules.cli import main
from cchc_rules.expr import parse
from cchc_rules.figures.forms import ID_ROW, SHEET, excel_formula, period_name
from cchc_rules.periods import parse_period

DISTRICT = [UNITS[0], UNITS[1]]  # Bình Thuận over Hàm Tân




@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """The report ruleset, a units file, and the same figures as YAML."""
    return {
        "ruleset": write(tmp_path / "ruleset.yaml", REPORT_RULESET),
        "units": write(tmp_path / "units.yaml", {"units": DISTRICT}),
        "yaml": write(tmp_path / "figures.yaml", {"reports": [
            {"unit": "ham-tan", "period": "2024-Q1", "source": HAM_TAN_SOURCE,
             "values": HAM_TAN}]}),
        "form": tmp_path / "form.xlsx",
    }


def make_form(inputs: dict[str, Path], *periods: str) -> Path:
    args = ["form", str(inputs["ruleset"]), "--units", str(inputs["units"]),
            "--output", str(inputs["form"])]
    for p in periods or ("2024-Q1",):
        args += ["--period", p]
    result = cchc(*args)
    assert result.exit_code == 0, result.output
    return inputs["form"]


def fill(form: Path, out: Path, unit: str, period: str, values: dict[str, float]) -> Path:
    """Type `values` into the row of `unit` and `period`, as a unit's officer would."""
    book = openpyxl.load_workbook(form)
    sheet = book[SHEET]
    ids = [c.value for c in sheet[ID_ROW]]
    row = next(r for r in range(ID_ROW + 1, sheet.max_row + 1)
               if sheet.cell(r, 1).value == unit and sheet.cell(r, 3).value == period)
    for metric, value in values.items():
        sheet.cell(row, ids.index(metric) + 1).value = value
    book.save(out)
    return out


def evaluation(inputs: dict[str, Path], *data: Path) -> tuple[int, dict]:
    args = ["evaluate", str(inputs["ruleset"]), "--units", str(inputs["units"]),
            "--format", "json"]
    for path in data:
        args += ["--data", str(path)]
    result = CliRunner().invoke(main, args)
    assert not result.stderr, result.stderr
    return result.exit_code, json.loads(result.stdout)


def test_filled_form_evaluates_like_the_yaml_figures(inputs, tmp_path):
    form = make_form(inputs, "2024-Q1", "2024-Q2")
    filled = fill(form, tmp_path / "ham-tan.xlsx", "ham-tan", "2024-Q1", HAM_TAN)
    from_form = evaluation(inputs, filled)
    assert from_form == evaluation(inputs, inputs["yaml"])
    statuses = {(r["target"], r["unit"]): r["status"] for r in from_form[1]["results"]
                if r["period"] == "2024-Q1"}
    assert statuses[("TTHC-06", "ham-tan")] == "off_track"  # 5.003% against 50% by 2025
    assert statuses[("CDS-03", "ham-tan")] == "met"         # between 5% and 20%


def test_sheet_layout_labels_ids_units_and_names(inputs):
    sheet = openpyxl.load_workbook(make_form(inputs, "2024-Q1", "2024-H2"))[SHEET]
    ids = [c.value for c in sheet[ID_ROW]]
    assert ids == ["unit", "#unit_name", "period", "#period_name", *HAM_TAN]
    assert [c.value for c in sheet[2]][4] == "Tổng số hồ sơ tiếp nhận"
    assert [c.value for c in sheet[3]][4:] == ["count"] * len(HAM_TAN)
    rows = [[c.value for c in row][:4] for row in sheet.iter_rows(min_row=ID_ROW + 1)]
    assert rows == [["binh-thuan", "Tỉnh Bình Thuận", "2024-Q1", "Quý I/2024"],
                    ["binh-thuan", "Tỉnh Bình Thuận", "2024-H2", "6 tháng cuối năm 2024"],
                    ["ham-tan", "Huyện Hàm Tân", "2024-Q1", "Quý I/2024"],
                    ["ham-tan", "Huyện Hàm Tân", "2024-H2", "6 tháng cuối năm 2024"]]
    assert "Số liệu" in openpyxl.load_workbook(inputs["form"]).sheetnames
    assert sheet["E2"].comment.text.startswith("received: Tổng số hồ sơ tiếp nhận")


def test_only_figure_cells_are_open_and_counts_are_validated(inputs):
    sheet = openpyxl.load_workbook(make_form(inputs))[SHEET]
    assert sheet.protection.sheet and not sheet.protection.password
    assert sheet["A5"].protection.locked and sheet["C5"].protection.locked
    assert sheet["E4"].protection.locked and not sheet["E5"].protection.locked
    rules = sheet.data_validations.dataValidation
    assert {(r.type, r.operator, r.formula1) for r in rules} == {
        ("whole", "greaterThanOrEqual", "0")}
    assert str(rules[0].sqref) == "E5:E6"


def test_each_check_turns_the_row_red_through_an_excel_formula(inputs):
    sheet = openpyxl.load_workbook(make_form(inputs))[SHEET]
    formulas = [rule.formula[0] for cf in sheet.conditional_formatting for rule in cf.rules]
    assert formulas == [
        "AND(COUNT($E5,$F5,$G5,$H5)=4,NOT($E5=(($F5+$G5)+$H5)))",
        "AND(COUNT($E5,$I5,$J5,$K5,$L5)=5,NOT($E5=((($I5+$J5)+$K5)+$L5)))"]


def test_derived_metrics_in_a_check_are_written_out_and_percent_is_bounded():
    formulas = {"online_rate": parse("received_online / received * 100")}
    cells = {"received": "$E5", "received_online": "$F5"}
    assert excel_formula(parse("online_rate <= 100", allow_compare=True), cells, formulas) == \
        "((($F5/$E5)*100))<=100"
    assert excel_formula(parse("abs(received - 1) != 0.5", allow_compare=True), cells, {}) == \
        "ABS(($E5-1))<>(1/2)"
    assert excel_formula(parse("unknown == 1", allow_compare=True), cells, {}) is None


def test_errors_in_a_returned_form_name_sheet_and_cell(inputs, tmp_path):
    filled = fill(make_form(inputs), tmp_path / "bad.xlsx", "ham-tan", "2024-Q1",
                  {"received": "nhiều", "received_online": -3})
    result = CliRunner().invoke(main, [
        "evaluate", str(inputs["ruleset"]), "--data", str(filled)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{filled}!Số liệu!E6: error DAT01 'received' for ham-tan")
    assert lines[1].startswith(f"{filled}!Số liệu!F6: error DAT04")


def test_forms_from_several_units_are_read_together_and_conflicts_named(inputs, tmp_path):
    form = make_form(inputs)
    mine = fill(form, tmp_path / "a.xlsx", "ham-tan", "2024-Q1", HAM_TAN)
    theirs = fill(form, tmp_path / "b.xlsx", "binh-thuan", "2024-Q1", {"received": 9000})
    code, both = evaluation(inputs, mine, theirs)
    assert code == 1
    assert {(r["unit"], r["check"]) for r in both["checks"]} >= {
        ("ham-tan", "received-breakdown")}
    clash = fill(form, tmp_path / "c.xlsx", "ham-tan", "2024-Q1", {"received": 5000})
    result = CliRunner().invoke(main, [
        "evaluate", str(inputs["ruleset"]), "--data", str(mine), "--data", str(clash)])
    assert result.exit_code == 2
    assert f"{mine}!Số liệu!E6: error DAT09 'received' for ham-tan in 2024-Q1 is given " \
           f"twice: 4917 here, 5000 at {clash}!Số liệu!E6" in result.stderr


def test_units_may_come_from_a_data_file_and_bad_periods_are_refused(inputs, tmp_path):
    data = write(tmp_path / "with-units.yaml", {"units": DISTRICT, "reports": []})
    result = cchc("form", str(inputs["ruleset"]), "--units", str(data), "--period", "2024-Q1",
                  "--output", str(tmp_path / "f.xlsx"))
    assert result.exit_code == 0, result.output
    assert "2 units × 1 periods" in result.output
    result = CliRunner().invoke(main, [
        "form", str(inputs["ruleset"]), "--units", str(data), "--period", "2024-Q5",
        "--output", str(tmp_path / "g.xlsx")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error PER01 '2024-Q5' is not a period")
    assert not (tmp_path / "g.xlsx").exists()


def test_period_names_as_reports_write_them():
    assert [period_name(parse_period(p)) for p in ("2024", "2024-H1", "2024-Q4", "2024-03")] \
        == ["Năm 2024", "6 tháng đầu năm 2024", "Quý IV/2024", "Tháng 3/2024"]
