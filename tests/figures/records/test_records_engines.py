"""DuckDB, PostgreSQL and Spark count identical figures from the same dossier records.

The module starts its own throw-away PostgreSQL 15 cluster and one small local Spark
session (records_services.py) and stops them at the end. A case is skipped, with the
reason, when its binaries or packages (psycopg, pyspark, java) are missing. Spark takes
half a minute to start on a small machine: its case is marked slow (`make test` runs it).
"""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from records_services import count_records, load_table, spark_ready, write_records

from cchc_rules.errors import CchcError

COLUMNS = {"dossier_id": "text", "unit_id": "text", "applicant": "text",
           "received_at": "timestamp", "due_at": "date", "resolved_at": "date",
           "channel": "text", "fee": "double precision", "sent_at": "timestamptz"}

RULESET = """\
ruleset: records-pg
title: Records on PostgreSQL
sources:
  dossiers:
    table: dossiers
    unit: unit_id
    date: received_at
    id: dossier_id
    periods: [month, quarter, year]
    columns: {dossier_id: text, unit_id: text, applicant: text, received_at: timestamp,
              due_at: date, resolved_at: date, channel: text, fee: number,
              sent_at: timestamptz}
metrics:
  received: {label: R, unit: count, records: {source: dossiers, aggregate: count}}
  online:
    label: O
    unit: count
    records: {source: dossiers, aggregate: count,
              where: "channel in ['online', \\"it's\\"] and fee >= 0"}
  on_time:
    label: T
    unit: count
    records: {source: dossiers, aggregate: count, date: resolved_at,
              where: "resolved_at <= due_at"}
  sent:
    label: S
    unit: count
    records: {source: dossiers, aggregate: count, date: sent_at, where: "sent_at is not null"}
  fees: {label: F, unit: vnd, records: {source: dossiers, aggregate: sum, column: fee}}
  applicants:
    label: A
    unit: count
    records: {source: dossiers, aggregate: count_distinct, column: applicant}
  days:
    label: D
    unit: days
    records: {source: dossiers, aggregate: mean_days, from: received_at, to: resolved_at}
  overdue:
    label: P
    unit: count
    records:
      source: dossiers
      aggregate: count
      stock: true
      where: "received_at <= period_end and (resolved_at is null or resolved_at > period_end)
        and due_at < period_end and received_at >= '2025-01-01'"
  in_time:
    label: I
    unit: count
    records:
      source: dossiers
      aggregate: count
      stock: true
      where: "received_at <= period_end and (resolved_at is null or resolved_at > period_end)
        and due_at >= period_end"
"""


def _rows(n: int = 2000) -> list[dict]:
    rng = random.Random(766)
    rows = []
    for i in range(n):
        received = datetime(2025, 1, 1) + timedelta(minutes=rng.randrange(181 * 24 * 60))
        resolved = None if rng.random() < 0.1 else \
            received.date() + timedelta(days=rng.randrange(20))
        rows.append({"dossier_id": f"HS-{i}", "unit_id": rng.choice(("a", "b", "c")),
                     "applicant": f"p{rng.randrange(500)}", "received_at": received,
                     "due_at": received.date() + timedelta(days=rng.choice((3, 7, 15))),
                     "resolved_at": resolved,
                     "channel": rng.choice(("online", "direct", "it's")),
                     "fee": float(rng.choice((0, 5_000, 20_000))),
                     # an instant in UTC, near midnight in Vietnam now and then
                     "sent_at": (received + timedelta(hours=rng.randrange(-9, 9)))
                     .replace(tzinfo=UTC)})
    if n > 12:  # an id twice with the same contents, and one twice with different ones
        rows.append(dict(rows[10]))
        rows[11]["dossier_id"] = "HS-12"
    return rows


@pytest.fixture(scope="module")
def loaded(server, tmp_path_factory):
    rows = _rows()
    folder = write_records(tmp_path_factory.mktemp("pg"), rows, RULESET, "dossiers.parquet")
    load_table(server, "dossiers", COLUMNS, rows)
    return folder, server


def _as_dict(counted) -> dict:
    return {(r["unit"], r["period"], r["metric"]): r["value"]
            for r in counted.values.iter_rows(named=True)}


def _figures(folder: Path, location: str, units=None) -> dict:
    return _as_dict(count_records(folder, location, units))


def _quality(got) -> tuple:
    """What the data-quality section says of the one source, where it was read aside."""
    (q,) = got.info.sources
    return (q.rows, q.first_day, q.last_day, q.no_unit, q.dates, q.duplicate_ids,
            q.duplicate_rows, q.differing_ids, q.duplicate_examples)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The records as Parquet and the ruleset, for the engines that read files."""
    return write_records(tmp_path_factory.mktemp("records"), _rows(), RULESET,
                         "dossiers.parquet")


@pytest.fixture(scope="module")
def duckdb_counted(folder):
    return count_records(folder, f"dossiers={folder}/dossiers.parquet")


@pytest.fixture(scope="module")
def reference(duckdb_counted) -> dict:
    """DuckDB's figures, checked against the rows themselves on a few sums."""
    got = _as_dict(duckdb_counted)
    rows = _rows()
    assert len(got) == 3 * (6 + 2 + 1) * 9     # units × (months, quarters, year) × metrics
    for unit in "abc":
        mine = [r for r in rows if r["unit_id"] == unit]
        assert got[(unit, "2025", "received")] == len(mine)
        assert got[(unit, "2025", "fees")] == sum(r["fee"] for r in mine)
        assert got[(unit, "2025", "received")] == sum(
            got[(unit, f"2025-{m:02d}", "received")] for m in range(1, 7))
    return got


def _location(engine: str, request) -> tuple[Path, str]:
    folder = request.getfixturevalue("folder")
    if engine == "postgres":
        folder, server = request.getfixturevalue("loaded")
        return folder, f"dossiers={server}?table=dossiers"
    if engine == "spark":
        spark_ready()
        return folder, f"dossiers=spark:{folder}/dossiers.parquet"
    return folder, f"dossiers={folder}/dossiers.parquet"


@pytest.mark.parametrize("engine", ["duckdb", "postgres",
                                    pytest.param("spark", marks=pytest.mark.slow)])
def test_every_engine_gives_identical_figures(engine, reference, duckdb_counted, request):
    folder, location = _location(engine, request)
    counted = count_records(folder, location)
    got = _as_dict(counted)
    # the data-quality section too: each engine checks the ids in its own way (DuckDB and
    # Spark group hashes of the ids, PostgreSQL the ids themselves)
    assert _quality(counted) == _quality(duckdb_counted)
    assert _quality(counted)[5:] == (2, 4, 1, ["HS-12", "HS-10"])
    assert set(got) == set(reference)
    for key, value in reference.items():
        # Counts and sums are exact; a mean may differ in its last bit (summation order).
        assert got[key] == pytest.approx(value, rel=1e-12, abs=0), (engine, key)


def test_an_unknown_table_is_one_rec06_error(loaded):
    folder, server = loaded
    with pytest.raises(CchcError) as err:
        _figures(folder, f"dossiers={server}?table=public.nothing_here")
    (problem,) = err.value.problems
    assert problem.code == "REC06" and "nothing_here" in problem.message


def test_text_in_a_date_column_of_a_table_names_the_column(loaded):
    folder, server = loaded
    rows = [dict(r, due_at=str(r["due_at"])) for r in _rows(20)]
    rows[7]["due_at"] = "soon"
    load_table(server, "dossiers_text", {**COLUMNS, "due_at": "text"}, rows)
    with pytest.raises(CchcError) as err:
        _figures(folder, f"dossiers={server}?table=dossiers_text")
    (problem,) = err.value.problems
    assert problem.code == "REC06", problem.format()
    assert "table dossiers_text, column 'due_at'" in problem.message, problem.message


def test_parents_count_the_same_in_postgresql_as_in_duckdb(loaded):
    """Units with a parent: each engine gets the (member, group) table of its own."""
    from cchc_rules.figures.units import Unit
    folder, server = loaded
    units = {"p": Unit("p", "P", "district"),
             **{u: Unit(u, u, "commune", "p") for u in "abc"}}
    duck = _figures(folder, f"dossiers={folder}/dossiers.parquet", units)
    pg = _figures(folder, f"dossiers={server}?table=dossiers", units)
    assert set(duck) == set(pg) and ("p", "2025", "applicants") in duck
    assert duck[("p", "2025", "received")] == len(_rows())
    for key, value in duck.items():
        assert pg[key] == pytest.approx(value, rel=1e-12, abs=0), key


def test_the_postgres_session_reads_a_backslash_as_itself(server):
    """sqlglot writes the text `x\\` as 'x\\' (standard strings); a server whose default is
    standard_conforming_strings = off would read that backslash as escaping the quote."""
    import psycopg
    from sqlglot import exp

    from cchc_rules.figures.records.engines import Location, Postgres
    with psycopg.connect(server, autocommit=True) as con:
        con.execute("ALTER ROLE cchc SET standard_conforming_strings = off")
    try:
        engine = Postgres([Location("dossiers", "dossiers=pg", url=server, table="dossiers",
                                    engine="postgres")])
        try:
            query = exp.select(
                exp.func("current_setting", exp.Literal.string("standard_conforming_strings")),
                exp.func("length", exp.Literal.string("x\\")))
            assert engine.rows("dossiers", query) == [("on", 2)]
        finally:
            engine.close()
    finally:
        with psycopg.connect(server, autocommit=True) as con:
            con.execute("ALTER ROLE cchc RESET standard_conforming_strings")
