"""Credentials never leave the process (issue 24): a password anywhere in a connection
string is refused, and a planted user name and password appear in no output format and no
error of a run on a throw-away PostgreSQL server (records_services.py); unix sockets,
`service=` and environment-only connections work; a server that cannot be reached exits 3.
"""
from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from records_services import load_frame

from cchc_rules.cli import main
from cchc_rules.errors import CchcError, Unreachable
from cchc_rules.figures.records.engines import (
    Postgres,
    has_secret,
    parse_location,
    shown_url,
)
from cchc_rules.output import cancel_running

ROOT = Path(__file__).resolve().parents[3]
RULESET = ROOT / "rulesets/national/qd766-records.yaml"
SAMPLE = ROOT / "examples/records"
UNITS = SAMPLE / "units.csv"
USER = "zzplanteduser7f3"          # a role of the throw-away server: never shown
PASSWORD = "zzPlantedPassw0rd9q"   # in PGPASSWORD (trust authentication ignores it)


class _Source:
    table = "dossiers"


SOURCES = {"dossiers": _Source()}


@pytest.mark.parametrize("url", [
    "postgresql://u:pw@h/db", "postgresql://u:@h/db", "postgres://u:pw@h:5432/db?table=t",
    "postgresql://u@h/db?password=pw", "postgresql://u@h/db?PASSWORD=pw",
    "postgresql://u@h/db?sslmode=require&Pass=pw", "postgresql://h/db?pwd=pw",
    "postgresql://h/db?passwd=pw", "postgresql://h/db?sslpassword=pw",
    "postgresql://h/db?pass%77ord=pw", "POSTGRESQL://h/db?password=pw",
])
def test_a_password_anywhere_in_a_connection_string_is_refused(url):
    assert has_secret(url)
    with pytest.raises(CchcError) as err:
        parse_location(f"dossiers={url}", SOURCES)
    (problem,) = err.value.problems
    assert problem.code == "REC05"
    assert "pw" not in problem.format().replace("pwd", "").replace("passwd", "")
    assert "PGPASSWORD" in problem.hint and "~/.pgpass" in problem.hint \
        and "service=" in problem.hint


@pytest.mark.parametrize("text", [
    "postgresql://u@h/db?password=s3cretX",        # NAME= forgotten: the URL is the "name"
    "nosuch=postgresql://u:s3cretX@h/db",           # an unknown source
    "dossiers=mysql://u:s3cretX@h/db",              # not a server cchc knows: a file glob
])
def test_a_value_not_understood_is_shown_without_its_password(text):
    with pytest.raises(CchcError) as err:
        parse_location(text, SOURCES)
    assert "s3cretX" not in str(err.value), str(err.value)


def test_passfile_names_where_passwords_are_and_is_accepted():
    assert not has_secret("postgresql://h/db?passfile=/etc/cchc/pgpass")


@pytest.mark.parametrize("given, url, shown", [
    ("postgresql://reader@db.tinh.gov.vn:6432/dvc?sslmode=require&table=hs.ho_so",
     "postgresql://reader@db.tinh.gov.vn:6432/dvc?sslmode=require",
     "postgresql://db.tinh.gov.vn/dvc?table=hs.ho_so"),
    ("postgresql:///dvc?host=/var/run/postgresql&table=ho_so",
     "postgresql:///dvc?host=/var/run/postgresql", "postgresql:///var/run/postgresql/dvc?table=ho_so"),
    ("postgresql:///dvc?host=%2Fvar%2Frun%2Fpostgresql",
     "postgresql:///dvc?host=%2Fvar%2Frun%2Fpostgresql",
     "postgresql:///var/run/postgresql/dvc?table=dossiers"),
    ("postgresql://?service=dvc&table=ho_so", "postgresql://?service=dvc",
     "postgresql:///?service=dvc&table=ho_so"),
    ("postgresql://", "postgresql://", "postgresql:///?table=dossiers"),
])
def test_sockets_services_and_the_environment_keep_their_url(given, url, shown):
    loc = parse_location(f"dossiers={given}", SOURCES)
    assert (loc.url, loc.text) == (url, f"dossiers={shown}")
    assert shown_url(given).partition("?")[0] == shown.partition("?")[0]


@pytest.fixture(scope="module")
def server(server):
    """The module's cluster (conftest.py) with the sample, and a role of our own."""
    import psycopg
    load_frame(server, "dossiers", pl.read_parquet(SAMPLE / "*.parquet"))
    load_frame(server, "thin", pl.read_parquet(SAMPLE / "*.parquet").drop("ma_tthc"))
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f'CREATE ROLE "{USER}" LOGIN')
        con.execute(f'GRANT SELECT ON dossiers, thin TO "{USER}"')
    return server


def _port(url: str) -> str:
    return url.rpartition(":")[2].partition("/")[0]


def _run(args, env=None):
    result = CliRunner().invoke(main, [str(a) for a in args],
                                env={"PGPASSWORD": PASSWORD, **(env or {})})
    return result.exit_code, result.stdout_bytes, result.stderr


def _clean(blob: bytes | str, port: str) -> None:
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    for secret in (PASSWORD, USER, f":{port}"):
        assert secret not in text, (secret, text[:2000])


def _records(server: str, table: str = "dossiers") -> str:
    return f"dossiers=postgresql://{USER}@127.0.0.1:{_port(server)}/postgres?table={table}"


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "junit", "parquet", "arrow"])
def test_no_secret_in_any_results_format(server, fmt, tmp_path):
    port = _port(server)
    out = tmp_path / f"out.{fmt}"
    code, stdout, stderr = _run(["evaluate", RULESET, "--units", UNITS, "--records",
                                 _records(server), "--format", fmt, "--output", out])
    assert code == 1, stderr
    _clean(out.read_bytes(), port)
    _clean(stdout, port)
    _clean(stderr, port)
    if fmt == "json":  # the results say where the figures came from, redacted
        (source,) = json.loads(out.read_text())["diagnostics"]["records"]
        assert source["location"] == "dossiers=postgresql://127.0.0.1/postgres?table=dossiers"


def test_no_secret_in_explain_or_the_html_report(server, tmp_path):
    port = _port(server)
    code, stdout, stderr = _run(["explain", RULESET, "--units", UNITS, "--records",
                                 _records(server), "--target", "QD766-2.1", "--unit", "T01",
                                 "--period", "2025", "--lang", "en"])
    assert code == 0, stderr
    assert b"postgresql://127.0.0.1/postgres" in stdout
    _clean(stdout, port)
    _clean(stderr, port)
    report = tmp_path / "r.html"
    code, stdout, stderr = _run(["report", RULESET, "--units", UNITS, "--records",
                                 _records(server), "--format", "html", "-o", report])
    assert code in (0, 1), stderr
    assert "postgresql://127.0.0.1/postgres" in report.read_text()
    _clean(report.read_bytes(), port)
    _clean(stderr, port)


@pytest.mark.slow
def test_no_secret_in_the_pdf_report_text(server, tmp_path):
    from pypdf import PdfReader
    report = tmp_path / "r.pdf"
    code, _stdout, stderr = _run(["report", RULESET, "--units", UNITS, "--records",
                                  _records(server), "--format", "pdf", "-o", report])
    assert code in (0, 1), stderr
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        report.read_bytes())).pages)
    assert "127.0.0.1" in text
    _clean(text, _port(server))
    _clean(report.read_bytes(), _port(server))


def test_no_secret_in_any_error(server):
    port = _port(server)
    base = ["evaluate", RULESET, "--units", UNITS, "--format", "json"]
    cases = {  # what goes wrong -> (exit code, code said)
        f"dossiers=postgresql://{USER}@127.0.0.1:{port}/postgres?table=dossiers&"
        f"password={PASSWORD}": (2, "REC05"),
        f"dossiers=postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres": (2, "REC05"),
        f"postgresql://{USER}@127.0.0.1:{port}/postgres?PassWord={PASSWORD}": (2, "REC05"),
        _records(server, "no_such_table"): (2, "REC06"),
        _records(server, "thin"): (2, "REC06"),
        # the role does not exist on that server: the server names it, cchc does not
        f"dossiers=postgresql://{USER}x@127.0.0.1:{port}/postgres": (3, "REC11"),
        f"dossiers=postgresql://{USER}@127.0.0.1:1/postgres": (3, "REC11"),
    }
    for records, (want, code_said) in cases.items():
        code, stdout, stderr = _run([*base, "--records", records])
        assert code == want, (records, stderr)
        assert f"error {code_said} " in stderr, stderr
        _clean(stdout, port)
        _clean(stderr, port)


def test_a_missing_table_or_column_is_said_as_such(server):
    code, _out, stderr = _run(["evaluate", RULESET, "--units", UNITS, "--lang", "en",
                               "--records", _records(server, "no_such_table")])
    assert code == 2
    assert "there is no table 'no_such_table' in postgresql://127.0.0.1/postgres" in stderr
    assert "timestamp" not in stderr, stderr
    code, _out, stderr = _run(["evaluate", RULESET, "--units", UNITS, "--lang", "en",
                               "--records", _records(server, "thin")])
    assert code == 2
    assert "table 'thin' has no column 'ma_tthc'" in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1


def test_environment_only_and_socket_connections_count_as_a_url_does(server, tmp_path):
    from cchc_rules.pipeline import Session
    port = _port(server)
    by_url = Session().evaluate(RULESET, [], UNITS, records=[f"dossiers={server}"]).figures.values
    env = {"PGHOST": "127.0.0.1", "PGPORT": port, "PGUSER": "cchc", "PGDATABASE": "postgres"}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        by_env = Session().evaluate(RULESET, [], UNITS, records=["dossiers=postgresql://"]
                                    ).figures.values
        service = tmp_path / "pg_service.conf"
        service.write_text(f"[dvc]\nhost=127.0.0.1\nport={port}\nuser=cchc\n"
                           "dbname=postgres\n", encoding="utf-8")
        mp.setenv("PGSERVICEFILE", str(service))
        by_service = Session().evaluate(
            RULESET, [], UNITS, records=["dossiers=postgresql://?service=dvc"]).figures.values
    socket_dir = Path("/tmp").glob("cchc-pg-*")
    for folder in socket_dir:
        if (folder / f".s.PGSQL.{port}").exists():
            by_socket = Session().evaluate(RULESET, [], UNITS, records=[
                f"dossiers=postgresql://cchc@/postgres?host={folder}&port={port}"]).figures.values
            assert by_socket.drop("file").equals(by_url.drop("file"))
            break
    else:
        pytest.fail("the throw-away server's socket was not found")
    assert by_env.drop("file").equals(by_url.drop("file"))
    assert by_service.drop("file").equals(by_url.drop("file"))
    assert json.dumps(by_env["file"].unique().to_list()) == \
        '["dossiers=postgresql:///?table=dossiers"]'


def test_a_query_is_cancelled_on_the_server_when_the_run_is_stopped(server):
    """What SIGTERM's handler does (cli._on_signal): cancel_running() stops the query."""
    import psycopg
    from sqlglot import exp
    loc = parse_location(f"dossiers={server}", SOURCES)
    engine = Postgres([loc])
    failed = []

    def slow():
        try:
            engine.rows("dossiers", exp.select("pg_sleep(30)"))
        except CchcError as err:
            failed.append(err)
    thread = threading.Thread(target=slow)
    started = time.monotonic()
    thread.start()
    time.sleep(0.5)
    cancel_running()
    thread.join(10)
    engine.close()
    assert time.monotonic() - started < 10 and failed
    with psycopg.connect(server) as con:
        running = con.execute("SELECT count(*) FROM pg_stat_activity "
                              "WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()"
                              ).fetchone()[0]
    assert running == 0
    assert not isinstance(failed[0], Unreachable) or failed[0].problems[0].code == "REC11"


@pytest.mark.parametrize("name, code", [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_stopped_run_cancels_its_query_on_the_server(server, name, code):
    """The real CLI in a process of its own, counting from a view that takes 60 s: SIGTERM
    (143) or Ctrl-C (130) ends it, and the server is no longer running its query."""
    import os
    import signal
    import subprocess
    import sys

    import psycopg
    with psycopg.connect(server, autocommit=True) as con:
        con.execute("CREATE OR REPLACE VIEW slow AS SELECT d.* FROM dossiers d, pg_sleep(60)")
    cchc = Path(sys.executable).parent / "cchc"
    proc = subprocess.Popen(
        [str(cchc), "evaluate", str(RULESET), "--units", str(UNITS), "--records",
         f"dossiers={server}?table=slow"], env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # The run's own connection is the only other active client (a query's text may be cut
    # at track_activity_query_size, so it is not matched by its words).
    query = ("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
             "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
    with psycopg.connect(server, autocommit=True) as con:
        deadline = time.monotonic() + 30
        while con.execute(query).fetchone()[0] == 0:
            assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
            time.sleep(0.2)
        proc.send_signal(getattr(signal, name))
        assert proc.wait(20) == code
        deadline = time.monotonic() + 10
        while con.execute(query).fetchone()[0]:
            assert time.monotonic() < deadline, "the query still runs on the server"
            time.sleep(0.2)
