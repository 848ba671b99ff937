"""Excel figures: long and wide sheets, every data sheet, Sheet!row:col positions, merged
header cells refused, formulas without saved results warned and treated as missing."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from cchc_rules.errors import CchcError
from cchc_rules.figures.data import read_data
from cchc_rules.figures.readers.xlsx import cell_ref

WIDE = [["unit", "period", "received", "received_online", "source"],
        ["ham-tan", "2024-Q1", 4917, 246, "Phòng Nội vụ"],
        ["ham-tan", "2024-Q2", None, 300, None]]


def book(tmp_path: Path, sheets: dict[str, list[list]], name: str = "b.xlsx",
         merge: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        if merge:
            ws.merge_cells(merge)
    path = tmp_path / name
    wb.save(path)
    return path


def problems(*args, **kwargs) -> list[str]:
    with pytest.raises(CchcError) as info:
        read_data(*args, **kwargs)
    return [p.format() for p in info.value.problems]


def test_wide_sheet_with_positions(tmp_path):
    path = book(tmp_path, {"Q1": WIDE})
    values = read_data([path]).values
    assert values.select("unit", "period", "metric", "value", "file", "line", "source").rows() == [
        ("ham-tan", "2024-Q1", "received", 4917.0, f"{path}[Q1]", 2, "Phòng Nội vụ"),
        ("ham-tan", "2024-Q1", "received_online", 246.0, f"{path}[Q1]", 2, "Phòng Nội vụ"),
        ("ham-tan", "2024-Q2", "received_online", 300.0, f"{path}[Q1]", 3, None)]


def test_every_data_sheet_is_read_and_others_are_skipped_with_a_warning(tmp_path):
    long = [["unit", "period", "metric", "value"], ["ham-tan", 2024, "received", 19000.0]]
    path = book(tmp_path, {"Ghi chú": [["Báo cáo CCHC"]], "Q1": WIDE, "Năm": long,
                           "Trống": []})
    figures = read_data([path])
    assert figures.values.height == 4
    assert figures.values.filter(period="2024")["file"].to_list() == [f"{path}[Năm]"]
    assert [w.format() for w in figures.warnings] == [
        f"{path}[Ghi chú]:1: warning DAT17 sheet 'Ghi chú' is skipped: no row among its first "
        "11 names the columns 'unit' and 'period' (or 'Đơn vị' and 'Kỳ báo cáo'); first row: "
        "found 'Báo cáo CCHC' [one row names the columns: unit (or Đơn vị), period (or Kỳ báo "
        "cáo), then the metrics; title rows may stand above]"]


def test_header_may_start_below_and_right_and_errors_name_the_cell(tmp_path):
    path = tmp_path / "offset.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for r, row in enumerate([["unit", "period", "received"], ["a", "2024", "4.917"]], start=3):
        for c, cell in enumerate(row, start=2):
            ws.cell(r, c, cell)
    wb.save(path)
    assert problems([path]) == [
        f"{path}[S]:4:4: error DAT02 'received' for a in 2024: '4.917' could be 4917 or 4.917 "
        "[pass --decimal-comma to read '.' as the thousands separator and ',' as the decimal "
        "mark (4.917 = 4917, 47,18 = 47.18); for the decimal number write 4.9170]"]
    assert read_data([path], decimal_comma=True).values["value"].to_list() == [4917.0]


def test_merged_header_cells_are_an_error(tmp_path):
    rows = [["unit", "period", "received", None], ["a", "2024", 1, 2]]
    path = book(tmp_path, {"Q1": rows}, merge="C1:D1")
    assert problems([path]) == [
        f"{path}[Q1]:1:3: error DAT13 merged header cells C1:D1 [unmerge them: every column "
        "needs its own name and every row its own unit and period]"]


def test_title_row_merged_above_the_header_is_skipped(tmp_path):
    rows = [["BÁO CÁO QUÝ I/2024"], ["unit", "period", "received"], ["a", "2024", 1]]
    path = book(tmp_path, {"Q1": rows}, merge="A1:C1")
    values = read_data([path]).values
    assert values.select("unit", "metric", "value", "line").rows() == [("a", "received", 1, 3)]


def test_formula_without_saved_result_is_missing_with_a_warning(tmp_path):
    rows = [["unit", "period", "received", "received_online"],
            ["a", "2024", "=100+1", 5], ["b", "2024", 7, "=C3*2"]]
    path = book(tmp_path, {"Q1": rows})
    figures = read_data([path])
    assert figures.values.select("unit", "metric", "value").rows() == [
        ("a", "received_online", 5.0), ("b", "received", 7.0)]
    assert [w.format() for w in figures.warnings] == [
        f"{path}[Q1]: warning DAT18 2 formula cell(s) have no saved result (C2, D3); they count "
        "as missing figures [open the workbook in Excel and save it again]"]


def test_formula_with_saved_result_counts_with_a_warning_naming_cell_and_formula(tmp_path):
    path = tmp_path / "cached.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("Q1")
        ws.write_row(0, 0, ["unit", "period", "received"])
        ws.write_row(1, 0, ["a", "2024"])
        ws.write_formula(1, 2, "=4000+917", None, 4917)
    figures = read_data([path])
    assert figures.values["value"].to_list() == [4917.0]
    assert [w.format() for w in figures.warnings] == [
        f"{path}[Q1]:2:3: warning DAT25 cell C2 holds the formula =4000+917; its saved result "
        "4917 is read as the figure [type the figure itself, or check that the formula is "
        "right]"]


def test_cells_of_the_wrong_type(tmp_path):
    rows = [["unit", "period", "received"], ["a", 2024.5, 1], ["b", "2024", True]]
    found = "\n".join(problems([book(tmp_path, {"Q1": rows})]))
    assert "DAT08 'period' must be text, got 2024.5" in found
    assert "DAT01 'received' for b in 2024: 'true' is not a number" in found
    dated = [["unit", "period", "received"], ["a", datetime(2024, 3, 1), 1]]
    found = "\n".join(problems([book(tmp_path, {"Q1": dated}, name="dated.xlsx")]))
    assert "DAT08 'period' must be text" in found and "Excel turned it into a date" in found


def test_excel_error_values_are_errors(tmp_path):
    path = tmp_path / "errors.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("Q1")
        ws.write_row(0, 0, ["unit", "period", "received", "received_online"])
        ws.write_row(1, 0, ["a", "2024", 10])
        ws.write_formula(1, 3, "=1/0", None, "#DIV/0!")
    assert problems([path]) == [
        f"{path}[Q1]:2:4: error DAT03 cell D2 holds the Excel error #DIV/0! [fix the formula, or "
        "clear the cell when the figure is missing]"]


def test_unit_and_period_problems_point_at_their_cells(tmp_path):
    rows = [["received", "unit", "period"], [1, "ham-tam", "2024-q1"], [2, "ham-tam", "2024"]]
    path = book(tmp_path, {"Q1": rows})
    found = problems([path], units_file=Path(__file__).parents[1] / "data" / "units.csv")
    assert found == [
        f"{path}[Q1]:2:3: error PER01 '2024-q1' is not a period; expected \"2024\", "
        "\"2024-H1\", \"2024-Q1\" or \"2024-03\" [did you mean '2024-Q1'?]",
        f"{path}[Q1]:2:2: error UNT07 unit 'ham-tam' is not declared (used by 2 figures, of "
        "received; the first is here) "
        "[did you mean 'ham-tan'?]"]


def test_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("unit,period\n")
    assert "DAT16 cannot read as an Excel workbook" in "\n".join(problems([path]))


@pytest.mark.parametrize(("row", "col", "ref"), [(1, 1, "A1"), (7, 2, "B7"), (3, 27, "AA3"),
                                                  (9, 703, "AAA9")])
def test_cell_ref(row, col, ref):
    assert cell_ref(row, col) == ref
