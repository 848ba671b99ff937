"""Sheets as planners keep them: title rows above the header, Vietnamese column names, metric
labels as column names (ambiguous ones refused), and messages naming the expected and the
found header."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from factory import HAM_TAN, METRICS, REPORT_RULESET, write

from cchc_rules.cli import main
from cchc_rules.errors import CchcError
from cchc_rules.figures.data import read_data
from cchc_rules.figures.readers.table import column_role, find_header, normalise

KNOWN = {m: METRICS[m]["unit"] for m in HAM_TAN}
LABELS = {m: METRICS[m]["label"] for m in HAM_TAN}


def planner_sheet(path: Path, rows: list[list], merge: str | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Quý I"
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def problems(*args, **kwargs) -> list[str]:
    with pytest.raises(CchcError) as info:
        read_data(*args, **kwargs)
    return [p.format() for p in info.value.problems]


def test_the_planners_sheet_that_was_refused_is_read(tmp_path):
    """A merged title row, 'Đơn vị' and 'Kỳ báo cáo', metric labels as column names (in
    another case and spacing): the sheet once refused with DAT06 and DAT17."""
    path = planner_sheet(tmp_path / "bao-cao.xlsx", [
        ["BÁO CÁO KẾT QUẢ GIẢI QUYẾT TTHC QUÝ I/2024", None, None, None],
        [],
        ["Đơn vị", "Kỳ báo cáo", "TỔNG SỐ HỒ SƠ  TIẾP NHẬN", " hồ sơ tiếp nhận trực tuyến "],
        ["ham-tan", "2024-Q1", 4917, 246]], merge="A1:D1")
    values = read_data([path], known_metrics=KNOWN, metric_labels=LABELS).values
    assert values.select("unit", "period", "metric", "value", "line").rows() == [
        ("ham-tan", "2024-Q1", "received", 4917, 4),
        ("ham-tan", "2024-Q1", "received_online", 246, 4)]


def test_csv_with_a_title_line_and_a_long_vietnamese_header(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("Báo cáo quý I/2024\n"
                    "Đơn vị;Kỳ báo cáo;Chỉ số;Giá trị;Nguồn\n"
                    "ham-tan;2024-Q1;received;4917;Phòng Nội vụ\n", encoding="utf-8")
    values = read_data([path], known_metrics=KNOWN).values
    assert values.select("metric", "value", "line", "source").rows() == [
        ("received", 4917, 3, "Phòng Nội vụ")]


def test_an_ambiguous_label_names_both_metrics(tmp_path):
    path = tmp_path / "twins.csv"
    path.write_text("unit,period,Hồ sơ\nham-tan,2024-Q1,5\n", encoding="utf-8")
    found = problems([path], known_metrics={"a": "count", "b": "count"},
                     metric_labels={"a": "Hồ sơ", "b": "hồ  SƠ"})
    assert found == [f"{path}:1: error DAT05 column 'Hồ sơ' is the label of both 'a' and 'b' "
                     "[name the column by the metric's id]"]


def test_an_id_beats_a_label_and_a_label_column_repeating_an_id_is_a_duplicate(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("unit,period,received,Tổng số hồ sơ tiếp nhận\nham-tan,2024-Q1,1,2\n",
                    encoding="utf-8")
    assert problems([path], known_metrics=KNOWN, metric_labels=LABELS) == [
        f"{path}:1: error DAT05 column 'Tổng số hồ sơ tiếp nhận' appears twice in the header"]


def test_a_missing_column_says_what_was_expected_and_what_was_found(tmp_path):
    path = tmp_path / "no-period.csv"
    path.write_text("Đơn vị,Quý,received\nham-tan,2024-Q1,1\n", encoding="utf-8")
    assert problems([path]) == [
        f"{path}:1: error DAT06 the header has no 'period' column (expected 'period' or "
        "'Kỳ báo cáo'; found 'Đơn vị', 'Quý', 'received') [the first row names the columns: "
        "unit, period, then one column per metric (wide) or metric, value (long); source is "
        "optional]"]


def test_merged_cells_below_the_header_are_still_refused(tmp_path):
    path = planner_sheet(tmp_path / "m.xlsx", [
        ["Tiêu đề"], ["unit", "period", "received"], ["a", "2024", 1], ["b", "2024", 2]],
        merge="A3:A4")
    assert [p.split(" [")[0] for p in problems([path])] == [
        f"{path}[Quý I]:3:1: error DAT13 merged cells A3:A4"]


def test_header_search_prefers_the_id_row_and_stops_after_ten_title_rows():
    rows = [["Đơn vị", "Kỳ báo cáo"], ["count"], ["unit", "period"], ["a", "2024"]]
    assert find_header(rows) == 2
    assert find_header([["Đơn vị", "Kỳ báo cáo", "x"], ["a", "2024", 1]]) == 0
    assert find_header([[f"tiêu đề {i}"] for i in range(11)] + [["unit", "period"]]) is None
    assert column_role(" KỲ  BÁO CÁO ") == "period" and column_role("Quý") is None
    assert normalise("Hồ  Sơ\tTiếp nhận") == "hồ sơ tiếp nhận"


def test_evaluate_matches_labels_of_the_ruleset(tmp_path):
    rules = write(tmp_path / "ruleset.yaml", REPORT_RULESET)
    labels = [METRICS[m]["label"] for m in HAM_TAN]
    path = planner_sheet(tmp_path / "q1.xlsx", [
        ["Báo cáo quý I/2024"], ["Đơn vị", "Kỳ báo cáo", *labels],
        ["ham-tan", "2024-Q1", *HAM_TAN.values()]], merge="A1:E1")
    result = CliRunner().invoke(main, ["evaluate", str(rules), "--data", str(path),
                                       "--format", "json"])
    assert result.exit_code == 1, result.output
    checks = json.loads(result.stdout)["checks"]
    assert {c["check"]: c["status"] for c in checks} == {
        "received-breakdown": "pass", "received-split": "pass"}
