"""Plans in force by date and `changes.compare`: Thanh Hóa's QĐ 2649/QĐ-UBND (02/8/2025)
replaced its 2025 plan QĐ 5137/QĐ-UBND (26/12/2024) mid-year; 2025-Q2 is judged by the old
plan, 2025-Q4 by the new one. The targets are illustrative stand-ins with those dates."""
from __future__ import annotations

import json

from click.testing import CliRunner

from cchc_rules.cli import main
from cchc_rules.ruleset.changes import compare, to_json, to_table
from cchc_rules.ruleset.loader import load_ruleset

OLD = """ruleset: thanh-hoa-cchc-2025-5137
title: Kế hoạch CCHC tỉnh Thanh Hóa năm 2025
source: Quyết định 5137/QĐ-UBND ngày 26/12/2024
{extra}
metrics:
  online_rate: {{label: Tỷ lệ hồ sơ trực tuyến, unit: percent}}
  district_rate: {{label: Tỷ lệ cấp huyện, unit: percent}}
targets:
  - {{id: DVC-01, title: Hồ sơ trực tuyến, area: procedures, metric: online_rate,
     milestones: [{{by: "2025", op: ">=", value: 50}}]}}
  - {{id: HUYEN-01, title: Cấp huyện, area: procedures, metric: district_rate,
     milestones: [{{by: "2025", op: ">=", value: 70}}]}}
"""
NEW = """ruleset: thanh-hoa-cchc-2025-2649
title: Kế hoạch CCHC tỉnh Thanh Hóa năm 2025 (ban hành lại)
source: Quyết định 2649/QĐ-UBND ngày 02/8/2025
replaces: old.yaml
{extra}
metrics:
  online_rate: {{label: Tỷ lệ hồ sơ trực tuyến, unit: percent}}
  payment_rate: {{label: Thanh toán trực tuyến, unit: percent}}
targets:
  - {{id: DVC-01, title: Hồ sơ trực tuyến, area: procedures, metric: online_rate,
     milestones: [{{by: "2025", op: ">=", value: 60}}]}}
  - {{id: TT-01, title: Thanh toán, area: procedures, metric: payment_rate,
     milestones: [{{by: "2025", op: ">=", value: 40}}]}}
"""
DATA = """reports:
  - {unit: thanh-hoa, period: 2025-Q2, values: {online_rate: 55, district_rate: 60,
                                        payment_rate: 10}}
  - {unit: thanh-hoa, period: 2025-Q4, values: {online_rate: 55, district_rate: 60,
                                        payment_rate: 45}}
"""


def write(tmp_path, old_extra="", new_extra="in_force_from: 2025-08-02"):
    (tmp_path / "old.yaml").write_text(OLD.format(extra=old_extra), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(NEW.format(extra=new_extra), encoding="utf-8")
    (tmp_path / "data.yaml").write_text(DATA, encoding="utf-8")


def run(tmp_path):
    return CliRunner().invoke(main, ["evaluate", str(tmp_path / "new.yaml"), "--data",
                                     str(tmp_path / "data.yaml"), "--format", "json",
                                     "--lang", "en"])


def test_mid_year_replacement(tmp_path):
    write(tmp_path)
    result = run(tmp_path)
    assert result.exit_code == 1, result.output   # 2025-Q4 not met under the new plan
    doc = json.loads(result.stdout)
    got = {(r["period"], r["target"]): (r["version"], r["threshold"], r["status"])
           for r in doc["results"]}
    assert got == {
        ("2025-Q2", "DVC-01"): ("thanh-hoa-cchc-2025-5137", 50, "met"),
        ("2025-Q2", "HUYEN-01"): ("thanh-hoa-cchc-2025-5137", 70, "pending"),
        ("2025-Q4", "DVC-01"): ("thanh-hoa-cchc-2025-2649", 60, "not_met"),
        ("2025-Q4", "TT-01"): ("thanh-hoa-cchc-2025-2649", 40, "met")}
    assert [(v["ruleset"], v["in_force_from"], v["in_force_to"]) for v in doc["versions"]] == [
        ("thanh-hoa-cchc-2025-5137", None, "2025-08-01"),
        ("thanh-hoa-cchc-2025-2649", "2025-08-02", None)]
    kinds = {t["target"]: t["kind"] for t in doc["version_changes"][0]["targets"]}
    assert kinds == {"HUYEN-01": "removed", "DVC-01": "changed", "TT-01": "added"}


def test_bad_chains_one_positioned_line(tmp_path):
    write(tmp_path, new_extra="")
    result = run(tmp_path)
    assert result.exit_code == 2 and "new.yaml:4:1: error EXT05" in result.output, result.output
    write(tmp_path, old_extra="in_force_from: 2025-08-02")
    result = run(tmp_path)
    assert result.exit_code == 2 and "error EXT04" in result.output, result.output
    write(tmp_path, old_extra="replaces: new.yaml\nin_force_from: 2025-01-01")
    result = run(tmp_path)
    assert result.exit_code == 2 and "error EXT03" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


def test_compare(tmp_path):
    write(tmp_path)
    changes = compare(load_ruleset(tmp_path / "old.yaml"), load_ruleset(tmp_path / "new.yaml"))
    assert changes.counts() == {"added": 1, "removed": 1, "changed": 1, "unchanged": 0}
    [changed] = [c for c in changes.targets if c.kind == "changed"]
    assert (changed.old_milestones, changed.new_milestones) == (("2025 >= 50",), ("2025 >= 60",))
    assert json.loads(to_json(changes))["summary"]["changed"] == 1
    table = to_table(changes, "en")
    assert "removed   HUYEN-01" in table and "+ 2025 >= 60" in table
    same = compare(load_ruleset(tmp_path / "old.yaml"), load_ruleset(tmp_path / "old.yaml"))
    assert same.targets == () and same.unchanged == 2


def test_table_explain_and_validate_name_the_version(tmp_path):
    write(tmp_path)
    args = [str(tmp_path / "new.yaml"), "--data", str(tmp_path / "data.yaml"), "--lang", "en"]
    table = CliRunner().invoke(main, ["evaluate", *args]).stdout
    assert ("  thanh-hoa-cchc-2025-5137 (Quyết định 5137/QĐ-UBND ngày 26/12/2024), until "
            "2025-08-01: periods 2025-Q2") in table
    assert ("  Changes thanh-hoa-cchc-2025-5137 → thanh-hoa-cchc-2025-2649: dropped HUYEN-01; "
            "changed DVC-01; added TT-01") in table
    for period, version, threshold in (("2025-Q2", "5137", "≥ 50"), ("2025-Q4", "2649", "≥ 60")):
        result = CliRunner().invoke(main, ["explain", *args, "--target", "DVC-01", "--unit",
                                           "thanh-hoa", "--period", period])
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert lines[2].startswith(f"Plan in force: thanh-hoa-cchc-2025-{version} "), lines
        assert threshold in result.stdout
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "new.yaml")])
    assert result.exit_code == 0 and "version 2 of 2 in force from 2025-08-02" in result.stdout
    write(tmp_path, old_extra="replaces: new.yaml\nin_force_from: 2025-01-01")
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "new.yaml"), "--lang", "en"])
    assert result.exit_code == 2 and "error EXT03 replaces cycle" in result.output, result.output
    write(tmp_path, old_extra="in_force_from: 2025-08-02")
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "new.yaml"), "--lang", "en"])
    assert result.exit_code == 2 and "new.yaml:5:1: error EXT04" in result.output, result.output


AMENDMENT = """ruleset: thanh-hoa-cchc-2025-amended
title: Kế hoạch CCHC năm 2025 (sửa đổi, bổ sung)
source: Quyết định sửa đổi, bổ sung (ví dụ)
amends: old.yaml
in_force_from: 2025-07-15
metrics:
  payment_rate: {label: Thanh toán trực tuyến, unit: percent}
targets:
  - {id: DVC-01, title: Hồ sơ trực tuyến, area: procedures, metric: online_rate,
     milestones: [{by: "2025", op: ">=", value: 60}]}
  - {id: TT-01, title: Thanh toán, area: procedures, metric: payment_rate,
     milestones: [{by: "2025", op: ">=", value: 40}]}
"""


def test_amends_keeps_the_amended_plans_other_targets(tmp_path):
    """An amendment changes one target and adds one; the amended plan's other targets stay
    in force with it (HUYEN-01 is judged in 2025-Q4 too), unlike a replacement."""
    write(tmp_path)
    (tmp_path / "amend.yaml").write_text(AMENDMENT, encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(tmp_path / "amend.yaml"), "--data",
                                       str(tmp_path / "data.yaml"), "--format", "json"])
    doc = json.loads(result.stdout)
    got = {(r["period"], r["target"]): (r["version"], r["threshold"]) for r in doc["results"]}
    assert got == {
        ("2025-Q2", "DVC-01"): ("thanh-hoa-cchc-2025-5137", 50),
        ("2025-Q2", "HUYEN-01"): ("thanh-hoa-cchc-2025-5137", 70),
        ("2025-Q4", "DVC-01"): ("thanh-hoa-cchc-2025-amended", 60),
        ("2025-Q4", "HUYEN-01"): ("thanh-hoa-cchc-2025-amended", 70),
        ("2025-Q4", "TT-01"): ("thanh-hoa-cchc-2025-amended", 40)}
    assert [v["relation"] for v in doc["versions"]] == [None, "amends"]
    kinds = {t["target"]: t["kind"] for t in doc["version_changes"][0]["targets"]}
    assert kinds == {"DVC-01": "changed", "TT-01": "added"}


def test_report_names_the_versions(tmp_path):
    write(tmp_path)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(tmp_path / "new.yaml"), "--data",
                                       str(tmp_path / "data.yaml"), "--format", "html",
                                       "--output", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<h3>Plans in force by date" in html
    assert ("<li>thanh-hoa-cchc-2025-2649 (Quyết định 2649/QĐ-UBND ngày 02/8/2025), from "
            "2025-08-02: periods 2025-Q4</li>") in html
    assert "dropped HUYEN-01; changed DVC-01; added TT-01</li>" in html
