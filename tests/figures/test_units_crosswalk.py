"""The shipped province crosswalk of the 2025 reorganisation (rulesets/common): 63 provinces
before 1 July 2025, 34 after, each ended one with exactly one successor in force."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner

from cchc_rules.cli import main
from cchc_rules.figures.readers import Batch, read_into
from cchc_rules.figures.unitgraph import UnitGraph
from cchc_rules.figures.units import collect_units

CROSSWALK = Path(__file__).parents[2] / "rulesets/common/units-vn-2025-provinces.yaml"
BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)


def _units():
    batch = Batch()
    read_into(batch, CROSSWALK, units=True)
    units, problems = collect_units(batch.units)
    assert not batch.problems and not problems
    return units


def test_63_provinces_before_and_34_after_with_codes():
    units = _units()
    graph = UnitGraph.from_units(units)
    before = [u for u in units if graph.exists_on(u, BEFORE)]
    after = [u for u in units if graph.exists_on(u, AFTER)]
    assert len(before) == 63 and len(after) == 34
    assert all(u.level == "province" for u in units.values())
    codes = [units[u].code for u in after]
    assert len(set(codes)) == 34 and all(len(c) == 2 and c.isdigit() for c in codes)


def test_every_ended_province_has_one_successor_in_force():
    units = _units()
    graph = UnitGraph.from_units(units)
    ended = [u for u in units.values() if u.valid_to]
    assert len(ended) == 29
    for unit in ended:
        assert unit.valid_to == "2025-06-30", unit.id
        assert unit.successor is not None and graph.exists_on(unit.successor, AFTER), unit.id
        assert units[unit.successor].successor is None   # one step: no chains
    assert units["ha-giang"].successor == "tuyen-quang"
    assert units["long-an"].successor == "tay-ninh"
    assert units["binh-thuan"].successor == "lam-dong"


def test_validate_checks_the_units_file_in_the_rulesets_folder():
    result = CliRunner().invoke(main, ["validate", str(CROSSWALK.parent)])
    assert result.exit_code == 0, result.output
    assert f"ok {CROSSWALK} (63 units)" in result.output
