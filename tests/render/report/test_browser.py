"""The HTML report in a real browser (Debian's headless Chromium through Playwright).

Never skipped: without /usr/bin/chromium the test fails and says how to install it.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from factory import evaluation

from cchc_rules.render.html import render_html

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    ev = evaluation(folder, unit_name="<script>alert(1)</script>", extra_reports=[
        {"unit": "ham-tan", "period": "2024-Q2", "source": "Báo cáo kiểm thử quý II",
         "values": {"received": 5000, "received_online": 600, "received_direct": 2400,
                    "carried_over": 2000, "resolved_on_time": 3000, "resolved_late": 1000,
                    "pending_in_time": 500, "pending_overdue": 400}}])
    path = folder / "report.html"
    path.write_text(render_html(ev), encoding="utf-8")
    return path


@contextmanager
def launched():
    """Headless Debian Chromium; a clear failure (never a skip) when it is absent."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed at /usr/bin/chromium: run `make system-deps` "
                    "(Debian package 'chromium'); the browser tests never skip")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def browser():
    with launched() as chromium:
        yield chromium


def screenshot(html: str, png: str, width: int = 1000, height: int = 1500) -> None:
    """The top of a report as PNG (`make report-screenshot` makes docs/img/report.png)."""
    with launched() as chromium:
        page = chromium.new_page(viewport={"width": width, "height": height})
        page.goto(Path(html).resolve().as_uri(), wait_until="load")
        page.screenshot(path=png)


def open_page(browser, report: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    seen = {"errors": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.goto(report.as_uri(), wait_until="load")
    return page, seen


def test_report_in_chromium(browser, report: Path, tmp_path: Path) -> None:
    page, seen = open_page(browser, report, 1100)
    assert seen["errors"] == []
    assert seen["requests"] == [report.as_uri()], seen["requests"]  # nothing else fetched
    assert seen["dialogs"] == []  # the hostile unit name did not run
    assert page.evaluate("document.scripts.length") == 0
    charts = page.locator("svg.chart")
    assert charts.count() >= 2 + 3 + 3  # status, areas, a bullet and a trend per target
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 20, (i, box)
        assert charts.nth(i).get_attribute("aria-labelledby")
    assert "<script>alert(1)</script>" in page.inner_text("#ranking + p + .table-wrap")
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.emulate_media(media="print")  # the browser's own print keeps every chart
    assert all(charts.nth(i).bounding_box()["width"] > 100 for i in range(charts.count()))
    assert seen["errors"] == []
    page.close()


def test_report_fits_a_phone(browser, report: Path) -> None:
    page, seen = open_page(browser, report, 375)
    assert seen["errors"] == []
    # Wide tables scroll inside their own box; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator("figure").first.bounding_box()["width"] <= 375
    assert page.locator("svg.chart").first.bounding_box()["width"] >= 500  # text stays legible
    page.close()


def test_the_demo_report_in_chromium_without_clutter(browser, tmp_path) -> None:
    """A planner's run of a real plan with merged units (the Tuyên Quang plan, Hà Giang
    merged in, examples/demo): no not applicable row, no internal period, one ranking per
    level and period with scored units only, a scorecard per ranked unit (issue 23)."""
    from cchc_rules import evaluate_files
    from cchc_rules.evaluation.view import internal_periods

    root = Path(__file__).resolve().parents[3]
    ev = evaluate_files(root / "rulesets/tuyen-quang/cchc-2021-2030.yaml",
                        sorted((root / "examples/demo").glob("*.yaml")))
    internal = internal_periods(ev)
    path = tmp_path / "demo.html"
    path.write_text(render_html(ev, detail="full"), encoding="utf-8")
    page = browser.new_page()
    page.goto(path.resolve().as_uri(), wait_until="load")
    assert page.locator("table.results .badge.s-not_applicable").count() == 0
    assert page.locator("p.hidden-na").count() == 1
    headings = page.locator("article.score-cohort h3").all_inner_texts()
    assert headings and len(headings) == len(set(headings))
    ranks = page.locator("table.score-ranking tbody td:first-child").all_inner_texts()
    assert ranks and all(r.split("/")[0].isdigit() for r in ranks)
    shown = page.locator(".period").all_inner_texts()
    assert shown and not any(p.split(" ")[0] in internal for p in shown)
    assert page.locator("article.scorecard").count() == len(
        {r for r in page.locator("table.score-ranking tbody th").all_inner_texts()})
    text = page.inner_text("body")
    assert "--detail" not in text and "--show" not in text
    assert "Chưa nộp báo cáo" in text
    page.close()
