"""Inputs the fuzz suite (tests/test_fuzz.py) found, kept as plain regression tests."""
from __future__ import annotations

import io
import struct

import xlsxwriter
from click.testing import CliRunner

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
