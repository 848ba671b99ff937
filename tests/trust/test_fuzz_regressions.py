"""Inputs the fuzz suite (tests/test_fuzz.py) found, kept as plain regression tests."""
from __future__ import annotations

import io
import json
import struct
import time

import pytest
import xlsxwriter
from click.testing import CliRunner
from records_ruleset import records_ruleset

from cchc_rules.cli import main

RULESET = """\
ruleset: fuzz-found
title: Hồ sơ tiếp nhận huyện Hàm Tân
metrics:
  received: {label: Tổng số hồ sơ tiếp nhận, unit: count}
"""


def test_a_broken_deflate_stream_in_a_workbook_is_dat16(tmp_path):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.add_worksheet("Q1-2024").write_row(0, 0, ["unit", "period", "received"])
    book.close()
    data = bytearray(out.getvalue())
    # The first part's compressed data starts after its 30-byte local header, name and extra.
    name_len, extra_len = struct.unpack("<HH", data[26:30])
    data[30 + name_len + extra_len] = 0  # a stored block whose lengths do not match: zlib.error
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.xlsx").write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["evaluate", str(tmp_path / "r.yaml"), "--data",
                                       str(tmp_path / "d.xlsx")])
    assert result.exit_code == 2, result.output
    assert "error DAT16" in result.stderr and "INT01" not in result.output


def test_a_chain_of_divisions_evaluates_at_once(tmp_path):
    """16 divisions grew the compiled expression 2^16 times: a hang from a short formula."""
    ruleset = RULESET + "  share: {label: Tỷ lệ, unit: ratio, formula: " + \
        " / ".join(["received"] * 16) + "}\n"
    (tmp_path / "r.yaml").write_text(ruleset, encoding="utf-8")
    (tmp_path / "d.yaml").write_text(
        "reports: [{unit: ham-tan, period: 2024-Q1, values: {received: 4917}}]\n",
        encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(tmp_path / "r.yaml"), "--data",
                                       str(tmp_path / "d.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output


def test_a_broken_workbook_part_is_dat16_not_an_internal_error(tmp_path):
    """Found by `make fuzz` at 2,000 examples: xl/workbook.xml itself does not unpack
    ("invalid distance too far back"), read before any sheet, gave INT01."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.add_worksheet("Q1-2024").write_row(0, 0, ["unit", "period", "received"])
    book.close()
    data = bytearray(out.getvalue())
    at = 0
    while True:   # the local header of xl/workbook.xml
        at = data.index(b"PK\x03\x04", at)
        name_len, extra_len = struct.unpack("<HH", data[at + 26:at + 30])
        if bytes(data[at + 30:at + 30 + name_len]) == b"xl/workbook.xml":
            break
        at += 4
    start = at + 30 + name_len + extra_len
    data[start:start + 8] = b"\xff" * 8   # block type 3: no such deflate block, zlib.error
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.xlsx").write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["evaluate", str(tmp_path / "r.yaml"), "--data",
                                       str(tmp_path / "d.xlsx")])
    assert result.exit_code == 2, result.output
    assert "error DAT16" in result.stderr and "INT01" not in result.output, result.output


def _records(tmp_path, keys: str = "") -> tuple[str, str]:
    """Hàm Tân's January 2025 dossiers (40) and two far ones, as CSV, and their ruleset."""
    rows = "".join(f"d{i},ham-tan,2025-01-{1 + i % 28:02d}\n" for i in range(40))
    (tmp_path / "d.csv").write_text("dossier_id,unit_id,received_at\n" + rows +
                                    "x1,ham-tan,9999-12-31\nx2,ham-tan,0001-01-01\n",
                                    encoding="utf-8")
    (tmp_path / "r.yaml").write_text(records_ruleset("fuzz-found", keys=keys),
                                     encoding="utf-8")
    return str(tmp_path / "r.yaml"), f"dossiers={tmp_path / 'd.csv'}"


def test_a_plausible_window_to_9999_12_31_counts(tmp_path):
    """Found by the far-dates family once it reached the source's window: `latest:
    9999-12-31` made its end the day after, 10000-01-01 (INT01 OverflowError)."""
    ruleset, records = _records(tmp_path, "    earliest: '2024-01-01'\n"
                                          "    latest: '9999-12-31'\n")
    result = CliRunner().invoke(main, ["evaluate", ruleset, "--records", records,
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)["results"]
    assert (row["period"], row["actual"]) == ("2025-01", 40)
    # 9999-12-31 is inside that window but after now; 0001-01-01 outside it
    [quality] = json.loads(result.stdout)["diagnostics"]["records"]
    assert quality["dates"] == {"no_date": 0, "out_of_window": 1, "received_in_future": 1}
    assert result.stderr == (
        "warning REC09 2 record(s) of 'dossiers' have a missing or inconsistent date and are "
        "counted in no figure: out_of_window 1, received_in_future 1 [see the data-quality "
        "section; fix the dates in the export]\n")


@pytest.mark.parametrize(("as_of", "line"), [
    ("9999-12-31", "error REC05 --as-of '9999-12-31' is after now [count as of a moment "
                   "that has come]"),
    ("0001-01-01T00:00:00", "error REC05 --as-of '0001-01-01T00:00:00' is before 0001-01-02, "
                            "the first moment records are counted as of [count as of a later "
                            "moment]"),
    ("0001-01-01T00:00:00+07:00", "error REC05 --as-of '0001-01-01T00:00:00+07:00' is before "
                                  "0001-01-02, the first moment records are counted as of "
                                  "[count as of a later moment]")])
def test_an_as_of_moment_at_the_ends_of_the_calendar_is_one_rec05_line(tmp_path, as_of, line):
    """Found by the far-dates family: the end of 9999-12-31 is 10000-01-01, and the first
    hours of year 1 in Vietnam are in year 0 in UTC (INT01 OverflowError both)."""
    ruleset, records = _records(tmp_path)
    result = CliRunner().invoke(main, ["evaluate", ruleset, "--records", records,
                                       "--as-of", as_of])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [line]


def test_an_as_of_moment_in_year_1_counts_nothing_yet(tmp_path):
    ruleset, records = _records(tmp_path)
    result = CliRunner().invoke(main, ["evaluate", ruleset, "--records", records,
                                       "--as-of", "0001-01-01T17:00:00Z", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"] == []


def test_a_ruleset_of_more_than_500000_values_is_yaml10_before_it_is_read(tmp_path):
    """Found by the widened long-lists family: 137 indicators of 1,132 steps each, a 5.4 MB
    ruleset under the 10 MB cap, took 22 s and 900 MB to read (a minute under load) before
    SCH10 refused its steps; a 10 MB file of short values took 1.6 GB. Now the values are
    counted on the parser's events first and the file refused at the 500,001st."""
    steps = ", ".join(f'{{op: ">=", value: {1132 - i}, points: 1}}' for i in range(1132))
    indicators = "".join(f"    - {{id: 'i{i}', title: t, metric: m0, max: 1, steps: [{steps}]}}\n"
                         for i in range(137))
    (tmp_path / "r.yaml").write_text(
        "ruleset: fuzz-long\ntitle: Danh sách dài\nmetrics:\n  m0: {label: Chỉ số, unit: count}\n"
        f"scoring:\n  bands: [{{id: A, min: 0}}]\n  indicators:\n{indicators}", encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "r.yaml")])
    seconds = time.monotonic() - started
    assert result.exit_code == 2, result.output
    # the 64th indicator (line 71), its 9th step's value: the 500,001st value of the file
    [line] = [x for x in result.output.splitlines() if "error" in x]
    assert line == (f"{tmp_path / 'r.yaml'}:71:363: error YAML10 the file holds more than "
                    "500,000 values [split it into several files; keep large figures in CSV]")
    assert seconds < 15, f"{seconds:.0f} s"


def test_a_data_file_of_more_than_500000_values_is_yaml10(tmp_path):
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.yaml").write_text("reports:\n" + "  - 1\n" * 500_000, encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(tmp_path / "r.yaml"), "--data",
                                       str(tmp_path / "d.yaml")])
    assert result.exit_code == 2, result.output
    # the mapping, its key, the list: the 500,001st value is the list's 499,998th item
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'd.yaml'}:499999:5: error YAML10 the file holds more than 500,000 values "
        "[split it into several files; keep large figures in CSV]"]
