"""Issue 15, messages that misled: each names what the reader needs, through the real CLI."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_rules.cli import main

RULESET = """\
ruleset: msgs
title: Messages
metrics:
  received: {label: Hồ sơ tiếp nhận, unit: count}
  received_online: {label: Hồ sơ trực tuyến, unit: count}
  online_rate: {label: Tỷ lệ trực tuyến, unit: percent, formula: received_online / received * 100}
targets:
  - {id: TTHC-06, title: Trực tuyến, area: procedures, metric: online_rate,
     milestones: [{by: "2025", op: ">=", value: 50}]}
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def report(received: int, online: int) -> str:
    return ("reports:\n  - {unit: ham-tan, period: 2024-Q1, "
            f"values: {{received: {received}, received_online: {online}}}}}\n")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def evaluate(tmp_path: Path, *args: str):
    return run("evaluate", write(tmp_path, "ruleset.yaml", RULESET), *args)


def test_a_bad_period_says_which_figures_use_it(tmp_path):
    data = write(tmp_path, "d.csv", "unit,period,received,received_online\n"
                 "ham-tan,Q1/2024,4917,246\nham-tan,Q1/2024,4917,246\nla-gi,2024,10,1\n")
    result = evaluate(tmp_path, "--data", data)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{data}:2: error PER01 'Q1/2024' is not a period")
    assert "(used by 4 figures, of received, received_online; the first is here)" in line
    assert "(4 figures)" not in line


def test_many_metrics_are_cut_with_a_count(tmp_path):
    ruleset = RULESET.replace("metrics:\n", "metrics:\n" + "".join(
        f"  m{i}: {{label: M{i}, unit: count}}\n" for i in range(5)))
    data = write(tmp_path, "d.yaml", "reports:\n  - unit: ham-tan\n    period: 2024/13\n"
                 "    values: {m0: 1, m1: 2, m2: 3, m3: 4, m4: 5}\n")
    result = run("evaluate", write(tmp_path, "r.yaml", ruleset), "--data", data)
    assert result.exit_code == 2
    assert "(used by 5 figures, of m0, m1, m2 and 2 more metrics; the first is here)" \
        in result.stderr


def test_one_figure_needs_no_count(tmp_path):
    data = write(tmp_path, "d.csv", "unit,period,received\nham-tan,2024-Q5,4917\n")
    result = evaluate(tmp_path, "--data", data)
    assert result.exit_code == 2
    assert "used by" not in result.stderr and "PER01" in result.stderr


def test_an_empty_data_file_hint_speaks_of_data(tmp_path):
    data = write(tmp_path, "empty.yaml", "# nothing yet\n")
    result = evaluate(tmp_path, "--data", data)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{data}:1:1: error YAML07 file is empty")
    assert "reports:" in line and "ruleset" not in line


def test_an_empty_ruleset_hint_still_speaks_of_rulesets(tmp_path):
    result = run("validate", write(tmp_path, "empty.yaml", ""))
    assert result.exit_code == 2
    assert "a ruleset starts with" in result.stderr


@pytest.mark.parametrize(("first", "second"), [("1", "true"), ("true", "1"), ("1", "1.0")])
def test_keys_that_python_merges_are_reported_as_written(tmp_path, first, second):
    data = write(tmp_path, "d.yaml", "reports:\n  - unit: ham-tan\n    period: 2024-Q1\n"
                 f"    values:\n      {first}: 3\n      {second}: 4\n")
    result = evaluate(tmp_path, "--data", data)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{data}:6:7: error YAML02 duplicate key '{second}' ['{first}' is "
                           "already given at line 5")
    assert "True" not in line


def test_a_plain_duplicate_key_message_is_unchanged(tmp_path):
    data = write(tmp_path, "d.yaml", "reports:\n  - unit: ham-tan\n    period: 2024-Q1\n"
                 "    values:\n      received: 3\n      received: 4\n")
    result = evaluate(tmp_path, "--data", data)
    assert f"{data}:6:7: error YAML02 duplicate key 'received' ['received' is already " \
           "given at line 5]" in result.stderr


def test_a_data_file_with_units_is_accepted_as_the_units_file(tmp_path):
    units = "units:\n  - {id: ham-tan, name: Huyện Hàm Tân}\n"
    both = write(tmp_path, "both.yaml", units + report(9, 9))
    data = write(tmp_path, "d.yaml", report(4917, 246))
    result = evaluate(tmp_path, "--data", data, "--units", both, "--format", "json")
    assert result.exit_code == 0, result.output  # pending; its reports (9 of 9) not read
    assert "DAT11" not in result.stderr
    [note] = result.stderr.splitlines()
    assert note.startswith(f"{both}:3:1: warning UNT09 the units file also has 'reports:'")
    import json
    [row] = json.loads(result.stdout)["results"]
    assert row["actual"] == pytest.approx(246 / 4917 * 100)


def test_other_sections_of_a_units_file_are_still_errors(tmp_path):
    units = write(tmp_path, "u.yaml", "units:\n  - {id: ham-tan}\nreprots: []\n")
    data = write(tmp_path, "d.yaml", "reports:\n  - {unit: ham-tan, period: 2024-Q1, "
                 "values: {received: 4917}}\n")
    result = evaluate(tmp_path, "--data", data, "--units", units)
    assert result.exit_code == 2
    assert "error DAT11 unknown section 'reprots'" in result.stderr


def test_a_label_cut_at_its_comma_says_to_quote_it(tmp_path):
    ruleset = write(tmp_path, "r.yaml", RULESET.replace(
        "  received: {label: Hồ sơ tiếp nhận, unit: count}",
        "  received: {label: Điểm (tối đa 61,5), unit: score}"))
    result = run("validate", ruleset)
    assert result.exit_code == 2
    [line] = [x for x in result.stderr.splitlines() if "SCH02" in x]
    assert line.startswith(f"{ruleset}:4:37: error SCH02 unknown key '5)'")
    assert 'quote the label: label: "Điểm (tối đa 61,5)"' in line  # vi: test_messages_cli.py


def test_a_block_mapping_typo_keeps_its_did_you_mean(tmp_path):
    ruleset = write(tmp_path, "r.yaml", RULESET.replace(
        "  received: {label: Hồ sơ tiếp nhận, unit: count}",
        "  received:\n    label: Hồ sơ\n    unit: count\n    descripton:"))
    result = run("validate", ruleset)
    assert "unknown key 'descripton' [did you mean 'description'?]" in result.stderr
    assert "ngoặc kép" not in result.stderr


def test_a_title_cut_at_its_comma_names_the_title(tmp_path):
    ruleset = write(tmp_path, "r.yaml", RULESET.replace("title: Trực tuyến,",
                                                       "title: Trực tuyến (huyện, xã),"))
    result = run("validate", ruleset)
    assert 'quote the label: title: "Trực tuyến (huyện, xã)"' in result.stderr
