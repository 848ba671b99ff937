"""Roll-up (spec §2): parents' counts and amounts summed from children, bottom-up."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.derive.rollup import OUTPUT, children_of, roll_up
from cchc_rules.errors import CchcError
from cchc_rules.figures.data import read_data
from cchc_rules.figures.units import Unit

CASE = Path(__file__).parents[1] / "conformance" / "rollup-sums-not-averages" / "data.yaml"
SUMMABLE = {"received", "received_online"}


def tree(**parents) -> dict[str, Unit]:
    return {uid: Unit(uid, uid, None, parent) for uid, parent in parents.items()}


def frame(*rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"unit": pl.String, "period": pl.String,
                                      "metric": pl.String, "value": pl.Float64}, orient="row")


def table(out: pl.DataFrame) -> dict[tuple[str, str, str], tuple[float, str]]:
    return {(u, p, m): (v, o) for u, p, m, v, o in
            out.select("unit", "period", "metric", "value", "origin").iter_rows()}


@pytest.mark.skipif(not CASE.exists(), reason="shared conformance cases not present")
def test_conformance_case_sums_counts_not_rates():
    figures = read_data([CASE])
    out = roll_up(figures.values, figures.units, SUMMABLE)
    assert out.columns == OUTPUT
    got = table(out)
    assert got[("p", "2024", "received")] == (1000.0, "rolled_up")
    assert got[("p", "2024", "received_online")] == (180.0, "rolled_up")
    assert got[("d1", "2024", "received")] == (100.0, "reported")
    reported = out.filter(unit="d1", metric="received").row(0, named=True)
    assert (reported["file"], reported["line"]) == (str(CASE), 6)
    assert out.filter(origin="rolled_up")["file"].null_count() == 2


def test_partial_children_do_not_roll_up_and_non_summable_metrics_never_do():
    units = tree(p=None, d1="p", d2="p")
    values = frame(("d1", "2024", "received", 100.0), ("d2", "2024", "received", 900.0),
                   ("d1", "2024", "received_online", 90.0),
                   ("d1", "2024", "late_rate", 40.0), ("d2", "2024", "late_rate", 50.0))
    got = table(roll_up(values, units, SUMMABLE))
    assert got[("p", "2024", "received")] == (1000.0, "rolled_up")
    assert ("p", "2024", "received_online") not in got
    assert ("p", "2024", "late_rate") not in got


def test_own_figure_wins_and_counts_for_the_next_level_up():
    units = tree(nation=None, p="nation", d1="p", d2="p", q="nation")
    values = frame(("d1", "2024", "received", 1.0), ("d2", "2024", "received", 2.0),
                   ("p", "2024", "received", 50.0), ("q", "2024", "received", 7.0))
    got = table(roll_up(values, units, SUMMABLE))
    assert got[("p", "2024", "received")] == (50.0, "reported")
    assert got[("nation", "2024", "received")] == (57.0, "rolled_up")


def test_multi_level_per_period():
    units = tree(p=None, d1="p", d2="p", c1="d1", c2="d1", c3="d2")
    values = frame(("c1", "Q", "received", 1.0), ("c2", "Q", "received", 2.0),
                   ("c3", "Q", "received", 4.0), ("c1", "R", "received", 1.0),
                   ("c3", "R", "received", 4.0))
    got = table(roll_up(values, units, SUMMABLE))
    assert got[("d1", "Q", "received")] == (3.0, "rolled_up")
    assert got[("p", "Q", "received")] == (7.0, "rolled_up")
    assert got[("d2", "R", "received")] == (4.0, "rolled_up")
    assert ("d1", "R", "received") not in got and ("p", "R", "received") not in got


def test_children_are_waited_for_only_in_periods_they_existed():
    # 2025 reorganization: the district is dissolved on 30 June, the commune takes over
    units = {"lam-dong": Unit("lam-dong", "Lâm Đồng"),
             "ham-tan": Unit("ham-tan", "Hàm Tân", parent="lam-dong", valid_to="2025-06-30"),
             "tan-minh": Unit("tan-minh", "Tân Minh", parent="lam-dong",
                              valid_from="2025-07-01")}
    values = frame(("ham-tan", "2024-Q1", "received", 4917.0),
                   ("tan-minh", "2025-Q4", "received", 800.0),
                   ("ham-tan", "2025", "received", 9000.0))
    got = table(roll_up(values, units, SUMMABLE))
    assert got[("lam-dong", "2024-Q1", "received")] == (4917.0, "rolled_up")
    assert got[("lam-dong", "2025-Q4", "received")] == (800.0, "rolled_up")
    # both existed during 2025, and the commune's 2025 figure is missing
    assert ("lam-dong", "2025", "received") not in got


def test_a_unit_with_no_children_in_the_tree_and_unknown_units_are_left_alone():
    values = frame(("x", "2024", "received", 3.0))
    out = roll_up(values, tree(p=None), SUMMABLE)
    assert table(out) == {("x", "2024", "received"): (3.0, "reported")}


def test_cycles_are_refused():
    with pytest.raises(CchcError) as info:
        roll_up(frame(("a", "2024", "received", 1.0)), tree(a="b", b="a"), SUMMABLE)
    assert "UNT03" in str(info.value)


def test_children_of_is_exported_for_explain():
    assert children_of(tree(p=None, d1="p", d2="p")) == {"p": ["d1", "d2"]}


# A random three-level tree with figures at the leaves (some missing).
shapes = st.lists(st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=3),
                  min_size=1, max_size=3)


def random_tree(shape: list[list[int]]) -> tuple[dict[str, Unit], list[str]]:
    units = {"root": Unit("root", "root")}
    leaves = []
    for i, districts in enumerate(shape):
        units[f"p{i}"] = Unit(f"p{i}", f"p{i}", parent="root")
        for j, communes in enumerate(districts):
            units[f"p{i}d{j}"] = Unit(f"p{i}d{j}", "d", parent=f"p{i}")
            for k in range(communes):
                leaves.append(f"p{i}d{j}c{k}")
                units[leaves[-1]] = Unit(leaves[-1], "c", parent=f"p{i}d{j}")
    return units, leaves


@settings(deadline=None)
@given(shapes, st.data())
def test_rolled_up_count_is_the_sum_of_leaves_when_all_report(shape, data):
    units, leaves = random_tree(shape)
    figures = data.draw(st.lists(st.integers(0, 10**6), min_size=len(leaves),
                                 max_size=len(leaves)))
    values = frame(*[(leaf, "2024", "received", float(v)) for leaf, v in
                     zip(leaves, figures, strict=True)])
    got = table(roll_up(values, units, SUMMABLE))
    assert got[("root", "2024", "received")] == (float(sum(figures)), "rolled_up")


@settings(deadline=None)
@given(shapes, st.data())
def test_idempotent_and_independent_of_row_order(shape, data):
    units, _ = random_tree(shape)
    reported = [u for u in units if data.draw(st.booleans())]
    values = frame(*[(u, p, m, float(data.draw(st.integers(0, 100))))
                     for u in reported for p in ("2024", "2025") for m in ("received", "rate")])
    once = roll_up(values, units, {"received"})
    assert roll_up(once, units, {"received"}).equals(once)
    shuffled = values.sample(fraction=1.0, shuffle=True, seed=data.draw(st.integers(0, 99)))
    assert roll_up(shuffled, units, {"received"}).equals(once)


def test_national_scale_rolls_up_every_level():
    # Speed lives in `make bench` (bench/RESULTS.md), not in a timed unit test.
    # 34 provinces of 98 communes (3,332 units, about the 2025 count) × 12 months × 16 metrics
    units = {"vn": Unit("vn", "vn")}
    leaves = []
    for p in range(34):
        units[f"p{p}"] = Unit(f"p{p}", "p", parent="vn")
        for c in range(98):
            leaves.append(f"p{p}c{c}")
            units[leaves[-1]] = Unit(leaves[-1], "c", parent=f"p{p}")
    metrics = [f"m{i}" for i in range(16)]
    n = len(leaves) * 12 * 16
    values = pl.DataFrame({
        "unit": [leaves[i // 192] for i in range(n)],
        "period": [f"2024-{(i // 16) % 12 + 1:02d}" for i in range(n)],
        "metric": [metrics[i % 16] for i in range(n)],
        "value": pl.Series(range(n), dtype=pl.Float64),
    })
    out = roll_up(values, units, set(metrics[:12]))
    assert out.height == n + (34 + 1) * 12 * 12
    assert out.filter(unit="vn", period="2024-01", metric="m0")["value"].to_list() == [
        float(sum(range(0, n, 192)))]
