"""The roll-up on the wide frame (rollup.roll_up_wide) against the long roll-up and a
plain-Python reference: the same figures, origins and order (issue 28)."""
from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.derive.rollup import roll_up, roll_up_wide
from cchc_rules.errors import CchcError
from cchc_rules.figures.units import Unit
from cchc_rules.periods import parse_period

PERIODS = ("2024", "2024-Q1", "2024-01", "2024-02", "2024-03", "2025-06")
METRICS = ("received", "rate", "amount")
SUMMABLE = {"received", "amount"}


def random_tree(shape: list[list[int]]) -> dict[str, Unit]:
    units = {"root": Unit("root", "root")}
    for i, districts in enumerate(shape):
        units[f"p{i}"] = Unit(f"p{i}", f"p{i}", parent="root")
        for j, communes in enumerate(districts):
            units[f"p{i}d{j}"] = Unit(f"p{i}d{j}", "d", parent=f"p{i}")
            for k in range(communes):
                units[f"p{i}d{j}c{k}"] = Unit(f"p{i}d{j}c{k}", "c", parent=f"p{i}d{j}")
    return units


def reference(units: dict[str, Unit], figures: dict[tuple[str, str, str], float]
              ) -> dict[tuple[str, str, str], tuple[float, str]]:
    """Spec §2 in plain Python: a unit without its own summable figure takes the sum of its
    children's when every child has one, deepest units first."""
    out = {key: (value, "reported") for key, value in figures.items()}
    kids: dict[str, list[str]] = {}
    for u in units.values():
        if u.parent is not None:
            kids.setdefault(u.parent, []).append(u.id)

    def depth(uid: str) -> int:
        return 0 if units[uid].parent is None else 1 + depth(units[uid].parent)

    for parent in sorted(kids, key=depth, reverse=True):
        for period in PERIODS:
            for m in SUMMABLE:
                if (parent, period, m) in out:
                    continue
                got = [out.get((c, period, m)) for c in kids[parent]]
                if all(g is not None for g in got):
                    out[(parent, period, m)] = (sum(g[0] for g in got), "rolled_up")
    return out


def drawn_figures(shape: list[list[int]], data
                  ) -> tuple[dict[str, Unit], dict[tuple[str, str, str], float], pl.DataFrame]:
    """A tree of `shape`, some of its (unit, period, metric) cells with a figure, and those
    figures as the long frame the roll-ups read."""
    units = random_tree(shape)
    cells = [(u, p, m) for u in units for p in PERIODS for m in METRICS]
    chosen = data.draw(st.lists(st.sampled_from(cells), unique=True, min_size=1))
    figures = {c: float(data.draw(st.integers(0, 1000))) for c in chosen}
    values = pl.DataFrame([(*c, v) for c, v in figures.items()],
                          schema={"unit": pl.String, "period": pl.String, "metric": pl.String,
                                  "value": pl.Float64}, orient="row")
    return units, figures, values


shapes = st.lists(st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=3),
                  min_size=1, max_size=3)


@settings(deadline=None, max_examples=60)
@given(shapes, st.data())
def test_wide_roll_up_is_the_long_one_and_the_plain_rule(shape, data):
    units, figures, values = drawn_figures(shape, data)
    long = roll_up(values, units, SUMMABLE)
    fast = roll_up_wide(values, units, SUMMABLE, "m:")
    assert fast is not None
    assert fast.long().equals(long)
    want = reference(units, figures)
    assert {(u, p, m): (v, o) for u, p, m, v, o in long.select(
        "unit", "period", "metric", "value", "origin").iter_rows()} == want
    # wide: one row per (unit, period) with a figure, by unit, period end, period
    keys = sorted({(u, p) for u, p, _ in want},
                  key=lambda k: (k[0], parse_period(k[1]).end, k[1]))
    assert fast.ordered and fast.wide.select("unit", "period").rows() == keys
    for row in fast.wide.iter_rows(named=True):
        for m in METRICS:
            got = want.get((row["unit"], row["period"], m))
            assert row.get("m:" + m) == (got[0] if got else None)
    moved = {(u, p, m): (v, o) for u, p, m, v, o in fast.moved.collect().select(
        "unit", "period", "metric", "value", "origin").iter_rows()}
    assert moved == {k: v for k, v in want.items() if v[1] != "reported"}
    assert fast.reported.collect().height == len(figures)


def test_a_figure_without_a_value_takes_the_long_way():
    units = {"a": Unit("a", "a"), "b": Unit("b", "b", parent="a")}
    values = pl.DataFrame({"unit": ["b"], "period": ["2024"], "metric": ["received"],
                           "value": [None]}, schema={"unit": pl.String, "period": pl.String,
                                                     "metric": pl.String, "value": pl.Float64})
    assert roll_up_wide(values, units, SUMMABLE) is None


def test_units_in_a_cycle_are_refused_by_name():
    units = {"a": Unit("a", "a", parent="b"), "b": Unit("b", "b", parent="a")}
    values = pl.DataFrame({"unit": ["b"], "period": ["2024"], "metric": ["received"],
                           "value": [1.0]})
    with pytest.raises(CchcError, match=r"UNT03.*a → b → a"):
        roll_up_wide(values, units, SUMMABLE)


@settings(deadline=None, max_examples=40)
@given(shapes)
def test_an_undated_tree_has_the_same_edges_in_every_period(shape):
    from cchc_rules.figures.unitgraph import UnitGraph
    graph = UnitGraph.from_units(random_tree(shape))
    periods = [parse_period(p) for p in PERIODS]
    fast = graph.parent_frame(periods)
    slow = UnitGraph.from_units(random_tree(shape))
    object.__setattr__(slow, "_undated_levels", lambda: None)   # the general, dated way
    assert fast.equals(slow.parent_frame(periods))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["a", "bb", "ccc", "a-long-name-of-a-unit", None]),
                max_size=40), st.booleans())
def test_distinct_gives_each_value_and_row_its_code(values, in_runs) -> None:
    """Hashing each run's value once (rows in runs) or every row gives the same distinct
    values and codes as a plain-Python reading of the column."""
    from cchc_rules.derive.rollup import _distinct
    rows = sorted(values, key=lambda v: (v is None, v or "")) if in_runs else values
    names, codes, index = _distinct(pl.Series(rows, dtype=pl.String))
    assert sorted(names, key=lambda v: (v is None, v or "")) == \
        sorted(set(rows), key=lambda v: (v is None, v or ""))
    at = dict(zip(codes, names, strict=True))
    assert [None if i is None else at[i] for i in index.to_list()] == rows


def _as_table(figures: dict[tuple[str, str, str], float], extra_rows: list[tuple[str, str]],
              extra_metrics: list[str]) -> pl.DataFrame:
    """The figures as a wide table, as a reader gives it: a row per (unit, period), a
    Float64 column per metric, null where no figure; rows and columns without any figure
    too (a reader keeps only the rows with one, but roll_up_wide must not count on it)."""
    keys = list(dict.fromkeys([(u, p) for u, p, _ in figures] + extra_rows))
    metrics = sorted({m for _, _, m in figures} | set(extra_metrics))
    return pl.DataFrame({"unit": [u for u, _ in keys], "period": [p for _, p in keys],
                         **{m: pl.Series([figures.get((u, p, m)) for u, p in keys],
                                         dtype=pl.Float64) for m in metrics}})


def _same_roll(a, b) -> None:
    assert a.wide.equals(b.wide)
    # the sums of a level come in no set order (a group_by): compared as rows, sorted
    assert sorted(a.moved.collect().rows()) == sorted(b.moved.collect().rows())
    assert a.reported.collect().equals(b.reported.collect())
    assert a.long().equals(b.long())
    assert a.ordered == b.ordered


@settings(deadline=None, max_examples=60)
@given(shapes, st.data())
def test_the_figures_as_read_wide_roll_up_as_the_long_ones(shape, data):
    """roll_up_wide from the wide table the figures were read from (Figures.as_wide) gives
    what it gives from the long figures, whatever order the table's rows are in and with
    rows or metric columns that hold no figure; a table that is not the same figures (one
    missing) is not used."""
    units, figures, values = drawn_figures(shape, data)
    empty_rows = data.draw(st.lists(st.tuples(st.sampled_from(sorted(units)),
                                              st.sampled_from(PERIODS)), max_size=3))
    empty_rows = [k for k in empty_rows if not any(k == (u, p) for u, p, _ in figures)]
    table = _as_table(figures, empty_rows, [m for m in METRICS if data.draw(st.booleans())])
    table = table.sample(fraction=1.0, shuffle=True, seed=data.draw(st.integers(0, 99)))
    long_way = roll_up_wide(values, units, SUMMABLE, "m:")
    assert long_way is not None
    _same_roll(roll_up_wide(values, units, SUMMABLE, "m:", table), long_way)
    if len(figures) > 1:   # one figure missing from the table: the long way, same answer
        shorter = _as_table(dict(list(figures.items())[1:]), [], [])
        _same_roll(roll_up_wide(values, units, SUMMABLE, "m:", shorter), long_way)


def test_a_table_with_one_figure_twice_takes_the_long_way():
    """Two rows of one unit and period in the table, each with the same metric: the cell
    holds one of them only, so the count check refuses the wide roll-up (as two long
    figures for one cell do)."""
    units = {"a": Unit("a", "a"), "b": Unit("b", "b", parent="a")}
    values = pl.DataFrame({"unit": ["b", "b"], "period": ["2024", "2024"],
                           "metric": ["received", "received"], "value": [1.0, 2.0]})
    table = pl.DataFrame({"unit": ["b", "b"], "period": ["2024", "2024"],
                          "received": [1.0, 2.0]})
    assert roll_up_wide(values, units, SUMMABLE, "m:", table) is None
    assert roll_up_wide(values, units, SUMMABLE, "m:") is None
