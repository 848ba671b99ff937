"""DuckDB and PostgreSQL count the same figures from the same dossier records.

The test starts its own throw-away PostgreSQL 15 cluster (initdb + pg_ctl, a temp folder, a
free loopback port, trust authentication for that port only) and stops it at the end. As
root, the server runs as the `postgres` user (PostgreSQL refuses to run as root). Skipped,
with the reason, when the binaries, psycopg or that user are missing.
"""
from __future__ import annotations

import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from cchc_rules.errors import CchcError
from cchc_rules.pipeline import Session
from cchc_rules.records import count_figures, parse_location

BIN = Path("/usr/lib/postgresql/15/bin")
psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed")

RULESET = """\
ruleset: records-pg
title: Records on PostgreSQL
sources:
  dossiers:
    table: dossiers
    unit: unit_id
    date: received_at
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
    return rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not (BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries not found in {BIN}")
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
    subprocess.run([*prefix, str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "cchc",
                    "--no-sync", "-E", "UTF8"], **run)
    subprocess.run([*prefix, str(BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"),
                    "-w", "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 "
                    "-c fsync=off", "start"], **run)
    try:
        yield f"postgresql://cchc@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def loaded(server, tmp_path_factory):
    rows = _rows()
    folder = tmp_path_factory.mktemp("pg")
    pl.DataFrame(rows).write_parquet(folder / "dossiers.parquet")
    (folder / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    with psycopg.connect(server, autocommit=True) as con:
        con.execute("CREATE TABLE dossiers (dossier_id text, unit_id text, applicant text, "
                    "received_at timestamp, due_at date, resolved_at date, channel text, "
                    "fee double precision, sent_at timestamptz)")
        with con.cursor() as cur:
            cur.executemany("INSERT INTO dossiers VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                            [tuple(r.values()) for r in rows])
    return folder, server


def _figures(folder: Path, location: str) -> dict:
    ruleset = Session().load_ruleset(folder / "ruleset.yaml")
    got = count_figures(ruleset, [parse_location(location, ruleset.model.sources)])
    return {(r["unit"], r["period"], r["metric"]): r["value"]
            for r in got.values.iter_rows(named=True)}


def test_duckdb_and_postgresql_give_the_same_figures(loaded):
    folder, server = loaded
    duck = _figures(folder, f"dossiers={folder}/dossiers.parquet")
    pg = _figures(folder, f"dossiers={server}?table=dossiers")
    assert len(duck) == 3 * (6 + 2 + 1) * 8
    assert set(duck) == set(pg)
    for key, value in duck.items():
        assert pg[key] == pytest.approx(value, rel=1e-12), key
    assert duck[("a", "2025", "received")] == sum(
        duck[("a", f"2025-{m:02d}", "received")] for m in range(1, 7))


def test_an_unknown_table_is_one_rec06_error(loaded):
    folder, server = loaded
    with pytest.raises(CchcError) as err:
        _figures(folder, f"dossiers={server}?table=public.nothing_here")
    (problem,) = err.value.problems
    assert problem.code == "REC06" and "nothing_here" in problem.message
