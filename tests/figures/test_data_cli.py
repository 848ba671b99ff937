"""Reported figures through `cchc evaluate`: bad data exits 2 with every problem on stderr,
warnings keep the run going, --decimal-comma and --units reach the reader."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_rules.cli import main

DATA = Path(__file__).parents[1] / "data"
CASE = Path(__file__).parents[1] / "conformance" / "rollup-sums-not-averages"


def evaluate(*args: str):
    return CliRunner().invoke(main, ["evaluate", str(CASE / "ruleset.yaml"), *args])


def write(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path / name)


def test_vietnamese_numbers_exit_2_without_the_flag_and_read_with_it(tmp_path):
    data = write(tmp_path, "d.csv", "unit,period,received,received_online\n"
                 "ham-tan,2024,\"4.917\",\"1.230\"\n")
    result = evaluate("--data", data, "--format", "json")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("error DAT02") == 2
    assert f"{data}:2: error DAT02 'received' for ham-tan in 2024" in result.stderr
    result = evaluate("--data", data, "--decimal-comma", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    [row] = json.loads(result.stdout)["results"]
    assert row["actual"] == pytest.approx(1230 / 4917 * 100)


def test_every_problem_of_every_file_at_once(tmp_path):
    a = write(tmp_path, "a.yaml", "reports:\n"
              "  - {unit: d1, period: 2024-q1, values: {received: -1}}\n")
    b = write(tmp_path, "b.csv", "unit,period,received\nd3,2024,nan\n")
    result = evaluate("--data", a, "--data", b, "--units", str(CASE / "data.yaml"))
    assert result.exit_code == 2, result.output
    stderr = result.stderr
    assert "DAT04 'received' for d1 in 2024-q1 is -1, but a count cannot be negative" in stderr
    assert f"{b}:2: error DAT03" in stderr
    assert "warning UNT09 the units file also has 'reports:'" in stderr  # units read only


def test_warnings_do_not_stop_the_run(tmp_path):
    data = write(tmp_path, "d.yaml", "reports:\n  - {unit: p, period: '2024', values: "
                 "{received: 1000, received_online: 180, recieved_direct: 820}}\n")
    result = evaluate("--data", data, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    assert "warning DAT20 metric 'recieved_direct' is not in the ruleset" in result.stderr
    assert json.loads(result.stdout)["results"][0]["actual"] == 18
