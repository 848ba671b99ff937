"""Render stage: the human table, grouped by unit, vi/en words, colour only on request."""
from __future__ import annotations

from factory import HAM_TAN, ONLINE, report, run, target

from cchc_rules.render import FORMATS


def test_table_groups_by_unit_with_titles_and_needed(tmp_path):
    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", **HAM_TAN)],
             [{"id": "c", "assert": "received == received_online"}])
    vi = FORMATS["table"](ev)
    assert "Huyện Hàm Tân (ham-tan · district)" in vi
    assert "Tỉnh Bình Thuận (binh-thuan · province)" in vi
    assert "Chậm tiến độ" in vi and "+2.213" in vi and "5,00%" in vi and "33,35%" in vi
    assert "Chỉ tiêu TTHC-06" in vi
    assert "Kiểm tra c 2024-Q1: không khớp" in vi
    assert "\x1b[" not in vi
    en = FORMATS["table"](ev, lang="en")
    assert "Off track" in en and "+2,213" in en and "Summary: Off track 2" in en
    assert "\x1b[" in FORMATS["table"](ev, color=True)


def test_failed_checks_shown_for_units_without_targets(tmp_path):
    ev = run(tmp_path, [], [report("xa-moi", "2024", received=5, received_online=9)],
             [{"id": "online-within", "assert": "received_online <= received"}])
    text = FORMATS["table"](ev, lang="en")
    assert "Xã Mới (xa-moi · commune)" in text
    assert "Check online-within 2024: fail: 9 <= 5\n" in text
    assert "Summary: no results: the ruleset has no targets" in text


def test_rows_without_data_or_not_applicable_are_summed_up_per_unit(tmp_path):
    late = target("TTHC-LATE", "late_rate", ("2025", "<=", 5))
    cut = target("CUT", "cut_rate", ("2025", ">=", 10), levels=["province"])
    ev = run(tmp_path, [ONLINE, late, cut], [report("ham-tan", "2024-Q1", received=4917)])
    text = FORMATS["table"](ev, lang="en")
    assert "  No data (2 results): TTHC-06, TTHC-LATE" in text
    assert "Not applicable (1 results)" not in text     # hidden by default, counted
    assert "1 not applicable results hidden (--show-not-applicable shows them)" in text
    shown = FORMATS["table"](ev, lang="en", show_not_applicable=True)
    assert "  Not applicable (1 results): CUT" in shown
    assert "hidden" not in shown
    # Bình Thuận has data by roll-up from its one district, so its three targets count too.
    assert "  No data (3 results): CUT, TTHC-06, TTHC-LATE" in text
    assert "Summary: No data 5 · 1 not applicable results hidden" in text
