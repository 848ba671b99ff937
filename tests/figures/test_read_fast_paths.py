"""The fast paths of reading at the floor say what the careful paths say: polars' plain-CSV
read and the cell-by-cell reader give the same figures, problems and places for generated
tables, bad cells included; a plain unit declaration is the Unit `parse_unit` makes; the
quick chain bound agrees with the exact walk."""
from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_rules import load as load_module
from cchc_rules.errors import CchcError, Position
from cchc_rules.figures import data as data_module
from cchc_rules.figures import units as units_module
from cchc_rules.figures.data import read_data
from cchc_rules.figures.readers import Batch, read_into
from cchc_rules.figures.readers import csv as csv_reader
from cchc_rules.figures.readers import table as table_reader
from cchc_rules.figures.readers import yaml_json as yaml_reader
from cchc_rules.figures.units import (
    FIELDS,
    Unit,
    chain_problems,
    check_tree,
    parse_unit,
    plain_unit,
    plain_units,
)

KNOWN = {"received": "count", "rate": "percent", "rank": "rank"}
CELL = st.sampled_from(["", "5", "0", "-3", "1.5", "1.000", "4,5", " 7 ", "x", "n/a", "1e3",
                        "12", "2.25", "\x1b", "-0", "99999999999"])
ID = st.sampled_from(["", "a", "b", " c ", "a\x1b"])
PERIOD = st.sampled_from(["", "2024-01", "2024-Q1", "2024-13", " 2024 "])
METRICS = st.lists(st.sampled_from(["received", "rate", "rank", "nope", "Received"]),
                   min_size=1, max_size=4, unique=True)


def _read(path, fast: bool) -> Batch:
    batch = Batch(False, KNOWN, {"received": "Received"})
    with pytest.MonkeyPatch.context() as patch:
        if not fast:
            patch.setattr(csv_reader, "_read_plain", lambda *args: False)
        read_into(batch, path)
    batch.finish()
    return batch


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(metrics=METRICS, rows=st.lists(st.tuples(ID, PERIOD, st.lists(CELL, min_size=4,
                                                                       max_size=4)),
                                      max_size=8))
def test_plain_csv_reads_as_the_cell_reader(tmp_path_factory, metrics, rows):
    lines = [",".join(["unit", "period", *metrics])]
    lines += [",".join([unit, period, *cells[:len(metrics)]]) for unit, period, cells in rows]
    path = tmp_path_factory.mktemp("csv") / "figures.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, slow = _read(path, True), _read(path, False)
    assert fast.frame().equals(slow.frame())
    assert [p.format() for p in fast.problems] == [p.format() for p in slow.problems]
    assert [p.format() for p in fast.warnings] == [p.format() for p in slow.warnings]
    assert fast.places == slow.places


@settings(max_examples=40, deadline=None)
@given(metrics=st.lists(st.sampled_from(["received", "rate", "rank"]), min_size=1, max_size=3,
                        unique=True),
       rows=st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["2024-01", "2024"]),
                               st.lists(st.sampled_from(["", "3", "17", "2.5"]), min_size=3,
                                        max_size=3)), max_size=6))
def test_wide_figures_come_row_by_row_in_column_order(tmp_path_factory, metrics, rows):
    """An independent reference: plain Python over the lines of the file."""
    text = ",".join(["unit", "period", *metrics]) + "\n" + "".join(
        ",".join([u, p, *cells[:len(metrics)]]) + "\n" for u, p, cells in rows)
    path = tmp_path_factory.mktemp("wide") / "w.csv"
    path.write_text(text, encoding="utf-8")
    batch = _read(path, True)
    expected = [(u, p, m, float(v), str(path), line, 0, None)
                for line, (u, p, cells) in enumerate(rows, start=2)
                for m, v in zip(metrics, cells, strict=False) if v
                and not (m in ("received", "rank") and "." in v)]   # whole units
    assert batch.frame().rows() == expected


WIDE_CELL = st.sampled_from(["", "5", "0", "-3", "1.5", "3.0", "1.000", "1.000.000", "4,5",
                             "4.917,5", " 7 ", "\u00a08\t", "x", "n/a", " Không áp dụng ", "1e3",
                             "inf", "nan", "-0", "2.25", "0.5", "99999999999", "\x1b", "٣"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(comma=st.booleans(), known=st.booleans(), source=st.booleans(), metrics=METRICS,
       rows=st.lists(st.tuples(ID, PERIOD, st.sampled_from(["", "s1", " s2 "]),
                               st.lists(WIDE_CELL, min_size=4, max_size=4)), max_size=8))
def test_a_wide_table_read_by_columns_reads_as_cell_by_cell(tmp_path_factory, comma, known,
                                                            source, metrics, rows):
    """A wide table's columns read side by side (each column's cells parsed where they
    stand, only the cells the rule refuses checked one by one) give what the long column of
    all its cells gives: the same figures in the same order, the same problems (one DAT02
    per column included), warnings, places and declared n/a; good and bad cells mixed in
    every column, with and without --decimal-comma and a ruleset. The distinct units and
    periods the reader found on the way are its figures' own."""
    names = ["unit", "period", *(["source"] if source else []), *metrics]
    lines = [",".join(names)] + [",".join([unit, period, *([src] if source else []),
                                          *cells[:len(metrics)]])
                                 for unit, period, src, cells in rows]
    path = tmp_path_factory.mktemp("wide") / "figures.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def read(by_columns: bool) -> Batch:
        batch = Batch(comma, KNOWN if known else None, {"received": "Received"})
        with pytest.MonkeyPatch.context() as patch:
            if not by_columns:
                patch.setattr(table_reader, "by_columns", lambda layout: False)
            read_into(batch, path)
        batch.finish()
        return batch

    columns, cells = read(True), read(False)
    assert columns.frame().equals(cells.frame())
    assert [p.format() for p in columns.problems] == [p.format() for p in cells.problems]
    assert [p.format() for p in columns.warnings] == [p.format() for p in cells.warnings]
    assert columns.places == cells.places
    assert columns.declared == cells.declared
    assert columns.keys_distinct() == cells.keys_distinct()
    texts, frame = columns.distinct_texts(), columns.frame()   # the figures' own, in order
    assert texts is None or texts == {key: data_module._distinct(frame, key)
                                      for key in ("unit", "period")}


TEXT = st.sampled_from(["a", "b", " a", "a ", "", "x\x1b", "01", "Huyện Hàm Tân"])
ENTRY = st.dictionaries(st.sampled_from([*FIELDS, "levle"]),
                        st.one_of(TEXT, st.integers(0, 9), st.none(), st.just(["a", "b"])),
                        max_size=5)


@given(entries=st.lists(ENTRY, max_size=6))
def test_plain_units_are_the_units_parse_unit_makes(entries):
    pos = Position("u.yaml", 3, 1)
    for i in plain_units(entries) or ():
        unit, problems = parse_unit(entries[i], lambda _key: pos)
        assert problems == []
        made = plain_unit(entries[i], pos)
        assert made == unit and isinstance(made, Unit) and made.pos == pos
        assert hash(made) == hash(unit)


@settings(max_examples=80)
@given(links=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 11)), max_size=14),
       heirs=st.one_of(st.none(), st.lists(st.tuples(st.integers(0, 9), st.integers(0, 11)),
                                           max_size=8)),
       dated=st.booleans(), bound=st.integers(1, 4))
def test_the_quick_chain_bound_agrees_with_the_exact_walk(links, heirs, dated, bound):
    """Parents and successors drawn at random (cycles and long chains included): the same
    problems with the quick screen as with the exact walks alone, for the chain bounds and
    for the whole tree check."""
    parent = dict(links)
    successor = dict(heirs) if heirs is not None else {
        child: (child + 3) % 10 for child in parent if child % 3 == 0}
    units = {f"u{i}": Unit(f"u{i}", f"u{i}", None,
                           f"u{parent[i]}" if i in parent else None, Position("u.yaml", i + 1),
                           successor=f"u{successor[i]}" if i in successor else None,
                           parents=(("u1", None, "2024-12-31"),) if dated and i == 5 else ())
             for i in range(10)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(units_module, "MAX_DEPTH", bound)
        patch.setattr(units_module, "MAX_SUCCESSION", bound)
        quick = [p.format() for p in chain_problems(units)]
        quick_tree = [p.format() for p in check_tree(units)]
        patch.setattr(units_module, "_within", lambda *args: False)
        exact = [p.format() for p in chain_problems(units)]
        exact_tree = [p.format() for p in check_tree(units)]
    assert quick == exact
    assert quick_tree == exact_tree   # cycles too: a chain the screen finds short is none


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["a", "b"]),
                               st.sampled_from(["2024-Q1", "Quý I/2024", "2024-Q2"]),
                               st.sampled_from(["", "3", "4"])), max_size=6))
def test_a_vouched_table_reads_as_one_merged(tmp_path_factory, rows):
    """Figures a wide table vouches distinct skip `merge`: the same figures and the same
    problems (repeats, periods that become one) as when merged."""
    path = tmp_path_factory.mktemp("merge") / "m.csv"
    path.write_text("unit,period,received\n" + "".join(f"{u},{p},{v}\n" for u, p, v in rows),
                    encoding="utf-8")

    def read() -> object:
        try:
            return read_data([path], known_metrics={"received": "count"}).values.rows()
        except CchcError as err:
            return [p.format() for p in err.problems]

    vouched = read()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Batch, "keys_distinct", lambda self: False)
        assert read() == vouched


YAML_TEXT = st.sampled_from(["a", "b", "' a'", '"x\\e"', "01", "Huyện Hàm Tân", "''", "!!str 5",
                             "5", "null", "&k a", "*k", "[a, b]", "{id: a}", "yes", "a # note",
                             "!!binary eA=="])
YAML_KEY = st.sampled_from(["id", "name", "level", "parent", "code", "levle", "valid_from",
                            "split_into", "<<", "'id'", "1"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(st.lists(st.tuples(YAML_KEY, YAML_TEXT), min_size=1, max_size=4),
                        max_size=5),
       bare=st.booleans(), flow=st.booleans(), levels=st.booleans())
def test_units_read_from_the_nodes_read_as_built(tmp_path_factory, entries, bare, flow,
                                                 levels):
    """A units file read straight from its nodes (`yaml_json._read_plain_units`) reads as
    the built document does: the same units and places, problems and warnings, for
    generated files (aliases, merge keys, tags, repeated keys, numbers, quoted and flow
    entries, a `levels:` section or none, a bare list)."""
    def item(pairs: list[tuple[str, str]]) -> str:
        if flow:
            return "- {" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}\n"
        return "".join(("- " if n == 0 else "  ") + f"{k}: {v}\n"
                       for n, (k, v) in enumerate(pairs))
    body = "".join(item(pairs) for pairs in entries) or "[]\n"
    text = body if bare else "units:\n" + "".join("  " + line + "\n"
                                                  for line in body.splitlines())
    if levels and not bare:
        text += "levels:\n  commune: Xã\n"
    path = tmp_path_factory.mktemp("units") / "units.yaml"
    path.write_text(text, encoding="utf-8")

    def read(fast: bool) -> tuple:
        batch = Batch()
        with pytest.MonkeyPatch.context() as patch:
            if not fast:
                patch.setattr(yaml_reader, "_read_plain_units", lambda *args: False)
            read_into(batch, path, units=True)
        return ([(u, u.pos) for u in batch.units], [p.format() for p in batch.problems],
                [p.format() for p in batch.warnings], batch.level_titles)
    assert read(True) == read(False)


def test_units_aliased_beyond_the_bound_are_refused(tmp_path, monkeypatch):
    """The nodes path leaves a file with aliases to the built document, which counts them:
    a units list aliased past MAX_ALIAS_NODES is YAML04 as before."""
    monkeypatch.setattr(load_module, "MAX_ALIAS_NODES", 5)
    path = tmp_path / "units.yaml"
    path.write_text("units:\n- &u {id: a, name: A}\n" + "- *u\n" * 6, encoding="utf-8")
    batch = Batch()
    read_into(batch, path, units=True)
    assert [p.code for p in batch.problems] == ["YAML04"] and not batch.units


@given(texts=st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "Quý I/2024"])),
                      max_size=30))
def test_distinct_texts_by_runs_are_the_distinct_texts(texts):
    """`data._distinct` (runs collapsed, then hashed) gives polars' distinct values in the
    order they first appear, nulls included."""
    frame = pl.DataFrame({"period": texts}, schema={"period": pl.String})
    assert data_module._distinct(frame, "period") == \
        frame.get_column("period").unique(maintain_order=True).to_list()



@settings(max_examples=300)
@given(texts=st.lists(st.one_of(st.none(), st.text(alphabet="0123456789+-.,e _ ١５", max_size=22),
                                st.sampled_from(["18446744073709551615", "18446744073709551616",
                                                 "9007199254740993", "007", "+5", "0"])),
                      max_size=20), comma=st.booleans())
def test_a_text_read_as_digits_reads_as_the_number_rule_reads_it(texts, comma):
    """`Batch.read_digits` reads a text only when it is digits alone, and then as
    `read_number` reads it (either decimal mark): a wide column whose texts it reads all
    needs no regular expression."""
    batch = Batch(comma)
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.String}).select(
        digits=batch.read_digits(pl.col("t")), rule=batch.read_number(pl.col("t")))
    for text, digits, rule in zip(texts, *frame.get_columns(), strict=True):
        assert (digits is not None) == (text is not None and text.isascii()
                                        and text.isdigit() and int(text) < 2 ** 64), text
        if digits is not None:
            assert digits == rule == float(int(text)), text


@given(text=st.text(alphabet="ab\n\r,", max_size=30), lines=st.integers(1, 12))
def test_the_head_of_a_text_is_its_first_lines(text, lines):
    """`csv._head` (no copy of the rest) is the first lines as a split would give them."""
    assert csv_reader._head(text, lines) == "\n".join(text.split("\n", lines)[:lines])


WIDE_TEXT = ("unit,period,received,rate\n"
             "a,2024-01,5,50\n"
             "a,2024-02,,\n"
             "b,2024-01,7,\n")


def _pivoted(values: pl.DataFrame) -> set[tuple]:
    return {(r["unit"], r["period"], r["metric"], r["value"])
            for r in values.iter_rows(named=True)}


def _cells(table: pl.DataFrame) -> set[tuple]:
    metrics = [c for c in table.columns if c not in ("unit", "period")]
    return {(r["unit"], r["period"], m, r[m]) for r in table.iter_rows(named=True)
            for m in metrics if r[m] is not None}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(metrics=METRICS, rows=st.lists(st.tuples(ID, PERIOD, st.lists(CELL, min_size=4,
                                                                       max_size=4)),
                                      max_size=8))
def test_figures_read_wide_are_their_long_figures(tmp_path_factory, metrics, rows):
    """Whenever read_data keeps the wide table (Figures.as_wide), its cells are exactly the
    long figures, and its rows are those with a figure."""
    lines = [",".join(["unit", "period", *metrics])]
    lines += [",".join([unit, period, *cells[:len(metrics)]]) for unit, period, cells in rows]
    path = tmp_path_factory.mktemp("csv") / "figures.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        figures = read_data([path], known_metrics=KNOWN, metric_labels={"received": "Received"})
    except CchcError:
        return
    table = figures.as_wide()
    if table is None:
        return
    assert _cells(table) == _pivoted(figures.values)
    assert table.height == figures.values.select("unit", "period").unique().height


def test_the_wide_table_is_kept_only_while_it_is_the_figures(tmp_path):
    import dataclasses
    path = tmp_path / "figures.csv"
    path.write_text(WIDE_TEXT, encoding="utf-8")
    figures = read_data([path], known_metrics=KNOWN)
    table = figures.as_wide()
    assert table is not None
    assert _cells(table) == _pivoted(figures.values)
    assert table.select("unit", "period").rows() == [("a", "2024-01"), ("b", "2024-01")]
    # another values frame (a caller's filter, a merge): the table no longer says it
    changed = dataclasses.replace(figures, values=figures.values.head(1))
    assert changed.as_wide() is None
    # Vietnamese period names become canonical ones in the long figures only: not kept
    path.write_text(WIDE_TEXT.replace("2024-01", "Tháng 1/2024"), encoding="utf-8")
    assert read_data([path], known_metrics=KNOWN).as_wide() is None
    # a long table, or two files: the figures were not read as one wide table
    path.write_text("unit,period,metric,value\na,2024-01,received,5\n", encoding="utf-8")
    assert read_data([path], known_metrics=KNOWN).as_wide() is None
    other = tmp_path / "more.csv"
    other.write_text("unit,period,received\nc,2024-01,1\n", encoding="utf-8")
    path.write_text(WIDE_TEXT, encoding="utf-8")
    assert read_data([path, other], known_metrics=KNOWN).as_wide() is None


def test_figures_outside_a_units_validity_drop_the_wide_table(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text(WIDE_TEXT, encoding="utf-8")
    units = tmp_path / "units.yaml"
    units.write_text("units:\n  - {id: a, name: A}\n"
                     "  - {id: b, name: B, valid_from: 2024-02-01}\n", encoding="utf-8")
    figures = read_data([path], units_file=units, known_metrics=KNOWN)
    assert figures.warnings   # b's January figure is left out (UNT12)
    assert figures.as_wide() is None
