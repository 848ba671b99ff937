"""Render stage: the human table, grouped by unit, vi/en words, colour only on request."""
from __future__ import annotations

from test_evaluate import HAM_TAN, ONLINE, report, run

from cchc_rules.render import FORMATS


def test_table_groups_by_unit_with_titles_and_needed(tmp_path):
    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", **HAM_TAN)],
             [{"id": "c", "assert": "received == received_online"}])
    vi = FORMATS["table"](ev)
    assert "Huyện Hàm Tân (ham-tan · district)" in vi
    assert "Tỉnh Bình Thuận (binh-thuan · province)" in vi
    assert "Chậm tiến độ" in vi and "+2.213" in vi and "5,00%" in vi and "33,35%" in vi
    assert "Chỉ tiêu TTHC-06" in vi
    assert "Kiểm tra c 2024-Q1: fail" in vi
    assert "\x1b[" not in vi
    en = FORMATS["table"](ev, lang="en")
    assert "Off track" in en and "+2,213" in en and "Summary: Off track 2" in en
    assert "\x1b[" in FORMATS["table"](ev, color=True)


def test_failed_checks_shown_for_units_without_targets(tmp_path):
    ev = run(tmp_path, [], [report("xa-moi", "2024", received=5, received_online=9)],
             [{"id": "online-within", "assert": "received_online <= received"}])
    text = FORMATS["table"](ev, lang="en")
    assert "Xã Mới (xa-moi · commune)" in text
    assert "Check online-within 2024: fail (Left side 9, Right side 5)" in text
    assert "Summary: None." in text
