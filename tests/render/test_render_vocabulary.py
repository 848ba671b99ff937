"""Render stage: every domain status and area has its chart style and its words."""
from __future__ import annotations

from cchc_rules.domain import Area, Level, Status
from cchc_rules.render.i18n import LANGS, words
from cchc_rules.render.report import charts


def test_every_status_has_one_chart_style_told_apart_in_grey():
    assert set(charts.STYLE) == set(Status)
    looks = {(s.fill, s.pattern) for s in charts.STYLE.values()}
    assert len(looks) == len(Status)
    assert charts.STYLE["met"] is charts.STYLE[Status.MET]   # plain strings still look up


def test_counts_on_dark_fills_are_white():
    svg = charts.stacked("c", [("x", {"met": 9, "pending": 9})], words("en"), "t")
    assert 'fill="#fff">✓9</text>' in svg
    assert '>…9</text>' in svg and 'fill="#fff">…9' not in svg


def test_every_status_area_and_level_has_words_in_every_language():
    for lang in LANGS:
        t = words(lang)
        for key in ([f"status.{s}" for s in Status] + [f"area.{a}" for a in Area]
                    + [f"level.{lv}" for lv in Level]):
            assert t[key].strip(), (lang, key)
