"""Messages about periods and selections (issue 10): a derivable period is derived, an
underivable one names the sub-periods it lacks (for the unit asked about), and a selection
that finds nothing says why instead of printing a bare "Tổng hợp: Không có."."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_rules.cli import main
from cchc_rules.errors import CchcError
from cchc_rules.evaluation.evaluator import evaluate
from cchc_rules.figures.data import read_data
from cchc_rules.render.explain import explain
from cchc_rules.ruleset import load_ruleset
from tests.factory import FLOW_RULESET

RULESET = FLOW_RULESET
DATA = """\
unit,period,received,on_time
khanh-hoa,2024,100,95
ham-tan,2025-Q1,100,90
ham-tan,2025-Q2,100,80
ham-tan,2025-Q4,100,80
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    return tmp_path / "r.yaml", tmp_path / "d.csv"


def _error(files, **filters) -> object:
    rules, data = files
    with pytest.raises(CchcError) as err:
        evaluate(load_ruleset(rules), read_data([data]), **filters)
    (problem,) = err.value.problems
    return problem


def _cli(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_half_year_is_derived_from_its_two_quarters(files):
    rules, data = files
    ev = evaluate(load_ruleset(rules), read_data([data]), periods=["2025-H1"])
    (row,) = ev.records()
    assert (row["period"], row["actual"], row["origin"]) == ("2025-H1", 85, "derived_time")


def test_an_underivable_half_year_names_its_missing_quarter_and_no_other(files):
    problem = _error(files, periods=["2025-H2"])
    assert problem.code == "EVL01" and "no figures for 2025-Q3" in problem.message
    assert "2025-Q4" not in problem.message and "did you mean" not in (problem.hint or "")


def test_the_unit_asked_about_gets_its_own_missing_parts(files):
    problem = _error(files, periods=["2025"], units=["ham-tan"])
    assert problem.code == "EVL01"
    assert problem.message == ("no figures for ham-tan in period '2025', and it cannot be "
                               "derived: no figures for 2025-Q3")


def test_a_unit_without_figures_in_the_period_says_so(files):
    problem = _error(files, periods=["2025"], units=["khanh-hoa"])
    assert (problem.code, problem.message) == (
        "EVL10", "no result for khanh-hoa in 2025: the unit has no figures in that period")
    assert problem.hint == "khanh-hoa has figures for 2024"
    # both exist, the pair does not: the same, never an empty table
    problem = _error(files, periods=["2025-Q1"], units=["khanh-hoa"])
    assert problem.code == "EVL10" and "khanh-hoa in 2025-Q1" in problem.message


def test_a_unit_that_no_longer_existed_says_when_it_ended(tmp_path, files):
    rules, data = files
    units = tmp_path / "units.yaml"
    units.write_text("units:\n  - {id: ham-tan, name: Hàm Tân, valid_to: 2025-06-30}\n"
                     "  - {id: khanh-hoa, name: Khánh Hòa}\n", encoding="utf-8")
    with pytest.raises(CchcError) as err:   # its 2025-Q4 figure lies outside its validity
        evaluate(load_ruleset(rules), read_data([data], units_file=units),
                 periods=["2025-Q4"], units=["ham-tan"])
    (problem,) = err.value.problems
    assert (problem.code, problem.message) == (
        "EVL10", "no result for ham-tan in 2025-Q4: the unit did not exist in that period "
        "(valid to 2025-06-30)")


def test_the_cli_exits_2_with_one_line(files):
    res = _cli("evaluate", *files[:1], "--data", files[1], "--unit", "khanh-hoa",
               "--period", "2025-Q1")
    assert res.exit_code == 2
    assert "EVL10 no result for khanh-hoa in 2025-Q1" in res.output
    assert "Không có." not in res.output and "Traceback" not in res.output


def test_explain_says_why_too(files):
    rules, data = files
    with pytest.raises(CchcError) as err:
        explain(load_ruleset(rules), read_data([data]), "D1", "khanh-hoa", "2025-Q1")
    assert err.value.problems[0].code == "EVL10"


def test_a_table_without_results_says_why(tmp_path):
    (tmp_path / "r.yaml").write_text(RULESET.split("targets:")[0] + "checks:\n  - {id: c, "
                                     "assert: on_time <= received}\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    res = _cli("evaluate", tmp_path / "r.yaml", "--data", tmp_path / "d.csv", "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "Summary: no results: the ruleset has no targets" in res.output
    assert "None." not in res.output
