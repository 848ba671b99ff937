"""The scoring section of the demo's report in Debian's headless Chromium: its charts are drawn
and labelled, and the page still fits a phone (wide tables scroll in their own box)."""
from __future__ import annotations

from pathlib import Path

import pytest

from cchc_rules import evaluate
from cchc_rules.figures.data import read_data
from cchc_rules.render.html import render_html
from cchc_rules.ruleset import load_ruleset

REPO = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ruleset = load_ruleset(REPO / "rulesets/tuyen-quang/cchc-2021-2030.yaml")
    ev = evaluate(ruleset, read_data(sorted((REPO / "examples/demo").glob("*.yaml"))))
    path = tmp_path_factory.mktemp("browser-scores") / "report.html"
    path.write_text(render_html(ev, detail="full"), encoding="utf-8")
    return path


@pytest.mark.parametrize("width", [1100, 375])
def test_scores_section_in_chromium(page_file: Path, width: int) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed at /usr/bin/chromium: run `make system-deps`")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri(), wait_until="load")
            assert errors == []
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            charts = page.locator("#scores svg.chart")
            assert charts.count() == 4   # a bar chart per ranking: 2025, 2024, 2021, 2024-Q1
            for i in range(charts.count()):
                box = charts.nth(i).bounding_box()
                assert box and box["width"] > 300 and box["height"] > 40, (i, box)
                assert charts.nth(i).get_attribute("aria-labelledby")
            cover = page.inner_text(".cover-index")
            assert "88,45 (B), hạng 1/1" in cover and "52,82 (C)" in cover
            band = page.locator("#scores table.score-ranking .band").first
            assert band.inner_text() == "Xếp loại B"
            page.emulate_media(media="print")  # grey print: the band keeps its name and border
            assert band.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
            assert band.evaluate("e => getComputedStyle(e).backgroundColor") == \
                "rgb(154, 154, 154)"
        finally:
            browser.close()
