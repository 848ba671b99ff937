"""Throw-away services for the records tests (not a test module): a PostgreSQL 15 cluster
(initdb + pg_ctl in a temp folder, a free loopback port, trust authentication for that
port only) and a small local Spark session, each started once and stopped at the end;
and the records' loaders: rows into a table (load_table, load_frame), rows into a Parquet
file beside a ruleset (write_records), and those counted (count_records). The `server`
fixture of tests/figures/records/conftest.py is a cluster per test module.

As root, PostgreSQL runs as the `postgres` user (it refuses root). Each helper skips, with
the reason, when its binaries or packages are missing.
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """A running throw-away cluster's URL (user cchc, database postgres)."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN}")
    prefix: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="cchc-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses root: run it as the postgres user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user")
        os.chown(folder, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    run = dict(check=True, capture_output=True, timeout=120)
    subprocess.run([*prefix, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust",
                    "-U", "cchc", "--no-sync", "-E", "UTF8"], **run)
    subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l",
                    str(folder / "log"), "-w", "-o", f"-p {port} -k {folder} "
                    "-c listen_addresses=127.0.0.1 -c fsync=off", "start"], **run)
    try:
        yield f"postgresql://cchc@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    """A throw-away server's URL for one test module (skipped without psycopg): import it
    into the module that uses it."""
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    with postgres_server() as url:
        yield url


def load_table(url: str, table: str, columns: dict[str, str], rows: list[dict]) -> None:
    """Create `table` with `columns` (name -> PostgreSQL type) and insert `rows`."""
    import psycopg
    from psycopg import sql
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(sql.SQL("CREATE TABLE {} ({})").format(
            sql.Identifier(table), sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
                for c, t in columns.items())))
        with con.cursor() as cur:
            cur.executemany(sql.SQL("INSERT INTO {} VALUES ({})").format(
                sql.Identifier(table), sql.SQL(", ").join(sql.Placeholder() * len(columns))),
                [tuple(r[c] for c in columns) for r in rows])


def spark_ready() -> None:
    """Skip unless pyspark and a Java runtime are there; then a small local session: one
    core, 512 MB (the session is shared by every test of the process)."""
    pytest.importorskip("pyspark", reason="pyspark is not installed")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime (java) for Spark")
    os.environ.setdefault("CCHC_SPARK_MASTER", "local[1]")
    os.environ.setdefault("CCHC_SPARK_MEMORY", "512m")


PG_TYPES = {"String": "text", "Int32": "integer", "Int64": "bigint", "Float64": "double precision",
            "Boolean": "boolean", "Date": "date"}


def load_frame(url: str, table: str, frame) -> None:
    """Create `table` from a polars frame (its column types mapped to PostgreSQL's; a
    datetime without a zone is a `timestamp`) and copy its rows in."""
    columns = {name: "timestamp" if str(dtype).startswith("Datetime")
               else PG_TYPES[str(dtype)] for name, dtype in frame.schema.items()}
    load_table(url, table, columns, frame.to_dicts())


def write_records(folder: Path, rows: list[dict], ruleset: str, name: str = "d.parquet",
                  **frame_options) -> Path:
    """`rows` as the Parquet file `name` in `folder` (`frame_options`: polars.DataFrame's,
    e.g. schema_overrides), the ruleset text beside it as ruleset.yaml; `folder`."""
    import polars as pl
    pl.DataFrame(rows, **frame_options).write_parquet(folder / name)
    (folder / "ruleset.yaml").write_text(ruleset, encoding="utf-8")
    return folder


def count_records(folder: Path, location: str, units=None, **options):
    """count_figures of `folder`/ruleset.yaml over one `location` (NAME=…, as --records):
    records.RecordFigures. `units`: the declared units, or None; `options`: count_figures'."""
    from cchc_rules.figures.records import count_figures, parse_location
    from cchc_rules.pipeline import Session
    ruleset = Session().load_ruleset(folder / "ruleset.yaml")
    return count_figures(ruleset, [parse_location(location, ruleset.model.sources)], units,
                         **options)
