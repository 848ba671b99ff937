"""`cchc test` through click: per-case lines, the summary line, --run, formats, exit codes."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from functools import partial
from pathlib import Path

import factory
import pytest
from click.testing import CliRunner
from factory import HAM_TAN

from cchc_rules.cli import main

ROOT = Path(__file__).resolve().parents[2]
CASE = """\
  - name: {name}
    reports:
      - unit: ham-tan
        period: 2024-Q1
        values: {{received: {received}, received_online: {received_online}, \
received_direct: {received_direct},
                 carried_over: {carried_over}}}
    expect:
      - {{target: TTHC-06, unit: ham-tan, period: 2024-Q1, status: {status}, actual: 5.003}}
"""


@pytest.fixture
def folder(tmp_path: Path, make_ruleset) -> Path:
    make_ruleset(name="plans/plan.yaml")
    return tmp_path / "plans"


def write(folder: Path, *cases: tuple[str, str], name: str = "plan.test.yaml") -> Path:
    text = "cases:\n" + "".join(CASE.format(name=n, status=s, **HAM_TAN) for n, s in cases)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


cchc = partial(factory.cchc, "test")


def test_passing_cases(folder: Path) -> None:
    path = write(folder, ("spec-example", "off_track"), ("again", "off_track"))
    result = cchc(str(folder))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"PASS {path}:2:5 spec-example"
    assert lines[-1] == "2 passed, 0 failed"


def test_a_failure_exits_1_with_its_place(folder: Path) -> None:
    path = write(folder, ("good", "off_track"), ("bad", "met"))
    result = cchc(str(path))
    assert result.exit_code == 1, result.output
    assert f"FAIL {path}:10:5 bad" in result.output
    assert f"{path}:17:9: error TST10 target TTHC-06 for ham-tan in 2024-Q1: status " \
           "off_track, test wants met" in result.output
    assert "1 passed, 1 failed" in result.output.splitlines()


def test_run_filters_and_no_test_ran_is_a_failure(folder: Path) -> None:
    write(folder, ("good", "off_track"), ("bad", "met"))
    result = cchc(str(folder), "--run", "^go")
    assert result.exit_code == 0, result.output
    assert "bad" not in result.output
    nothing = cchc(str(folder), "--run", "nothing-matches")
    assert nothing.exit_code == 1, nothing.output
    assert "0 passed, 0 failed" in nothing.output.splitlines()
    assert "no test ran" in nothing.output


def test_a_bad_test_file_exits_2_with_positions(folder: Path) -> None:
    path = write(folder, ("good", "off-track"))
    result = cchc(str(folder))
    assert result.exit_code == 2, result.output
    assert f"{path}:9:59:" in result.output and "did you mean 'off_track'" in result.output
    assert "Traceback" not in result.output


def test_errors_skips_and_their_line(folder: Path) -> None:
    write(folder, ("good", "off_track"))
    (folder / "other.yaml").write_text("ruleset: other\ntitle: T\nmetrics: {}\nwrong: 1\n",
                                       encoding="utf-8")
    broken = folder / "other.test.yaml"
    broken.write_text((CASE.format(name="err", status="met", **HAM_TAN) + "    skip: later\n").join(
        ["cases:\n", ""]) + CASE.format(name="err2", status="met", **HAM_TAN), encoding="utf-8")
    result = cchc(str(folder))
    assert result.exit_code == 2, result.output
    assert f"ERROR {broken}:11:5 err2" in result.output, result.output
    assert f"SKIP {broken}:2:5 err (later)" in result.output
    assert result.output.splitlines()[-2:] == ["1 passed, 0 failed", "1 errors, 1 skipped"]


def test_json_and_junit(folder: Path) -> None:
    path = write(folder, ("good", "off_track"), ("bad", "met"))
    out = cchc(str(folder), "--format", "json")
    assert out.exit_code == 1, out.output
    data = json.loads(out.output)
    assert data["summary"] == {"passed": 1, "failed": 1, "errors": 0, "skipped": 0}
    bad = data["cases"][1]
    assert (bad["name"], bad["status"], bad["line"]) == ("bad", "fail", 10)
    assert bad["problems"][0]["code"] == "TST10" and bad["problems"][0]["line"] == 17
    xml = cchc(str(folder), "--format", "junit")
    assert xml.exit_code == 1, xml.output
    suite = ET.fromstring(xml.output).find("testsuite")
    assert suite.get("name") == str(path) and suite.get("failures") == "1"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["good", "bad"]
    assert cases[1].find("failure") is not None and cases[1].get("line") == "10"


def test_a_ruleset_given_by_mistake(folder: Path) -> None:
    result = cchc(str(folder / "plan.yaml"))
    assert result.exit_code == 2, result.output
    assert "TST08 this is a ruleset, not a test file" in result.output
    assert "plan.test.yaml" in result.output


def test_usage_errors_exit_2(folder: Path) -> None:
    write(folder, ("good", "off_track"))
    assert cchc(str(folder), "--run", "(").exit_code == 2
    missing = cchc(str(folder / "absent"))
    assert missing.exit_code == 2 and "IO01" in missing.output, missing.output
    assert cchc().exit_code == 2


def test_shipped_rulesets_pass() -> None:
    result = cchc(str(ROOT / "rulesets"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("passed, 0 failed")


PLANNER_CSV = (  # Hàm Tân Q1/2024 (seed 001) as a planner types it: labels, thousands dots
    "unit,period,Tổng số hồ sơ tiếp nhận,Hồ sơ tiếp nhận trực tuyến,"
    "Hồ sơ tiếp nhận trực tiếp và qua bưu chính,Hồ sơ kỳ trước chuyển sang\n"
    "ham-tan,2024-Q1,4.917,246,2.180,2.491\n")
PLANNER_TEST = """\
cases:
  - name: planner-csv
    data: hamtan.csv
{extra}    expect:
      - {{target: TTHC-06, unit: ham-tan, period: 2024-Q1, status: off_track, actual: 5.003}}
"""


@pytest.mark.parametrize(("extra", "flags"), [
    ("", ["--decimal-comma"]),                          # the command line says so
    ("    decimal_comma: true\n", []),                  # the case says so
])
def test_cchc_test_reads_the_planners_csv_as_evaluate_does(folder, extra, flags):
    """Issue 23: the Vietnamese column labels and "4.917" read as `cchc evaluate
    --decimal-comma` reads them, through the same pipeline call."""
    (folder / "hamtan.csv").write_text(PLANNER_CSV, encoding="utf-8")
    test = folder / "plan.test.yaml"
    test.write_text(PLANNER_TEST.format(extra=extra), encoding="utf-8")
    evaluated = CliRunner().invoke(main, ["evaluate", str(folder / "plan.yaml"), "--data",
                                          str(folder / "hamtan.csv"), "--decimal-comma",
                                          "--format", "json"])
    row = next(r for r in json.loads(evaluated.stdout)["results"] if r["target"] == "TTHC-06")
    assert round(row["actual"], 3) == 5.003
    res = CliRunner().invoke(main, ["test", str(test), *flags])
    assert res.exit_code == 0, res.output
    assert "1 passed, 0 failed" in res.output
    without = CliRunner().invoke(main, ["test", str(test)]) if flags else None
    if without is not None:   # the same file without the flag: 4.917 is refused (DAT02)
        assert without.exit_code == 2 and "DAT02" in without.output


def test_cchc_test_takes_a_units_file(folder):
    (folder / "units.yaml").write_text(
        "units:\n  - {id: ham-tan, name: Huyện Hàm Tân, level: district}\n", encoding="utf-8")
    (folder / "hamtan.csv").write_text(PLANNER_CSV, encoding="utf-8")
    test = folder / "plan.test.yaml"
    test.write_text(PLANNER_TEST.format(extra="    units_file: units.yaml\n"
                                        "    decimal_comma: true\n"), encoding="utf-8")
    res = CliRunner().invoke(main, ["test", str(test)])
    assert res.exit_code == 0, res.output
    test.write_text(PLANNER_TEST.format(extra="    units_file: nowhere.yaml\n"),
                    encoding="utf-8")
    res = CliRunner().invoke(main, ["test", str(test)])
    assert res.exit_code == 2 and "TST05" in res.output and "nowhere.yaml" in res.output


def test_the_ca_mau_trial_checks_v3_fields_and_a_wrong_one_fails(tmp_path):
    """The shipped Cà Mau trial expects reason, covers, origin, fields and shares and a band
    by its title; a wrong reason or band fails at its line."""
    import shutil
    rulesets, examples = tmp_path / "rulesets" / "ca-mau", tmp_path / "examples" / "ca-mau"
    shutil.copytree(ROOT / "rulesets" / "ca-mau", rulesets)
    shutil.copytree(ROOT / "examples" / "ca-mau", examples)
    test = rulesets / "cchc-2025.test.yaml"
    assert CliRunner().invoke(main, ["test", str(test)]).exit_code == 0
    text = test.read_text(encoding="utf-8")
    test.write_text(text.replace("reason: before_baseline", "reason: level")
                    .replace("band: Xuất sắc", "band: Tốt"), encoding="utf-8")
    res = CliRunner().invoke(main, ["test", str(test)])
    assert res.exit_code == 1
    assert "reason before_baseline, test wants level" in res.output
    assert "band A, expected Tốt" in res.output
