"""Units over time (spec §6): restatement on today's territory, split units, validity, and the
inputs that declare them (restated reports, split_into, code)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_rules.cli import main
from cchc_rules.derive.territory import territory
from cchc_rules.errors import CchcError
from cchc_rules.figures.data import read_data
from cchc_rules.figures.unitgraph import UnitGraph
from cchc_rules.figures.units import Unit
from cchc_rules.periods import parse_period

CASES = Path(__file__).parents[1] / "conformance"


def _graph(*units: Unit) -> UnitGraph:
    return UnitGraph.from_units({u.id: u for u in units})


TQ = Unit("tuyen-quang", "Tuyên Quang", "province")
HG = Unit("ha-giang", "Hà Giang", "province", valid_to="2025-06-30", successor="tuyen-quang")


def test_territory_only_after_the_merger_ends_before_the_period():
    graph = _graph(TQ, HG)
    y2022, y2026 = parse_period("2022"), parse_period("2026")
    assert territory(graph, "tuyen-quang", y2022, y2026).merged == ("tuyen-quang", "ha-giang")
    assert territory(graph, "tuyen-quang", y2022, parse_period("2025-Q1")) is None
    # a unit that no longer existed on the base period's last day adds nothing: 2025-H2
    assert territory(graph, "tuyen-quang", parse_period("2025-H2"), y2026) is None
    assert territory(graph, "ha-giang", y2022, y2026) is None


@pytest.mark.parametrize("base", ["2025-Q2", "2025-H1", "2025-06", "2025-01/2025-06"])
def test_the_mergers_own_quarter_and_half_year_are_restated(base):
    """v3 §6: Hà Giang still existed on 2025-06-30 (valid_to), so Q2, H1, June and the six
    months are restated for a later period; v2's "ended after B ended" left them out."""
    graph = _graph(TQ, HG)
    found = territory(graph, "tuyen-quang", parse_period(base), parse_period("2025"))
    assert found is not None and found.merged == ("tuyen-quang", "ha-giang")
    # …but not for a result of that same period: P must end after the merger
    assert territory(graph, "tuyen-quang", parse_period(base), parse_period(base)) is None
    assert territory(graph, "tuyen-quang", parse_period(base), parse_period("2025-Q3")) \
        .merged == ("tuyen-quang", "ha-giang")


def test_chain_of_successors_is_followed():
    old = Unit("old", "Old", valid_to="2024-12-31", successor="ha-giang")
    found = territory(_graph(TQ, HG, old), "tuyen-quang", parse_period("2022"),
                      parse_period("2026"))
    assert found.merged == ("tuyen-quang", "ha-giang", "old")


def test_split_unit_reports_the_day_the_territory_changed():
    split = Unit("x", "X", valid_to="2025-06-30", split_into=("tuyen-quang", "lam-dong"))
    found = territory(_graph(TQ, split, Unit("lam-dong", "Lâm Đồng")), "tuyen-quang",
                      parse_period("2022"), parse_period("2026"))
    assert found.changed.isoformat() == "2025-07-01" and found.merged == ("tuyen-quang",)


def _explain(tmp_path: Path, name: str, target: str, unit: str) -> str:
    case = shutil.copytree(CASES / name, tmp_path / "c")
    res = CliRunner().invoke(main, [
        "explain", str(case / "ruleset.yaml"), "--data", str(case / "data.yaml"),
        "--target", target, "--unit", unit, "--period", "2026", "--lang", "en"])
    assert res.exit_code == 0, res.output
    return res.output


def test_partial_merge_explain_asks_for_a_restated_figure(tmp_path):
    out = _explain(tmp_path, "merger-partial-no-data", "ONLINE", "lam-dong")
    assert "territory changed on 2025-07-01; report a restated figure" in out
    assert "Status: No data" in out


def test_restated_explain_names_the_territory(tmp_path):
    out = _explain(tmp_path, "merger-restated-rate", "RATE", "tuyen-quang")
    assert "Baseline: 2022 = 20, restated on the territory of 2026 (with the units merged " \
        "into it): tuyen-quang + ha-giang" in out
    out = _explain(tmp_path / "2", "merger-restated-rate", "ONLINE", "tuyen-quang")
    assert "Baseline: 2022 = 400, restated on the territory of 2026 (with the units merged " \
        "into it): tuyen-quang 100 + ha-giang 300" in out


def test_restated_reports_are_kept_apart_from_own_figures(tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text("reports:\n"
                    "  - {unit: a, period: '2022', values: {n: 1}}\n"
                    "  - {unit: a, period: '2022', restated: true, values: {n: 5}}\n",
                    encoding="utf-8")
    figures = read_data([data])
    assert figures.values["value"].to_list() == [1]
    assert figures.restated.select("unit", "period", "metric", "value").rows() == [
        ("a", "2022", "n", 5)]


def test_restated_must_be_true_or_false(tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text("reports:\n  - {unit: a, period: '2022', restated: 'yes please',"
                    " values: {n: 1}}\n", encoding="utf-8")
    with pytest.raises(CchcError) as err:
        read_data([data])
    assert any(p.code == "DAT11" and "restated" in p.message and p.pos.line == 2
               for p in err.value.problems)


def test_split_into_and_code_from_csv_and_yaml(tmp_path):
    units_csv = tmp_path / "u.csv"
    units_csv.write_text("id,name,level,code,valid_to,split_into\n"
                         "x,Xã X,commune,00001,2025-06-30,\"a, b\"\n"
                         "a,Xã A,commune,00002,,\nb,Xã B,commune,00003,,\n", encoding="utf-8")
    data = tmp_path / "d.yaml"
    data.write_text("reports:\n  - {unit: a, period: '2026', values: {n: 1}}\n",
                    encoding="utf-8")
    units = read_data([data], units_file=units_csv).units
    assert units["x"].split_into == ("a", "b") and units["x"].code == "00001"
    yaml_units = tmp_path / "u.yaml"
    yaml_units.write_text("- {id: x, name: X, split_into: [a, b]}\n- {id: a, name: A}\n"
                          "- {id: b, name: B}\n", encoding="utf-8")
    assert read_data([data], units_file=yaml_units).units["x"].split_into == ("a", "b")


def test_split_into_an_undeclared_unit_is_an_error(tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text("units:\n  - {id: x, name: X, split_into: [a, bb]}\n  - {id: a, name: A}\n"
                    "reports:\n  - {unit: a, period: '2026', values: {n: 1}}\n",
                    encoding="utf-8")
    with pytest.raises(CchcError) as err:
        read_data([data])
    assert [(p.code, p.pos.line) for p in err.value.problems] == [("UNT02", 2)]


def test_figures_outside_validity_are_dropped_with_a_warning(tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text("units:\n  - {id: n, name: New, valid_from: 2025-07-01}\n"
                    "reports:\n  - {unit: n, period: '2024', values: {x: 1}}\n"
                    "  - {unit: n, period: '2025', values: {x: 2}}\n", encoding="utf-8")
    figures = read_data([data])
    assert figures.values["period"].to_list() == ["2025"]   # 2025 overlaps from 1 July
    [warning] = figures.warnings
    assert warning.code == "UNT12" and warning.pos.line == 4 and "from 2025-07-01" in \
        warning.message


def test_dated_parents_roll_up_to_the_parent_in_force_at_the_period_end(tmp_path):
    from cchc_rules.derive.rollup import roll_up
    data = tmp_path / "d.yaml"
    data.write_text(
        "units:\n  - {id: lam-dong, name: Lâm Đồng, level: province}\n"
        "  - {id: ham-tan, name: Hàm Tân, level: district, parent: lam-dong,"
        " valid_to: 2025-06-30}\n"
        "  - {id: xa, name: Xã A, level: commune, parents: [{id: ham-tan, to: 2025-06-30},"
        " {id: lam-dong, from: 2025-07-01}]}\n"
        "  - {id: xb, name: Xã B, level: commune,"
        " parents: 'ham-tan until 2025-06-30; lam-dong from 2025-07-01'}\n"
        "reports:\n  - {unit: xa, period: 2025-Q1, values: {n: 1}}\n"
        "  - {unit: xb, period: 2025-Q1, values: {n: 2}}\n"
        "  - {unit: xa, period: 2025-Q3, values: {n: 10}}\n"
        "  - {unit: xb, period: 2025-Q3, values: {n: 20}}\n", encoding="utf-8")
    figures = read_data([data])
    assert figures.units["xa"].parents == (("ham-tan", None, "2025-06-30"),
                                           ("lam-dong", "2025-07-01", None))
    rolled = roll_up(figures.values, figures.units, {"n"}).filter(
        origin="rolled_up").select("unit", "period", "value").rows()
    assert sorted(rolled) == [("ham-tan", "2025-Q1", 3), ("lam-dong", "2025-Q1", 3),
                              ("lam-dong", "2025-Q3", 30)]


@pytest.mark.parametrize("text", ["ham-tan after 2025-06-30", "ham-tan until 30/6/2025",
                                  "ham-tan from 2025-07-01 until 2025-06-30"])
def test_unreadable_dated_parents_are_positioned_errors(tmp_path, text):
    data = tmp_path / "d.yaml"
    data.write_text(f"units:\n  - {{id: ham-tan, name: H}}\n  - {{id: xa, name: A, parents: "
                    f"'{text}'}}\nreports:\n  - {{unit: xa, period: '2026', values: {{n: 1}}}}\n",
                    encoding="utf-8")
    with pytest.raises(CchcError) as err:
        read_data([data])
    assert [(p.code, p.pos.line) for p in err.value.problems] == [("UNT13", 3)]


def test_commune_crosswalk_csv_reads_as_units(tmp_path):
    crosswalk = tmp_path / "xa.csv"
    crosswalk.write_text(
        "old_code,new_code,kind,old_name,new_name\n"
        "00001,10001,whole,Xã A,Xã Mới\n00002,10001,whole,Xã B,Xã Mới\n"
        "00003,10001,partial,Xã C,Xã Mới\n00003,10002,partial,Xã C,Xã Khác\n"
        "00004,00004,whole,Xã D,Xã D\n", encoding="utf-8")
    data = tmp_path / "d.yaml"
    data.write_text("reports:\n  - {unit: '00001', period: '2022', values: {n: 1}}\n"
                    "  - {unit: '00002', period: '2022', values: {n: 2}}\n"
                    "  - {unit: '10001', period: '2026', values: {n: 6}}\n", encoding="utf-8")
    units = read_data([data], units_file=crosswalk).units
    assert (units["00001"].successor, units["00001"].valid_to) == ("10001", "2025-06-30")
    assert units["00003"].successor is None and units["00003"].split_into == ("10001", "10002")
    assert units["10001"].valid_from == "2025-07-01" and units["10001"].name == "Xã Mới"
    assert units["00004"].valid_from is None and units["00004"].valid_to is None
    # the new commune began after 2022: its 2022 territory is its predecessors' alone, but
    # a part of Xã C also went into it, so no automatic restatement
    found = territory(UnitGraph.from_units(units), "10001", parse_period("2022"),
                      parse_period("2026"))
    assert found.changed.isoformat() == "2025-07-01"


def test_new_unit_restated_from_whole_predecessors_only():
    a = Unit("a", "A", valid_to="2025-06-30", successor="n")
    b = Unit("b", "B", valid_to="2025-06-30", successor="n")
    found = territory(_graph(Unit("n", "N", valid_from="2025-07-01"), a, b), "n",
                      parse_period("2022"), parse_period("2026"))
    assert found.merged == ("a", "b") and found.changed is None


def test_bad_crosswalk_rows_are_positioned_errors(tmp_path):
    crosswalk = tmp_path / "xa.csv"
    crosswalk.write_text("old_code,new_code,kind\n00001,10001,entire\n", encoding="utf-8")
    data = tmp_path / "d.yaml"
    data.write_text("reports:\n  - {unit: '10001', period: '2026', values: {n: 6}}\n",
                    encoding="utf-8")
    with pytest.raises(CchcError) as err:
        read_data([data], units_file=crosswalk)
    assert [(p.code, p.pos.line) for p in err.value.problems][:1] == [("UNT14", 2)]


def test_a_rank_and_a_percent_are_not_restated_and_explain_says_whose_figure(tmp_path):
    """v3 §6: a rank or a percent of 2024 cannot be summed with Bạc Liêu's: Cà Mau's own is
    used (origin not_restated, UNT15), and explain names the predecessor left out."""
    case = tmp_path / "case"
    shutil.copytree(CASES / "merger-rank-not-restated", case)
    args = [str(case / "ruleset.yaml"), "--data", str(case / "data.yaml")]
    res = CliRunner().invoke(main, ["explain", *args, "--target", "PAR-01", "--unit",
                                    "ca-mau", "--period", "2025", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert ("Baseline: 2024 = 20, ca-mau's own figure, not restated on the territory of "
            "2025: par_rank cannot be summed, so it leaves out bac-lieu") in res.output
    assert "Status: Met — -5 ≤ -3" in res.output
    res = CliRunner().invoke(main, ["evaluate", *args, "--period", "2025", "--unit", "ca-mau",
                                    "--lang", "en"])
    assert res.exit_code == 0
    assert res.output.count("UNT15") == 2   # one per metric: par_rank, sipas


def test_a_new_commune_is_never_asked_for_the_months_before_it_existed(tmp_path):
    """v3 §6: a commune from 2025-07-01 lacking December is asked for Q4 only, never for
    January–June, and the hint is one list (no English "and" inside Vietnamese)."""
    case = tmp_path / "case"
    shutil.copytree(CASES / "new-commune-part-of-year", case)
    data = case / "data.yaml"
    data.write_text("\n".join(data.read_text(encoding="utf-8").splitlines()[:6]) + "\n",
                    encoding="utf-8")
    for extra in ([], ["--unit", "xa-moi"]):
        res = CliRunner().invoke(main, ["evaluate", str(case / "ruleset.yaml"), "--data",
                                        str(data), "--period", "2025", *extra])
        assert res.exit_code == 2
        assert "2025-Q4" in res.output and "2025-Q1" not in res.output \
            and "2025-Q2" not in res.output and " and " not in res.output.split("[")[1]


def test_part_of_the_period_is_said_in_table_json_and_report(tmp_path):
    """v3 §6: a commune without predecessors that began on 2025-07-01: its 2025 covers
    2025-Q3/2025-12 — JSON `covers`, the table's and the report's period, a UNT16 warning."""
    case = tmp_path / "case"
    shutil.copytree(CASES / "new-commune-part-of-year", case)
    args = [str(case / "ruleset.yaml"), "--data", str(case / "data.yaml")]
    table = CliRunner().invoke(main, ["evaluate", *args, "--period", "2025", "--lang", "en"])
    assert "2025 (part of the period: 2025-Q3/2025-12)" in table.output
    assert "UNT16" in table.output
    doc = CliRunner().invoke(main, ["evaluate", *args, "--format", "json"]).stdout
    rows = [r for r in __import__("json").loads(doc)["results"] if r["period"] == "2025"]
    assert [(r["covers"], round(r["actual"], 3)) for r in rows] == [("2025-Q3/2025-12", 96.429)]
    report = tmp_path / "r.html"
    assert CliRunner().invoke(main, ["report", *args, "--format", "html", "--output",
                                     str(report)]).exit_code == 0
    assert "2025 (một phần kỳ: 2025-Q3/2025-12)" in report.read_text(encoding="utf-8")


def test_the_ca_mau_trial_table_with_part_of_the_year_and_whole_years():
    """The shipped Cà Mau trial: a table mixing a part-of-the-year row (a new commune) and
    whole years (a covers column with empty cells once crashed the table, INT01)."""
    root = Path(__file__).parents[2]
    res = CliRunner().invoke(main, [
        "evaluate", str(root / "rulesets/ca-mau/cchc-2025.yaml"),
        "--data", str(root / "examples/ca-mau/ho-so-2025.csv"),
        "--data", str(root / "examples/ca-mau/par-sipas.csv"),
        "--units", str(root / "rulesets/ca-mau/units-ca-mau-2025.yaml"),
        "--decimal-comma", "--period", "Năm 2025"])
    assert res.exit_code == 1, res.output   # SIPAS and the new commune fall short
    assert "INT01" not in res.output
    assert "Sở Tư pháp tỉnh Cà Mau (stp-ca-mau · Sở, ban, ngành)" in res.output
    assert "2025 (một phần kỳ: 2025-Q3/2025-Q4)" in res.output
    assert "96,89%" in res.output and "Xuất sắc" in res.output
