"""The index's whole round trip at a province's size (issue 26, part 7): 200 units (30
departments, 170 communes) fill their self-assessments, the appraisal team appraises,
`cchc collect` gathers the returned workbooks and `cchc publish` writes the annex — and the
published index of three units equals a count done by hand from the filled cells. The annex
PDF and HTML open in Chromium, the xlsx in LibreOffice. Slow: about a minute and a half."""
from __future__ import annotations

import csv
import math
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from cchc_rules.cli import main
from examples.index.generate import RULESET, generate

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _units(path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["id", "name", "level"])
        out.writerows([f"so-{i:02d}", f"Sở {i:02d} (minh hoạ)", "department"]
                      for i in range(1, 31))
        out.writerows([f"xa-{i:03d}", f"Xã {i:03d} (minh hoạ)", "commune"]
                      for i in range(1, 171))
    return path


def _by_hand(unit: str, level: str, points: dict, survey: dict) -> tuple[float, float]:
    """The index as a Sở Nội vụ officer counts it from the appraisal sheets: each area the
    sum of its criteria of the unit's track (n/a left out of points and max), area 7 at most
    16; the survey 22 × (rate − 50) / 50 within 0–22; bonus added, penalty taken off."""
    doc = yaml.safe_load(RULESET.read_text(encoding="utf-8"))["scoring"]
    area = {g["id"]: g.get("parent") or g["id"] for g in doc["groups"]}
    got: dict[str, float] = {}
    top: dict[str, float] = {}
    bonus = penalty = 0.0
    for ind in doc["indicators"]:
        if ind.get("levels") and level not in ind["levels"]:
            continue
        if ind["id"] == "8.1":
            rate = survey[unit]
            got["8"] = 22 * min(max((rate - 50) / 50, 0.0), 1.0)
            top["8"] = 22
            continue
        value = points[ind["id"]]
        if ind.get("kind") == "bonus":
            bonus = value
        elif ind.get("kind") == "penalty":
            penalty = value
        elif value != "n/a":
            a = area[ind["group"]]
            got[a] = got.get(a, 0.0) + value
            top[a] = top.get(a, 0.0) + ind["max"]
    got["7"], top["7"] = min(got.get("7", 0.0), 16), min(top.get("7", 0.0), 16)
    total, maximum = sum(got.values()) + bonus - penalty, sum(top.values())
    return total, min(max(total / maximum * 100, 0.0), 100.0)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("round")
    units = _units(tmp / "units.csv")
    appraised = generate(tmp, RULESET, units, "2025", seed=7, silent_unit=None)
    assert len(appraised) == 200
    figures, evidence = tmp / "figures.csv", tmp / "evidence.csv"
    done = CliRunner().invoke(main, ["collect", str(RULESET), str(tmp / "da-tham-dinh"),
                                     "--units", str(units), "--period", "2025", "--output",
                                     str(figures), "--evidence", str(evidence)])
    assert done.exit_code == 0, done.output        # every unit's appraisal used, none lost
    args = ["--data", str(figures), "--data", str(tmp / "khao-sat.csv"), "--data",
            str(tmp / "nam-truoc.csv"), "--units", str(units), "--evidence", str(evidence)]
    for fmt in ("xlsx", "html", "pdf"):
        done = CliRunner().invoke(main, ["publish", str(RULESET), *args, "--format", fmt,
                                         "--output", str(tmp / f"annex.{fmt}")])
        assert done.exit_code == 0, done.output
    survey = {r["unit"]: float(r["value"]) for r in csv.DictReader(
        (tmp / "khao-sat.csv").open(encoding="utf-8")) if r["metric"] == "hai_long"}
    return tmp, appraised, survey


def test_published_index_equals_a_hand_count_on_three_units(published):
    tmp, appraised, survey = published
    book = openpyxl.load_workbook(tmp / "annex.xlsx")
    found = {}
    for sheet in book.worksheets:
        head = [c.value for c in sheet[3]]
        for row in sheet.iter_rows(min_row=4, values_only=True):
            found[row[1]] = dict(zip(head, row, strict=True))
    assert len(found) == 200
    for unit, level in (("so-07", "department"), ("xa-042", "commune"),
                        ("xa-170", "commune")):
        total, index = _by_hand(unit, level, appraised[unit], survey)
        row = found[unit]
        assert math.isclose(row["Tổng điểm"], total, abs_tol=1e-9), (unit, row, total)
        assert math.isclose(row["Chỉ số (%)"], index, abs_tol=1e-9), (unit, row, index)


def test_annex_pdf_and_html_open_in_chromium(published):
    from tests.render.report.test_browser import launched
    tmp, _appraised, _survey = published
    with launched() as chromium:
        page = chromium.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((tmp / "annex.html").as_uri(), wait_until="load")
        assert errors == []
        assert page.locator("section.track").count() == 2
        assert page.locator("table.ranking tbody tr").count() == 200
        assert page.locator("article.card").count() == 200
    pdf = subprocess.run(["pdftotext", "-l", "1", str(tmp / "annex.pdf"), "-"],
                         capture_output=True, text=True, timeout=120)
    assert pdf.returncode == 0 and "Kết quả Chỉ số cải cách hành chính 2025" in pdf.stdout


def test_annex_xlsx_opens_in_libreoffice(published, tmp_path):
    from tests.figures.test_form_libreoffice import soffice
    tmp, _appraised, _survey = published
    home = tmp_path / "home"
    home.mkdir()
    converted = soffice(tmp / "annex.xlsx", "pdf", home)
    text = subprocess.run(["pdftotext", str(converted), "-"], capture_output=True,
                          text=True, timeout=120).stdout
    first = text.split("\f")[0]
    assert "Hạng" in first and "Mã đơn vị" in first and "\n1 xa-" in first
    assert "Chỉ số (%)" in text and "Xếp loại" in text and "so-30" in text
