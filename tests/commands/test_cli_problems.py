"""Diagnostics a machine can read (issue 24): --problems-format json writes every error and
warning as one JSON object per line, to stderr or --problems-file; the results' JSON and
Parquet carry the warnings and the records' data-quality counts; --verbose writes plain
log lines, --quiet drops warnings (never errors)."""
from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from factory import cchc

ROOT = Path(__file__).resolve().parents[2]
RULESET = ROOT / "rulesets/national/qd766-records.yaml"
SAMPLE = ROOT / "examples/records"


@pytest.fixture
def units_less_one(tmp_path):
    """The sample's units without T01-H02-X003: its dossiers are counted nowhere (REC07)."""
    lines = (SAMPLE / "units.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "units.csv"
    path.write_text("\n".join(x for x in lines if not x.startswith("T01-H02-X003")) + "\n",
                    encoding="utf-8")
    return path


def _run(*args):
    result = cchc(*args)
    return result.exit_code, result.stdout_bytes, result.stderr


def _evaluate(units, *extra):
    return _run("evaluate", RULESET, "--units", units, "--records",
                f"dossiers={SAMPLE}/*.parquet", "--lang", "en", *extra)


def test_a_warning_as_a_json_line_with_its_counts(units_less_one):
    code, _out, err = _evaluate(units_less_one, "--problems-format", "json")
    assert code == 1
    (record,) = [json.loads(line) for line in err.splitlines()]
    assert record["code"] == "REC07" and record["severity"] == "warning"
    assert record["fields"]["unit"] == "T01-H02-X003" and record["fields"]["source"] == \
        "dossiers"
    rows = int(record["fields"]["rows"])
    assert f"{rows} record(s) of 'dossiers' belong to undeclared unit" in record["message"]
    assert (record["file"], record["line"], record["col"]) == (None, None, None)


def test_errors_as_json_lines_with_positions_before_or_after_the_command(tmp_path):
    bad = tmp_path / "r.yaml"
    bad.write_text("ruleset: x\ntitle: X\nmetrics:\n  m: {label: M, unit: bogus}\n",
                   encoding="utf-8")
    for args in (["--problems-format", "json", "validate", bad],
                 ["validate", bad, "--problems-format", "json"]):
        code, _out, err = _run(*args)
        assert code == 2
        # a line for people may follow (validate's count); every record is one JSON line
        records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
        assert records and all(r["severity"] == "error" and r["file"] == str(bad)
                               and r["line"] for r in records), err


def test_usage_errors_are_records_too():
    code, _out, err = _run("--problems-format", "json", "evaluate", "--nope")
    assert code == 2
    assert json.loads(err)["code"] == "USG01"


def test_the_problems_file_takes_them_off_stderr(units_less_one, tmp_path):
    target = tmp_path / "problems.jsonl"
    code, _out, err = _evaluate(units_less_one, "--problems-format", "json",
                                "--problems-file", target, "--format", "json")
    assert code == 1 and err == ""
    (record,) = [json.loads(line) for line in target.read_text().splitlines()]
    assert record["code"] == "REC07"
    # a clean run still writes the (empty) file: a scheduler reads it every night
    code, _out, err = _evaluate(SAMPLE / "units.csv", "--problems-file", target)
    assert code == 1 and target.read_text() == ""


def test_warnings_and_quality_counts_are_in_the_json_results(units_less_one):
    code, out, _err = _evaluate(units_less_one, "--format", "json")
    assert code == 1
    diagnostics = json.loads(out)["diagnostics"]
    (warning,) = diagnostics["warnings"]
    assert warning["code"] == "REC07"
    (source,) = diagnostics["records"]
    assert source["source"] == "dossiers" and source["rows"] == 5000
    assert source["location"] == f"dossiers={SAMPLE}/*.parquet"
    assert source["first_day"] == "2025-01-01" and source["last_day"] == "2025-12-31"
    assert [u for u, *_ in source["unknown_units"]] == ["T01-H02-X003"]
    assert int(warning["fields"]["rows"]) == source["unknown_units"][0][1]


def test_and_in_the_parquet_file_metadata(units_less_one, tmp_path):
    target = tmp_path / "r.parquet"
    code, _out, _err = _evaluate(units_less_one, "--format", "parquet", "--output", target)
    assert code == 1
    metadata = pq.read_metadata(io.BytesIO(target.read_bytes())).metadata
    diagnostics = json.loads(metadata[b"cchc:diagnostics"])
    assert diagnostics["warnings"][0]["code"] == "REC07"
    assert diagnostics["records"][0]["rows"] == 5000


def test_and_in_the_arrow_file_schema(units_less_one, tmp_path):
    import pyarrow as pa
    target = tmp_path / "r.parquet"
    _evaluate(units_less_one, "--format", "parquet", "--output", target)
    arrow = tmp_path / "r2.arrow"
    code, _out, _err = _evaluate(units_less_one, "--format", "arrow", "--output", arrow)
    assert code == 1
    reader = pa.ipc.open_file(io.BytesIO(arrow.read_bytes()))
    diagnostics = json.loads(reader.schema.metadata[b"cchc:diagnostics"])
    assert diagnostics == json.loads(pq.read_metadata(io.BytesIO(target.read_bytes()))
                                     .metadata[b"cchc:diagnostics"])
    assert diagnostics["warnings"][0]["code"] == "REC07"
    assert pl.read_ipc(io.BytesIO(arrow.read_bytes())).equals(pl.read_parquet(target))


def test_verbose_writes_plain_log_lines_and_quiet_drops_warnings(units_less_one):
    code, _out, err = _evaluate(units_less_one, "--format", "json", "-v")
    assert code == 1
    lines = err.splitlines()
    assert any(line.startswith("cchc: ") and "records 'dossiers': 5,000 rows in 9 units"
               in line for line in lines), err
    assert any("counted received" in line for line in lines)
    assert "\x1b" not in err
    code, _out, err = _evaluate(units_less_one, "--format", "json", "--quiet")
    assert code == 1 and err == ""
    code, _out, err = _run("--quiet", "validate", ROOT / "nope.yaml")
    assert code == 2 and "error" in err
