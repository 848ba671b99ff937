"""A `cchc form` workbook opened by another spreadsheet program: Debian's LibreOffice, headless.

It must render (a PDF with the sheet's labels), and its Excel validation and cell protection
must survive LibreOffice reading it: saved back as .xlsx, the workbook still locks the
header and the unit/period cells, leaves the figure cells open, and checks the figures.
Never skipped: without /usr/bin/soffice the test fails and says how to install it (the
Debian package libreoffice-calc-nogui, from `make system-deps`). About 25 s: marked slow.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from factory import REPORT_RULESET, UNITS, write
from pypdf import PdfReader

from cchc_rules.cli import main
from cchc_rules.figures.forms import GUIDE, ID_ROW, SHEET

SOFFICE = "/usr/bin/soffice"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
TIMEOUT = 240  # two cores shared with others: a cold LibreOffice start can take a minute

pytestmark = pytest.mark.slow


def soffice(form: Path, fmt: str, home: Path) -> Path:
    """`form` converted by headless LibreOffice to `fmt` (pdf, xlsx) in its own folder."""
    if not Path(SOFFICE).exists():
        pytest.fail("LibreOffice is not installed at /usr/bin/soffice: run `make system-deps` "
                    "(Debian package 'libreoffice-calc-nogui'); this test never skips")
    out = form.parent / fmt
    # its own profile (HOME): no clash with a LibreOffice the user has open
    env = {**os.environ, "HOME": str(home)}
    done = subprocess.run([SOFFICE, "--headless", "--norestore", "--convert-to", fmt,
                           "--outdir", str(out), str(form)], env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)
    converted = out / f"{form.stem}.{fmt}"
    assert done.returncode == 0 and converted.is_file(), done.stdout + done.stderr
    return converted


@pytest.fixture(scope="module")
def form(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lo")
    ruleset = write(folder / "ruleset.yaml", REPORT_RULESET)
    units = write(folder / "units.yaml", {"units": [UNITS[0], UNITS[1]]})
    out = folder / "form.xlsx"
    result = CliRunner().invoke(main, ["form", str(ruleset), "--units", str(units),
                                       "--period", "2024-Q1", "--period", "2024-Q2",
                                       "--output", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def home(form: Path) -> Path:
    path = form.parent / "home"
    path.mkdir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_libreoffice_renders_the_form_with_its_labels(form, home):
    pdf = soffice(form, "pdf", home)
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    text = " ".join(text.split())
    for label in ("BIỂU NHẬP SỐ LIỆU", "Mã đơn vị", "Kỳ báo cáo", "Huyện Hàm Tân",
                  "Quý I/2024", "Quý II/2024", "Đơn vị tính", "Hướng dẫn điền biểu"):
        assert label in text, f"{label!r} not in the PDF LibreOffice rendered"


def _sheets(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the workbook."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    return {s.get("name"): "xl/" + targets[s.get(rid)].removeprefix("/xl/")
            for s in workbook.find("m:sheets", NS)}


def _locked(book: zipfile.ZipFile, sheet: ElementTree.Element) -> dict[str, bool]:
    """Cell reference -> whether its style locks it (locked unless the style says not)."""
    styles = ElementTree.fromstring(book.read("xl/styles.xml"))
    xfs = styles.find("m:cellXfs", NS)
    locked = [not (x.find("m:protection", NS) is not None
                   and x.find("m:protection", NS).get("locked") in ("false", "0")) for x in xfs]
    return {c.get("r"): locked[int(c.get("s", 0))] for c in sheet.iter(f"{{{NS['m']}}}c")}


def test_validation_and_locked_cells_survive_libreoffice(form, home):
    saved = soffice(form, "xlsx", home)
    with zipfile.ZipFile(saved) as book:
        parts = _sheets(book)
        assert list(parts) == [SHEET, GUIDE]
        sheet = ElementTree.fromstring(book.read(parts[SHEET]))
        protection = sheet.find("m:sheetProtection", NS)
        assert protection is not None and protection.get("sheet") in ("true", "1")
        locked = _locked(book, sheet)
        first, last = ID_ROW + 1, ID_ROW + 4  # 2 units × 2 periods, 1-based rows
        for row in (2, ID_ROW, first, last):  # labels, the id row, unit and period cells
            assert locked[f"A{row}"] and locked[f"C{row}"], row
        figures = [ref for ref in locked if re.fullmatch(rf"[E-Z]({first}|{last})", ref)]
        assert figures and not any(locked[ref] for ref in figures), figures
        rules = sheet.findall("m:dataValidations/m:dataValidation", NS)
        whole = [r for r in rules if r.get("type") == "whole"
                 and r.get("operator") == "greaterThanOrEqual"
                 and r.find("m:formula1", NS).text == "0"]
        assert whole, "the count columns lost their whole-number validation"
        assert all(r.get("sqref").endswith(str(last)) and r.get("showErrorMessage") in
                   ("true", "1") for r in rules)
        assert {r.get("errorTitle") for r in rules} == {"Số liệu không hợp lệ"}
