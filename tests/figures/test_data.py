"""read_data on YAML and JSON: figures with positions, units, periods, merging, metrics."""
from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from cchc_rules.errors import CchcError
from cchc_rules.figures.data import COLUMNS, read_data

DATA = Path(__file__).parents[1] / "data"
HAM_TAN = DATA / "ham-tan-2024-q1.yaml"
METRICS = {m: "count" for m in (
    "received", "received_online", "received_direct", "carried_over", "resolved_on_time",
    "resolved_late", "pending_in_time", "pending_overdue")} | {"late_rate": "percent"}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(*args, **kwargs) -> list[str]:
    with pytest.raises(CchcError) as info:
        read_data(*args, **kwargs)
    return [p.format() for p in info.value.problems]


def figure(frame: pl.DataFrame, unit: str, period: str, metric: str) -> float:
    row = frame.filter(unit=unit, period=period, metric=metric)
    assert row.height == 1, frame
    return row["value"][0]


def test_ham_tan_quarter_reads_with_positions_and_sources():
    figures = read_data([HAM_TAN], known_metrics=METRICS)
    values = figures.values
    assert values.columns == COLUMNS
    assert values.schema["value"] == pl.Float64 and values.schema["line"] == pl.Int64
    get = {m: figure(values, "ham-tan", "2024-Q1", m) for m in METRICS if m != "late_rate"}
    assert get["received"] == 4917
    assert get["received"] == get["received_online"] + get["received_direct"] \
        + get["carried_over"]
    assert get["received"] == get["resolved_on_time"] + get["resolved_late"] \
        + get["pending_in_time"] + get["pending_overdue"]
    row = values.filter(metric="received").row(0, named=True)
    assert (row["file"], row["line"]) == (str(HAM_TAN), 13)
    assert row["source"] == "Phòng Nội vụ huyện Hàm Tân, báo cáo quý I/2024"
    assert figures.warnings == []


def test_units_section_gives_names_levels_parents_and_2025_links():
    units = read_data([HAM_TAN]).units
    assert list(units) == ["binh-thuan", "lam-dong", "ham-tan"]
    ham_tan = units["ham-tan"]
    assert (ham_tan.name, ham_tan.level, ham_tan.parent) == ("Huyện Hàm Tân", "district",
                                                             "binh-thuan")
    assert (units["binh-thuan"].valid_to, units["binh-thuan"].successor) == ("2025-06-30",
                                                                             "lam-dong")
    assert str(ham_tan.pos) == f"{HAM_TAN}:7:5"


def test_json_reads_like_yaml(tmp_path):
    doc = {"reports": [{"unit": "ham-tan", "period": "2024-Q1",
                        "values": {"received": 4917, "received_online": "246"}}]}
    path = write(tmp_path, "portal.json", json.dumps(doc, indent=1))
    figures = read_data([path])
    assert figure(figures.values, "ham-tan", "2024-Q1", "received_online") == 246
    assert figures.units["ham-tan"].level is None


def test_units_are_created_from_reports_when_none_declared(tmp_path):
    path = write(tmp_path, "d.yaml", "reports:\n  - {unit: a, period: 2024, values: {x: 1}}\n"
                 "  - {unit: b, period: '2024', values: {x: 2}}\n")
    figures = read_data([path])
    assert [(u.id, u.name, u.level, u.parent) for u in figures.units.values()] == [
        ("a", "a", None, None), ("b", "b", None, None)]
    assert figures.values["period"].to_list() == ["2024", "2024"]


def test_undeclared_unit_is_an_error_with_did_you_mean(tmp_path):
    path = write(tmp_path, "d.yaml", "reports:\n"
                 "  - {unit: ham-tam, period: 2024-Q2, values: {received: 10}}\n")
    found = problems([HAM_TAN, path])
    assert found == [f"{path}:2:12: error UNT07 unit 'ham-tam' is not declared "
                     "[did you mean 'ham-tan'?]"]


def test_units_file_declares_units_for_reports(tmp_path):
    path = write(tmp_path, "d.yaml", "reports:\n"
                 "  - {unit: ham-tan, period: 2024-Q2, values: {received: 10}}\n")
    figures = read_data([path], units_file=DATA / "units.csv")
    assert figures.units["ham-tan"].parent == "binh-thuan"
    yaml_units = write(tmp_path, "units.yaml", "- {id: ham-tan, name: Hàm Tân}\n")
    assert read_data([path], units_file=yaml_units).units["ham-tan"].name == "Hàm Tân"


def test_bad_unit_declarations_are_errors(tmp_path):
    path = write(tmp_path, "u.yaml", "units:\n"
                 "  - {id: a, parnet: b}\n"
                 "  - {id: b, parent: c}\n"
                 "  - {id: c, parent: b}\n"
                 "  - {id: d, parent: zz}\n"
                 "  - {name: no id}\n"
                 "  - {id: b, parent: a}\n")
    found = "\n".join(problems([path]))
    assert "UNT01 unknown unit field 'parnet'" in found and "did you mean 'parent'?" in found
    assert "UNT01 a unit needs an 'id'" in found
    assert "UNT06 unit 'b' is declared twice, differently" in found
    assert "UNT02 unit 'd' has parent 'zz', which is not declared" in found
    assert "UNT03 units form a cycle: b → c → b" in found


def test_bad_periods_are_errors_at_their_place_with_a_suggestion(tmp_path):
    path = write(tmp_path, "d.yaml", "reports:\n"
                 "  - {unit: a, period: Q1/2024, values: {x: 1, y: 2}}\n"
                 "  - {unit: a, period: 2024-q3, values: {x: 1}}\n"
                 "  - {unit: a, period: '2024-13', values: {x: 1}}\n")
    found = problems([path])
    assert found[0] == (f"{path}:2:23: error PER01 'Q1/2024' is not a period; expected \"2024\","
                        " \"2024-H1\", \"2024-Q1\" or \"2024-03\" (used by 2 figures, of x, y; "
                        "the first is here) "
                        "[did you mean '2024-Q1'?]")
    assert "did you mean '2024-Q3'?" in found[1]
    assert "'2024-13' is not a period" in found[2]


def test_conflicting_repeats_name_both_places_and_identical_ones_are_kept_once(tmp_path):
    a = write(tmp_path, "a.yaml", "reports:\n"
              "  - unit: ham-tan\n    period: 2024-Q1\n    values:\n"
              "      received: 4917\n      received_online: 246\n")
    b = write(tmp_path, "b.csv", "unit,period,metric,value\n"
              "ham-tan,2024-Q1,received_online,246\nham-tan,2024-Q1,received,4900\n")
    found = problems([a, b])
    assert found == [f"{a}:5:17: error DAT09 'received' for ham-tan in 2024-Q1 is given twice: "
                     f"4917 here, 4900 at {b}:3 [keep one of the two figures]"]
    same = write(tmp_path, "same.csv", "unit,period,received\nham-tan,2024-Q1,4917\n")
    values = read_data([a, same]).values
    assert values.height == 2
    assert values.filter(metric="received")["file"].to_list() == [str(a)]


def test_negative_counts_are_errors_only_for_counts_and_amounts(tmp_path):
    path = write(tmp_path, "d.yaml", "reports:\n"
                 "  - {unit: a, period: '2024', values: {received: -5, change: -2.5,"
                 " budget: '-1000'}}\n")
    found = problems([path], known_metrics={"received": "count", "change": "percent",
                                            "budget": "vnd"})
    assert len(found) == 2
    assert "DAT04 'received' for a in 2024 is -5, but a count cannot be negative" in found[0]
    assert "DAT04 'budget'" in found[1] and "a vnd cannot be negative" in found[1]
    assert read_data([path]).values.height == 3


def test_unknown_metrics_warn_once_at_their_first_place_and_are_left_out(tmp_path):
    path = write(tmp_path, "d.yaml", "reports:\n"
                 "  - {unit: a, period: '2024', values: {recieved: 1, received: 2}}\n"
                 "  - {unit: a, period: '2025', values: {recieved: 3}}\n")
    figures = read_data([path], known_metrics={"received": "count"})
    assert [w.format() for w in figures.warnings] == [
        f"{path}:2:50: warning DAT20 metric 'recieved' is not in the ruleset; its figures are "
        "ignored [did you mean 'received'?]"]
    assert figures.values["metric"].to_list() == ["received"]


def test_values_in_yaml_follow_the_number_rules(tmp_path):
    path = write(tmp_path, "d.yaml", "reports:\n"
                 "  - {unit: a, period: '2024', values: {a: 4.917, b: '4.917', c: '47,18',"
                 " d: .nan, e: 'nan', f: true, g: ~, h: ''}}\n")
    found = "\n".join(problems([path]))
    assert "'b' for a in 2024: '4.917' could be 4917 or 4.917" in found
    assert "'c' for a in 2024: '47,18' is written the Vietnamese way" in found
    assert "DAT03 'd'" in found and "DAT03 'e'" in found and "DAT01 'f'" in found
    assert "'a' for" not in found and "'g'" not in found and "'h'" not in found
    ok = write(tmp_path, "ok.yaml", "reports:\n  - {unit: a, period: '2024', values: "
               "{a: 4.917, b: '4.917', c: '47,18', g: ~}}\n")
    values = read_data([ok], decimal_comma=True).values
    assert values.sort("metric")["value"].to_list() == [4.917, 4917.0, 47.18]


def test_malformed_documents_give_every_problem(tmp_path):
    path = write(tmp_path, "d.yaml", "reprots: []\nreports:\n"
                 "  - {unit: 7, period: '2024', values: {x: 1}}\n"
                 "  - {unit: a, period: '2024', value: {x: 1}}\n"
                 "  - just text\n")
    found = "\n".join(problems([path]))
    assert "DAT11 unknown section 'reprots'" in found and "did you mean 'reports'?" in found
    assert "DAT08 'unit' must be text, got 7" in found
    assert "DAT11 unknown report field 'value'" in found
    assert "the report has no 'values'" in found
    assert "a report is a mapping" in found
    ruleset = write(tmp_path, "r.yaml", "ruleset: x\ntitle: y\n")
    assert "give it as RULESET, not --data" in "\n".join(problems([ruleset]))


def test_every_file_is_read_before_raising(tmp_path):
    bad = write(tmp_path, "bad.yaml", "reports: [\n")
    missing = tmp_path / "missing.csv"
    odd = write(tmp_path, "figures.docx", "")
    found = "\n".join(problems([bad, missing, odd]))
    assert "YAML01" in found and "IO01 file not found" in found
    assert "IO03 unknown data file type '.docx'" in found


def test_no_files_gives_an_empty_table():
    figures = read_data([])
    assert figures.values.columns == COLUMNS and figures.values.height == 0
    assert figures.units == {}


def test_every_code_we_emit_is_documented():
    root = Path(__file__).parents[2] / "cchc_rules"
    sources = [root / "figures" / "data.py", root / "figures" / "units.py",
               *sorted((root / "figures" / "readers").glob("*.py"))]
    emitted = set(re.findall(r"\"((?:DAT|UNT|PER|IO)\d\d)\"",
                             "".join(p.read_text(encoding="utf-8") for p in sources)))
    assert len(emitted) >= 25
    page = (root.parent / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert [c for c in sorted(emitted) if f"**{c}**" not in page] == []
