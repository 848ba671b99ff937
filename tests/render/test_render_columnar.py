"""`--format parquet` and `--format arrow`: the CSV's columns as a typed file, written
atomically (the old file stays whole when writing fails)."""
from __future__ import annotations

import csv
import io
import os

import polars as pl
import pytest
import yaml
from click.testing import CliRunner
from factory import HAM_TAN, ONLINE, report, run

from cchc_rules import evaluate_files
from cchc_rules.cli import main
from cchc_rules.render import FORMATS, write

READ = {"parquet": pl.read_parquet, "arrow": pl.read_ipc}


def written(ev, fmt: str, **options) -> pl.DataFrame:
    out = io.BytesIO()
    write(fmt, ev, out, **options)
    return READ[fmt](io.BytesIO(out.getvalue()))


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_same_columns_and_rows_as_the_csv(tmp_path, fmt):
    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", **HAM_TAN),
                                  report("tay-ninh", "2024-Q1", received=10)])
    frame = written(ev, fmt)
    rows = list(csv.DictReader(io.StringIO(FORMATS["csv"](ev))))
    assert frame.columns == list(rows[0])
    assert frame.height == len(rows) == 3
    by_unit = {r["unit"]: r for r in frame.to_dicts()}
    assert by_unit["ham-tan"]["status"] == "off_track"
    assert by_unit["ham-tan"]["needed"] == 2213.0        # a number, not text
    assert by_unit["ham-tan"]["title"] == "Chỉ tiêu TTHC-06"
    assert by_unit["tay-ninh"]["actual"] is None          # an empty CSV cell is a null
    assert frame.schema["unit"] == pl.Categorical         # repeated texts stored once


def test_text_is_written_as_it_is(tmp_path):
    ruleset = {"ruleset": "typed", "title": "t",
               "metrics": {"staff": {"label": "Biên chế", "unit": "count"}},
               "targets": [{"id": "T1", "title": "=SUM(A1)", "area": "organization",
                            "metric": "staff", "milestones": [{"by": "2025", "op": "<=",
                                                               "value": 90}]}]}
    data = {"reports": [{"unit": "@cmd", "period": "2024", "values": {"staff": 95}}]}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(ruleset, allow_unicode=True), "utf-8")
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    ev = evaluate_files(tmp_path / "r.yaml", [tmp_path / "d.yaml"])
    assert "'@cmd" in FORMATS["csv"](ev)                  # the CSV guards spreadsheets
    frame = written(ev, "parquet")
    assert frame["unit"].to_list() == ["@cmd"] and frame["title"].to_list() == ["=SUM(A1)"]


def test_cli_writes_parquet_atomically(files, tmp_path):
    out = tmp_path / "r.parquet"
    out.write_bytes(b"old")
    res = CliRunner().invoke(main, ["evaluate", *files(), "--format", "parquet",
                                    "--output", str(out)])
    assert res.exit_code == 1, res.output                 # the spec example is off track
    assert set(pl.read_parquet(out)["status"].to_list()) == {"off_track"}
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_cli_parquet_to_a_pipe_goes_through_memory(files):
    res = CliRunner().invoke(main, ["evaluate", *files(), "--format", "arrow"])
    assert "ham-tan" in pl.read_ipc(io.BytesIO(res.stdout_bytes))["unit"].to_list()
