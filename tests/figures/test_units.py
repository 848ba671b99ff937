"""Unit declarations and the unit tree: fields, repeats, unknown parents, cycles, depths."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.errors import CchcError, Position
from cchc_rules.figures.units import (
    Unit,
    check_tree,
    children_of,
    collect_units,
    depths,
    level_warnings,
    parse_unit,
)


def at(key):
    return Position("u.yaml", 1 if key is None else 2, 1)


def tree(**parents) -> dict[str, Unit]:
    return {uid: Unit(uid, uid, None, parent, Position("u.yaml", i + 1))
            for i, (uid, parent) in enumerate(parents.items())}


def test_parse_unit_defaults_and_optional_fields():
    unit, problems = parse_unit({"id": " ham-tan ", "level": "district", "parent": "",
                                 "valid_from": "2020-01-01", "valid_to": "2025-06-30",
                                 "successor": "ham-tan-moi"}, at)
    assert problems == []
    assert unit == Unit("ham-tan", "ham-tan", "district", None, at(None), "2020-01-01",
                        "2025-06-30", "ham-tan-moi")


@pytest.mark.parametrize(("entry", "expected"), [
    ({"id": "a", "levle": "x"}, "UNT01 unknown unit field 'levle' [did you mean 'level'?]"),
    ({"name": "A"}, "UNT01 a unit needs an 'id'"),
    ({"id": 1}, "UNT01 unit field 'id' must be text, got 1"),
    ({"id": "a", "valid_to": "30/06/2025"}, "UNT05 'valid_to' must be a date like 2025-07-01"),
    ({"id": "a", "valid_from": "2025-07-01", "valid_to": "2025-06-30"},
     "UNT05 'valid_from' is after 'valid_to'"),
])
def test_parse_unit_problems(entry, expected):
    _, problems = parse_unit(entry, at)
    assert expected in "\n".join(p.format() for p in problems)


def test_repeats_identical_are_kept_once_and_different_ones_name_both_places():
    a1 = Unit("a", "A", "province", None, Position("x.yaml", 2, 5))
    a2 = Unit("a", "A", "province", None, Position("y.csv", 3))
    a3 = Unit("a", "A", "district", None, Position("z.yaml", 4, 5))
    units, problems = collect_units([a1, a2])
    assert units == {"a": a1} and problems == []
    _, problems = collect_units([a1, a3])
    assert [p.format() for p in problems] == [
        "z.yaml:4:5: error UNT06 unit 'a' is declared twice, differently "
        "[also declared at x.yaml:2:5]"]


def test_unknown_parent_and_successor_with_did_you_mean():
    units = tree(**{"binh-thuan": None, "ham-tan": "binh-thuam"})
    units["old"] = Unit("old", "old", successor="lam-dong", pos=Position("u.yaml", 9))
    found = [p.format() for p in check_tree(units)]
    assert found == [
        "u.yaml:2: error UNT02 unit 'ham-tan' has parent 'binh-thuam', which is not declared "
        "[did you mean 'binh-thuan'?]",
        "u.yaml:9: error UNT02 unit 'old' has successor 'lam-dong', which is not declared "
        "[declare it under 'units:']"]


def test_cycles_are_reported_once_each():
    units = tree(a="b", b="c", c="a", d="d", e="a", f=None)
    found = [p.format() for p in check_tree(units)]
    assert found == [
        "u.yaml:1: error UNT03 units form a cycle: a → b → c → a [a unit cannot be its own "
        "ancestor]",
        "u.yaml:4: error UNT03 units form a cycle: d → d [a unit cannot be its own ancestor]"]
    with pytest.raises(CchcError):
        depths(units)


def test_depths_and_children():
    units = tree(p=None, d1="p", d2="p", c1="d1", c2="d1", lone=None, orphan="gone")
    assert depths(units) == {"p": 0, "d1": 1, "d2": 1, "c1": 2, "c2": 2, "lone": 0,
                             "orphan": 0}
    assert children_of(units) == {"p": ["d1", "d2"], "d1": ["c1", "c2"]}


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=30))
def test_depth_of_a_child_is_one_more_than_its_parent(parents):
    # unit i's parent is an earlier unit, so this is always a tree
    units = {f"u{i}": Unit(f"u{i}", f"u{i}", parent=None if i == 0 else f"u{p % i}")
             for i, p in enumerate(parents)}
    depth = depths(units)
    assert check_tree(units) == []
    for unit in units.values():
        assert depth[unit.id] == (0 if unit.parent is None else depth[unit.parent] + 1)


def test_near_miss_levels_warn_once_and_other_levels_are_free():
    units = {u.id: u for u in [
        Unit("a", "A", "provnice", pos=Position("u.yaml", 2, 5)), Unit("b", "B", "provnice"),
        Unit("c", "C", "ward"), Unit("d", "D", "commune"), Unit("e", "E")]}
    assert [p.format() for p in level_warnings(units)] == [
        "u.yaml:2:5: warning UNT08 level 'provnice' of unit 'a' is not a standard level "
        "[did you mean 'province'?]"]


# --- issue 25: chains walked once ------------------------------------------------------------

def _naive_depth(parent: dict[str, str | None], unit: str) -> int:
    """Units on the path up from `unit` (itself included), stopping where it loops."""
    seen: list[str] = []
    while unit is not None and unit in parent and unit not in seen:
        seen.append(unit)
        unit = parent[unit]
    return len(seen)


@given(st.lists(st.integers(-1, 30), min_size=1, max_size=30))
def test_longest_chains_match_a_plain_walk_when_there_is_no_cycle(links):
    from cchc_rules.figures.units import Unit, _cycles, _longest
    parent = {f"u{i}": (f"u{j}" if 0 <= j < i else None) for i, j in enumerate(links)}
    units = {u: Unit(u, u, parent=p) for u, p in parent.items()}
    depth = _longest(units, lambda u: (u.parent,))
    assert depth == {u: _naive_depth(parent, u) for u in parent}
    assert _cycles(units, "parent") == []


@given(st.lists(st.integers(0, 20), min_size=1, max_size=20))
def test_every_cycle_is_found_once(links):
    from cchc_rules.figures.units import Unit, _cycles
    n = len(links)
    parent = {f"u{i}": f"u{j % n}" for i, j in enumerate(links)}  # every unit has a parent
    units = {u: Unit(u, u, parent=p) for u, p in parent.items()}
    found = _cycles(units, "parent")
    # plain reference: the cycles of a functional graph, each as its set of units
    cycles = set()
    for start in parent:
        path = []
        node = start
        while node not in path:
            path.append(node)
            node = parent[node]
        cycles.add(frozenset(path[path.index(node):]))
    assert {frozenset(c) for c in found} == cycles
    assert len(found) == len(cycles)
