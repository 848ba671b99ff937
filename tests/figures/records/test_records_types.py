"""Wrong types in records give one positioned REC06 error and exit 2 (docs/records.md §6):
`file:row:column` for CSV and Parquet, the column name for a database table (see
test_records_engines.py)."""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from cchc_rules.cli import main

RULESET = """\
ruleset: records-types
title: Records types
sources:
  dossiers:
    table: dossiers
    unit: unit_id
    date: received_at
    columns: {dossier_id: text, unit_id: text, received_at: date, due_at: date,
              fee: number, pages: integer}
metrics:
  received: {label: R, unit: count, records: {source: dossiers, aggregate: count}}
  fees: {label: F, unit: vnd, records: {source: dossiers, aggregate: sum, column: fee}}
"""
HEADER = "dossier_id,unit_id,received_at,due_at,fee,pages\n"
GOOD = "HS-{i},tan-ha,2025-01-{d:02d},2025-01-20,1000,3\n"


def run(folder: Path, location: str):
    (folder / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    return CliRunner().invoke(main, ["evaluate", str(folder / "ruleset.yaml"), "--records",
                                     f"dossiers={location}", "--format", "json"])


def csv(folder: Path, bad_line: str, at: int = 4) -> Path:
    lines = [GOOD.format(i=i, d=i + 1) for i in range(6)]
    lines.insert(at - 2, bad_line)      # line 1 is the header: record i is on line i + 2
    path = folder / "d.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("bad_line, column, words", [
    ("HS-x,tan-ha,2025-01-03,soon,1000,3\n", 4, "'soon' in column 'due_at' is not a valid date"),
    ("HS-x,tan-ha,2025-01-03,2025-01-20,1e400,3\n", 5, "'inf' in column 'fee'"),
    ("HS-x,tan-ha,2025-01-03,2025-01-20,10,99999999999999999999999\n", 6,
     "in column 'pages' is not a valid integer"),
])
def test_a_bad_csv_value_is_one_error_at_file_row_column(tmp_path, bad_line, column, words):
    path = csv(tmp_path, bad_line)
    res = run(tmp_path, str(path))
    assert res.exit_code == 2, res.output
    lines = [x for x in res.output.splitlines() if "REC06" in x]
    assert len(lines) == 1 and lines[0].startswith(f"{path}:4:{column}: error REC06"), lines
    assert words in lines[0] and "Traceback" not in res.output


def test_text_in_a_parquet_date_column_is_one_error_at_its_row(tmp_path):
    frame = pl.DataFrame({"dossier_id": ["a", "b", "c"], "unit_id": ["x", "x", "x"],
                          "received_at": ["2025-01-01", "2025-01-02", "2025-01-03"],
                          "due_at": ["2025-01-09", "2025-01-10", "31/01/2025"],
                          "fee": [1.0, 2.0, 3.0], "pages": [1, 2, 3]})
    frame.write_parquet(tmp_path / "d.parquet")
    res = run(tmp_path, str(tmp_path / "d.parquet"))
    assert res.exit_code == 2, res.output
    (line,) = [x for x in res.output.splitlines() if "REC06" in x]
    assert line.startswith(f"{tmp_path / 'd.parquet'}:3:4: error REC06 '31/01/2025'"), line


TARGETS = """\
targets:
  - {id: R, title: R, area: procedures, metric: received,
     milestones: [{by: "2025", op: ">=", value: 0}]}
  - {id: F, title: F, area: procedures, metric: fees,
     milestones: [{by: "2025", op: ">=", value: 0}]}
"""


def test_clean_typed_files_count_as_before(tmp_path):
    path = csv(tmp_path, GOOD.format(i=9, d=9))     # seven clean records, all of January 2025
    (tmp_path / "ruleset.yaml").write_text(RULESET + TARGETS, encoding="utf-8")
    res = CliRunner().invoke(main, ["evaluate", str(tmp_path / "ruleset.yaml"), "--records",
                                    f"dossiers={path}", "--period", "2025-01", "--format",
                                    "json"])
    assert res.exit_code == 0 and "REC06" not in res.output, res.output
    results = json.loads(res.output)["results"]
    assert {(r["target"], r["unit"], r["actual"]) for r in results} == {
        ("R", "tan-ha", 7), ("F", "tan-ha", 7000)}


def _long_csv(folder: Path, bad: dict[int, str], n: int = 30_000) -> Path:
    """`n` good records, past DuckDB's ~20,000-row type sample, with `bad` lines (file line
    number -> its text) in place."""
    lines = [GOOD.format(i=i, d=i % 28 + 1) for i in range(n)]
    for number, text in bad.items():
        lines[number - 2] = text
    path = folder / "d.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("bad, where, words", [
    ({25_001: "HS-x,tan-ha,soon,2025-01-20,1000,3\n"}, "25001:3",
     "'soon' in column 'received_at' is not a valid date"),
    ({26_001: "HS-x,tan-ha,2025-01-03,2025-01-20,1000\n"}, "26001:1",
     "expected 6 fields, found 5"),
])
def test_a_bad_value_past_the_type_sample_keeps_its_position(tmp_path, bad, where, words):
    path = _long_csv(tmp_path, bad)
    res = run(tmp_path, str(path))
    assert res.exit_code == 2, res.output
    (line,) = [x for x in res.output.splitlines() if "REC06" in x]
    assert line.startswith(f"{path}:{where}: error REC06"), line
    assert words in line and "Traceback" not in res.output


def test_a_declared_null_marker_is_a_missing_value(tmp_path):
    path = csv(tmp_path, "HS-x,tan-ha,2025-01-03,NULL,1000,NULL\n")
    assert run(tmp_path, str(path)).exit_code == 2        # 'NULL' is no date, undeclared
    marked = RULESET.replace("    date: received_at\n",
                             '    date: received_at\n    nulls: ["NULL", ""]\n')
    (tmp_path / "ruleset.yaml").write_text(marked, encoding="utf-8")
    res = CliRunner().invoke(main, ["evaluate", str(tmp_path / "ruleset.yaml"), "--records",
                                    f"dossiers={path}", "--format", "json", "--as-of",
                                    "2025-02-01"])
    assert res.exit_code in (0, 1) and "REC06" not in res.output, res.output


@pytest.mark.parametrize("declared, stored, words", [
    ("timestamp", "date", "declared timestamp but holds date; compared as whole days"),
    ("date", "timestamptz", "declared date but holds timestamptz; each instant's day"),
])
def test_a_declared_type_that_differs_in_meaning_is_warned_with_the_reading(
        tmp_path, declared, stored, words):
    """A due date stored as a date but declared timestamp would be due at midnight: it is
    compared as its whole day. An instant declared date takes its Vietnam day."""
    from datetime import UTC, date, datetime
    due = date(2025, 1, 10) if stored == "date" else datetime(2025, 1, 9, 18, tzinfo=UTC)
    pl.DataFrame([{"dossier_id": "a", "unit_id": "tan-ha",
                   "received_at": datetime(2025, 1, 2, 9), "due_at": due,
                   "resolved_at": datetime(2025, 1, 10, 15)}]).write_parquet(
        tmp_path / "d.parquet")
    text = RULESET.replace("due_at: date", f"due_at: {declared}").replace(
        "fee: number, pages: integer}", "resolved_at: timestamp}").replace(
        "  fees: {label: F, unit: vnd, records: {source: dossiers, aggregate: sum, "
        "column: fee}}\n", "  on_time: {label: T, unit: count, records: {source: dossiers, "
        "aggregate: count, date: resolved_at, where: \"resolved_at <= due_at\"}}\n")
    (tmp_path / "ruleset.yaml").write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["figures", str(tmp_path / "ruleset.yaml"), "--records",
                                    f"dossiers={tmp_path}/d.parquet", "--format", "csv",
                                    "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "REC13" in res.stderr and words in res.stderr, res.stderr
    # resolved 15:00 on the 10th: on time by the whole due day, and by 18:00Z on the 9th
    # read as that instant's day in Vietnam (01:00 on the 10th; in UTC it is the 9th)
    assert "tan-ha,2025-01,on_time,1.0" in res.stdout, res.stdout


@pytest.mark.slow
def test_spark_honours_one_null_marker_and_refuses_several(tmp_path):
    from records_services import spark_ready
    spark_ready()
    path = csv(tmp_path, "HS-x,tan-ha,NULL,2025-01-20,1000,3\n")   # no received date
    for markers, ok in (('["NULL"]', True), ('["NULL", "-"]', False)):
        marked = RULESET.replace("    date: received_at\n",
                                 f"    date: received_at\n    nulls: {markers}\n")
        (tmp_path / "ruleset.yaml").write_text(marked, encoding="utf-8")
        res = CliRunner().invoke(main, ["figures", str(tmp_path / "ruleset.yaml"),
                                        "--records", f"dossiers=spark:{path}", "--format",
                                        "csv", "--lang", "en"])
        if ok:
            assert res.exit_code == 0, res.output
            assert "tan-ha,2025-01,received,6.0" in res.stdout, res.stdout
            assert "no_date 1" in res.stderr, res.stderr
        else:
            assert res.exit_code == 2
            (line,) = [x for x in res.output.splitlines() if "REC06" in x]
            assert "one null marker" in line
