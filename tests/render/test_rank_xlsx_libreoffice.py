"""The `cchc rank --format xlsx` workbook, wide sheets included, opened by Debian's
LibreOffice, headless: it must convert, every sheet readable, with the group titles,
indicator headings and ranked units of the wide sheet (issue 23). Slow (a LibreOffice
start); never skipped: without /usr/bin/soffice it fails and says how to install it."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from cchc_rules.cli import main

SOFFICE = "/usr/bin/soffice"
CASE = Path(__file__).parents[1] / "conformance" / "scoring-rules-steps-status-points"
TIMEOUT = 240

pytestmark = pytest.mark.slow


def test_libreoffice_reads_the_wide_ranking_sheets(tmp_path):
    if not Path(SOFFICE).exists():
        pytest.fail("LibreOffice is not installed at /usr/bin/soffice: run `make system-deps` "
                    "(Debian package 'libreoffice-calc-nogui'); this test never skips")
    book = tmp_path / "rank.xlsx"
    done = CliRunner().invoke(main, ["rank", str(CASE / "ruleset.yaml"), "--data",
                                     str(CASE / "data.yaml"), "--format", "xlsx",
                                     "--output", str(book)])
    assert done.exit_code == 0, done.output
    out = tmp_path / "back"
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    run = subprocess.run([SOFFICE, "--headless", "--norestore", "--convert-to", "xlsx",
                          "--outdir", str(out), str(book)], env=env, capture_output=True,
                         text=True, timeout=TIMEOUT)
    saved = out / "rank.xlsx"
    assert run.returncode == 0 and saved.is_file(), run.stdout + run.stderr
    again = openpyxl.load_workbook(saved)
    assert again.sheetnames == ["Xếp hạng", "Điểm tiêu chí", "2025 cấp tỉnh", "2025 cấp huyện"]
    rows = list(again["2025 cấp huyện"].iter_rows(values_only=True))
    assert rows[0][3] == "Kế hoạch" and rows[1][3] == "1.4 Thực hiện kế hoạch"
    assert [r[1] for r in rows[2:]] == ["d1", "d2"] and rows[2][-2:] == ("A", 1)
    merged = {str(m) for m in again["2025 cấp huyện"].merged_cells.ranges}
    assert "D1:E1" in merged          # the group title over its indicator and total
