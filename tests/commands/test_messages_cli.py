"""Messages in the planner's language at the command line: Vietnamese by default, English with
`--lang en` (on the group or on the command), CCHC_LANG=en or an English locale; the code,
the position and the words `error`/`warning` are the same in both."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_rules.cli import main

# The environment of a planner's machine with no preference (conftest sets CCHC_LANG=en).
PLAIN = {"CCHC_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"}
LINE = re.compile(r"^(?P<where>\S+): (?P<severity>error|warning) (?P<code>[A-Z]+[0-9]{2}) ")

RULESET = """\
ruleset: demo
title: Demo
metrics:
  received: {label: Hồ sơ tiếp nhận, unit: count}
  online: {label: Hồ sơ trực tuyến, unit: count}
targets:
  - id: T1
    title: Tỷ lệ trực tuyến
    area: procedures
    metric: online
    milestones: [{by: "2025", op: ">=", value: 50}]
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args: str, **env: str | None):
    return CliRunner().invoke(main, [str(a) for a in args], env={**PLAIN, **env},
                              prog_name="cchc")


def problems(stderr: str) -> list[tuple[str, str, str]]:
    return [(m["where"], m["severity"], m["code"]) for m in map(LINE.match, stderr.splitlines())
            if m]


@pytest.fixture
def bad_ruleset(tmp_path: Path) -> str:
    return write(tmp_path, "r.yaml", RULESET + "treshold: 1\n")


def test_an_error_is_vietnamese_by_default_and_english_with_lang_en(bad_ruleset):
    vi, en = run("validate", bad_ruleset), run("validate", bad_ruleset, "--lang", "en")
    assert vi.exit_code == en.exit_code == 2
    assert f"{bad_ruleset}:12:1: error SCH02 khoá lạ 'treshold'" in vi.stderr
    assert f"{bad_ruleset}:12:1: error SCH02 unknown key 'treshold'" in en.stderr
    assert "bộ chỉ tiêu không hợp lệ" in vi.stderr and "ruleset(s) invalid" in en.stderr
    assert problems(vi.stderr) == problems(en.stderr) == [(f"{bad_ruleset}:12:1", "error",
                                                           "SCH02")]


@pytest.mark.parametrize(("args", "env"), [
    (("--lang", "en", "validate"), {}),                    # on the group
    (("validate", "--lang", "en"), {}),                    # on the command
    (("validate",), {"CCHC_LANG": "en"}),
    (("validate",), {"LANG": "en_US.UTF-8"}),
    (("validate",), {"LC_MESSAGES": "en_GB.UTF-8"}),
    (("validate", "--lang", "en"), {"CCHC_LANG": "vi"}),   # the option wins
])
def test_english_on_request(bad_ruleset, args, env):
    result = run(*args, bad_ruleset, **env)
    assert "error SCH02 unknown key 'treshold'" in result.stderr


@pytest.mark.parametrize(("args", "env"), [
    (("validate",), {"LANG": "C"}),
    (("validate",), {"LANG": "POSIX"}),
    (("validate",), {"LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"}),  # LC_ALL decides
    (("validate", "--lang", "vi"), {"CCHC_LANG": "en"}),
    (("--lang", "en", "validate", "--lang", "vi"), {}),  # the command's own wins
])
def test_vietnamese_otherwise(bad_ruleset, args, env):
    result = run(*args, bad_ruleset, **env)
    assert "error SCH02 khoá lạ 'treshold'" in result.stderr


def test_one_run_does_not_leave_its_language_to_the_next(bad_ruleset):
    assert "unknown key" in run("--lang", "en", "validate", bad_ruleset).stderr
    assert "khoá lạ" in run("validate", bad_ruleset).stderr


def test_data_errors_name_the_same_cell_in_both_languages(tmp_path):
    rules = write(tmp_path, "r.yaml", RULESET)
    data = write(tmp_path, "d.csv", "unit,period,received,online\nham-tan,2024-Q1,4917,2x\n"
                 "ham-tan,2024-Q7,10,5\n")
    vi = run("evaluate", rules, "--data", data)
    en = run("evaluate", rules, "--data", data, "--lang", "en")
    assert vi.exit_code == en.exit_code == 2
    assert problems(vi.stderr) == problems(en.stderr) and len(problems(vi.stderr)) == 2
    assert "'2x' không phải là số" in vi.stderr and "'2x' is not a number" in en.stderr
    assert "'2024-Q7' không phải là kỳ báo cáo" in vi.stderr
    assert "'2024-Q7' is not a period" in en.stderr


def test_a_usage_error_keeps_its_code_and_translates_its_hint():
    vi, en = run("validate", "--lang", "fr", "x.yaml"), run("--lang", "en", "validat")
    assert vi.exit_code == 2 and vi.stderr.startswith("error USG03 ")
    assert "[xem 'cchc validate --help']" in vi.stderr
    assert en.exit_code == 2 and "error USG01 " in en.stderr and "[did you mean 'validate'?]" \
        in en.stderr
    assert "[ý bạn là 'validate'?]" in run("validat").stderr


def test_warnings_keep_the_word_warning(tmp_path):
    rules = write(tmp_path, "r.yaml", RULESET)
    data = write(tmp_path, "d.csv", "unit,period,received,online,extra\nham-tan,2025,10,6,1\n")
    vi = run("evaluate", rules, "--data", data)
    assert (f"{data}:2", "warning", "DAT20") in problems(vi.stderr)
    assert "chỉ số 'extra' không có trong bộ chỉ tiêu" in vi.stderr


def test_the_report_words_still_follow_the_commands_own_lang(tmp_path):
    rules = write(tmp_path, "r.yaml", RULESET)
    data = write(tmp_path, "d.csv", "unit,period,received,online\nham-tan,2025,10,6\n")
    assert "Trạng thái" in run("evaluate", rules, "--data", data).stdout
    english = run("evaluate", rules, "--data", data, "--lang", "en").stdout
    assert "Status" in english and "Trạng thái" not in english
    # the messages alone in English: the table keeps its default, Vietnamese
    assert "Trạng thái" in run("--lang", "en", "evaluate", rules, "--data", data).stdout


# The Vietnamese halves of hints that were written in both languages before the catalogue
# (their English halves stay asserted in test_data_messages.py and test_data_trust.py).

def test_a_label_cut_at_its_comma_says_to_quote_it_in_vietnamese(tmp_path):
    ruleset = write(tmp_path, "r.yaml", RULESET.replace(
        "  received: {label: Hồ sơ tiếp nhận, unit: count}",
        "  received: {label: Điểm (tối đa 61,5), unit: score}"))
    [line] = [x for x in run("validate", ruleset).stderr.splitlines() if "SCH02" in x]
    assert line.startswith(f"{ruleset}:4:37: error SCH02 khoá lạ '5)'")
    assert 'đặt nhãn trong dấu ngoặc kép: label: "Điểm (tối đa 61,5)"' in line


def test_a_vietnamese_thousands_count_is_explained_in_vietnamese(tmp_path):
    rules = write(tmp_path, "r.yaml", RULESET)
    data = write(tmp_path, "d.yaml", 'reports:\n  - unit: nt\n    period: "2025"\n'
                 "    values: {received: 16.298, online: 37}\n")
    [line] = [x for x in run("evaluate", rules, "--data", data).stderr.splitlines()
              if "DAT02" in x]
    assert "16.298 viết theo kiểu Việt Nam là 16298? hãy viết 16298" in line


def test_a_fractional_count_is_explained_in_vietnamese(tmp_path):
    rules = write(tmp_path, "r.yaml", RULESET)
    data = write(tmp_path, "d.csv", "unit,period,received,online\nnt,2025,16.5,3\n")
    [line] = [x for x in run("evaluate", rules, "--data", data).stderr.splitlines()
              if "DAT21" in x]
    assert "số đếm phải là số nguyên" in line
