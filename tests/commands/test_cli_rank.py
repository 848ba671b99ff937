"""`cchc rank` (issue 11): the §7 ranking as table, csv, json and xlsx, filtered by period
and level, with errors for a ruleset without scoring and unknown filters."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from cchc_rules.cli import main

CASES = Path(__file__).parents[1] / "conformance"
RULES = CASES / "scoring-rules-steps-status-points"
PREVIOUS = CASES / "scoring-previous-rank-change"


def _rank(*args: str):
    return CliRunner().invoke(main, ["rank", *map(str, args)], prog_name="cchc")


def test_table_lists_each_level_apart_with_points_and_band():
    done = _rank(RULES / "ruleset.yaml", "--data", RULES / "data.yaml", "--lang", "en")
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0] == "Ranking by points"
    assert "  2025 · district" in lines and "  2025 · province" in lines
    first = next(line for line in lines if "(d1)" in line)
    assert first.split()[:1] == ["1/2"] and "10.00" in first and "11.00" in first \
        and " A" in first


def test_period_filter_keeps_the_rank_change_from_the_period_before():
    done = _rank(PREVIOUS / "ruleset.yaml", "--data", PREVIOUS / "data.yaml",
                 "--period", "2024-Q1", "--format", "json")
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert {r["period"] for r in doc["rankings"]} == {"2024-Q1"}
    change = {r["unit"]: (r["rank_change"], r["previous_index"]) for r in doc["rankings"]}
    assert change == {"a": (1, 50), "b": (-1, 70)}
    assert {s["period"] for s in doc["scores"]} == {"2024-Q1"}


def test_level_filter_and_csv_scores():
    done = _rank(RULES / "ruleset.yaml", "--data", RULES / "data.yaml", "--level", "province",
                 "--format", "csv", "--what", "scores")
    assert done.exit_code == 0, done.output
    rows = done.stdout.strip().splitlines()
    assert rows[0] == "unit,period,indicator,group,value,status,points,max,title"
    assert {r.split(",")[0] for r in rows[1:]} == {"p"}
    assert "p,2025,T6,,,not_applicable,,,Chỉ tiêu TTHC-06" in rows


def test_xlsx_has_ranking_and_points_sheets_with_vietnamese_headers(tmp_path):
    out = tmp_path / "rank.xlsx"
    done = _rank(RULES / "ruleset.yaml", "--data", RULES / "data.yaml", "--format", "xlsx",
                 "--output", out)
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(out)
    ranking, points, *_wide = book.worksheets
    assert ranking.title == "Xếp hạng" and points.title == "Điểm tiêu chí"
    assert ranking.freeze_panes == "A2" and points.freeze_panes == "A2"
    header = [c.value for c in ranking[1]]
    assert header[:4] == ["Kỳ", "Cấp", "Hạng", "Trên"] and "Chỉ số" in header
    index = header.index("Chỉ số")
    d1 = next(row for row in ranking.iter_rows(min_row=2) if row[4].value == "d1")
    assert abs(d1[index].value - 100 / 11) < 1e-9 and d1[index].number_format == "0.00"
    assert points.max_row == 1 + 12  # 3 units × 4 indicators


def test_xlsx_needs_an_output_file():
    done = _rank(RULES / "ruleset.yaml", "--data", RULES / "data.yaml", "--format", "xlsx")
    assert done.exit_code == 2 and "--output" in done.stderr


def test_a_ruleset_without_scoring_and_unknown_filters_are_errors():
    plain = CASES / "spec-example"
    done = _rank(plain / "ruleset.yaml", "--data", plain / "data.yaml")
    assert done.exit_code == 2 and "EVL05" in done.stderr
    done = _rank(RULES / "ruleset.yaml", "--data", RULES / "data.yaml", "--level", "distrct",
                 "--period", "2026")
    assert done.exit_code == 2
    assert "EVL06 no scored units for level 'distrct' [did you mean 'district'?]" in done.stderr
    assert "EVL01 no scored units for period '2026'" in done.stderr


def test_evaluate_csv_what_rankings_and_table_section():
    args = ["evaluate", str(PREVIOUS / "ruleset.yaml"), "--data", str(PREVIOUS / "data.yaml")]
    table = CliRunner().invoke(main, args, prog_name="cchc")
    assert "Xếp hạng theo điểm" in table.stdout and "▲ tăng 1 bậc" in table.stdout
    csv = CliRunner().invoke(main, [*args, "--format", "csv", "--what", "rankings"],
                             prog_name="cchc")
    head, *rows = csv.stdout.strip().splitlines()
    assert head == "unit,period,level,points,max,index,band,rank,of,previous_index,rank_change"
    assert "a,2024-Q1,commune,16.0,20.0,80.0,,1,2,50.0,1" in rows


def test_xlsx_wide_sheet_per_level_and_period_units_by_indicators(tmp_path):
    """Beside the long sheets, one per level and period: units × indicators under their
    group titles, the group total, points, max, index, band and rank (issue 23)."""
    out = tmp_path / "rank.xlsx"
    done = _rank(RULES / "ruleset.yaml", "--data", RULES / "data.yaml", "--format", "xlsx",
                 "--output", out)
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[2:] == ["2025 cấp tỉnh", "2025 cấp huyện"]
    sheet = book["2025 cấp huyện"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Hạng", "Đơn vị", "Tên đơn vị", "Kế hoạch")   # group title above
    assert rows[1][3:5] == ("1.4 Thực hiện kế hoạch", "Tổng")
    assert rows[0][-5:] == ("Điểm", "Điểm tối đa", "Chỉ số", "Xếp loại", "Hạng")
    assert [r[1] for r in rows[2:]] == ["d1", "d2"]            # ranked, best first
    d1 = rows[2]
    # d1: plan 95 > 90 → 2; T6 met → 2; self 5 clamped to 3; late 5 → 4 × 15/20 = 3
    assert d1[0] == "1/2" and d1[3:8] == (2, 2, 2, 3, 3)
    assert d1[-5:-3] == (10, 11) and abs(d1[-3] - 100 / 11) < 1e-9 and d1[-2:] == ("A", 1)
    assert sheet.freeze_panes == "D3"


def test_band_titles_are_shown_instead_of_band_ids(tmp_path):
    """v3 §7: `title` on a band; table, xlsx and report show it, JSON keeps `band` (the id)
    and adds `band_title`."""
    ruleset = tmp_path / "ruleset.yaml"
    ruleset.write_text((RULES / "ruleset.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    text = ruleset.read_text(encoding="utf-8")
    start = text.index("bands:")
    end = text.index("\n", start)
    ruleset.write_text(text[:start] + 'bands: [{id: A, title: "Xuất sắc", min: 9}, '
                       '{id: B, title: "Tốt", min: 0}]' + text[end:], encoding="utf-8")
    data = RULES / "data.yaml"
    done = _rank(ruleset, "--data", data, "--lang", "en")
    assert done.exit_code == 0, done.output
    first = next(line for line in done.stdout.splitlines() if "(d1)" in line)
    assert "Xuất sắc" in first and " A " not in first + " "
    doc = json.loads(_rank(ruleset, "--data", data, "--format", "json").stdout)
    assert {(r["band"], r["band_title"]) for r in doc["rankings"]} <= {
        ("A", "Xuất sắc"), ("B", "Tốt"), (None, None)}
    out = tmp_path / "rank.xlsx"
    assert _rank(ruleset, "--data", data, "--format", "xlsx", "--output", out).exit_code == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in sheet[1]]
    bands = {row[header.index("Xếp loại")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert bands <= {"Xuất sắc", "Tốt", None} and bands & {"Xuất sắc", "Tốt"}
    report = tmp_path / "r.html"
    done = CliRunner().invoke(main, ["report", str(ruleset), "--data", str(data), "--format",
                                     "html", "--output", str(report)])
    assert done.exit_code == 0, done.output
    assert "Xuất sắc" in report.read_text(encoding="utf-8")
