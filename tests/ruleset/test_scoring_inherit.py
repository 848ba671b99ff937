"""Inheritance (issue 11): `inherit: province` takes an indicator's points from the unit's
ancestor at that level on the dated unit graph. Decision 766's transparency items 1.1–1.3
are scored for the province and copied to each commune."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_rules import evaluate_files
from cchc_rules.cli import main
from cchc_rules.errors import CchcError
from cchc_rules.ruleset import load_ruleset
from tests.factory import write

QD766 = Path(__file__).resolve().parents[2] / "rulesets/national/qd766-2022.yaml"

# Hà Giang merged into Tuyên Quang on 1 July 2025 (domain notes): a Hà Giang commune is
# under Hà Giang until 30 June, under Tuyên Quang from 1 July.
UNITS = [
    {"id": "tuyen-quang", "name": "Tỉnh Tuyên Quang", "level": "province"},
    {"id": "ha-giang", "name": "Tỉnh Hà Giang", "level": "province", "valid_to": "2025-06-30",
     "successor": "tuyen-quang"},
    {"id": "xa-a", "name": "Xã A", "level": "commune", "parent": "tuyen-quang"},
    {"id": "xa-b", "name": "Xã B", "level": "commune",
     "parents": [{"id": "ha-giang", "to": "2025-06-30"}, {"id": "tuyen-quang",
                                                          "from": "2025-07-01"}]},
    {"id": "xa-lone", "name": "Xã không có tỉnh", "level": "commune"},
]


def _province(announced: int, to_announce: int) -> dict:
    return {"procedures_announced_on_time": announced, "procedures_to_announce": to_announce}


REPORTS = [
    {"unit": "tuyen-quang", "period": "2025-06", "values": _province(45, 50)},    # 90%
    {"unit": "ha-giang", "period": "2025-06", "values": _province(30, 40)},       # 75%
    {"unit": "tuyen-quang", "period": "2025-07", "values": _province(48, 50)},    # 96%
    *[{"unit": u, "period": p, "values": {"received": 100, "resolved_on_time": 80,
                                          "pending_in_time": 10}}
      for u in ("xa-a", "xa-b", "xa-lone") for p in ("2025-06", "2025-07")],
]


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inherit")
    data = write(folder / "d.yaml", {"units": UNITS, "reports": REPORTS})
    return evaluate_files(QD766, [data]).scores()


def _row(scores, unit: str, period: str, indicator: str = "1.1") -> dict:
    return next(r for r in scores.scores.iter_rows(named=True)
                if (r["unit"], r["period"], r["indicator"]) == (unit, period, indicator))


def test_a_commune_takes_its_provinces_transparency_points(scores):
    row = _row(scores, "xa-a", "2025-06")
    assert (row["points"], row["max"], row["inherited_from"]) == (pytest.approx(5.4), 6,
                                                                  "tuyen-quang")
    own = _row(scores, "tuyen-quang", "2025-06")           # the province scores itself
    assert own["points"] == pytest.approx(5.4) and own["inherited_from"] is None


def test_the_ancestor_is_read_on_the_dated_graph(scores):
    june, july = _row(scores, "xa-b", "2025-06"), _row(scores, "xa-b", "2025-07")
    assert (june["inherited_from"], june["points"]) == ("ha-giang", pytest.approx(4.5))
    assert (july["inherited_from"], july["points"]) == ("tuyen-quang", pytest.approx(5.76))


def test_no_ancestor_is_missing_data_not_zero(scores):
    row = _row(scores, "xa-lone", "2025-06")
    assert (row["points"], row["max"], row["inherited_from"]) == (None, None, None)


def test_items_not_inherited_are_the_units_own(scores):
    row = _row(scores, "xa-a", "2025-06", "2.1")
    assert row["points"] == pytest.approx(18) and row["inherited_from"] is None
    total = next(r for r in scores.rankings.iter_rows(named=True)
                 if (r["unit"], r["period"]) == ("xa-a", "2025-06"))
    assert total["points"] == pytest.approx(18 + 5.4) and total["max"] == 26


def test_json_says_where_inherited_points_come_from(tmp_path):
    data = write(tmp_path / "d.yaml", {"units": UNITS, "reports": REPORTS})
    done = CliRunner().invoke(main, ["evaluate", str(QD766), "--data", str(data),
                                     "--format", "json"])
    assert done.exit_code in (0, 1), done.output
    rows = json.loads(done.stdout)["scores"]
    copied = [r for r in rows if r["unit"] == "xa-a" and r["period"] == "2025-06"
              and r["indicator"] == "1.1"]
    assert copied[0]["inherited_from"] == "tuyen-quang" and copied[0]["points"] == 5.4


def test_without_inherit_the_json_keeps_the_spec_shape(tmp_path):
    rules = write(tmp_path / "r.yaml", {
        "ruleset": "plain", "title": "t", "metrics": {"m": {"label": "m", "unit": "percent"}},
        "scoring": {"indicators": [{"id": "1", "title": "t", "metric": "m", "max": 2,
                                    "full_at": 100}]}})
    data = write(tmp_path / "d.yaml", {"reports": [{"unit": "x", "period": "2025",
                                                    "values": {"m": 50}}]})
    done = CliRunner().invoke(main, ["evaluate", str(rules), "--data", str(data),
                                     "--format", "json"])
    (row,) = json.loads(done.stdout)["scores"]
    assert set(row) == {"unit", "period", "indicator", "group", "value", "points", "max"}


@pytest.mark.parametrize(("level", "message", "hint"), [
    ("provice", "unknown level 'provice'", "province"),
    ("commune", "no unit has a commune above it", "province, district")])
def test_inherit_names_a_level_above_units(tmp_path, level, message, hint):
    rules = write(tmp_path / "r.yaml", {
        "ruleset": "bad", "title": "t", "metrics": {"m": {"label": "m", "unit": "percent"}},
        "scoring": {"indicators": [{"id": "1.1", "title": "t", "metric": "m", "max": 6,
                                    "full_at": 100, "inherit": level}]}})
    with pytest.raises(CchcError) as err:
        load_ruleset(rules)
    (problem,) = err.value.problems
    assert problem.code == "SEM41" and message in problem.message and hint in problem.hint
    assert (problem.pos.line, problem.pos.col) > (0, 0)
