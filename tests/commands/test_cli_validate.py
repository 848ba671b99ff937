"""`cchc validate` and `cchc schema` through the CLI: exit codes, one line per problem."""
from __future__ import annotations

import glob
import json
import re
from pathlib import Path

import pytest
from factory import cchc

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^.+:\d+(:\d+)?: error [A-Z]{2,4}\d\d .+$")


run = cchc


def test_valid_ruleset_exits_0(make_ruleset):
    path = make_ruleset()
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"ok {path} (6 metrics, 1 checks, 2 targets)\n"
    assert result.stderr == ""


def test_one_bad_file_among_good_ones_exits_2(make_ruleset):
    good = make_ruleset(name="good.yaml")
    bad = make_ruleset(name="bad.yaml", ruleset="Bad Id")
    result = run("validate", str(good), str(bad))
    assert result.exit_code == 2, result.output
    assert f"ok {good}" in result.stdout and str(bad) not in result.stdout
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{bad}:1:10: error SCH05 'ruleset'"), result.stderr
    assert lines[-1] == "1 of 2 ruleset(s) invalid"


TEN_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))

BAD = {
    "python-tag": ('ruleset: r\ntitle: !!python/object/apply:os.system ["touch pwned"]\n',
                   "YAML03", ":2:8"),
    "duplicate-key": ("ruleset: r\ntitle: a\ntitle: b\n", "YAML02", ":3:1"),
    "unknown-key": ("ruleset: r\ntitle: t\nmetric: {}\n", "SCH02", ":3:1"),
    "number-as-text": ("ruleset: r\ntitle: t\nmetrics: {x: {label: x, unit: count}}\ntargets:\n"
                       "  - {id: T, title: t, area: procedures, metric: x,\n"
                       "     milestones: [{by: \"2025\", op: \">=\", value: tám mươi}]}\n",
                       "SCH01", ":6:49"),
    "formula-attribute": ("ruleset: r\ntitle: t\nmetrics:\n  x: {label: x, unit: count, "
                          "formula: x.__class__}\n", "FRM02", ":4:40"),
    "formula-import": ("ruleset: r\ntitle: t\nmetrics:\n  x: {label: x, unit: count, "
                       "formula: \"__import__('os')\"}\n", "FRM", ":4:"),
    "unknown-metric": ("ruleset: r\ntitle: t\nmetrics:\n  x: {label: x, unit: count, "
                       "formula: y + 1}\n", "SEM05", ":4:39"),
    "derived-cycle": ("ruleset: r\ntitle: t\nmetrics:\n  x: {label: x, unit: count, "
                      "formula: x + 1}\n", "FRM20", ":4:39"),
    "extends-missing": ("ruleset: r\ntitle: t\nextends: [nope.yaml]\n", "EXT01", ":3:11"),
    "extends-cycle": ("ruleset: r\ntitle: t\nextends: [bad.yaml]\n", "EXT02", ":3:11"),
    "empty": ("", "YAML07", ":1:1"),
    "non-utf8": ("ruleset: r\ntitle: Đà\n".encode("cp1258"), "YAML06", ":2:8"),
    "tab": ("ruleset: r\n\ttitle: t\n", "YAML05", ":2:1"),
    "alias-bomb": (TEN_LAUGHS, "YAML04", ":"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_exits_2_with_a_positioned_line(make_ruleset, tmp_path, monkeypatch, name):
    content, code, where = BAD[name]
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = run("validate", "bad.yaml")
    assert result.exit_code == 2, result.output
    problems = result.stderr.splitlines()[:-1]
    assert problems and all(LINE.match(line) for line in problems), result.stderr
    assert any(line.startswith(f"bad.yaml{where}") and f"error {code}" in line
               for line in problems), result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "pwned").exists()


def test_fifty_megabyte_file_is_refused_quickly(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(b"values: [" + b"1, " * (50 * 1024 * 1024 // 3) + b"1]\n")
    result = run("validate", str(path))
    assert result.exit_code == 2, result.output
    assert "error YAML08 file is too large" in result.stderr


def test_missing_file_exits_2(tmp_path):
    result = run("validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2, result.output
    assert "error IO01 file not found" in result.stderr


def test_no_arguments_is_a_usage_error():
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr.startswith("error USG02 Missing argument 'RULESETS...'"), result.stderr


def test_conformance_cycle_case():
    case = ROOT / "tests" / "conformance" / "validate-cycle" / "ruleset.yaml"
    result = run("validate", str(case))
    assert result.exit_code == 2, result.output
    assert f"{case}:8:14: error FRM20" in result.stderr


SHIPPED = sorted(f for f in glob.glob(str(ROOT / "rulesets" / "**" / "*.yaml"), recursive=True)
                 if not f.endswith(".test.yaml"))


@pytest.mark.skipif(not SHIPPED, reason="no shipped rulesets yet")
def test_shipped_rulesets_are_valid():
    result = run("validate", *SHIPPED)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\nok ") + result.stdout.startswith("ok ") == len(SHIPPED)


def test_schema_command_prints_the_shipped_schema():
    result = run("schema")
    assert result.exit_code == 0, result.output
    shipped = (ROOT / "schema" / "ruleset.schema.json").read_text(encoding="utf-8")
    assert result.stdout == shipped
    assert json.loads(result.stdout)["$schema"].endswith("draft-07/schema#")


DOCS = ROOT / "docs"


def yaml_blocks(page: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", (DOCS / page).read_text(encoding="utf-8"), re.S)


def test_complete_examples_in_the_format_page_are_valid(tmp_path):
    complete = [b for b in yaml_blocks("ruleset-format.md") if re.search(r"^ruleset:", b, re.M)]
    assert len(complete) >= 2
    national = ROOT / "rulesets" / "national" / "nq76-2021-2030.yaml"
    (tmp_path / "national").mkdir()
    (tmp_path / "national" / national.name).write_bytes(national.read_bytes())
    (tmp_path / "plan").mkdir()
    for n, block in enumerate(complete):
        path = tmp_path / "plan" / f"example{n}.yaml"
        path.write_text(block, encoding="utf-8")
        result = run("validate", str(path))
        assert result.exit_code == 0, f"example {n}:\n{block}\n{result.output}"


def test_every_code_we_emit_is_documented():
    sources = [ROOT / "cchc_rules" / f for f in (
        "load.py", "ruleset/schema.py", "ruleset/loader.py")]
    emitted = set(re.findall(r"\"((?:YAML|SCH|SEM|EXT|IO)\d\d)\"",
                             "".join(p.read_text(encoding="utf-8") for p in sources)))
    assert len(emitted) >= 20
    page = (DOCS / "validate.md").read_text(encoding="utf-8")
    assert [c for c in sorted(emitted) if f"**{c}**" not in page] == []


def test_a_directory_stands_for_its_rulesets(make_ruleset, tmp_path):
    make_ruleset(name="rules/a.yaml")
    make_ruleset(name="rules/sub/b.yml")
    make_ruleset(name="rules/a.test.yaml", text="not: a ruleset\n")
    result = run("validate", str(tmp_path / "rules"))
    assert result.exit_code == 0, result.output
    assert [line.split()[1] for line in result.stdout.splitlines()] == [
        str(tmp_path / "rules" / "a.yaml"), str(tmp_path / "rules" / "sub" / "b.yml")]


def test_warnings_go_to_stderr_and_keep_exit_0(make_ruleset, base_ruleset):
    base_ruleset["targets"][0]["levels"] = ["provnice"]
    result = run("validate", str(make_ruleset(**base_ruleset)))
    assert result.exit_code == 0, result.output
    assert "warning SEM07 level 'provnice'" in result.stderr
    assert result.stdout.startswith("ok ")
