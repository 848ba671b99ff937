"""`cchc serve` without clutter (issue 23), through Starlette's TestClient on the demo (the
Tuyên Quang plan with Hà Giang merged in, examples/demo): not applicable results hidden
with a toggle that shows them, no internal period, one ranking by points per level and
period with scored units only, a scorecard on the unit page, the units that sent nothing."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import polars as pl
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from cchc_rules.serve import Workspace, create_app

ROOT = Path(__file__).resolve().parents[2]
DEMO = sorted((ROOT / "examples/demo").glob("*.yaml"))
TUYEN_QUANG = ROOT / "rulesets/tuyen-quang/cchc-2021-2030.yaml"


@pytest.fixture(scope="module")
def client():
    app = create_app(Workspace(TUYEN_QUANG, DEMO), watching=False)
    with TestClient(app) as c:
        yield c


def test_summary_hides_not_applicable_and_ranks_by_points_per_level_and_period(client):
    page = client.get("/").text
    assert "badge s-not_applicable" not in page
    toggle = re.search(r'<a class="na-toggle" id="na-toggle" href="([^"]+)">([^<]+)</a>', page)
    from cchc_rules import evaluate_files
    hidden = evaluate_files(TUYEN_QUANG, DEMO).results.filter(
        pl.col("status") == "not_applicable").height   # by level, or before the baseline (v3)
    assert hidden > 0
    assert toggle and toggle.group(1) == "/?na=1" and toggle.group(2) \
        == f"Hiện {hidden:,} kết quả không áp dụng".replace(",", ".")
    headings = re.findall(r'<article class="score-cohort"[^>]*>\s*<h3>([^<]+)</h3>', page)
    assert headings and len(headings) == len(set(headings))
    assert 'id="ranking"' not in page           # no share-of-met ranking beside the points
    assert "0,00 / 0,00" not in page and "—</td><th" not in page
    shown = client.get("/?na=1").text
    assert "Ẩn kết quả không áp dụng" in shown


def test_unit_page_has_the_scorecard_and_no_not_applicable_rows(client):
    page = client.get("/unit/minh-hoa-tinh").text
    card = page.split('id="scorecard"')[1].split("</section>")[0]
    assert "Phiếu điểm · 2025" in card and "24,76 / 28,00" in card and "88,45" in card
    assert "1/1" in card and "2.1" in card and "3,24" in card
    assert "badge s-not_applicable" not in page
    everything = client.get("/unit/minh-hoa-tinh?period=all&na=1").text
    assert "badge s-not_applicable" in everything


def test_quality_page_lists_units_that_sent_nothing(client):
    page = client.get("/quality").text
    section = page.split('id="not-reported"')[1]
    assert "Tỉnh Bình Thuận" in section.split("</table>")[0]
