"""The dated unit graph: parents in force on a date, children on a date, successors, and the
per-period child → parent frame that the roll-up sums along."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.derive.rollup import roll_up
from cchc_rules.errors import CchcError
from cchc_rules.figures.unitgraph import ParentEdge, UnitGraph
from cchc_rules.figures.units import Unit, depths
from cchc_rules.periods import parse_period

JUNE_30, JULY_1 = date(2025, 6, 30), date(2025, 7, 1)


def reorganised() -> UnitGraph:
    """2025: district Hàm Tân is dissolved on 30 June; its commune moves up to the province."""
    units = {"lam-dong": Unit("lam-dong", "Lâm Đồng"),
             "binh-thuan": Unit("binh-thuan", "Bình Thuận", valid_to="2025-06-30",
                                successor="lam-dong"),
             "ham-tan": Unit("ham-tan", "Hàm Tân", parent="lam-dong", valid_to="2025-06-30"),
             "tan-minh": Unit("tan-minh", "Tân Minh", parent="lam-dong"),
             "tan-ha": Unit("tan-ha", "Tân Hà", parent="lam-dong")}
    return UnitGraph.from_units(units, [
        ParentEdge("tan-minh", "ham-tan", valid_to=JUNE_30),
        ParentEdge("tan-minh", "lam-dong", valid_from=JULY_1)])


def frame_rows(graph: UnitGraph, periods: list[str]) -> set[tuple[str, str, str, int]]:
    out = graph.parent_frame([parse_period(p) for p in periods])
    return {(c, periods[p], par, lvl) for c, par, p, lvl in
            out.select("child", "parent", "p", "level").iter_rows()}


def test_the_parent_in_force_on_a_date():
    graph = reorganised()
    assert graph.parent_at("tan-minh", JUNE_30) == "ham-tan"
    assert graph.parent_at("tan-minh", JULY_1) == "lam-dong"
    assert graph.parent_at("tan-ha", date(1990, 1, 1)) == "lam-dong"  # undated: always
    assert graph.parent_at("lam-dong", JULY_1) is None


def test_children_on_a_date_exist_on_that_date():
    graph = reorganised()
    assert graph.children_at("ham-tan", JUNE_30) == ["tan-minh"]
    assert graph.children_at("lam-dong", JUNE_30) == ["ham-tan", "tan-ha"]
    assert graph.children_at("lam-dong", JULY_1) == ["tan-minh", "tan-ha"]
    # the dated edge wins over the declared (undated) parent while it is in force
    assert graph.children_at("ham-tan", JULY_1) == []


def test_successor_edges():
    graph = reorganised()
    assert graph.successor_of("binh-thuan") == "lam-dong"
    assert graph.predecessors_of("lam-dong") == ["binh-thuan"]
    assert graph.successor_of("lam-dong") is None


def test_parent_frame_takes_the_parent_at_the_period_end_and_levels_per_period():
    assert frame_rows(reorganised(), ["2025-Q2", "2025-Q3"]) == {
        ("ham-tan", "2025-Q2", "lam-dong", 1), ("tan-ha", "2025-Q2", "lam-dong", 1),
        ("tan-minh", "2025-Q2", "ham-tan", 2),
        ("tan-ha", "2025-Q3", "lam-dong", 1), ("tan-minh", "2025-Q3", "lam-dong", 1)}


def test_roll_up_follows_the_dated_parents():
    values = pl.DataFrame({
        "unit": ["tan-minh", "tan-ha", "tan-minh", "tan-ha"],
        "period": ["2025-Q2", "2025-Q2", "2025-Q3", "2025-Q3"],
        "metric": ["received"] * 4, "value": [10.0, 1.0, 20.0, 2.0]})
    got = {(u, p): v for u, p, v in roll_up(values, reorganised(), {"received"})
           .filter(origin="rolled_up").select("unit", "period", "value").iter_rows()}
    assert got == {("ham-tan", "2025-Q2"): 10.0, ("lam-dong", "2025-Q2"): 11.0,
                   ("lam-dong", "2025-Q3"): 22.0}


def test_a_cycle_through_dated_parents_is_refused():
    units = {"a": Unit("a", "a"), "b": Unit("b", "b")}
    graph = UnitGraph.from_units(units, [ParentEdge("a", "b", valid_from=JULY_1),
                                         ParentEdge("b", "a", valid_from=JULY_1)])
    assert graph.parent_frame([parse_period("2025-Q2")]).is_empty()
    with pytest.raises(CchcError, match="UNT03"):
        graph.parent_frame([parse_period("2025-Q3")])


def test_the_parent_frame_names_a_cycle_of_declared_parents():
    # the roll-ups leave the refusal to parent_frame: the cycle is named, with or without
    # undated `parents` beside the `parent` links (the tree walk takes a unit's first edge)
    cyclic = {"p": Unit("p", "p"), "a": Unit("a", "a", parent="b"),
              "b": Unit("b", "b", parent="a")}
    with pytest.raises(CchcError, match=r"UNT03.*a → b → a"):
        UnitGraph.from_units(cyclic).parent_frame([parse_period("2025")])
    beside = {**cyclic, "a": Unit("a", "a", parent="b", parents=(("p", None, None),))}
    with pytest.raises(CchcError, match=r"UNT03.*a → b → a"):
        UnitGraph.from_units(beside).parent_frame([parse_period("2025")])
    tree = {"p": Unit("p", "p"), "a": Unit("a", "a", parent="p"),
            "b": Unit("b", "b", parent="a")}
    assert UnitGraph.from_units(tree).parent_frame([parse_period("2025")]).sort(
        "child").rows() == [("a", "p", 0, 1), ("b", "a", 0, 2)]


def test_undeclared_parents_and_successors_give_no_edge():
    graph = UnitGraph.from_units({"a": Unit("a", "a", parent="x", successor="y")})
    assert (graph.parents, dict(graph.successors)) == ((), {})


# Random undated forests: each unit's parent is an earlier unit or none.
forests = st.lists(st.one_of(st.none(), st.integers(0, 30)), min_size=1, max_size=30)


@settings(deadline=None)
@given(forests)
def test_undated_levels_are_the_depths_of_the_tree_in_every_period(parents):
    units = {f"u{i}": Unit(f"u{i}", "u", parent=None if p is None or p >= i else f"u{p}")
             for i, p in enumerate(parents)}
    depth = depths(units)
    rows = frame_rows(UnitGraph.from_units(units), ["2024", "2025-Q1"])
    assert rows == {(u.id, period, u.parent, depth[u.id]) for u in units.values()
                    if u.parent is not None for period in ("2024", "2025-Q1")}
