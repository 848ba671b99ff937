"""The report over time in a real browser (Debian's headless Chromium through Playwright):
the trend charts of a merged province read without colour, on screen and in print.

Never skipped: without /usr/bin/chromium the test fails and says how to install it.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from factory import write

from cchc_rules import evaluate
from cchc_rules.figures.data import read_data
from cchc_rules.render.html import render_html
from cchc_rules.ruleset import load_ruleset

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
UNITS = [{"id": "tuyen-quang", "name": "Tỉnh Tuyên Quang", "level": "province"},
         {"id": "ha-giang", "name": "Tỉnh Hà Giang", "level": "province",
          "valid_to": "2025-06-30", "successor": "tuyen-quang"}]
RULESET = {
    "ruleset": "tq", "title": "Tuyên Quang",
    "metrics": {"late": {"label": "Hồ sơ trễ hạn", "unit": "count"},
                "received": {"label": "Hồ sơ tiếp nhận", "unit": "count"},
                "late_rate": {"label": "Tỷ lệ trễ hạn", "unit": "percent",
                              "formula": "late / received * 100"}},
    "targets": [{"id": "LATE", "title": "Trễ hạn dưới 5%", "area": "procedures",
                 "metric": "late_rate",
                 "milestones": [{"by": "2030", "op": "<=", "value": 5}]}],
}
REPORTS = [
    {"unit": "ha-giang", "period": "2021", "values": {"late": 90, "received": 1000}},
    {"unit": "ha-giang", "period": "2024-Q1", "values": {"late": 20, "received": 250}},
    {"unit": "tuyen-quang", "period": "2021", "values": {"late": 80, "received": 1000}},
    {"unit": "tuyen-quang", "period": "2025", "values": {"late": 120, "received": 2000}},
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("time-browser")
    rules = write(folder / "r.yaml", RULESET)
    figures = write(folder / "d.yaml", {"units": UNITS, "reports": REPORTS})
    path = folder / "report.html"
    path.write_text(render_html(evaluate(load_ruleset(rules), read_data([figures]))),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def page(report: Path):
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed at /usr/bin/chromium: run `make system-deps` "
                    "(Debian package 'chromium'); the browser tests never skip")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(report.as_uri(), wait_until="load")
            yield page
        finally:
            browser.close()


def test_trend_chart_shows_the_dissolved_units_line_and_reads_lower_better(page) -> None:
    trend = page.locator("svg.chart[id$='-LATE-trend']")
    assert trend.count() == 1 and trend.is_visible()
    labelled = trend.get_attribute("aria-labelledby").split()
    name = " ".join(page.locator(f"#{i}").text_content() for i in labelled)
    assert "Tỉnh Hà Giang †" in name and "↓ càng thấp càng tốt" in name
    drawn = trend.locator("text").all_text_contents()
    assert "↓ càng thấp càng tốt" in drawn and "Tỉnh Hà Giang †" in drawn
    assert any(t.startswith("01/07/2025: Tỉnh Hà Giang → Tỉnh Tuyên Quang") for t in drawn)
    # Two lines, the merged unit's included, each with its own dash pattern.
    lines = trend.locator("polyline[stroke='#222']")
    assert lines.count() == 2
    headers = page.locator("#t-LATE table.trend-data thead th").all_text_contents()
    assert any(h.startswith("Tỉnh Hà Giang") and "đã giải thể" in h for h in headers)


def test_ended_badge_reads_in_grey_print(page) -> None:
    page.emulate_media(media="print")
    try:
        badge = page.locator("#t-LATE .badge.s-ended").first
        assert badge.text_content().strip() == "† Đã kết thúc"
        style = badge.evaluate("e => getComputedStyle(e).borderTopStyle")
        pending = page.locator("#t-LATE .badge.s-pending").first.evaluate(
            "e => getComputedStyle(e).borderTopStyle")
        assert style == "double" and pending != "double"   # told apart without colour
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"]
    finally:
        page.emulate_media(media="screen")
