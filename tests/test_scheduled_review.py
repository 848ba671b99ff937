"""The worked example of docs/scheduled-review.md, run end to end (issue 24): the nightly
script examples/scheduled-review/nightly.sh counts the sample dossiers from a throw-away
PostgreSQL server (records_services.py), keeps the results, posts the digest to a local
webhook and publishes the report; five nights check the digest, the diagnostics and the
exit codes (0 first run, 1 something got worse, 75 database unreachable, 2 bad input, 0 again
with every closed period from the cache)."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import polars as pl
import pyarrow.parquet as pq
import pytest
from records_services import load_frame, postgres_server

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples/scheduled-review/nightly.sh"
SAMPLE = ROOT / "examples/records"
SECRET = "zzNightlyPassw0rd"     # in PGPASSWORD: must appear nowhere


class _Hook(BaseHTTPRequestHandler):
    posts: ClassVar[list[bytes]] = []

    def do_POST(self):  # http.server calls it by this name
        _Hook.posts.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def webhook():
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


@pytest.fixture(scope="module")
def database():
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    for tool in ("sh", "jq", "curl"):
        if shutil.which(tool) is None:
            pytest.skip(f"the nightly script needs {tool}")
    with postgres_server() as url:
        frame = pl.read_parquet(SAMPLE / "*.parquet")
        stray = frame.head(1).with_columns(pl.lit("T01-H09-X999").alias("ma_don_vi"),
                                           pl.lit("HS-STRAY").alias("ma_ho_so"))
        load_frame(url, "dossiers", pl.concat([frame, stray]))
        yield url


def _night(state: Path, stamp: str, records: str, webhook: str):
    cchc = Path(sys.executable).parent / "cchc"
    env = {**os.environ, "CCHC": str(cchc), "PYTHONPATH": str(ROOT),
           "RULESET": str(ROOT / "rulesets/national/qd766-records.yaml"),
           "UNITS": str(SAMPLE / "units.csv"), "RECORDS": records,
           "STATE": str(state), "PUBLISH": str(state / "www"), "PERIOD": "2025-11",
           "STAMP": stamp, "WEBHOOK": webhook, "LANGUAGE": "en", "PGPASSWORD": SECRET}
    done = subprocess.run(["sh", str(SCRIPT)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    return done.returncode, done.stderr


def test_five_nights_of_a_scheduled_review(database, webhook, tmp_path):
    import psycopg
    records = f"dossiers={database}?table=dossiers"
    runs = tmp_path / "runs"

    # Night 1: nothing to compare with; results, problems and the report are written.
    code, err = _night(tmp_path, "2026-12-01T0200", records, webhook)
    assert code == 0, err
    first = json.loads((runs / "2026-12-01T0200.json").read_text())
    (source,) = first["diagnostics"]["records"]
    assert source["rows"] == 5001 and source["unknown_units"][0][:2] == ["T01-H09-X999", 1]
    assert source["location"] == "dossiers=postgresql://127.0.0.1/postgres?table=dossiers"
    (warning,) = [json.loads(x) for x in
                  (runs / "2026-12-01T0200.problems.jsonl").read_text().splitlines()]
    assert (warning["code"], warning["fields"]["unit"], warning["fields"]["rows"]) == \
        ("REC07", "T01-H09-X999", "1")
    parquet = io.BytesIO((runs / "2026-12-01T0200.parquet").read_bytes())
    assert pq.read_table(parquet).num_rows == len(first["results"])
    noted = json.loads(pq.read_metadata(parquet).metadata[b"cchc:diagnostics"])
    # the same run's diagnostics, but that the JSON run counted every closed period and
    # kept it in the cache, and the Parquet run after it took them all from there
    cold, warm = first["diagnostics"].pop("counting")[0], noted.pop("counting")[0]
    assert noted == first["diagnostics"]
    assert cold["cache"]["hits"] == 0 and warm["cache"]["misses"] == 0
    assert warm["cache"]["hits"] == cold["cache"]["misses"] > 0
    report = (tmp_path / "www/index.html").read_text()
    assert "QD766-2.1" in report
    assert not (runs / "2026-12-01T0200.digest.md").exists() and _Hook.posts == []

    # Night 2: one commune's dossiers were all resolved three days late: worse, exit 1.
    with psycopg.connect(database, autocommit=True) as con:
        con.execute("UPDATE dossiers SET ngay_ket_thuc_xu_ly = ngay_hen_tra + interval "
                    "'3 days' WHERE ma_don_vi = 'T01-H01-X001' "
                    "AND ngay_ket_thuc_xu_ly IS NOT NULL")
    code, err = _night(tmp_path, "2026-12-02T0200", records, webhook)
    assert code == 1, err
    digest = (runs / "2026-12-02T0200.digest.md").read_text()
    assert digest.startswith("### Changes from `")
    worse = digest.split("**Got worse (")[1].splitlines()
    assert worse[1].startswith("- T01-H01-X001 · QD766-2.1 · 2025") and \
        "Met → Not met" in digest, digest
    assert json.loads(_Hook.posts[-1])["text"] == digest

    # Night 3: the server is not there: exit 75 for the scheduler, REC11 in the problems.
    dead = records.replace(database.rpartition(":")[2].partition("/")[0], "1")
    code, err = _night(tmp_path, "2026-12-03T0200", dead, webhook)
    assert code == 75 and "try again later" in err
    (problem,) = [json.loads(x) for x in
                  (runs / "2026-12-03T0200.problems.jsonl").read_text().splitlines()]
    assert (problem["code"], problem["severity"]) == ("REC11", "error")
    assert not (runs / "2026-12-03T0200.json").exists()

    # Night 4: a table renamed: exit 2, the problem names it.
    code, err = _night(tmp_path, "2026-12-04T0200", records.replace("=dossiers", "=hoso"),
                       webhook)
    assert code == 2, err
    (problem,) = [json.loads(x) for x in
                  (runs / "2026-12-04T0200.problems.jsonl").read_text().splitlines()]
    assert problem["code"] == "REC06" and "there is no table 'hoso'" in problem["message"]

    # Night 5: nothing changed since night 2: every closed period comes from the cache
    # (written by night 1, refreshed by night 2) and nothing got worse.
    code, err = _night(tmp_path, "2026-12-05T0200", records, webhook)
    assert code == 0, err
    fifth = json.loads((runs / "2026-12-05T0200.json").read_text())
    (counting,) = fifth["diagnostics"]["counting"]
    assert counting["cache"]["hits"] > 0 and counting["cache"]["misses"] == 0
    assert fifth["results"] == json.loads((runs / "2026-12-02T0200.json").read_text())[
        "results"]

    # No run wrote the password anywhere.
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert len(_Hook.posts) == 2
