"""CSV figures: long and wide, BOM, CRLF, quotes, separators, empty cells, bad input."""
from __future__ import annotations

from pathlib import Path

import pytest

from cchc_rules.errors import CchcError
from cchc_rules.figures.data import read_data

DATA = Path(__file__).parents[1] / "data"


def write(tmp_path: Path, text: str, name: str = "d.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems(*args, **kwargs) -> list[str]:
    with pytest.raises(CchcError) as info:
        read_data(*args, **kwargs)
    return [p.format() for p in info.value.problems]


def rows(figures) -> list[tuple]:
    return figures.values.select("unit", "period", "metric", "value", "line",
                                 "source").rows()


def test_long_csv_with_source(tmp_path):
    path = write(tmp_path, "unit,period,metric,value,source\n"
                 "ham-tan,2024-Q1,received,4917,báo cáo quý I\n"
                 "ham-tan,2024-Q1,received_online,246,\n")
    assert rows(read_data([path])) == [
        ("ham-tan", "2024-Q1", "received", 4917.0, 2, "báo cáo quý I"),
        ("ham-tan", "2024-Q1", "received_online", 246.0, 3, None)]


def test_wide_csv_empty_cells_are_missing_not_zero(tmp_path):
    path = write(tmp_path, "unit,period,received,received_online,carried_over\n"
                 "ham-tan,2024-Q1,4917,,2491\n"
                 "ham-tan,2024-Q2,,0,\n")
    assert rows(read_data([path])) == [
        ("ham-tan", "2024-Q1", "received", 4917.0, 2, None),
        ("ham-tan", "2024-Q1", "carried_over", 2491.0, 2, None),
        ("ham-tan", "2024-Q2", "received_online", 0.0, 3, None)]


def test_bom_crlf_and_quoted_fields_with_commas_and_newlines(tmp_path):
    path = write(tmp_path, "\ufeffunit,period,source,received\r\n"
                 'ham-tan,2024-Q1,"Phòng Nội vụ, ""Hàm Tân""\r\nquý I",4917\r\n'
                 "\r\n"
                 "ham-tan,2024-Q2,,5000\r\n")
    assert rows(read_data([path])) == [
        ("ham-tan", "2024-Q1", "received", 4917.0, 2, 'Phòng Nội vụ, "Hàm Tân"\r\nquý I'),
        ("ham-tan", "2024-Q2", "received", 5000.0, 5, None)]


def test_semicolon_csv_with_decimal_comma(tmp_path):
    path = write(tmp_path, "unit;period;received;late_rate\nham-tan;2024-Q1;4.917;47,18\n")
    assert rows(read_data([path], decimal_comma=True)) == [
        ("ham-tan", "2024-Q1", "received", 4917.0, 2, None),
        ("ham-tan", "2024-Q1", "late_rate", 47.18, 2, None)]


def test_vietnamese_numbers_are_errors_without_the_flag():
    found = problems([DATA / "ham-tan-2024-q1-vn.csv"])
    assert found == [f"{DATA / 'ham-tan-2024-q1-vn.csv'}:2: error DAT02 'received' for ham-tan "
                     "in 2024-Q1: '4.917' could be 4917 or 4.917 [pass --decimal-comma to read "
                     "'.' as the thousands separator and ',' as the decimal mark (4.917 = 4917, "
                     "47,18 = 47.18); for the decimal number write 4.9170]"]
    figures = read_data([DATA / "ham-tan-2024-q1-vn.csv"], decimal_comma=True)
    assert figures.values.filter(metric="received")["value"].to_list() == [4917.0]
    # received, its three parts and its four outcomes
    assert figures.values["value"].sum() == 3 * 4917


def test_bad_values_negative_counts_and_nan(tmp_path):
    path = write(tmp_path, "unit,period,received,late_rate\n"
                 "a,2024,-3,-1\nb,2024,nan,inf\nc,2024,12 ,47.18%\n")
    found = problems([path], known_metrics={"received": "count", "late_rate": "percent"})
    assert [f.split(" error ")[1][:5] for f in found] == ["DAT04", "DAT03", "DAT03", "DAT01"]
    assert found[0].startswith(f"{path}:2: ")
    assert found[3].startswith(f"{path}:4: ") and "without '%'" in found[3]


def test_non_utf8_file_names_the_line(tmp_path):
    path = write(tmp_path, "unit,period,received\nhàm-tân,2024,1\n", encoding="cp1258")
    assert problems([path]) == [
        f"{path}:2: error DAT14 file is not UTF-8 text: byte 0xE0 cannot be read "
        "[save the file as UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')]"]


@pytest.mark.parametrize(("text", "expected"), [
    ("", "DAT06 the file is empty"),
    ("unit,received\na,1\n", "DAT06 the header has no 'period' column"),
    ("unti,period,x\na,2024,1\n", "rename the column 'unti' to 'unit'"),
    ("unit,period\na,2024\n", "DAT06 the header names no metric columns"),
    ("unit,period,metric\na,2024,x\n", "DAT06 a long table needs a 'value' column too"),
    ("unit,period,metric,value,extra\na,2024,x,1,2\n", "unexpected column 'extra'"),
    ("unit,period,x,x\na,2024,1,2\n", "DAT05 column 'x' appears twice"),
    ("unit,period,x,\na,2024,1,2\n", "DAT05 column 4 has figures but no name"),
    ("unit,period,x\na,2024,1,2\n", "DAT07 the row has 4 cells but the header only 3"),
    ("unit,period,x\n,2024,1\n", "DAT08 the row has no unit"),
    ('unit,period,x\na,2024,"1\n', "DAT15 not valid CSV"),
])
def test_malformed_tables(tmp_path, text, expected):
    assert expected in "\n".join(problems([write(tmp_path, text)]))


def test_fixed_column_names_ignore_case(tmp_path):
    path = write(tmp_path, "Unit,PERIOD,Metric,Value\na,2024,x,1\n")
    assert rows(read_data([path])) == [("a", "2024", "x", 1.0, 2, None)]


def test_trailing_unnamed_empty_columns_are_ignored(tmp_path):
    path = write(tmp_path, "unit,period,x,,\na,2024,1,,\n,,,,\n")
    assert rows(read_data([path])) == [("a", "2024", "x", 1.0, 2, None)]


def test_units_csv(tmp_path):
    units = read_data([], units_file=DATA / "units.csv").units
    assert [(u.id, u.level, u.parent) for u in units.values()] == [
        ("binh-thuan", "province", None), ("ham-tan", "district", "binh-thuan")]
    bad = write(tmp_path, "id,name,levle\na,A,x\n", name="units.csv")
    assert "UNT01 a units file has the columns" in "\n".join(problems([], units_file=bad))
    cycle = write(tmp_path, "id,parent,valid_from\na,b,\nb,a,2025-13-01\n", name="units.csv")
    found = "\n".join(problems([], units_file=cycle))
    assert "UNT03 units form a cycle" in found and "UNT05 'valid_from'" in found
