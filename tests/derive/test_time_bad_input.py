"""Bad input about time and units (issue 10, spec §5–6): each is one line with the file's
position and its code, exit 2, never a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_rules.cli import main
from tests.factory import FLOW_RULESET

RULESET = FLOW_RULESET
DATA = "unit,period,received,on_time\nx,2025-Q1,100,90\n"
OTHERS = "  - {id: x, name: X}\n"


def _cli(tmp_path: Path, *, ruleset: str = RULESET, data: str = DATA, units: str | None = None,
         extra: tuple[str, ...] = ()):
    (tmp_path / "r.yaml").write_text(ruleset, encoding="utf-8")
    (tmp_path / "d.csv").write_text(data, encoding="utf-8")
    args = ["evaluate", str(tmp_path / "r.yaml"), "--data", str(tmp_path / "d.csv"), *extra]
    if units is not None:
        (tmp_path / "u.yaml").write_text("units:\n" + units + OTHERS, encoding="utf-8")
        args += ["--units", str(tmp_path / "u.yaml")]
    return CliRunner().invoke(main, args)


def _one_error(res, code: str, where: str) -> str:
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if " error " in line]
    assert len(lines) == 1 and "Traceback" not in res.output, res.output
    assert f"error {code} " in lines[0] and lines[0].startswith(where), lines[0]
    return lines[0]


@pytest.mark.parametrize(("units", "code", "where", "words"), [
    ("  - {id: a, name: A, valid_to: 2025-06-30, successor: b}\n"
     "  - {id: b, name: B, valid_to: 2025-06-30, successor: a}\n",
     "UNT10", "u.yaml:2:", "a → b → a"),
    ("  - {id: a, name: A, valid_to: 2025-06-30, successor: zz}\n",
     "UNT02", "u.yaml:2:", "'zz'"),
    ("  - {id: a, name: A, valid_from: 2025-07-01, valid_to: 2025-06-30}\n",
     "UNT05", "u.yaml:2:", "valid_from"),
    ("  - {id: a, name: A, valid_to: 2025-06-30, successor: b}\n"
     "  - {id: b, name: B, valid_from: 2025-08-01}\n",
     "UNT11", "u.yaml:2:", "2025-07-01"),
    ("  - {id: a, name: A, valid_to: 2025-02-30}\n", "UNT05", "u.yaml:2:", "2025-02-30"),
])
def test_bad_units_over_time(tmp_path, units, code, where, words):
    assert words in _one_error(_cli(tmp_path, units=units), code, str(tmp_path / where))


@pytest.mark.parametrize(("period", "words"), [
    ("2024-09/2024-01", "ends before it starts"),
    ("2024/2024-03", "ends before its first part ends"),   # kinds that cannot be ordered
    ("2024-Q3/2024-07", "ends before its first part ends"),
    ("2024-09-01/2024-01-01", "ends before it starts"),
    ("2024-01/2024-03/2024-05", "not of ranges"),
])
def test_bad_ranges_in_data_in_the_ruleset_and_on_the_command_line(tmp_path, period, words):
    line = _one_error(_cli(tmp_path, data=f"unit,period,received,on_time\nx,{period},1,1\n"),
                      "PER01", str(tmp_path / "d.csv") + ":2")
    assert words in line
    ruleset = RULESET.replace('milestones: [{by: "2025"',
                              f'baseline: {{period: "{period}"}}, milestones: [{{by: "2025"')
    assert words in _one_error(_cli(tmp_path, ruleset=ruleset), "SCH06",
                               str(tmp_path / "r.yaml") + ":9:")
    res = _cli(tmp_path, extra=("--period", period))
    assert res.exit_code == 2 and f"EVL01 '{period}'" in res.output and words in res.output


@pytest.mark.parametrize(("metric", "why"), [
    ("on_time_rate: {label: T, unit: percent, over_time: sum, formula: on_time / received "
     "* 100}", "a formula metric"),
    ("on_time_rate: {label: T, unit: percent, over_time: last}", "a percent metric"),
    ("on_time_rate: {label: T, unit: ratio, over_time: first}", "a ratio metric"),
])
def test_over_time_on_what_does_not_add_up(tmp_path, metric, why):
    ruleset = RULESET.replace(RULESET.splitlines()[5].strip(), metric)
    line = _one_error(_cli(tmp_path, ruleset=ruleset), "SEM08", str(tmp_path / "r.yaml") + ":6:")
    assert why in line


def test_a_milestone_that_holds_from_after_its_deadline(tmp_path):
    ruleset = RULESET.replace('value: 90}', 'value: 90, every_period_from: "2026-Q1"}')
    assert "2026-Q1" in _one_error(_cli(tmp_path, ruleset=ruleset), "SEM09",
                                   str(tmp_path / "r.yaml") + ":9:")


OVERLAP = ("unit,period,received,on_time\nx,2024-01/2024-09,90,80\nx,2024-Q4,10,10\n"
           "x,2024-H1,60,50\nx,2024-07/2024-12,{late},40\n")


def test_overlapping_reports_tile_by_the_rule_and_warn_when_they_disagree(tmp_path):
    res = _cli(tmp_path, data=OVERLAP.format(late=45), extra=("--period", "2024", "--format",
                                                               "json"))
    assert res.exit_code == 0, res.output
    # the nine months + Q4 tiling is used (longer pieces first): 90/100 on time
    assert '"actual": 90' in res.output
    warning = [line for line in res.stderr.splitlines() if "PER03" in line]
    assert len(warning) == 1 and warning[0].startswith(str(tmp_path / "d.csv") + ":2")
    assert ("'received' for x in 2024 is 100 over 2024-01/2024-09 + 2024-Q4, but 105 over "
            "2024-H1 + 2024-07/2024-12") in warning[0]
    agree = _cli(tmp_path, data=OVERLAP.format(late=40), extra=("--period", "2024"))
    assert agree.exit_code == 0 and "PER03" not in agree.output
