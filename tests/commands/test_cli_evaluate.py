"""`cchc evaluate` through click: formats, --output, filters, --fail-on and exit codes."""
from __future__ import annotations

import json
from functools import partial

import factory
import pytest
from factory import HAM_TAN, report, target

cchc = partial(factory.cchc, "evaluate")


def test_off_track_exits_1_and_prints_the_table(files):
    res = cchc(*files())
    assert res.exit_code == 1, res.output
    assert "Chậm tiến độ" in res.output and "Huyện Hàm Tân" in res.output


def test_nothing_failing_exits_0(files):
    args = files(defs=[target("LATE", "late_rate", ("2025", "<=", 5))])
    res = cchc(*args, "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["summary"]["pending"] == 2


def test_failed_check_alone_exits_1_unless_fail_on_says_otherwise(files):
    args = files(defs=[], reports=[report("xa-moi", "2024", **{**HAM_TAN, "received": 4971})])
    assert cchc(*args).exit_code == 1
    res = cchc(*args, "--fail-on", "not_met")
    assert res.exit_code == 0, res.output


def test_fail_on_chooses_statuses(files):
    args = files()
    assert cchc(*args, "--fail-on", "not_met,invalid").exit_code == 0
    assert cchc(*args, "--fail-on", "pending,off_track").exit_code == 1


def test_output_file_written_atomically_and_stdout_empty(files, tmp_path):
    out = tmp_path / "ket-qua.csv"
    res = cchc(*files(), "--format", "csv", "--output", str(out))
    assert res.exit_code == 1, res.output
    assert res.output == ""
    assert out.read_text("utf-8").startswith("target,unit,period")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.yaml", "ket-qua.csv", "r.yaml"]


def test_filters_and_junit(files):
    res = cchc(*files(), "--unit", "ham-tan", "--period", "2024-Q1", "--target", "TTHC-06",
               "--format", "junit", "--lang", "en")
    assert res.exit_code == 1, res.output
    assert res.output.count("<testcase") == 2 and "binh-thuan" not in res.output


@pytest.mark.parametrize(("extra", "message"), [
    (["--unit", "ham-ta"], "did you mean 'ham-tan'?"),
    (["--period", "2024-Q2"], "EVL01 no figures for period '2024-Q2'"),
    (["--period", "2024-Q5"], "EVL01 unknown period '2024-Q5' [did you mean '2024-Q1'?]"),
    (["--target", "TTHC-6"], "did you mean 'TTHC-06'?"),
    (["--fail-on", "offtrack"], "did you mean 'off_track'?"),
    (["--format", "xml"], "Invalid value for '--format'"),
])
def test_bad_options_exit_2(files, extra, message):
    res = cchc(*files(), *extra)
    assert res.exit_code == 2, res.output
    assert message in res.output


def test_bad_inputs_exit_2_with_positions(files, tmp_path):
    args = files()
    (tmp_path / "bad.csv").write_text("unit,period,received\nham-tan,2024-Q5,4.917\n", "utf-8")
    res = cchc(args[0], "--data", str(tmp_path / "bad.csv"))
    assert res.exit_code == 2, res.output
    assert "bad.csv:2" in res.output and "Traceback" not in res.output
    res = cchc(args[0], "--data", str(tmp_path / "missing.yaml"))
    assert res.exit_code == 2, res.output
    assert cchc(args[0]).exit_code == 2  # --data is required


def test_unknown_metric_in_data_is_a_warning_on_stderr(files, tmp_path):
    args = files()
    (tmp_path / "more.csv").write_text("unit,period,metric,value\nxa-moi,2024,nhan_vien,3\n",
                                       "utf-8")
    res = cchc(*args, "--data", str(tmp_path / "more.csv"), "--format", "json")
    assert res.exit_code == 1, res.output
    assert "nhan_vien" in res.stderr and "warning" in res.stderr
    assert json.loads(res.stdout)["ruleset"] == "cli"


def test_ruleset_warnings_go_to_stderr(files):
    near_miss = target("CUT", "cut_rate", ("2021", ">=", 10), levels=["distric"])
    res = cchc(*files(defs=[near_miss]), "--format", "json")
    assert res.exit_code == 0, res.output
    assert "warning SEM07" in res.stderr and "did you mean 'district'?" in res.stderr
    assert json.loads(res.stdout)["summary"]["met"] == 0
