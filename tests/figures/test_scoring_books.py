"""The province's CCHC index (issue 26, parts 3–5): self-assessment workbooks written per
unit, filled, appraised and collected back into figures with provenance — the index equal to
a hand count — and every bad input of the issue a positioned, coded line."""
from __future__ import annotations

import csv
import datetime as dt
import math
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules import evaluate_files
from cchc_rules.cli import main
from cchc_rules.figures.collect import collect
from cchc_rules.figures.forms import form_units
from cchc_rules.periods import parse_period
from cchc_rules.pipeline import Session
from examples.index.fill import fill, rows_by_id, with_saved_formula
from tests.factory import write

TODAY = dt.date(2026, 1, 20)
RULESET = {
    "ruleset": "tinh-demo", "title": "Chỉ số CCHC (minh hoạ)",
    "metrics": {
        "tc_111": {"label": "1.1.1", "unit": "score"},
        "tc_111_self": {"label": "1.1.1 tự chấm", "unit": "score"},
        "tc_12": {"label": "1.2", "unit": "score"},
        "tc_12_self": {"label": "1.2 tự chấm", "unit": "score"},
        "tc_21": {"label": "2.1", "unit": "score"},
        "tc_21_self": {"label": "2.1 tự chấm", "unit": "score"},
        "tc_9": {"label": "9", "unit": "score"},
        "tc_9_self": {"label": "9 tự chấm", "unit": "score"},
        "thuong": {"label": "thưởng", "unit": "score"},
        "thuong_self": {"label": "thưởng tự chấm", "unit": "score"}},
    "scoring": {
        "bands": [{"id": "A", "min": 90}, {"id": "B", "min": 0}],
        "groups": [{"id": "1", "title": "Công tác chỉ đạo, điều hành", "max": 5},
                   {"id": "1.1", "title": "Kế hoạch CCHC", "parent": "1"},
                   {"id": "2", "title": "TTHC tại xã", "levels": ["commune"]}],
        "indicators": [
            {"id": "1.1.1", "title": "Ban hành kế hoạch", "group": "1.1", "metric": "tc_111",
             "self_assessed": "tc_111_self", "max": 3, "manual": True,
             "guide": "Đúng hạn: 3; chậm: 1,5; không ban hành: 0"},
            {"id": "1.2", "title": "Báo cáo định kỳ", "group": "1", "metric": "tc_12",
             "self_assessed": "tc_12_self", "max": 3, "manual": True},
            {"id": "2.1", "title": "Giải quyết TTHC", "group": "2", "metric": "tc_21",
             "self_assessed": "tc_21_self", "max": 4, "manual": True},
            {"id": "9", "title": "Tiêu chí riêng của sở", "metric": "tc_9",
             "self_assessed": "tc_9_self", "max": 2, "manual": True,
             "levels": ["department"]},
            {"id": "B1", "title": "Sáng kiến", "kind": "bonus", "metric": "thuong",
             "self_assessed": "thuong_self", "max": 1, "as_points": True}]}}
UNITS = {"units": [{"id": "so-a", "name": "Sở A", "level": "department"},
                   {"id": "xa-b", "name": "Xã B", "level": "commune"},
                   {"id": "xa-c", "name": "Xã C", "level": "commune"}]}


@pytest.fixture
def setup(tmp_path):
    ruleset = write(tmp_path / "r.yaml", RULESET)
    units = write(tmp_path / "u.yaml", UNITS)
    done = CliRunner().invoke(main, ["form", str(ruleset), "--scoring", "--units",
                                     str(units), "--period", "2025", "--output",
                                     str(tmp_path / "blank")])
    assert done.exit_code == 0, done.output
    return tmp_path, ruleset, units


def _collect(tmp, ruleset, units, folder, today=TODAY):
    loaded = Session().load_ruleset(ruleset)
    return collect(folder, loaded, form_units(units), parse_period("2025"), today)


def test_blank_workbook_has_the_units_track_with_groups_and_rules(setup):
    tmp, _ruleset, _units = setup
    assert sorted(p.name for p in (tmp / "blank").iterdir()) == \
        ["so-a.xlsx", "xa-b.xlsx", "xa-c.xlsx"]
    dept = rows_by_id(tmp / "blank" / "so-a.xlsx")
    commune = rows_by_id(tmp / "blank" / "xa-b.xlsx")
    # areas → criteria → sub-criteria, numbered as the decision does; each track its own
    assert list(dept) == ["1", "1.1", "1.1.1", "1.2", "9", "B1"]
    assert list(commune) == ["1", "1.1", "1.1.1", "1.2", "2", "2.1", "B1"]
    import openpyxl
    sheet = openpyxl.load_workbook(tmp / "blank" / "so-a.xlsx")["Tự chấm"]
    assert sheet.protection.sheet                                   # locked structure
    assert sheet.cell(dept["1"], 5).value == "=MIN(5,SUM(E7,E9))"   # the area's cap
    assert sheet.cell(dept["1.1.1"], 4).value.startswith("Đúng hạn: 3")
    assert not sheet.cell(dept["1.2"], 5).protection.locked
    assert sheet.cell(dept["1.2"], 3).protection.locked
    rules = [v for v in sheet.data_validations.dataValidation if "E9" in str(v.sqref)]
    assert rules and "E9<=3" in rules[0].formula1


def test_round_trip_self_appraise_collect_equals_a_hand_count(setup):
    tmp, ruleset, units = setup
    blank, back = tmp / "blank", tmp / "back"
    ev = {"1.1.1": "12/KH-UBND ngày 15/01/2025", "1.2": "30/BC-UBND ngày 10/12/2025"}
    fill(blank / "so-a.xlsx", back / "Sở A - tự chấm.xlsx",
         {"1.1.1": 3, "1.2": 3, "9": "n/a", "B1": 1}, evidence=ev,
         explain={"B1": "Sáng kiến được UBND tỉnh công nhận"})
    fill(blank / "xa-b.xlsx", back / "xa b.xlsx",
         {"1.1.1": 1.5, "1.2": 2, "2.1": 4, "B1": 0}, evidence=ev | {"2.1": "Sổ theo dõi"})
    # xa-c sends nothing
    found = _collect(tmp, ruleset, units, back)
    assert not found.problems and found.missing == ["xa-c"]
    done = CliRunner().invoke(main, ["form", str(ruleset), "--appraisal", "--units",
                                     str(units), "--period", "2025", "--from", str(back),
                                     "--output", str(tmp / "appraise")])
    assert done.exit_code == 1, done.output          # xa-c is missing: said, still written
    assert "xa-c" in done.output
    assert sorted(p.name for p in (tmp / "appraise").iterdir()) == ["so-a.xlsx", "xa-b.xlsx"]
    final = tmp / "final"
    fill(tmp / "appraise" / "so-a.xlsx", final / "so-a-thamdinh.xlsx",
         {"1.1.1": 3, "1.2": 2, "9": "n/a", "B1": 1}, kind="appraisal",
         comments={"1.2": "Báo cáo quý III chậm 5 ngày"})
    fill(tmp / "appraise" / "xa-b.xlsx", final / "xa-b-thamdinh.xlsx",
         {"1.1.1": 1.5, "1.2": 2, "2.1": 3, "B1": 0}, kind="appraisal",
         comments={"2.1": "12 hồ sơ trễ hạn"})
    figures, evidence = tmp / "figures.csv", tmp / "evidence.csv"
    done = CliRunner().invoke(main, ["collect", str(ruleset), str(final), "--units",
                                     str(units), "--period", "2025", "--output",
                                     str(figures), "--evidence", str(evidence)])
    assert done.exit_code == 1 and "xa-c" in done.output, done.output
    rows = list(csv.DictReader(figures.open(encoding="utf-8")))
    by = {(r["unit"], r["metric"]): r for r in rows}
    assert by[("so-a", "tc_12")]["value"] == "2" and by[("so-a", "tc_12_self")]["value"] == "3"
    assert by[("so-a", "tc_9")]["value"] == "n/a"
    source = by[("so-a", "tc_12")]["source"]
    assert source.startswith("so-a-thamdinh.xlsx!Thẩm định!I") and " sha256:" in source
    assert len(source.split("sha256:")[1]) == 64
    notes = {(r["unit"], r["indicator"]): r for r in csv.DictReader(evidence.open())}
    assert notes[("so-a", "1.2")]["comment"] == "Báo cáo quý III chậm 5 ngày"
    assert notes[("so-a", "1.2")]["evidence"] == "30/BC-UBND ngày 10/12/2025"
    assert notes[("so-a", "B1")]["explanation"] == "Sáng kiến được UBND tỉnh công nhận"
    ranks = {r["unit"]: r for r in evaluate_files(ruleset, [figures], units_file=units)
             .scores().rankings.iter_rows(named=True)}
    # by hand — so-a: area 1 = min(3 + 2, 5) = 5 of min(6, 5) = 5; criterion 9 n/a (dropped);
    # bonus 1 → 6 of 5 → index 120 clamped to 100; self: 3 + 3 capped 5, bonus 1 → 6
    assert (ranks["so-a"]["points"], ranks["so-a"]["max"], ranks["so-a"]["index"]) == \
        (6, 5, 100)
    # xa-b: area 1 = 1.5 + 2 = 3.5 of 5; area 2 = 3 of 4 → 6.5 of 9 → 72.22
    assert (ranks["xa-b"]["points"], ranks["xa-b"]["max"]) == (6.5, 9)
    assert math.isclose(ranks["xa-b"]["index"], 6.5 / 9 * 100)
    assert ranks["xa-b"]["self_assessed_points"] == 7.5 and ranks["xa-b"]["difference"] == -1
    assert "xa-c" not in ranks


def _bad_case(setup, name, points, **more):
    tmp, ruleset, units = setup
    folder = tmp / name
    fill(tmp / "blank" / "so-a.xlsx", folder / "so-a.xlsx", points, **more)
    return _collect(tmp, ruleset, units, folder)


@pytest.mark.parametrize(("points", "code", "cell", "words"), [
    ({"1.2": 4}, "DAT40", "E9", "4 points, outside 0 to 3"),
    ({"1.2": -1}, "DAT40", "E9", "outside 0 to 3"),
    ({"1.2": "ba điểm"}, "DAT41", "E9", "holds text 'ba điểm'"),
])
def test_bad_points_refuse_the_workbook_at_the_cell(setup, points, code, cell, words):
    found = _bad_case(setup, code, points, evidence={"1.2": "1/KH ngày 2/1/2025"})
    [problem] = [p for p in found.problems if p.code == code]
    assert str(problem.pos).endswith(f"so-a.xlsx!Tự chấm!{cell}")
    assert words in problem.message and problem.severity == "error"
    assert found.refused and "so-a" not in found.used


def test_a_bonus_above_its_max_is_clamped_with_a_warning_not_refused(setup):
    found = _bad_case(setup, "bonus", {"1.2": 2, "B1": 3}, explain={"1.2": "x", "B1": "x"})
    [p] = [p for p in found.problems if p.code == "DAT31"]
    assert p.severity == "warning" and str(p.pos).endswith("Tự chấm!E11")
    assert "counted as 1" in p.message and not found.refused
    [entry] = [e for e in found.used["so-a"].entries if e.indicator.id == "B1"]
    assert entry.self_points == 1


def test_future_evidence_date_and_missing_evidence(setup):
    found = _bad_case(setup, "dates", {"1.1.1": 3, "1.2": 2},
                      evidence={"1.1.1": "15/KH-UBND ngày 02/02/2026"})
    by = {p.code: p for p in found.problems}
    assert str(by["DAT42"].pos).endswith("!F8") and "02/02/2026" in by["DAT42"].message
    assert by["DAT48"].severity == "warning" and str(by["DAT48"].pos).endswith("!E9")


def test_a_point_claimed_with_an_explanation_only_is_no_warning(setup):
    found = _bad_case(setup, "explained", {"1.2": 2}, explain={"1.2": "Văn bản đang trình ký"})
    assert not found.problems and found.used["so-a"].entries


def test_edited_locked_cells_are_refused_at_the_cell(setup):
    found = _bad_case(setup, "edited", {"1.2": 2}, explain={"1.2": "x"},
                      cells={"C9": 10, "B8": "Tiêu chí khác", "E7": 5})
    refs = sorted(str(p.pos).rsplit("!", 1)[1] for p in found.problems if p.code == "DAT43")
    assert refs == ["B8", "C9", "E7"] and found.refused


def test_a_formula_in_a_points_cell_is_read_by_its_saved_value_never_run(setup):
    tmp, ruleset, units = setup
    folder = tmp / "formula"
    filled = fill(tmp / "blank" / "so-a.xlsx", tmp / "f.xlsx", {}, explain={"1.2": "x"})
    with_saved_formula(filled, folder / "so-a.xlsx", "E9", "1+1", 2)
    found = _collect(tmp, ruleset, units, folder)
    [warning] = [p for p in found.problems if p.code == "DAT47"]
    assert warning.severity == "warning" and "saved value 2" in warning.message
    [entry] = [e for e in found.used["so-a"].entries if e.indicator.id == "1.2"]
    assert entry.self_points == 2


def test_another_ruleset_unknown_unit_a_unit_gone_twice_and_copies(setup):
    tmp, ruleset, units = setup
    other = write(tmp / "other.yaml", RULESET | {"ruleset": "tinh-khac"})
    CliRunner().invoke(main, ["form", str(other), "--scoring", "--units", str(units),
                              "--period", "2025", "--unit", "xa-c", "--output",
                              str(tmp / "mix" / "khac.xlsx")])
    fill(tmp / "blank" / "so-a.xlsx", tmp / "mix" / "so-a (1).xlsx", {"1.2": 2},
         explain={"1.2": "x"})
    shutil.copy(tmp / "mix" / "so-a (1).xlsx", tmp / "mix" / "so-a (2).xlsx")   # sent twice
    fill(tmp / "blank" / "xa-b.xlsx", tmp / "mix" / "xa-b.xlsx", {"1.2": 1},
         explain={"1.2": "x"})
    fill(tmp / "blank" / "xa-b.xlsx", tmp / "mix" / "xa-b moi.xlsx", {"1.2": 2},
         explain={"1.2": "y"})
    gone = write(tmp / "gone.yaml", {"units": [
        *UNITS["units"][:2], {"id": "xa-c", "name": "Xã C", "level": "commune",
                              "valid_to": "2024-06-30"}]})
    found = _collect(tmp, ruleset, gone, tmp / "mix")
    codes = {p.code: p for p in found.problems}
    assert "tinh-khac" in codes["DAT44"].message and str(codes["DAT44"].pos).endswith("khac.xlsx")
    assert "xa-b.xlsx" in codes["DAT46"].message and "xa-b moi.xlsx" in codes["DAT46"].message
    assert list(found.used) == ["so-a"] and len(found.duplicates) == 1
    assert found.missing == []            # xa-b sent (in conflict); xa-c no longer exists
    unknown = write(tmp / "few.yaml", {"units": UNITS["units"][1:]})
    found = _collect(tmp, ruleset, unknown, tmp / "mix")
    both = [p for p in found.problems if p.code == "DAT45"]   # so-a (1) and its copy
    assert len(both) == 2 and all("'so-a'" in p.message and str(p.pos).endswith("!B3")
                                  for p in both)


def test_unit_that_did_not_exist_in_the_period_is_refused(setup):
    tmp, ruleset, _units = setup
    fill(tmp / "blank" / "xa-c.xlsx", tmp / "old" / "xa-c.xlsx", {"1.2": 1},
         explain={"1.2": "x"})
    gone = write(tmp / "gone.yaml", {"units": [
        *UNITS["units"][:2], {"id": "xa-c", "name": "Xã C", "level": "commune",
                              "valid_to": "2024-06-30"}]})
    found = _collect(tmp, ruleset, gone, tmp / "old")
    [p] = [p for p in found.problems if p.code == "DAT45"]
    assert "did not exist in 2025" in p.message


def test_appraisal_changed_without_a_comment_and_a_changed_self_point(setup):
    tmp, ruleset, units = setup
    fill(tmp / "blank" / "so-a.xlsx", tmp / "s" / "so-a.xlsx", {"1.2": 3},
         explain={"1.2": "x"})
    CliRunner().invoke(main, ["form", str(ruleset), "--appraisal", "--units", str(units),
                              "--period", "2025", "--from", str(tmp / "s"), "--unit", "so-a",
                              "--output", str(tmp / "a" / "so-a.xlsx")])
    fill(tmp / "a" / "so-a.xlsx", tmp / "t" / "so-a.xlsx", {"1.2": 1}, kind="appraisal")
    found = _collect(tmp, ruleset, units, tmp / "t")
    [p] = [p for p in found.problems if p.code == "DAT49"]
    assert p.severity == "warning" and str(p.pos).endswith("Thẩm định!I9")
    fill(tmp / "a" / "so-a.xlsx", tmp / "u" / "so-a.xlsx", {"1.2": 1}, kind="appraisal",
         comments={"1.2": "chậm"}, cells={"E9": 0})
    found = _collect(tmp, ruleset, units, tmp / "u")
    [p] = [p for p in found.problems if p.code == "DAT43"]
    assert str(p.pos).endswith("Thẩm định!E9") and found.refused


def _published_inputs(setup):
    """so-a and xa-b self-assessed, appraised and collected, as in the round trip."""
    tmp, ruleset, units = setup
    fill(tmp / "blank" / "so-a.xlsx", tmp / "back" / "so-a.xlsx",
         {"1.1.1": 3, "1.2": 3, "9": "n/a", "B1": 1}, explain={"1.1.1": "x", "1.2": "x",
                                                             "B1": "x"})
    fill(tmp / "blank" / "xa-b.xlsx", tmp / "back" / "xa-b.xlsx",
         {"1.1.1": 1.5, "1.2": 2, "2.1": 4, "B1": 0},
         evidence={"1.1.1": "12/KH-UBND ngày 15/01/2025", "1.2": "1/BC ngày 2/1/2025",
                   "2.1": "Sổ theo dõi"})
    CliRunner().invoke(main, ["form", str(ruleset), "--appraisal", "--units", str(units),
                              "--period", "2025", "--from", str(tmp / "back"), "--output",
                              str(tmp / "appraise")])
    fill(tmp / "appraise" / "so-a.xlsx", tmp / "final" / "so-a.xlsx",
         {"1.1.1": 3, "1.2": 2, "9": "n/a", "B1": 1}, kind="appraisal",
         comments={"1.2": "Báo cáo quý III chậm 5 ngày"})
    fill(tmp / "appraise" / "xa-b.xlsx", tmp / "final" / "xa-b.xlsx",
         {"1.1.1": 1.5, "1.2": 2, "2.1": 3, "B1": 0}, kind="appraisal",
         comments={"2.1": "12 hồ sơ trễ hạn"})
    CliRunner().invoke(main, ["collect", str(ruleset), str(tmp / "final"), "--units",
                              str(units), "--period", "2025", "--output",
                              str(tmp / "f.csv"), "--evidence", str(tmp / "e.csv")])
    last = write(tmp / "2024.yaml", {"reports": [
        {"unit": "so-a", "period": "2024", "values": {"tc_111": 2, "tc_12": 2, "tc_9": 1}},
        {"unit": "xa-b", "period": "2024", "values": {"tc_111": 3, "tc_12": 3, "tc_21": 4}}]})
    return tmp, ruleset, units, ["--data", str(tmp / "f.csv"), "--data", str(last),
                                 "--units", str(units), "--evidence", str(tmp / "e.csv")]


def test_publish_html_ranks_each_track_and_lists_lost_points(setup):
    tmp, ruleset, _units, args = _published_inputs(setup)
    out = tmp / "annex.html"
    done = CliRunner().invoke(main, ["publish", str(ruleset), *args, "--format", "html",
                                     "--output", str(out), "--lang", "en"])
    assert done.exit_code == 0, done.output
    text = out.read_text("utf-8")
    assert "Ranking — Track commune" in text and "Last year&#39;s index" in text
    # xa-b: 72.22 this year; 2024: 1.1.1 3 + 1.2 3 capped 5, 2.1 4 → 9 of 9 = 100 → −27.78
    assert "72.22" in text and ("−27.78" in text or "-27.78" in text)
    assert "12 hồ sơ trễ hạn" in text and "Báo cáo quý III chậm 5 ngày" in text
    card = text.split('id="u-xa-b"')[1].split("</article>")[0]
    assert "2.1 Giải quyết TTHC" in card and "Sổ theo dõi" in card


def test_publish_xlsx_is_the_wide_annex(setup):
    import openpyxl
    tmp, ruleset, _units, args = _published_inputs(setup)
    out = tmp / "annex.xlsx"
    done = CliRunner().invoke(main, ["publish", str(ruleset), *args, "--format", "xlsx",
                                     "--output", str(out)])
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(out)
    commune = book["cấp xã"]
    head = [c.value for c in commune[3]]
    row = dict(zip(head, [c.value for c in commune[4]], strict=True))
    assert row["Mã đơn vị"] == "xa-b" and row["Hạng"] == 1
    assert row["1.1.1 Ban hành kế hoạch"] == 1.5 and row["2.1 Giải quyết TTHC"] == 3
    assert row["Lĩnh vực 1: Công tác chỉ đạo, điều hành"] == 3.5
    assert row["Tổng điểm"] == 6.5 and row["Điểm tối đa"] == 9
    assert math.isclose(row["Chỉ số (%)"], 650 / 9) and row["Xếp loại"] == "B"
    assert math.isclose(row["Tăng/giảm"], 650 / 9 - 100)
    assert head.index("1.1.1 Ban hành kế hoạch") < head.index(
        "Lĩnh vực 1: Công tác chỉ đạo, điều hành") < head.index("2.1 Giải quyết TTHC")


def test_web_app_unit_scorecard_and_appraisal_pages(setup):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    from cchc_rules.serve import Workspace, create_app
    tmp, ruleset, units, _args = _published_inputs(setup)
    workspace = Workspace(ruleset, [tmp / "f.csv"], units, evidence=tmp / "e.csv")
    with TestClient(create_app(workspace, watching=False)) as client:
        page = client.get("/unit/xa-b")
        assert page.status_code == 200, page.text[-1500:]
        card = page.text.split('id="scorecard"')[1]
        assert "2.1 Giải quyết TTHC" in card and "12 hồ sơ trễ hạn" in card
        assert "Sổ theo dõi" in card and "72,22" in card
        page = client.get("/appraisal")
        assert page.status_code == 200
        rows = page.text.split("<tbody>")[1].split("</tbody>")[0]
        # so-a 1.2: 3 → 2 with its comment; xa-b 2.1: 4 → 3; nothing else differs
        assert rows.count("<tr>") == 2
        assert "Báo cáo quý III chậm 5 ngày" in rows and "12 hồ sơ trễ hạn" in rows
        assert "−1,00" in rows or "-1,00" in rows
        assert client.get("/appraisal?period=2019").status_code == 404
    (tmp / "bad.csv").write_text("unit,period\nso-a,2025\n", encoding="utf-8")
    workspace = Workspace(ruleset, [tmp / "f.csv"], units, evidence=tmp / "bad.csv")
    with TestClient(create_app(workspace, watching=False)) as client:
        page = client.get("/appraisal")
        assert page.status_code == 422 and "DAT50" in page.text


quarters = st.one_of(st.just("n/a"), st.none(),
                     st.integers(0, 12).map(lambda q: q / 4))   # 0 … 3 in quarter points


@settings(max_examples=12, deadline=None)
@given(st.fixed_dictionaries({"1.1.1": quarters, "1.2": quarters}),
       st.one_of(st.none(), st.integers(0, 4).map(lambda q: q / 4)))
def test_what_a_unit_writes_is_what_is_collected(tmp_path_factory, points, bonus):
    """Law: every point written in a self-assessment comes back as the figure of its
    criterion's self_assessed metric, n/a as n/a, an empty cell as no figure."""
    tmp = tmp_path_factory.mktemp("law")
    ruleset = write(tmp / "r.yaml", RULESET)
    units = write(tmp / "u.yaml", UNITS)
    CliRunner().invoke(main, ["form", str(ruleset), "--scoring", "--units", str(units),
                              "--period", "2025", "--unit", "so-a", "--output",
                              str(tmp / "blank.xlsx")])
    written = {k: v for k, v in (points | {"B1": bonus}).items() if v is not None}
    fill(tmp / "blank.xlsx", tmp / "back" / "so-a.xlsx", written,
         explain=dict.fromkeys(written, "giải trình"))
    found = _collect(tmp, ruleset, units, tmp / "back")
    assert not found.problems
    from cchc_rules.figures.collect import figure_rows
    got = {r["metric"]: r["value"] for r in figure_rows(found)}
    metric = {"1.1.1": "tc_111_self", "1.2": "tc_12_self", "B1": "thuong_self"}
    want = {metric[k]: ("n/a" if v == "n/a" else f"{v:g}") for k, v in written.items()}
    assert got == want
