"""`cchc_rules.testing`: loading *.test.yaml files (positions, did-you-mean), running cases
against the real engine, and comparing results, checks and metric values."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from factory import HAM_TAN as Q1
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules import testing
from cchc_rules.errors import CchcError

HAM_TAN = f"""\
    reports:
      - unit: ham-tan
        period: 2024-Q1
        values: {{received: {Q1['received']}, received_online: {Q1['received_online']}, \
received_direct: {Q1['received_direct']},
                 carried_over: {Q1['carried_over']}}}
"""
GOOD = f"""\
ruleset: plan.yaml
cases:
  - name: spec-example
{HAM_TAN}    expect:
      - {{target: TTHC-06, unit: ham-tan, period: 2024-Q1, status: off_track, actual: 5.003,
         expected: 33.354, gap: -44.997, threshold: 50, deadline: "2025"}}
      - {{check: received-breakdown, unit: ham-tan, period: 2024-Q1, status: pass}}
      - {{metric: online_rate, unit: ham-tan, period: 2024-Q1, value: 5.003}}
"""


@pytest.fixture
def write(tmp_path: Path, make_ruleset):
    make_ruleset(name="plan.yaml")

    def write(text: str, name: str = "plan.test.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


def problems(path: Path) -> list[str]:
    with pytest.raises(CchcError) as err:
        testing.load_test_file(path)
    return [p.format() for p in err.value.problems]


def run_one(path: Path) -> testing.CaseResult:
    test_file = testing.load_test_file(path)
    return testing.run_case(test_file, test_file.cases[0])


def test_spec_example_passes(write) -> None:
    result = run_one(write(GOOD))
    assert result.status == "pass", result.describe()


def test_ruleset_defaults_to_the_file_beside_it(write) -> None:
    path = write(GOOD.replace("ruleset: plan.yaml\n", ""))
    assert testing.load_test_file(path).ruleset == path.with_name("plan.yaml")


def test_a_wrong_expectation_fails_at_its_line(write) -> None:
    path = write(GOOD.replace("status: off_track", "status: on_track").replace(
        "value: 5.003", "value: 10.14"))
    result = run_one(path)
    assert result.status == "fail"
    text = result.describe()
    assert f"{path}:10:9:" in text and "status off_track, test wants on_track" in text, text
    assert f"{path}:13:" in text and "value 5.00305, test wants 10.14" in text, text
    assert result.describe().startswith(f"FAIL {path}:3:")


def test_numbers_compare_within_the_tolerance(write) -> None:
    tight = GOOD.replace("actual: 5.003,", "actual: 5.003, tolerance: 0.00001,")
    assert run_one(write(tight)).status == "fail"
    loose = GOOD.replace("value: 5.003}", "value: 5.1, tolerance: 0.2}")
    assert run_one(write(loose)).status == "pass"
    file_wide = "tolerance: 0.000001\n" + GOOD
    assert run_one(write(file_wide)).status == "fail"


def test_a_misspelt_metric_explains_the_failure(write) -> None:
    result = run_one(write(GOOD.replace("received_online: 246", "recieved_online: 246")))
    assert result.status == "fail"
    warning = [p for p in result.problems if p.severity == "warning"]
    assert warning and warning[0].pos.file == str(result.file.path), result.describe()
    assert "recieved_online" in warning[0].message and warning[0].pos.line == 7


def test_missing_results_are_named(write) -> None:
    text = GOOD.replace("target: TTHC-06, unit: ham-tan", "target: TTHC-06, unit: la-gi")
    result = run_one(write(text))
    assert "target TTHC-06 for la-gi in 2024-Q1: no result" in result.describe()


def test_summary_counts(write) -> None:
    text = GOOD.replace("    expect:", "    summary: {off_track: 1, check_pass: 1, met: 1}\n"
                        "    expect:")
    result = run_one(write(text))
    assert result.status == "fail"
    assert "summary: met is 0, test wants 1" in result.describe()
    assert "off_track" not in result.describe()


def test_skip_and_select(write) -> None:
    text = GOOD + """\
  - name: later
    skip: waiting for the 2025 report
    expect:
      - {target: TTHC-06, unit: ham-tan, period: "2025", status: met}
"""
    test_file = testing.load_test_file(write(text))
    results = testing.run([test_file])
    assert [r.status for r in results] == ["pass", "skip"]
    assert "(waiting for the 2025 report)" in results[1].describe()
    assert [c.name for _, c in testing.select([test_file], "^lat")] == ["later"]
    assert testing.counts(results) == {"passed": 1, "failed": 0, "errors": 0, "skipped": 1}


def test_unknown_keys_get_positions_and_suggestions(write) -> None:
    text = GOOD.replace("  - name: spec-example", "  - name: spec-example\n    expcet: []")
    text = text.replace("status: pass}", "stauts: pass}")
    found = problems(write(text))
    assert any(":4:5: error TST01 unknown key 'expcet'" in p and "did you mean 'expect'" in p
               for p in found), found
    assert any("TST01 unknown key 'stauts'" in p and "did you mean 'status'" in p
               for p in found), found


def test_expectations_are_checked_for_sense(write) -> None:
    text = GOOD.replace("status: off_track", "status: off-track").replace(
        "{check: received-breakdown,", "{check: received-breakdown, target: X,").replace(
        "value: 5.003}", "status: met}")
    found = "\n".join(problems(write(text)))
    assert "unknown target status 'off-track'" in found and "did you mean 'off_track'" in found
    assert "exactly one of 'target', 'check' or 'metric'" in found
    assert "'status' does not apply to a metric expectation" in found


def test_missing_files_and_empty_cases(write) -> None:
    text = """\
ruleset: nowhere.yaml
cases:
  - name: a
    data: [missing.csv]
    expect:
      - {target: T, unit: u, period: "2024", status: met}
  - name: b
    expect:
      - {target: T, unit: u, period: "2024", status: met}
"""
    found = "\n".join(problems(write(text)))
    assert ":1:10: error TST04 ruleset" in found, found
    assert ":4:12: error TST05 data file 'missing.csv' not found" in found, found
    assert ":7:5: error TST06 a case needs figures" in found, found
    empty = "\n".join(problems(write(GOOD.split("    expect:")[0] + "    expect: []\n")))
    assert ":9:13: error TST03 'expect' must not be empty" in empty, empty


def test_bad_inline_figures_point_into_the_test_file(write) -> None:
    text = GOOD.replace("received: 4917,", "received: bốn nghìn,")
    result = run_one(write(text))
    assert result.status == "error"
    where = [str(p.pos) for p in result.problems]
    assert f"{result.file.path}:7:28" in where, where


def test_inline_figures_first_in_a_case_or_in_flow_style(write) -> None:
    first = GOOD.replace("  - name: spec-example\n    reports:", "  - reports:").replace(
        "    expect:", "    name: spec-example\n    expect:")
    assert run_one(write(first)).status == "pass"
    flow = GOOD.split("  - name")[0] + "  - {name: f, reports: [{unit: u, period: '2024', " \
        "values: {received: 1}}], expect: [{metric: received, unit: u, period: '2024', " \
        "value: 1}]}\n"
    result = run_one(write(flow))
    assert result.status == "error" and "TST07" in result.describe(), result.describe()


def test_inline_figures_end_before_a_later_top_level_key(write) -> None:
    assert run_one(write(GOOD + "tolerance: 0.01\n")).status == "pass"


def test_a_broken_ruleset_is_an_error(write, tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text("ruleset: x\ntitle: X\nmetrics: {}\nbogus: 1\n",
                                        encoding="utf-8")
    result = run_one(write(GOOD))
    assert result.status == "error"
    assert "bogus" in result.describe()


def test_find_test_files(tmp_path: Path, write) -> None:
    (tmp_path / "a/b").mkdir(parents=True)
    write(GOOD, "a/one.test.yaml")
    write(GOOD, "a/b/two.test.yml")
    write("x: 1\n", "a/plain.yaml")
    found = testing.find_test_files([tmp_path / "a", tmp_path / "a/one.test.yaml"])
    assert sorted(p.name for p in found) == ["one.test.yaml", "two.test.yml"]
    with pytest.raises(CchcError) as err:
        testing.find_test_files([tmp_path / "absent"])
    assert err.value.problems[0].code == "IO01"


@given(st.floats(-1e9, 1e9), st.floats(-1e9, 1e9), st.floats(0, 1e3))
def test_closeness_is_symmetric_and_reflexive(a: float, b: float, tol: float) -> None:
    assert testing._close(a, b, tol) == testing._close(b, a, tol)
    assert testing._close(a, a, 0)
    assert testing._close([a, b], (a, b), 0)
    assert not testing._close(None, a, tol) and testing._close(None, None, 0)


KEYS = ["ruleset", "tolerance", "cases", "name", "data", "units", "reports", "expect",
        "target", "check", "metric", "unit", "period", "status", "actual", "threshold",
        "value", "skip", "summary", "x"]
SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False,
                                                                   allow_infinity=False) \
    | st.sampled_from(["met", "off-track", "2024", "plan.yaml", "", "ham-tan"])
DOCS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4), max_leaves=12)


@settings(max_examples=150)
@given(doc=DOCS)
def test_any_document_loads_or_gives_our_own_error(tmp_path_factory, doc) -> None:
    path = tmp_path_factory.mktemp("t") / "any.test.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    (path.parent / "any.yaml").write_text("ruleset: a\n", encoding="utf-8")
    try:
        testing.load_test_file(path)
    except CchcError as err:
        assert err.problems and all(p.pos is not None for p in err.problems)
