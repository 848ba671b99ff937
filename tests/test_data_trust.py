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


def evaluate(tmp_path: Path, *data: str, extra: tuple[str, ...] = ()):
    ruleset = write(tmp_path, "ruleset.yaml", RULESET)
    args = ["evaluate", ruleset, *[a for d in data for a in ("--data", d)], *extra]
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
    assert "16.298 viết theo kiểu Việt Nam là 16298? / write 16298" in line
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
    assert "a count is a whole number" in line and "số đếm phải là số nguyên" in line


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
    from cchc_rules.evaluate import evaluate_files
    data = rate_file(tmp_path, "100")
    evaluation = evaluate_files(write(tmp_path, "ruleset.yaml", RULESET), [data])
    assert [w.code for w in evaluation.warnings] == ["DAT22"]
    assert evaluation.warnings[0].severity == "warning"


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
