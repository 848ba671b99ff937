"""Records dated near 0001-01-01 and 9999-12-31, and past them (year 99999, 2 BC), counted
alike by DuckDB, PostgreSQL and Spark (issue 25): the same figures, the same REC09 line with
the same counts by kind, the same REC14 line. The figures are checked against a plain-Python
count of the same rows.

DuckDB and Spark read one Parquet file (days past 9999 written as day numbers, as an export
can hold them); PostgreSQL a table of `date` columns, the far days inserted as its own text
(`99999-01-01`, `0002-01-01 BC`). The module starts its own throw-away PostgreSQL cluster;
Spark's cases are slow, like the other engine tests'.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from records_ruleset import records_ruleset
from records_services import load_table, postgres_server, spark_ready

EPOCH = date(1970, 1, 1)
# Days Python has no date for: as day numbers from 1970-01-01 (proleptic Gregorian), and as
# PostgreSQL writes them. Year -1 is 2 BC (there is no year 0 in BC numbering).
BEYOND = {"99999-01-01": (date(9999, 1, 1) - EPOCH).days + sum(
              366 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 365
              for y in range(9999, 99999)),
          "-0001-01-01": (date(1, 1, 1) - EPOCH).days - 366 - 365}
PG_TEXT = {"99999-01-01": "99999-01-01", "-0001-01-01": "0002-01-01 BC"}
# (id, unit, received, resolved): near and past the ends of the calendar, each left out
FAR = [("x0", "b", "0001-01-01", None), ("x1", "b", "2025-01-10", "0001-01-05"),
       ("x2", "b", "9998-12-31", None), ("x3", "b", "2025-01-11", "9999-12-31"),
       ("x4", "b", "99999-01-01", None), ("x5", "b", "-0001-01-01", None),
       ("x6", "b", "2025-01-12", "99999-01-01")]
WIDE = "    earliest: '0001-01-01'\n    latest: '9999-12-31'\n"
DAYS = ("  days: {label: Số ngày giải quyết, unit: days,\n"
        "         records: {source: dossiers, aggregate: mean_days, from: received_at, "
        "to: resolved_at}}\n")


def _near() -> list[tuple]:
    """90 dossiers of three units in January and February 2025, one in ten not resolved."""
    rows = []
    for i in range(90):
        received = date(2025, 1, 1) + timedelta(days=i % 59)
        resolved = None if i % 10 == 3 else received + timedelta(days=i % 9)
        rows.append((f"d{i}", "abc"[i % 3], received.isoformat(),
                     resolved and resolved.isoformat()))
    return rows


def _day_number(text: str | None) -> int | None:
    if text is None:
        return None
    return BEYOND[text] if text in BEYOND else (date.fromisoformat(text) - EPOCH).days


def _reference(rows: list[tuple]) -> dict:
    """(unit, month, metric) -> figure, counted in plain Python from the near rows."""
    got: dict[tuple, list] = {}
    for _id, unit, received, resolved in rows:
        month = received[:7]
        got.setdefault((unit, month, "received"), []).append(1)
        if resolved is not None:
            got.setdefault((unit, month, "days"), []).append(
                (date.fromisoformat(resolved) - date.fromisoformat(received)).days)
    return {k: (len(v) if k[2] == "received" else sum(v) / len(v)) for k, v in got.items()}


TABLES = {"dossiers": _near() + FAR,
          "dossiers_near_end": _near() + [r for r in FAR if r[0] not in ("x0", "x1")]}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("far")
    for table, rows in TABLES.items():
        frame = pl.DataFrame({
            "dossier_id": [r[0] for r in rows], "unit_id": [r[1] for r in rows],
            "received_at": pl.Series([_day_number(r[2]) for r in rows], dtype=pl.Int32),
            "resolved_at": pl.Series([_day_number(r[3]) for r in rows], dtype=pl.Int32)})
        frame.with_columns(pl.col("received_at", "resolved_at").cast(pl.Date)).write_parquet(
            folder / f"{table}.parquet")
    return folder


@pytest.fixture(scope="module")
def server():
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    with postgres_server() as url:
        for table, rows in TABLES.items():
            load_table(url, table, {"dossier_id": "text", "unit_id": "text",
                                    "received_at": "date", "resolved_at": "date"},
                       [{"dossier_id": i, "unit_id": u, "received_at": PG_TEXT.get(r, r),
                         "resolved_at": PG_TEXT.get(s, s) if s else None}
                        for i, u, r, s in rows])
        yield url


def _location(engine: str, table: str, request) -> str:
    if engine == "postgres":
        return f"dossiers={request.getfixturevalue('server')}?table={table}"
    folder = request.getfixturevalue("folder")
    if engine == "spark":
        spark_ready()
        return f"dossiers=spark:{folder}/{table}.parquet"
    return f"dossiers={folder}/{table}.parquet"


def _figures(cli, tmp_path: Path, engine: str, table: str, keys: str, request):
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text(records_ruleset("far-dates", keys=f"    resolved: resolved_at\n{keys}",
                                       columns=", resolved_at: date", metrics=DAYS),
                       encoding="utf-8")
    location = _location(engine, table, request)
    result = cli("figures", ruleset, "--records", location, "--format", "json")
    assert "INT01" not in result.output and "Traceback" not in result.output, result.output
    figures = {(f["unit"], f["period"], f["metric"]): f["value"]
               for f in json.loads(result.stdout)["figures"]} if result.exit_code == 0 else None
    return result, figures, location


ENGINES = ["duckdb", "postgres", pytest.param("spark", marks=pytest.mark.slow)]


@pytest.mark.parametrize("engine", ENGINES)
def test_far_days_are_left_out_of_the_default_window_and_counted(cli, tmp_path, engine,
                                                                 request):
    result, figures, _ = _figures(cli, tmp_path, engine, "dossiers", "", request)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning REC09 7 record(s) of 'dossiers' have a missing or inconsistent date and are "
        "counted in no figure: out_of_window 7 [see the data-quality section; fix the dates "
        "in the export]"]
    assert set(figures) == set(_reference(_near()))
    for key, value in _reference(_near()).items():
        assert figures[key] == pytest.approx(value, rel=1e-12), (engine, key)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_window_to_the_ends_of_the_calendar_sorts_far_days_by_kind(cli, tmp_path, engine,
                                                                    request):
    result, figures, _ = _figures(cli, tmp_path, engine, "dossiers_near_end", WIDE, request)
    assert result.exit_code == 0, result.output
    # 9998-12-31 and a resolution on 9999-12-31 are in the window but after now; years 99999
    # and 2 BC are outside any window
    assert result.stderr.splitlines() == [
        "warning REC09 5 record(s) of 'dossiers' have a missing or inconsistent date and are "
        "counted in no figure: out_of_window 3, received_in_future 1, resolved_in_future 1 "
        "[see the data-quality section; fix the dates in the export]"]
    assert figures == pytest.approx(_reference(_near()), rel=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_first_day_in_year_1_is_rec14_before_any_period(cli, tmp_path, engine, request):
    result, _, location = _figures(cli, tmp_path, engine, "dossiers", WIDE, request)
    assert result.exit_code == 2, result.output
    if engine == "postgres":  # shown as engine, host, database and table only
        location = "dossiers=postgresql://127.0.0.1/postgres?table=dossiers"
    assert result.stderr.splitlines() == [
        f"{location}: error REC14 records of 'dossiers' span 0001-01-01 to 2025-02-28, more "
        "than 100 years: a mistyped year would make a period of every month in between [fix "
        "the year of the first or last dates in the export]"], result.stderr
