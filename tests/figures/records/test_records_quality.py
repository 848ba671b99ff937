"""Bad and awkward records (docs/records.md §6): undeclared units with a did-you-mean,
missing or inconsistent dates counted by kind and left out of every figure, duplicate
dossier ids reported, all shown in the report's data-quality section; `cchc explain
--records` shows the SQL and the count."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from records_services import count_records, write_records

from cchc_rules.cli import main
from cchc_rules.figures.records import parse_location
from cchc_rules.pipeline import Session

RULESET = """\
ruleset: records-quality
title: Records quality
sources:
  dossiers:
    table: dossiers
    unit: unit_id
    date: received_at
    id: dossier_id
    due: due_at
    resolved: resolved_at
    columns: {dossier_id: text, unit_id: text, received_at: timestamp, due_at: timestamp,
              resolved_at: timestamp, channel: text}
metrics:
  received: {label: Received, unit: count, records: {source: dossiers, aggregate: count}}
  on_time:
    label: Resolved on time
    unit: count
    records: {source: dossiers, aggregate: count, date: resolved_at,
              where: "resolved_at <= due_at"}
  on_time_rate: {label: On-time rate, unit: percent, formula: on_time / received * 100}
targets:
  - id: ON_TIME
    title: On time
    area: digital_government
    metric: on_time_rate
    milestones: [{by: "2025", op: ">=", value: 90}]
"""
UNITS = """\
units:
  - {id: tan-ha, name: Tân Hà, level: commune}
  - {id: son-my, name: Sơn Mỹ, level: commune}
"""


def row(i, unit="tan-ha", received=(2025, 1, 10), due=(2025, 1, 20), resolved=(2025, 1, 15),
        channel="online", ident=None):
    return {"dossier_id": ident or f"HS-{i}", "unit_id": unit,
            "received_at": datetime(*received, *(() if len(received) > 3 else (9,)))
            if received else None,
            "due_at": datetime(*due) if due else None,
            "resolved_at": datetime(*resolved) if resolved else None, "channel": channel}


SOON = (date.today() + timedelta(days=40)).timetuple()[:3]   # in the future, within a year


ROWS = [
    *(row(i) for i in range(10)),                               # 10 good, on time
    row(10, unit="son-my"),
    row(11, received=None),                                      # no date
    row(12, due=(2025, 1, 5)),                                   # due before received
    row(13, resolved=(2025, 1, 2)),                              # resolved before received
    row(14, resolved=(2099, 1, 2)),                              # outside the window
    row(21, resolved=SOON),                                      # resolved in the future
    row(22, received=(2025, 1, 10, 9, 30), resolved=(2025, 1, 10, 16)),  # same day: fine
    row(23, received=(2025, 1, 10, 9, 30), resolved=(2025, 1, 10, 9, 29)),  # a minute early
    row(24, due=None),                                           # no due date
    row(25, received=SOON, due=SOON, resolved=None),             # received in the future
    row(15, unit="tan-hà"), row(16, unit="tan-hà"),              # undeclared, close to tan-ha
    row(17, unit="zzz"),                                         # undeclared, nothing close
    row(18, unit=None),                                          # no unit
    row(19, ident="HS-0", channel="post"),                       # HS-0 again, different
    row(20, ident="HS-1"),                                       # HS-1 again, identical
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = write_records(tmp_path_factory.mktemp("quality"), ROWS, RULESET)
    (folder / "units.yaml").write_text(UNITS, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def counted(folder):
    units = Session().read_figures([], folder / "units.yaml").units
    return count_records(folder, f"dossiers={folder}/d.parquet", units)


def test_each_kind_of_bad_date_is_counted_and_left_out_of_every_figure(counted):
    (quality,) = counted.info.sources
    assert quality.dates == {"no_date": 1, "out_of_window": 1, "received_in_future": 1,
                             "resolved_in_future": 1, "resolved_before_date": 2,
                             "due_before_date": 1, "no_due": 1}
    assert quality.due_metrics == ["on_time"]
    got = {(r["unit"], r["metric"]): r["value"] for r in counted.values.iter_rows(named=True)
           if r["period"] == "2025-01"}
    # tan-ha: 10 good + 2 duplicate copies + resolved the day it came + no due date; the
    # seven left-out rows count nowhere (the one received in the future makes no period),
    # so a dossier resolved "in the future" or a minute before its receipt is never
    # counted as on time; the one without a due date is received but neither on time nor
    # late.
    assert got[("tan-ha", "received")] == 14 and got[("tan-ha", "on_time")] == 13
    assert got[("son-my", "received")] == 1
    rec09 = [w.message for w in counted.warnings if w.code == "REC09"]
    assert "7 record(s)" in rec09[0] and "resolved_in_future 1" in rec09[0]
    assert "received_in_future 1" in rec09[0]
    assert {r["period"] for r in counted.values.iter_rows(named=True)} == {"2025-01"}
    assert "out_of_window 1" in rec09[0] and "resolved_before_date 2" in rec09[0]
    assert "1 record(s) of 'dossiers' have no due date and are left out of on_time" in rec09[1]


# Dates a generated record may have: none, in 2025 (the hour varies, so received, due and
# resolved fall either way of each other on one day), outside the window, in the future.
_WHEN = st.one_of(st.none(), st.tuples(st.just(2025), st.integers(1, 2), st.integers(1, 3),
                                       st.integers(0, 23)),
                  st.sampled_from([(1990, 1, 1), (2099, 1, 2), SOON]))


def _count(folder: Path, full: bool, monkeypatch) -> tuple:
    """count_figures on `folder`, testing every kind of left-out record in the counting
    queries (`full`) or only those the quality scan found (the default)."""
    import cchc_rules.figures.records as records
    from cchc_rules.figures.records.sql import fused_query as real
    kinds: list = []

    def spy(*args, **kwargs):
        kinds.append(args[-1])
        return real(*args[:-1], **kwargs) if full else real(*args, **kwargs)
    monkeypatch.setattr(records, "fused_query", spy)
    got = count_records(folder, f"dossiers={folder}/d.parquet")
    return got.values.sort("unit", "period", "metric"), got.info.sources[0].dates, kinds


def test_the_counting_queries_test_only_the_kinds_the_quality_scan_found(tmp_path,
                                                                         monkeypatch):
    """A kind no record is first of needs no test: a record resolved before it was
    received whose due date is out of the window is out_of_window, and stays out of every
    figure when the counting queries test out_of_window alone."""
    rows = [row(0), row(1), row(2, resolved=(2025, 1, 9), due=(2099, 1, 2))]
    write_records(tmp_path, rows, RULESET)
    values, dates, kinds = _count(tmp_path, False, monkeypatch)
    assert dates["out_of_window"] == 1 and dates["resolved_before_date"] == 0
    assert kinds == [["out_of_window"], ["out_of_window"]]
    got = {r["metric"]: r["value"] for r in values.iter_rows(named=True)}
    assert got == {"received": 2, "on_time": 2}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_WHEN, _WHEN, _WHEN), min_size=1, max_size=8))
def test_law_testing_only_the_kinds_found_gives_the_same_figures(tmp_path_factory,
                                                                 monkeypatch, dates):
    rows = [row(i, received=r, due=d, resolved=x) for i, (r, d, x) in enumerate(dates)]
    folder = write_records(tmp_path_factory.mktemp("kinds"), rows, RULESET,
                           schema_overrides={k: pl.Datetime("us") for k in (
                               "received_at", "due_at", "resolved_at")})
    pruned, found, _ = _count(folder, False, monkeypatch)
    full, found_full, _ = _count(folder, True, monkeypatch)
    assert found == found_full
    assert pruned.equals(full)


def test_undeclared_units_are_counted_with_a_did_you_mean(counted):
    (quality,) = counted.info.sources
    assert quality.rows == len(ROWS) and quality.no_unit == 1
    assert quality.unknown_units[0][:2] == ("tan-hà", 2)
    assert "tan-ha" in quality.unknown_units[0][2]
    assert quality.unknown_units[1] == ("zzz", 1, None)
    assert quality.first_day == date(2025, 1, 10) == quality.last_day
    rec07 = [w.format() for w in counted.warnings if w.code == "REC07"]
    assert len(rec07) == 3 and any("tan-ha" in w and "2 record(s)" in w for w in rec07)


def test_duplicate_ids_are_reported_and_every_copy_counts(counted):
    (quality,) = counted.info.sources
    assert (quality.duplicate_ids, quality.duplicate_rows, quality.differing_ids) == (2, 4, 1)
    assert quality.duplicate_examples == ["HS-0", "HS-1"]   # differing first, identical too
    (rec10,) = [w for w in counted.warnings if w.code == "REC10"]
    assert rec10.severity == "warning" and "HS-0" in rec10.format()


def test_the_report_lists_each_source_with_its_quality(folder, tmp_path):
    res = CliRunner().invoke(main, [
        "report", str(folder / "ruleset.yaml"), "--units", str(folder / "units.yaml"),
        "--records", f"dossiers={folder}/d.parquet", "--lang", "en", "--format", "html",
        "--output", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    section = html[html.index("Dossier record sources"):]
    section = section[:section.index("</table>")]
    assert "<code>dossiers</code>" in section and ">26<" in section
    assert "tan-hà: 2 (did you mean tan-ha?)" in section and "zzz: 1" in section
    assert "resolved in the future: 1" in section and "due before received: 1" in section
    assert "2 ids (4 records, 1 with different contents): HS-0, HS-1" in section


def test_explain_shows_the_sql_and_the_count(folder):
    res = CliRunner().invoke(main, [
        "explain", str(folder / "ruleset.yaml"), "--units", str(folder / "units.yaml"),
        "--records", f"dossiers={folder}/d.parquet", "--target", "ON_TIME",
        "--unit", "tan-ha", "--period", "2025-01", "--lang", "en"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "counted from records 'dossiers' by duckdb" in out
    assert "its row for unit tan-ha, period 2025-01: 13" in out
    # the period's row: its first moment and the first moment after it (local time)
    assert "'2025-01'," in out and "'2025-02'" not in out
    assert "CAST('2025-01-01 00:00:00' AS TIMESTAMP)" in out
    assert "CAST('2025-02-01 00:00:00' AS TIMESTAMP)" in out
    assert 'CAST(r."resolved_at" AS TIMESTAMP) <= CAST(r."due_at" AS TIMESTAMP)' in out


def test_explain_sql_run_as_shown_gives_the_count(folder, counted):
    import duckdb
    query = counted.info.queries["on_time"]
    con = duckdb.connect()
    con.read_parquet(str(folder / "d.parquet")).create_view("records_dossiers")
    rows = dict((u, v) for _, u, v in con.execute(query.sql("2025-01")).fetchall())
    assert rows == {"tan-ha": 13, "son-my": 1, "tan-hà": 2, "zzz": 1}


@pytest.mark.parametrize(("ids_units", "want"), [
    ([("A", "tan-ha"), ("B", "tan-ha"), ("C", "son-my"), (None, "son-my"), (None, "son-my")],
     (0, 0, 0, [])),                                        # one group-by settles it
    ([("A", "tan-ha"), ("B", "tan-ha"), ("A", "son-my"), (None, "son-my")],
     (1, 2, 1, ["A"])),                                     # across units
    ([("A", "tan-ha"), ("A", "tan-ha"), ("A", "tan-ha"), ("B", "son-my")],
     (1, 3, 0, ["A"])),                                     # identical copies, named too
])
def test_duplicate_ids_are_counted_exactly(tmp_path, ids_units, want):
    write_records(tmp_path, [row(0, unit=u) | {"dossier_id": i} for i, u in ids_units],
                  RULESET)
    got = count_records(tmp_path, f"dossiers={tmp_path}/d.parquet")
    (quality,) = got.info.sources
    assert (quality.duplicate_ids, quality.duplicate_rows, quality.differing_ids,
            quality.duplicate_examples) == want


def test_a_collision_of_id_hashes_finds_no_duplicate(tmp_path):
    """Grouping by the ids' hashes cannot miss a duplicate (equal ids hash alike); when
    two different ids collide, the exact queries after it settle that no id is twice."""
    from sqlglot import exp

    from cchc_rules.figures.records.engines import DuckDB
    from cchc_rules.figures.records.quality import Duplicates, duplicates

    class Colliding(DuckDB):
        @staticmethod
        def id_key(text):     # every id of one length collides
            return exp.Length(this=text)

    (tmp_path / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    ruleset = Session().load_ruleset(tmp_path / "ruleset.yaml")
    source = ruleset.model.sources["dossiers"]
    for rows, want in (("ABC", (0, 0, 0, [])), ("ABCA", (1, 2, 0, ["A"]))):
        pl.DataFrame([row(i, ident=x) for i, x in enumerate(rows)]).write_parquet(
            tmp_path / "d.parquet")
        engine = Colliding([parse_location(f"dossiers={tmp_path}/d.parquet",
                                           ruleset.model.sources)])
        try:
            assert duplicates(engine, "dossiers", source) == Duplicates(*want)
        finally:
            engine.close()
