"""The report over time (issue 10): trends over every period on a real time axis, dissolved
units marked (their pending results ended), the territory each result was compared on, the
missing data grouped by metric and period, and the figures ignored outside a unit's validity.
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import polars as pl
import pytest
from factory import write
from pypdf import PdfReader

from cchc_rules import evaluate
from cchc_rules.figures.data import read_data
from cchc_rules.render.html import render_html
from cchc_rules.render.i18n import Formatter, words
from cchc_rules.render.pdf import render_pdf
from cchc_rules.render.report import charts
from cchc_rules.render.report.builder import build_context
from cchc_rules.ruleset import load_ruleset

REPO = Path(__file__).resolve().parents[3]
NS = "{http://www.w3.org/2000/svg}"
VI, T = Formatter("vi"), words("vi")
HA_GIANG = {"id": "ha-giang", "name": "Tỉnh Hà Giang", "level": "province",
            "valid_to": "2025-06-30", "successor": "tuyen-quang"}
TUYEN_QUANG = {"id": "tuyen-quang", "name": "Tỉnh Tuyên Quang", "level": "province"}
METRICS = {
    "received": {"label": "Tổng số hồ sơ tiếp nhận", "unit": "count"},
    "received_online": {"label": "Hồ sơ tiếp nhận trực tuyến", "unit": "count"},
    "online_rate": {"label": "Tỷ lệ hồ sơ trực tuyến", "unit": "percent",
                    "formula": "received_online / received * 100"},
    "fee_procedures": {"label": "Số thủ tục có thu phí", "unit": "count"},
    "procedures": {"label": "Tổng số thủ tục", "unit": "count"},
    "fee_share": {"label": "Tỷ lệ thủ tục có thu phí", "unit": "percent",
                  "formula": "fee_procedures / procedures * 100"},
    "salaried_staff": {"label": "Biên chế sự nghiệp", "unit": "count"},
}
RULESET = {
    "ruleset": "tq-time", "title": "Tuyên Quang sau sáp nhập", "metrics": METRICS,
    "targets": [
        {"id": "ONLINE", "title": "Hồ sơ trực tuyến", "area": "procedures",
         "metric": "online_rate", "milestones": [{"by": "2030", "op": ">=", "value": 80}]},
        {"id": "FEES", "title": "Thủ tục thu phí", "area": "public_finance",
         "metric": "fee_share", "milestones": [{"by": "2030", "op": "<=", "value": 5}]},
        {"id": "STAFF", "title": "Giảm 10% biên chế", "area": "organization",
         "metric": "salaried_staff", "change": "percent", "baseline": {"period": "2021"},
         "milestones": [{"by": "2025", "op": "<=", "value": -10}]},
    ],
}
REPORTS = [
    {"unit": "ha-giang", "period": "2021", "source": "Hà Giang 2021",
     "values": {"received": 1000, "received_online": 100, "salaried_staff": 19000}},
    {"unit": "tuyen-quang", "period": "2021", "source": "Tuyên Quang 2021",
     "values": {"received": 800, "received_online": 80, "salaried_staff": 16000}},
    {"unit": "ha-giang", "period": "2024-03", "source": "Hà Giang tháng 3",
     "values": {"received": 100, "received_online": 30, "fee_procedures": 20,
                "procedures": 100}},
    {"unit": "tuyen-quang", "period": "2024-H1", "source": "Tuyên Quang 6 tháng",
     "values": {"received": 500, "received_online": 150, "fee_procedures": 15,
                "procedures": 100}},
    {"unit": "tuyen-quang", "period": "2025", "source": "Tuyên Quang 2025",
     "values": {"received": 2000, "received_online": 900, "salaried_staff": 31500,
                "fee_procedures": 12, "procedures": 200}},
    {"unit": "ha-giang", "period": "2025-Q4", "source": "Hà Giang sau giải thể",
     "values": {"received": 5}},
]


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("time")
    rules = write(folder / "r.yaml", RULESET)
    figures = write(folder / "tq.yaml", {"units": [TUYEN_QUANG, HA_GIANG], "reports": REPORTS})
    return evaluate(load_ruleset(rules), read_data([figures]))


@pytest.fixture(scope="module")
def html_vi(merged) -> str:
    return render_html(merged)


@pytest.fixture(scope="module")
def html_en(merged) -> str:
    return render_html(merged, lang="en")


def article(html: str, tid: str) -> str:
    start = html.index(f'id="t-{tid}"')
    return html[start:html.index("</article>", start)]


def rows_of(html: str, unit_name: str) -> list[str]:
    return [r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if f"<td>{unit_name}" in r]


def text(fragment: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", fragment))


def markers_x(svg: str) -> list[float]:
    """The x of each data marker (the end-of-line legend markers sit at x = 500)."""
    xs = [float(x) for x in re.findall(r'<path transform="translate\(([\d.]+),', svg)]
    return [x for x in xs if x != charts.WIDTH - 140]


# -- trends -------------------------------------------------------------------------------

def test_trend_keeps_a_merged_units_history(merged) -> None:
    c = build_context(merged)
    online = next(x for x in c.targets if x.id == "ONLINE")
    assert [s.unit for s in online.trend] == ["tuyen-quang", "ha-giang"]  # successor first
    ha_giang = next(s for s in online.trend if s.unit == "ha-giang")
    assert [(p.period, p.actual) for p in ha_giang.points] == [
        ("2021", "10,00%"), ("2024-03", "30,00%"), ("2024-H1", "—"), ("2025", "—")]
    assert ha_giang.points[1].span == "01/03/2024 – 31/03/2024"
    assert "Tỉnh Hà Giang †" in online.trend_svg
    assert "01/07/2025: Tỉnh Hà Giang → Tỉnh Tuyên Quang" in online.trend_svg


def test_time_axis_follows_the_dates() -> None:
    svg = charts.trend("c-t", ["2021", "2024", "2025"], [charts.Series("A", [1.0, 2.0, 3.0])],
                       [None, None, None], "percent", VI, T, "t")
    x21, x24, x25 = markers_x(svg)
    assert (x24 - x21) / (x25 - x24) == pytest.approx(3, rel=0.01)  # three years, then one
    assert 'stroke="#888"' not in svg  # one kind of period: no span bars


def test_mixed_kinds_are_placed_by_their_middle_and_spanned() -> None:
    svg = charts.trend("c-m", ["2024-03", "2024-H1", "2024"],
                       [charts.Series("A", [1.0, 2.0, 3.0])], [None] * 3, None, VI, T, "t")
    month, half, year = markers_x(svg)
    assert month < half < year
    assert (half - month) < (year - half) / 4   # mid-March, 1 April, 2 July
    bars = re.findall(r'<line x1="([\d.]+)" x2="([\d.]+)" y1="[\d.]+" y2="[\d.]+" '
                      r'stroke="#888"', svg)
    widths = [float(b) - float(a) for a, b in bars]
    assert len(widths) == 3 and widths[0] < widths[1] < widths[2]
    assert widths[2] == pytest.approx(widths[1] * 2, rel=0.02)


def test_lower_is_better_reads_as_such(merged, html_vi, html_en) -> None:
    c = build_context(merged)
    by_id = {x.id: x for x in c.targets}
    assert by_id["FEES"].direction == "lower" and by_id["ONLINE"].direction == "higher"
    fees = article(html_vi, "FEES")
    assert "↓ càng thấp càng tốt" in text(fees)
    for svg in (by_id["FEES"].trend_svg, by_id["FEES"].bullet_svg):
        assert "↓ càng thấp càng tốt" in ET.fromstring(svg).find(f"{NS}desc").text
    assert "↓ càng thấp càng tốt" in by_id["STAFF"].bullet_svg   # a change target, <= too
    assert "↑ càng cao càng tốt" in by_id["ONLINE"].bullet_svg
    assert "↓ lower is better" in text(article(html_en, "FEES"))


def test_every_chart_has_a_text_equivalent(html_vi) -> None:
    for tid in ("ONLINE", "FEES"):
        part = article(html_vi, tid)
        assert part.count("<svg") == 2 and 'class="trend-data"' in part
        for svg in re.findall(r"<svg.*?</svg>", part, re.S):
            root = ET.fromstring(svg)
            assert root.get("role") == "img" and root.find(f"{NS}desc").text


# -- dissolved units ----------------------------------------------------------------------

def test_dissolved_unit_marked_and_its_pending_results_ended(html_vi) -> None:
    mark = "đã giải thể: hoạt động đến 30/06/2025, sáp nhập vào Tỉnh Tuyên Quang"
    rows = rows_of(article(html_vi, "ONLINE"), "Tỉnh Hà Giang")
    assert len(rows) == 2
    for row in rows:
        assert mark in text(row) and "Đã kết thúc" in row and "Chưa đến hạn" not in row
    tq = rows_of(article(html_vi, "ONLINE"), "Tỉnh Tuyên Quang")
    assert tq and all("Chưa đến hạn" in r and "Đã kết thúc" not in r for r in tq)
    cover = html_vi[:html_vi.index('id="summary"')]
    assert "Đơn vị đã giải thể" in cover and mark in cover and "Tỉnh Hà Giang †" in cover
    appendix = html_vi[html_vi.index('id="appendix"'):]
    assert mark in text(appendix)
    assert "kết quả Chưa đến hạn thuộc đơn vị đã giải thể" in html_vi


def test_dissolved_in_english(html_en) -> None:
    rows = rows_of(article(html_en, "ONLINE"), "Tỉnh Hà Giang")
    assert rows and all("Ended" in r and "Pending" not in r for r in rows)
    assert "dissolved: existed until 06/30/2025, merged into Tỉnh Tuyên Quang" in html_en


# -- territory ----------------------------------------------------------------------------

def test_the_territory_compared_on(html_vi, html_en) -> None:
    staff = article(html_vi, "STAFF")
    assert "Địa bàn so sánh" in staff
    row = next(r for r in rows_of(staff, "Tỉnh Tuyên Quang") if ">2025<" in r)
    assert ("so với địa bàn Tỉnh Tuyên Quang mới (gồm Tỉnh Hà Giang) từ 01/07/2025"
            in text(row))
    # 2021 is STAFF's baseline year: v3 §3 does not judge it, so it has no territory line
    assert not any(">2021<" in r and "địa bàn" in text(r)
                   for r in rows_of(staff, "Tỉnh Tuyên Quang"))
    assert ("compared on the territory of the new Tỉnh Tuyên Quang (including Tỉnh Hà "
            "Giang) from 07/01/2025") in text(article(html_en, "STAFF"))


def test_no_territory_column_when_no_unit_changed(tmp_path: Path) -> None:
    rules = write(tmp_path / "r.yaml", RULESET)
    figures = write(tmp_path / "d.yaml", {"units": [TUYEN_QUANG],
                                          "reports": [REPORTS[1], REPORTS[4]]})
    html = render_html(evaluate(load_ruleset(rules), read_data([figures])))
    assert "Địa bàn so sánh" not in html and "đã giải thể" not in html


def test_the_demo_shows_ha_giang_merged_into_tuyen_quang() -> None:
    demo = sorted((REPO / "examples" / "demo").glob("*.yaml"))
    ev = evaluate(load_ruleset(REPO / "rulesets/tuyen-quang/cchc-2021-2030.yaml"),
                  read_data(demo))
    html = render_html(ev)
    row = next(r for r in rows_of(article(html, "TCBM-02"), "Tỉnh Tuyên Quang")
               if ">2025<" in r)
    assert ("so với địa bàn Tỉnh Tuyên Quang mới (gồm Tỉnh Hà Giang) từ 01/07/2025"
            in text(row))
    # Hà Giang reported only 2020 and 2021, the baseline year: v3 §3 judges neither
    hg = ev.results.filter((pl.col("unit") == "ha-giang") & (pl.col("target") == "TCBM-02"))
    assert set(hg["status"]) == {"not_applicable"} and set(hg["na_reason"]) == {"before_baseline"}


# -- missing data and ignored figures -----------------------------------------------------

def test_missing_data_by_metric_and_period_with_labels(merged, html_vi) -> None:
    c = build_context(merged)
    fees_2021 = [r for r in c.missing if r.metric == "fee_share" and r.period == "2021"]
    assert len(fees_2021) == 1   # both units in one line
    row = fees_2021[0]
    assert row.units == ["ha-giang", "tuyen-quang"] and row.targets == ["FEES"]  # by name
    assert row.missing == ["Số thủ tục có thu phí", "Tổng số thủ tục"]
    section = html_vi[html_vi.index('class="missing"'):]
    section = section[:section.index("</table>")]
    assert "Tỷ lệ thủ tục có thu phí" in section and "Số thủ tục có thu phí" in section
    assert ">fee_share<" not in section and "fee_procedures" not in section
    assert len(re.findall(r"<tr>", section)) - 1 == c.missing_groups


def test_figures_outside_validity_in_data_quality(merged, html_vi) -> None:
    quality = html_vi[html_vi.index('id="quality"'):html_vi.index('id="appendix"')]
    assert "Số liệu bị bỏ qua vì ngoài thời gian hiệu lực của đơn vị" in quality
    row = next(r for r in rows_of(quality, "Tỉnh Hà Giang") if "2025-Q4" in r)
    assert "đơn vị chỉ tồn tại đến 30/06/2025" in row and "tq.yaml:" in row
    assert "UNT12" in row
    assert "warning UNT12" not in quality   # shown once, as a row, not again as a warning


def test_pdf_has_the_ended_units_and_territory(merged, tmp_path: Path) -> None:
    pdf, warnings = render_pdf(merged, tmp_path / "r.pdf")
    assert warnings == []
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    flat = re.sub(r"\s+", " ", pdf_text)
    for expected in ("Đã kết thúc", "đã giải thể", "Tỉnh Tuyên Quang mới", "càng thấp càng tốt",
                     "ngoài thời gian hiệu lực"):
        assert expected in flat, expected
