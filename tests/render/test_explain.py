"""`cchc explain`: the trace of one result, in Vietnamese by default or English."""
from __future__ import annotations

from click.testing import CliRunner
from factory import HAM_TAN, report, target

from cchc_rules.cli import main


def explain(args, *extra):
    return CliRunner().invoke(main, ["explain", *args, *extra])


def test_spec_example_explained_in_vietnamese(files):
    res = explain(files(), "--target", "TTHC-06", "--unit", "ham-tan", "--period", "2024-Q1")
    assert res.exit_code == 0, res.output
    out = res.output
    assert "thay số:   246 / 4917 * 100 = 5,003" in out
    assert "received = 4.917 (báo cáo, " in out and "d.yaml:" in out
    assert "Mốc áp dụng: ≥ 50 đến hết 2025 (31/12/2025)" in out
    assert "Lộ trình: 12 + (50 − 12) × 821/1461 ngày = 33,354" in out
    assert "Kết quả: Chậm tiến độ" in out
    assert "Cần thêm 2.213 ở tử số (received_online)" in out


def test_roll_up_children_and_english(files):
    args = files()
    res = explain(args, "--target", "TTHC-06", "--unit", "binh-thuan", "--period", "2024-Q1",
                  "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "received = 4,917 (rolled up)" in res.output
    assert "    + ham-tan = 4,917, " in res.output
    assert "Status: Off track" in res.output


def test_reasons_for_no_data_not_met_and_not_applicable(files):
    defs = [target("LATE", "late_rate", ("2024-Q1", "<=", 5)),
            target("CUT", "cut_rate", ("2021", ">=", 10), levels=["province"])]
    args = files(defs=defs, reports=[report("ham-tan", "2024-Q1", **HAM_TAN),
                                     report("xa-moi", "2024-Q1", received=3)])
    res = explain(args, "--target", "LATE", "--unit", "ham-tan", "--period", "2024-Q1",
                  "--lang", "en")
    assert "Status: Not met — the period ends at or after the deadline 2024-Q1" in res.output
    assert "Needed: 2,075 less in the numerator (resolved_late + pending_overdue)" in res.output
    res = explain(args, "--target", "LATE", "--unit", "xa-moi", "--period", "2024-Q1",
                  "--lang", "en")
    assert "missing figures: pending_overdue, resolved_late" in res.output
    assert "  resolved_late: not reported" in res.output
    res = explain(args, "--target", "CUT", "--unit", "ham-tan", "--period", "2024-Q1")
    assert "cấp district không thuộc các cấp áp dụng province" in res.output


def test_unknown_names_exit_2(files):
    args = files()
    res = explain(args, "--target", "TTHC-06", "--unit", "ham-ta", "--period", "2024-Q1")
    assert res.exit_code == 2 and "did you mean 'ham-tan'?" in res.output
    res = explain(args, "--target", "TTHC-06", "--unit", "ham-tan", "--period", "2024-Q2")
    assert res.exit_code == 2 and "2024-Q1" in res.output
    res = explain(args, "--target", "X", "--unit", "ham-tan", "--period", "2024-Q1")
    assert res.exit_code == 2 and "EVL03" in res.output


def test_change_target_before_and_after_its_baseline(files):
    staff = target("STAFF", "staff", ("2025", "<=", -10), change="percent",
                   baseline={"period": "2021"})
    args = files(defs=[staff], reports=[report("tay-ninh", "2020", staff=1010),
                                        report("tay-ninh", "2021", staff=1000),
                                        report("tay-ninh", "2024", staff=920)])
    res = explain(args, "--target", "STAFF", "--unit", "tay-ninh", "--period", "2024",
                  "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "Baseline: 2021 = 1,000 (the unit's own figure)" in res.output
    assert "Change from baseline: (920 − 1,000) / 1,000 × 100 = -8" in res.output
    assert "Trajectory: 0 + (-10 − 0) × 1096/1461 days = -7.502" in res.output
    assert "Status: On track" in res.output
    res = explain(args, "--target", "STAFF", "--unit", "tay-ninh", "--period", "2020",
                  "--lang", "en")
    # v3 §3: a period ending on or before the baseline's end is not judged, with words why
    assert "Status: Not applicable — the period ends on or before the end of the baseline " \
        "period 2021: the plan measures from its baseline" in res.output


def test_a_reported_rate_wins_over_its_formula_and_says_so(files):
    args = files(reports=[report("xa-moi", "2024", received=100, received_online=10,
                                 online_rate=55)])
    res = explain(args, "--target", "TTHC-06", "--unit", "xa-moi", "--period", "2024",
                  "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "with values: 10 / 100 * 100 = 10" in res.output
    assert "(the unit reported 55 itself: its figure is used, not the formula)" in res.output
    assert "Status: Met — 55 ≥ 50" in res.output
