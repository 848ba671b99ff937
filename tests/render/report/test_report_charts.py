"""Inline SVG charts: well-formed, labelled for screen readers, patterned for grey print."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.domain import STATUSES, SYMBOLS
from cchc_rules.render.i18n import Formatter, words
from cchc_rules.render.report import charts

NS = "{http://www.w3.org/2000/svg}"
VI, T = Formatter("vi"), words("vi")


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert root.get("role") == "img"
    assert float(root.get("width")) > 0 and float(root.get("height")) > 0
    return root


def test_bullet_describes_actual_threshold_and_trajectory_in_words() -> None:
    svg = charts.bullet("c-1", [charts.BulletRow("Huyện Hàm Tân", "off_track", 10.14, 50,
                                                 None, 33.354)],
                        "percent", VI, T, "TTHC-06")
    root = parse(svg)
    assert "Huyện Hàm Tân: thực tế 10,14%, ngưỡng 50,00%, lộ trình 33,35%." in \
        root.find(f"{NS}desc").text
    # Off track is a cross-hatched pattern, not only an orange fill.
    assert root.find(f".//{NS}pattern[@id='c-1-off_track']") is not None


def test_text_is_escaped() -> None:
    svg = charts.bullet("c-x", [charts.BulletRow("<script>alert(1)</script>", "met", 1, 0,
                                                 None, None)], "count", VI, T, "<b>")
    assert "<script>" not in svg
    parse(svg)


def test_every_status_has_a_distinct_look_in_grey() -> None:
    looks = {(charts.STYLE[s][0], charts.STYLE[s][2]) for s in STATUSES}
    assert len(looks) == len(STATUSES)
    assert len(set(SYMBOLS.values())) == len(STATUSES)


def test_stacked_bars_count_every_status_and_name_empty_areas() -> None:
    svg = charts.stacked("c-a", [("Cải cách thể chế", {}),
                                 ("Thủ tục hành chính", {"met": 3, "not_met": 1})], T, "x")
    desc = parse(svg).find(f"{NS}desc").text
    assert "Cải cách thể chế: không có chỉ tiêu." in desc
    assert "Thủ tục hành chính: Đạt 3, Không đạt 1." in desc


def test_trend_lists_every_point() -> None:
    svg = charts.trend("c-t", ["2024-Q1", "2024-Q2"],
                       [charts.Series("Huyện Hàm Tân", [5.0, None])], [50, 50], "percent",
                       VI, T, "t")
    assert "2024-Q1 5,00%, 2024-Q2 —" in parse(svg).find(f"{NS}desc").text


def test_chart_ids_are_safe() -> None:
    assert charts.chart_id(3, 'A "b"<c>', "bullet") == "c-3-A__b__c_-bullet"


values = st.one_of(st.none(), st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))


@settings(max_examples=60)
@given(st.lists(st.tuples(st.text(max_size=40), st.sampled_from(STATUSES), values, values,
                          values), min_size=1, max_size=12))
def test_bullet_is_always_well_formed(rows: list) -> None:
    svg = charts.bullet("c-p", [charts.BulletRow(label, status, a, th, None, e)
                                for label, status, a, th, e in rows], "score", VI, T, "t")
    for element in parse(svg).iter():
        for name in ("x", "y", "width", "height", "x1", "x2", "y1", "y2"):
            if element.get(name) is not None:
                assert math.isfinite(float(element.get(name))), (element.tag, name)
        assert "nan" not in (element.get("transform") or "") + (element.get("points") or "")
