"""The report's points and ranking section (spec §7): real HTML (and one real PDF) from the
engine's scores, asserted on what a reader sees."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml
from factory import evaluation

from cchc_rules import evaluate
from cchc_rules.figures.data import read_data
from cchc_rules.render.html import render_html
from cchc_rules.render.report.builder import build_context
from cchc_rules.ruleset import load_ruleset

REPO = Path(__file__).resolve().parents[3]

RULESET = {
    "ruleset": "diem-thu", "title": "Chấm điểm thử", "issuer": "UBND tỉnh thử",
    "metrics": {
        "received": {"label": "Hồ sơ tiếp nhận", "unit": "count"},
        "on_time": {"label": "Hồ sơ đúng hạn", "unit": "count"},
        "rated": {"label": "Lượt đánh giá", "unit": "count"},
        "satisfied": {"label": "Lượt hài lòng", "unit": "count"},
        "self_points": {"label": "Điểm tự chấm", "unit": "score"},
        "progress_rate": {"label": "Tỷ lệ đúng hạn", "unit": "percent",
                          "formula": "on_time / received * 100"},
        "satisfied_rate": {"label": "Tỷ lệ hài lòng", "unit": "percent",
                           "formula": "satisfied / rated * 100"},
    },
    "targets": [],
    "scoring": {
        "bands": [{"id": "A", "min": 90}, {"id": "B", "min": 80}, {"id": "C", "min": 0}],
        "groups": [{"id": "progress", "title": "Tiến độ"},
                   {"id": "satisfaction", "title": "Hài lòng"}],
        "indicators": [
            {"id": "2.1", "title": "Hồ sơ đúng hạn", "group": "progress",
             "metric": "progress_rate", "max": 20, "full_at": 100},
            {"id": "5.4", "title": "Hài lòng", "group": "satisfaction",
             "metric": "satisfied_rate", "max": 6, "full_at": 90},
            {"id": "0.1", "title": "Tự chấm", "metric": "self_points", "max": 4,
             "as_points": True},
        ],
    },
}
UNITS = [{"id": "p", "name": "Tỉnh thử", "level": "province"},
         *({"id": u, "name": f"Huyện {u.upper()}", "level": "district", "parent": "p"}
           for u in ("a", "b", "c", "d"))]


def _report(unit: str, period: str, on_time: int, self_points: float | None = 4,
            satisfied: int | None = 90) -> dict:
    values: dict = {"received": 100, "on_time": on_time}
    if satisfied is not None:
        values |= {"rated": 100, "satisfied": satisfied}
    if self_points is not None:
        values["self_points"] = self_points
    return {"unit": unit, "period": period, "values": values}


# 2024: c 30/30 (100), b 26/30 (86.67), a 18/30 (60). 2025: a 30 (100, up 2), c 28 (93.33,
# down 1), b 24 (80, down 1). d reports only 2025-H1: 19 of 20 (no satisfaction or self
# points: both left out of its maximum) and must never share a table with 2025.
REPORTS = [
    _report("a", "2024", 50, self_points=2), _report("b", "2024", 80),
    _report("c", "2024", 100),
    _report("a", "2025", 100), _report("b", "2025", 70), _report("c", "2025", 90),
    _report("d", "2025-H1", 95, self_points=None, satisfied=None),
]


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("scores")
    (folder / "r.yaml").write_text(yaml.safe_dump(RULESET, allow_unicode=True), "utf-8")
    (folder / "d.yaml").write_text(yaml.safe_dump({"units": UNITS, "reports": REPORTS},
                                                  allow_unicode=True), "utf-8")
    return evaluate(load_ruleset(folder / "r.yaml"), read_data([folder / "d.yaml"]))


def section(html: str) -> str:
    start = html.index('<section id="scores">')
    return html[start:html.index("</section>", start)]


def cohorts(html: str) -> dict[str, str]:
    """Each ranking's article by its heading."""
    parts = section(html).split('<article class="score-cohort"')[1:]
    return {re.search(r"<h3>(.*?)</h3>", p).group(1): p for p in parts}


def ranking_rows(article: str) -> list[str]:
    table = article[article.index('class="score-ranking"'):article.index("</table>")]
    return re.findall(r"<tr class=\"band-[^\"]+-row\">.*?</tr>", table)


def test_one_table_per_period_and_level_never_mixed(scored) -> None:
    found = cohorts(render_html(scored, detail="full"))
    assert list(found) == ["Kỳ 2025 · cấp huyện", "Kỳ 2025-H1 · cấp huyện",
                           "Kỳ 2024 · cấp huyện"]
    year, half = found["Kỳ 2025 · cấp huyện"], found["Kỳ 2025-H1 · cấp huyện"]
    rows = ranking_rows(year)
    assert [re.search(r'<th scope="row">(.*?)</th>', r).group(1) for r in rows] == \
        ["Huyện A", "Huyện C", "Huyện B"]
    assert [re.search(r'<td class="num">(\d+/\d+)</td>', r).group(1) for r in rows] == \
        ["1/3", "2/3", "3/3"]
    assert "Huyện D" not in year
    assert "Huyện D" in half and not any(f"Huyện {u}" in half for u in "ABC")
    assert "19,00" in ranking_rows(half)[0] and "95,00" in ranking_rows(half)[0]


def test_band_badges_carry_their_name_and_class(scored) -> None:
    rows = ranking_rows(cohorts(render_html(scored))["Kỳ 2025 · cấp huyện"])
    assert '<span class="band band-0">Xếp loại A</span>' in rows[0]   # a: 100
    assert '<span class="band band-0">Xếp loại A</span>' in rows[1]   # c: 93.33
    assert '<span class="band band-1">Xếp loại B</span>' in rows[2]   # b: 80 exactly
    html = render_html(scored)
    # Grey print tells bands apart by more than colour: a border style per band in print.
    css = html[html.index("<style>"):html.index("</style>")]
    assert ".band-0 {" in css and "border-style: double" in css and "@media print" in css


def test_rank_change_has_arrow_and_words_and_index_change(scored) -> None:
    found = cohorts(render_html(scored))
    a, c, b = ranking_rows(found["Kỳ 2025 · cấp huyện"])
    assert 'class="change chg-up">▲ tăng 2 bậc<br><small>chỉ số +40,00</small>' in a
    assert 'class="change chg-down">▼ giảm 1 bậc<br><small>chỉ số −6,67</small>' in c
    assert 'class="change chg-down">▼ giảm 1 bậc' in b and "86,67" in b   # previous index
    first = ranking_rows(found["Kỳ 2024 · cấp huyện"])[0]
    assert 'class="change chg-none">chưa có kỳ trước' in first


def test_rank_not_compared_when_the_previous_period_ranked_other_units(tmp_path: Path) -> None:
    folder = tmp_path
    (folder / "r.yaml").write_text(yaml.safe_dump(RULESET, allow_unicode=True), "utf-8")
    reports = [*REPORTS[:6], _report("d", "2025", 60)]  # d joins in 2025: another cohort
    (folder / "d.yaml").write_text(yaml.safe_dump({"units": UNITS, "reports": reports},
                                                  allow_unicode=True), "utf-8")
    ev = evaluate(load_ruleset(folder / "r.yaml"), read_data([folder / "d.yaml"]))
    rows = ranking_rows(cohorts(render_html(ev))["Kỳ 2025 · cấp huyện"])
    assert len(rows) == 4 and "▲" not in "".join(rows) and "▼" not in "".join(rows)
    assert "kỳ trước khác nhóm đơn vị, không so hạng" in rows[0]
    assert "chỉ số +40,00" in rows[0]   # the index still compares with its own last year


def test_a_bar_per_unit_split_by_group_with_points_and_max(scored) -> None:
    year = cohorts(render_html(scored))["Kỳ 2025 · cấp huyện"]
    svg = re.search(r"<svg.*?</svg>", year, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    assert desc.startswith("Huyện A: 30,00 trên 30,00 điểm; Tiến độ 20,00/20,00; "
                           "Hài lòng 6,00/6,00; Tiêu chí khác 4,00/4,00.")
    assert "Huyện B: 24,00 trên 30,00 điểm; Tiến độ 14,00/20,00;" in desc
    # Per unit: its name, its frame of max points, one segment per group, points / max.
    for name in ("Huyện A", "Huyện B", "Huyện C"):
        assert f'text-anchor="end">{name}</text>' in svg
    assert svg.count('fill="#ffffff" stroke="#333" stroke-width="0.8"') == 3
    segments = re.findall(r'<rect [^>]*fill="(?:url\(#[^)]*-g(\d)\)|#2b5c8a)" stroke="#222"',
                          svg)
    assert len(segments) == 9   # three groups for each of three units
    assert ">24,00 / 30,00</text>" in svg
    # Legend: every group and the unearned part by name (patterns for grey print).
    for label in ("Tiến độ", "Hài lòng", "Tiêu chí khác", "Điểm chưa đạt"):
        assert f'text-anchor="start">{label}</text>' in svg
    assert '<pattern id="' in svg
    # The chart's text equivalent as a table too.
    assert '<table class="score-groups">' in year and "14,00 / 20,00" in year


def test_points_of_every_unit_per_indicator(scored) -> None:
    half = cohorts(render_html(scored))["Kỳ 2025-H1 · cấp huyện"]
    table = half[half.index('class="score-indicators"'):]
    row = re.search(r'<span class="tid">2\.1</span>.*?</tr>', table).group(0)
    assert '<td class="num">20,00</td><td class="num">19,00</td>' in row
    excluded = re.search(r'<span class="tid">5\.4</span>.*?</tr>', table).group(0)
    assert excluded.endswith('<td class="num">—</td></tr>')
    year = cohorts(render_html(scored))["Kỳ 2025 · cấp huyện"]
    row = re.search(r'<span class="tid">2\.1</span>.*?</tr>', year).group(0)
    assert re.findall(r'<td class="num">([\d,]+)</td>', row) == ["20,00", "20,00", "18,00",
                                                                 "14,00"]


def test_index_and_band_on_the_cover(scored) -> None:
    html = render_html(scored)
    cover = html[html.index('<section class="cover"'):html.index("</section>")]
    assert "<dt>Chỉ số (điểm)</dt>" in cover
    assert "Kỳ 2025 · cấp huyện</strong>: Huyện A: 100,00 (A), hạng 1/3; " \
           "Huyện C: 93,33 (A), hạng 2/3; Huyện B: 80,00 (B), hạng 3/3" in cover
    assert '<a href="#scores">Chấm điểm và xếp hạng</a>' in cover


def test_english_on_request(scored) -> None:
    html = render_html(scored, lang="en")
    found = cohorts(html)
    assert next(iter(found)) == "Period 2025 · district"
    a = ranking_rows(found["Period 2025 · district"])[0]
    assert "▲ up 2" in a and "index +40.00" in a and "Band A" in a and "100.00" in a
    assert "<h2>Points and ranking</h2>" in html
    assert "Huyện A: 30.00 of 30.00 points; Tiến độ 20.00/20.00" in html
    assert "Huyện A: 100.00 (A), rank 1 of 3" in html


def test_summary_keeps_each_units_latest_period(scored) -> None:
    context = build_context(scored, detail="summary")
    assert [c.heading for c in context.scores.cohorts] == ["Kỳ 2025 · cấp huyện",
                                                           "Kỳ 2025-H1 · cấp huyện"]
    assert context.scores.unranked == 0


def test_no_scoring_no_section(tmp_path: Path) -> None:
    html = render_html(evaluation(tmp_path))
    assert 'id="scores"' not in html and "Chỉ số (điểm)" not in html
    assert build_context(evaluation(tmp_path / "again")).scores is None


def test_demo_report_ranks_tuyen_quang_data_by_points() -> None:
    ruleset = load_ruleset(REPO / "rulesets/tuyen-quang/cchc-2021-2030.yaml")
    ev = evaluate(ruleset, read_data(sorted((REPO / "examples/demo").glob("*.yaml"))))
    html = render_html(ev, detail="full")
    found = cohorts(html)
    assert "Kỳ 2024-Q1 · cấp huyện" in found and "Kỳ 2025 · cấp tỉnh" in found
    ham_tan = ranking_rows(found["Kỳ 2024-Q1 · cấp huyện"])[0]
    assert "Huyện Hàm Tân" in ham_tan and "10,56" in ham_tan and "52,82" in ham_tan
    province = ranking_rows(found["Kỳ 2025 · cấp tỉnh"])[0]
    assert "88,45" in province and "Xếp loại B" in province and "= giữ hạng" in province


@pytest.mark.slow
def test_pdf_carries_the_section(scored, tmp_path: Path) -> None:
    from pypdf import PdfReader

    from cchc_rules.render.pdf import render_pdf

    pdf, warnings = render_pdf(scored, tmp_path / "r.pdf", detail="full")
    assert warnings == []
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for expected in ("Chấm điểm và xếp hạng", "Kỳ 2025 · cấp huyện", "Xếp loại A",
                     "tăng 2 bậc", "giảm 1 bậc", "100,00 (A), hạng 1/3", "Điểm từng tiêu chí"):
        assert expected in text, expected


def test_names_from_the_inputs_are_escaped_in_tables_and_charts(tmp_path: Path) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    ruleset = {**RULESET, "scoring": {**RULESET["scoring"], "groups": [
        {"id": "progress", "title": hostile}, {"id": "satisfaction", "title": "Hài lòng"}]}}
    units = [UNITS[0], {**UNITS[1], "name": hostile}, *UNITS[2:]]
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(ruleset, allow_unicode=True), "utf-8")
    (tmp_path / "d.yaml").write_text(yaml.safe_dump({"units": units, "reports": REPORTS},
                                                    allow_unicode=True), "utf-8")
    ev = evaluate(load_ruleset(tmp_path / "r.yaml"), read_data([tmp_path / "d.yaml"]))
    html = section(render_html(ev))
    assert hostile not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 6  # rows, bars, legend, tables


def test_summary_bounds_each_ranking_and_says_so(scored, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    from cchc_rules.render.report import builder as report_data

    monkeypatch.setattr(report_data, "RANK_EDGE", 1)
    year = cohorts(render_html(scored, detail="summary"))["Kỳ 2025 · cấp huyện"]
    names = [re.search(r'<th scope="row">(.*?)</th>', r).group(1) for r in ranking_rows(year)]
    assert names == ["Huyện A", "Huyện B"]   # the best and the worst of three
    assert "Hiển thị 2 trên 3 dòng." in year
    assert "Huyện C" not in year
