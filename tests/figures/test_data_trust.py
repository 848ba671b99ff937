"""Issue 15, silent misreads and hostile numbers: every figure is either read as the planner
meant it or refused on one positioned line (exit 2); a reported rate that its own reported
inputs contradict is named in a warning (exit unchanged)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_rules.cli import main

RULESET = """\
ruleset: trust
title: Trust in every figure
metrics:
  tasks: {label: Nhiệm vụ, unit: count}
  docs: {label: Văn bản, unit: count}
  docs_on_time: {label: Văn bản đúng hạn, unit: count}
  score: {label: Điểm, unit: score}
  legal_on_time_rate: {label: Tỷ lệ đúng hạn, unit: percent,
                       formula: docs_on_time / docs * 100}
targets:
  - {id: PL-01, title: Văn bản đúng hạn, area: institutions, metric: legal_on_time_rate,
     milestones: [{by: "2025", op: ">=", value: 95}]}
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def evaluate(tmp_path: Path, *data: str, extra: tuple[str, ...] = (),
             command: str = "evaluate"):
    ruleset = write(tmp_path, "ruleset.yaml", RULESET)
    args = [command, ruleset, *[a for d in data for a in ("--data", d)], *extra]
    return CliRunner().invoke(main, args)


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if " error " in line]


# --- silent misread 1: a fractional count ---------------------------------------------------

def test_yaml_count_with_three_decimals_is_the_vietnamese_thousands(tmp_path):
    data = write(tmp_path, "nt.yaml", 'reports:\n  - unit: ninh-thuan\n    period: "2025"\n'
                 "    values: {tasks: 16.298, docs: 37}\n")
    result = evaluate(tmp_path, data)
    assert result.exit_code == 2, result.output
    [line] = error_lines(result)
    assert line.startswith(f"{data}:4:21: error DAT02 'tasks' for ninh-thuan in 2025 is 16.298")
    assert "is 16.298 the Vietnamese way of writing 16298? write 16298" in line  # vi: see
    # test_messages_cli.py
    assert "Traceback" not in result.output


def test_json_count_with_three_decimals_is_refused_too(tmp_path):
    data = write(tmp_path, "nt.json", json.dumps(
        {"reports": [{"unit": "nt", "period": "2025", "values": {"tasks": 16.298}}]}))
    result = evaluate(tmp_path, data)
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert line.startswith(f"{data}:1:") and "error DAT02" in line and "write 16298" in line


@pytest.mark.parametrize(("name", "text"), [
    ("a.yaml", 'reports: [{unit: nt, period: "2025", values: {tasks: 16.5}}]\n'),
    ("a.json", '{"reports": [{"unit": "nt", "period": "2025", "values": {"tasks": 0.25}}]}'),
    ("a.csv", "unit,period,tasks\nnt,2025,16.5\n"),
])
def test_any_other_fraction_of_a_count_is_refused(tmp_path, name, text):
    result = evaluate(tmp_path, write(tmp_path, name, text))
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert "error DAT21 'tasks' for nt in 2025 is" in line
    assert "a count is a whole number" in line  # vi: test_messages_cli.py


def test_a_fraction_of_another_unit_and_a_whole_count_still_read(tmp_path):
    data = write(tmp_path, "a.yaml", 'reports: [{unit: nt, period: "2025", '
                 "values: {tasks: 16298, score: 16.298, docs: 37.0, docs_on_time: 35}}]\n")
    result = evaluate(tmp_path, data, extra=("--format", "json"))
    assert result.exit_code == 1, result.output  # 94.6% is short of 95%: not_met, no error
    [row] = json.loads(result.stdout)["results"]
    assert row["actual"] == pytest.approx(35 / 37 * 100)


def test_decimal_comma_count_with_a_fraction_is_refused(tmp_path):
    data = write(tmp_path, "a.csv", "unit,period,tasks\nnt,2025,\"16,5\"\nnt,2024,16.298\n")
    result = evaluate(tmp_path, data, extra=("--decimal-comma",))
    assert result.exit_code == 2
    [line] = error_lines(result)  # 16.298 is 16298 with --decimal-comma: fine
    assert line.startswith(f"{data}:2: error DAT21")


# --- silent misread 2: a reported rate that its inputs contradict --------------------------

def rate_file(tmp_path: Path, rate: str) -> str:
    return write(tmp_path, "pl.yaml", 'reports:\n  - unit: ninh-thuan\n    period: "2025"\n'
                 f"    values:\n      docs: 37\n      docs_on_time: 35\n"
                 f"      legal_on_time_rate: {rate}\n")


def test_reported_rate_far_from_its_inputs_warns_with_both_values_and_places(tmp_path):
    data = rate_file(tmp_path, "100")
    result = evaluate(tmp_path, data, extra=("--format", "json"))
    assert result.exit_code == 0, result.output  # the reported 100 still wins: met
    assert json.loads(result.stdout)["results"][0]["status"] == "met"
    [line] = [x for x in result.stderr.splitlines() if "DAT22" in x]
    assert line.startswith(f"{data}:7: warning DAT22 'legal_on_time_rate' for ninh-thuan "
                           "in 2025 is reported as 100, but docs_on_time / docs * 100 gives "
                           "94.595")
    assert f"docs_on_time 35 ({data}:6)" in line and f"docs 37 ({data}:5)" in line
    assert "the reported figure is used" in line


@pytest.mark.parametrize("rate", ["94.6", "94.59", "94.595", "95"])
def test_reported_rate_within_rounding_is_quiet(tmp_path, rate):
    result = evaluate(tmp_path, rate_file(tmp_path, rate))
    assert result.exit_code in (0, 1), result.output
    assert "DAT22" not in result.stderr


def test_no_warning_when_an_input_is_not_reported(tmp_path):
    data = write(tmp_path, "a.yaml", 'reports: [{unit: nt, period: "2025", '
                 "values: {docs: 37, legal_on_time_rate: 100}}]\n")
    result = evaluate(tmp_path, data)
    assert result.exit_code == 0, result.output
    assert "DAT22" not in result.stderr


def test_inputs_in_another_file_are_named_there(tmp_path):
    rate = write(tmp_path, "rate.csv", "unit,period,legal_on_time_rate\nnt,2025,100\n")
    counts = write(tmp_path, "counts.csv", "unit,period,docs,docs_on_time\nnt,2025,37,35\n")
    result = evaluate(tmp_path, rate, counts)
    [line] = [x for x in result.stderr.splitlines() if "DAT22" in x]
    assert line.startswith(f"{rate}:2: warning DAT22") and f"({counts}:2)" in line


def test_report_command_prints_the_warning_and_the_evaluation_keeps_it(tmp_path):
    from cchc_rules import evaluate_files
    data = rate_file(tmp_path, "100")
    ruleset = write(tmp_path, "ruleset.yaml", RULESET)
    evaluation = evaluate_files(ruleset, [data])
    assert [(w.code, w.severity) for w in evaluation.warnings] == [("DAT22", "warning")]
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", ruleset, "--data", data, "--format", "html",
                                       "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{data}:7: warning DAT22" in result.stderr and out.exists()


# --- hostile 4 and 8: numbers that are not finite, or not digits ---------------------------

HUGE = "1" + "0" * 309


@pytest.mark.parametrize(("name", "text"), [
    ("big.csv", f"unit,period,docs\nnt,2025,{HUGE}\n"),
    ("big.tsv", f"unit\tperiod\tdocs\nnt\t2025\t-{HUGE}\n"),
    ("big.yaml", f'reports: [{{unit: nt, period: "2025", values: {{docs: "{HUGE}"}}}}]\n'),
    ("int.yaml", f'reports: [{{unit: nt, period: "2025", values: {{docs: 1{"0" * 400}}}}}]\n'),
    ("int.json", json.dumps({"reports": [{"unit": "nt", "period": "2025",
                                          "values": {"docs": 10 ** 400}}]})),
])
def test_numbers_too_large_for_a_float_are_one_dat03_line(tmp_path, name, text):
    data = write(tmp_path, name, text)
    result = evaluate(tmp_path, data)
    assert result.exit_code == 2, result.output
    assert "INT01" not in result.output and "Traceback" not in result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{data}:") and "error DAT03 'docs' for nt in 2025" in line
    assert "too large to be a figure" in line and len(line) < 300


def test_decimal_comma_huge_number_is_refused(tmp_path):
    data = write(tmp_path, "big.csv", f"unit,period,docs\nnt,2025,\"{HUGE},5\"\n")
    result = evaluate(tmp_path, data, extra=("--decimal-comma",))
    assert result.exit_code == 2
    assert "error DAT03" in result.stderr


def test_xlsx_text_cell_of_309_zeros_is_refused(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "big.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Q1")
    sheet.write_row(0, 0, ["unit", "period", "docs"])
    sheet.write_string(1, 0, "nt")
    sheet.write_string(1, 1, "2025")
    sheet.write_string(1, 2, HUGE)
    book.close()
    result = evaluate(tmp_path, str(path))
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{path}[Q1]:2:3: error DAT03")


@pytest.mark.parametrize("cell", ["٣٥", "۳۵", "３５"])
def test_non_ascii_digits_in_a_csv_cell_are_one_dat01_line(tmp_path, cell):
    data = write(tmp_path, "ar.csv", f"unit,period,docs\nnt,2025,{cell}\nnt,2024,12\n")
    result = evaluate(tmp_path, data)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{data}:2: error DAT01 'docs' for nt in 2025: '{cell}' is not a "
                           "number")
    assert "0-9" in line


def test_non_ascii_digits_in_yaml_text_are_refused(tmp_path):
    data = write(tmp_path, "ar.yaml", 'reports: [{unit: nt, period: "2025", '
                 'values: {docs: "٣٥"}}]\n')
    result = evaluate(tmp_path, data)
    assert result.exit_code == 2
    assert "error DAT01" in result.stderr


# --- hostile 3: workbooks that would make calamine allocate without bound ------------------

def workbook(tmp_path: Path, name: str = "b.xlsx", far: tuple[int, int] | None = None) -> Path:
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / name
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Q1")
    sheet.write_row(0, 0, ["unit", "period", "docs"])
    sheet.write_row(1, 0, ["nt", "2025", 37])
    if far is not None:
        sheet.write(*far, 1)
    book.close()
    return path


def rewrite(path: Path, member: str, change) -> None:
    """Replace one part of a zip with change(its bytes)."""
    import zipfile
    with zipfile.ZipFile(path) as old:
        parts = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in parts:
            new.writestr(info.filename, change(data) if info.filename == member else data)


def declare_size(path: Path, member: str, size: int) -> None:
    """Forge the uncompressed size the zip's central directory declares for `member`."""
    raw = bytearray(path.read_bytes())
    at = raw.index(b"PK\x01\x02")
    while True:
        length = int.from_bytes(raw[at + 28:at + 30], "little")
        if raw[at + 46:at + 46 + length] == member.encode():
            raw[at + 24:at + 28] = size.to_bytes(4, "little")
            break
        at = raw.index(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(raw))


def only_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "INT01" not in result.output
    [line] = result.stderr.splitlines()
    return line


def test_a_cell_at_xfd1048576_is_refused_before_reading(tmp_path):
    path = workbook(tmp_path, far=(1_048_575, 16_383))
    assert path.stat().st_size < 10_000
    line = only_line(evaluate(tmp_path, str(path)))
    assert line.startswith(f"{path}[Q1]: error DAT23 the sheet spans 1,048,576 rows × 16,384 "
                           "columns")


def test_the_used_cells_count_even_without_a_dimension(tmp_path):
    import re
    path = workbook(tmp_path, far=(19_999, 16_383))  # XFD20000: over 300 M cells from A1
    rewrite(path, "xl/worksheets/sheet1.xml",
            lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))
    line = only_line(evaluate(tmp_path, str(path)))
    assert "error DAT23" in line and "cell XFD20000 is used" in line


def test_a_workbook_declaring_more_than_the_limit_unpacked_is_refused(tmp_path):
    path = workbook(tmp_path)
    declare_size(path, "xl/sharedStrings.xml", 1_000_000_000)  # 1 GB in a 5 KB file
    line = only_line(evaluate(tmp_path, str(path)))
    assert line.startswith(f"{path}: error DAT23 the workbook unpacks to ")
    assert "the limit is 536,870,912" in line


def test_a_part_larger_than_it_declares_is_refused(tmp_path):
    path = workbook(tmp_path)
    declare_size(path, "xl/sharedStrings.xml", 10)
    line = only_line(evaluate(tmp_path, str(path)))
    assert "error DAT16 cannot read as an Excel workbook" in line


def test_the_unpacked_limit_applies_to_real_sizes(tmp_path, monkeypatch):
    from cchc_rules.figures.readers import xlsx
    path = workbook(tmp_path)
    monkeypatch.setattr(xlsx, "MAX_BYTES", 1_000)
    assert "error DAT23" in only_line(evaluate(tmp_path, str(path)))


def test_a_workbook_within_the_limits_still_reads(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "long.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Q1")
    sheet.write_row(0, 0, ["unit", "period", "docs", "docs_on_time"])
    sheet.write_row(49_999, 0, ["nt", "2025", 37, 35])  # far down, but 200,000 cells
    book.close()
    result = evaluate(tmp_path, str(path), extra=("--format", "json"))
    assert result.exit_code == 1, result.output
    [row] = json.loads(result.stdout)["results"]
    assert row["unit"] == "nt" and row["actual"] == pytest.approx(35 / 37 * 100)


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_bytes(b""), "error DAT06 the file is empty"),
    (lambda p: __import__("zipfile").ZipFile(p, "w").close(),
     "error DAT06 the workbook is empty: it holds no sheet"),
])
def test_an_empty_xlsx_says_so(tmp_path, make, message):
    path = tmp_path / "empty.xlsx"
    make(path)
    line = only_line(evaluate(tmp_path, str(path)))
    assert line.startswith(f"{path}: {message}") and "not found" not in line


def test_a_workbook_whose_sheets_are_blank_says_so(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "blank.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Sheet1")
    book.close()
    line = only_line(evaluate(tmp_path, str(path)))
    assert "error DAT06 the workbook is empty: no visible sheet holds a cell" in line


def test_the_report_lists_the_warning_in_its_data_quality_section(tmp_path):
    data = rate_file(tmp_path, "100")
    out = tmp_path / "r.html"
    result = evaluate(tmp_path, data, command="report",
                      extra=("--format", "html", "--output", str(out)))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    quality = html[html.index('id="quality"'):html.index('id="appendix"')]
    assert "Cảnh báo về số liệu" in quality and "DAT22" in quality and "94.595" in quality
