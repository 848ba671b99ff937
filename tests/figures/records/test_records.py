"""Figures counted from dossier records (DuckDB, CSV and Parquet) agree with a plain-Python
count over the same rows: counts, sums, distinct counts, mean days and a stock at each
period's end, by month and by quarter; parents get distinct counts and means from their
descendants' records; undeclared units are warned about; `cchc evaluate --records` end to end.
"""
from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from cchc_rules.cli import main
from cchc_rules.errors import CchcError
from cchc_rules.figures.records import count_figures, parse_location
from cchc_rules.periods import parse_period
from cchc_rules.pipeline import Session

RULESET = """\
ruleset: records-test
title: Records test
sources:
  dossiers:
    table: dossiers
    unit: unit_id
    date: received_at
    periods: [month, quarter]
    columns:
      dossier_id: text
      unit_id: text
      applicant: text
      received_at: timestamp
      due_at: date
      resolved_at: date
      channel: text
      fee: number
metrics:
  received:
    label: Received
    unit: count
    records: {source: dossiers, aggregate: count}
  received_online:
    label: Received online
    unit: count
    records: {source: dossiers, aggregate: count, where: "channel in ['online', 'post']"}
  resolved_on_time:
    label: Resolved on time
    unit: count
    records: {source: dossiers, aggregate: count, date: resolved_at,
              where: "resolved_at <= due_at"}
  fees:
    label: Fees
    unit: vnd
    records: {source: dossiers, aggregate: sum, column: fee}
  applicants:
    label: Applicants
    unit: count
    records: {source: dossiers, aggregate: count_distinct, column: applicant}
  mean_days:
    label: Mean days
    unit: days
    records: {source: dossiers, aggregate: mean_days, from: received_at, to: resolved_at,
              where: "resolved_at is not null"}
  overdue_pending:
    label: Overdue and pending at the period's end
    unit: count
    records:
      source: dossiers
      aggregate: count
      stock: true
      where: >-
        received_at < period_end and (resolved_at is null or resolved_at >= period_end)
        and due_at < period_end
  online_rate:
    label: Online rate
    unit: percent
    formula: received_online / received * 100
targets:
  - id: ONLINE
    title: Online share
    area: digital_government
    metric: online_rate
    milestones: [{by: "2025", op: ">=", value: 50}]
"""
UNITS = ["tan-ha", "tan-minh", "son-my"]


def dossiers(n: int = 2000, seed: int = 14) -> list[dict]:
    """`n` dossiers of 3 units over January–June 2025, some still open, some late."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        received = datetime(2025, 1, 1) + timedelta(minutes=rng.randrange(181 * 24 * 60))
        due = received.date() + timedelta(days=rng.choice((3, 7, 15)))
        resolved = None if rng.random() < 0.12 else \
            received.date() + timedelta(days=rng.randrange(0, 20))
        rows.append({"dossier_id": f"HS-{i:05d}", "unit_id": rng.choice(UNITS),
                     "applicant": f"cd-{rng.randrange(600)}", "received_at": received,
                     "due_at": due, "resolved_at": resolved,
                     "channel": rng.choice(("online", "direct", "post", "it's")),
                     "fee": float(rng.choice((0, 10_000, 50_000)))})
    return rows


def expected(rows: list[dict]) -> dict[tuple[str, str, str], float]:
    """Every figure the ruleset defines, counted in plain Python, for months and quarters."""
    periods = [parse_period(f"2025-{m:02d}") for m in range(1, 7)] + \
        [parse_period("2025-Q1"), parse_period("2025-Q2")]
    out: dict[tuple[str, str, str], float] = {}
    for unit in UNITS:
        mine = [r for r in rows if r["unit_id"] == unit]
        for p in periods:
            def within(day, p=p):
                return day is not None and p.start <= day <= p.end
            got = [r for r in mine if within(r["received_at"].date())]
            days = [(r["resolved_at"] - r["received_at"].date()).days for r in got
                    if r["resolved_at"] is not None]
            values = {
                "received": len(got),
                "received_online": sum(r["channel"] in ("online", "post") for r in got),
                "resolved_on_time": sum(within(r["resolved_at"]) and r["resolved_at"]
                                        <= r["due_at"] for r in mine),
                "fees": sum(r["fee"] for r in got),
                "applicants": len({r["applicant"] for r in got}),
                "mean_days": sum(days) / len(days) if days else None,
                # period_end is the first moment after the period; a date column is its
                # whole day: due on the period's last day and still open is overdue
                "overdue_pending": sum(
                    r["received_at"].date() <= p.end
                    and (r["resolved_at"] is None or r["resolved_at"] > p.end)
                    and r["due_at"] <= p.end for r in mine),
            }
            out.update({(unit, p.text, m): v for m, v in values.items() if v is not None})
    return out


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("records")
    rows = dossiers()
    frame = pl.DataFrame(rows)
    (folder / "2025").mkdir()
    frame.head(1200).write_parquet(folder / "2025" / "part-1.parquet")
    frame.slice(1200).write_parquet(folder / "2025" / "part-2.parquet")
    frame.write_csv(folder / "dossiers.csv")
    (folder / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    return {"folder": folder, "rows": rows}


def counted(data: dict, where: str, units=None) -> dict[tuple[str, str, str], float]:
    ruleset = Session().load_ruleset(data["folder"] / "ruleset.yaml")
    location = parse_location(f"dossiers={data['folder'] / where}", ruleset.model.sources)
    figures = count_figures(ruleset, [location], units)
    return {(r["unit"], r["period"], r["metric"]): r["value"]
            for r in figures.values.iter_rows(named=True)}


@pytest.mark.parametrize("where", ["2025/*.parquet", "dossiers.csv"])
def test_every_figure_matches_a_plain_python_count(data, where):
    got, want = counted(data, where), expected(data["rows"])
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-12), key
    # The data really exercises every aggregate (nothing trivially zero).
    for metric in ("received_online", "resolved_on_time", "fees", "overdue_pending"):
        assert sum(v for (_, _, m), v in want.items() if m == metric) > 0


def test_stocks_are_counted_at_each_period_end_not_summed(data):
    got = counted(data, "2025/*.parquet")
    for unit in UNITS:
        months = [got[(unit, f"2025-{m:02d}", "overdue_pending")] for m in (1, 2, 3)]
        assert got[(unit, "2025-Q1", "overdue_pending")] == months[-1]
        assert got[(unit, "2025-Q1", "received")] == sum(
            got[(unit, f"2025-{m:02d}", "received")] for m in (1, 2, 3))


def test_a_parent_counts_distinct_values_and_mean_days_from_its_childrens_records(data):
    from cchc_rules.figures.units import Unit
    units = {"ham-tan": Unit("ham-tan", "Hàm Tân", "district", None, pos=_pos()),
             **{u: Unit(u, u, "commune", "ham-tan", pos=_pos()) for u in UNITS}}
    got = counted(data, "2025/*.parquet", units)
    rows = [r for r in data["rows"] if parse_period("2025-Q1").start
            <= r["received_at"].date() <= parse_period("2025-Q1").end]
    assert got[("ham-tan", "2025-Q1", "applicants")] == len({r["applicant"] for r in rows})
    days = [(r["resolved_at"] - r["received_at"].date()).days for r in rows
            if r["resolved_at"] is not None]
    assert got[("ham-tan", "2025-Q1", "mean_days")] == pytest.approx(sum(days) / len(days))
    # Counts too are counted from the descendants' records (and the parent's own, if any).
    assert got[("ham-tan", "2025-Q1", "received")] == len(rows)


def _pos():
    from cchc_rules.errors import Position
    return Position("units.yaml", 1, 1)


def test_records_of_an_undeclared_unit_are_warned_about_not_dropped_silently(data):
    from cchc_rules.figures.units import Unit
    units = {u: Unit(u, u, pos=_pos()) for u in UNITS[:2]}
    ruleset = Session().load_ruleset(data["folder"] / "ruleset.yaml")
    location = parse_location(f"dossiers={data['folder'] / 'dossiers.csv'}",
                              ruleset.model.sources)
    figures = count_figures(ruleset, [location], units)
    (warning,) = figures.warnings
    rows = sum(r["unit_id"] == "son-my" for r in data["rows"])
    assert warning.code == "REC07" and f"{rows} record(s)" in warning.message
    assert "son-my" in warning.message and warning.severity == "warning"
    assert set(figures.values["unit"].unique()) == set(UNITS[:2])


def test_location_errors_name_the_problem(data):
    ruleset = Session().load_ruleset(data["folder"] / "ruleset.yaml")
    sources = ruleset.model.sources
    cases = {"dosiers=x.csv": ("REC05", "did you mean 'dossiers'?"),
             "dossiers": ("REC05", "NAME=LOCATION"),
             f"dossiers={data['folder']}/none-*.parquet": ("REC06", "no file matches"),
             "dossiers=postgresql://u:secret@localhost/db": ("REC05", "password")}
    for text, (code, words) in cases.items():
        with pytest.raises(CchcError) as err:
            parse_location(text, sources)
        (problem,) = err.value.problems
        assert problem.code == code and words in problem.format(), problem.format()
        assert "secret" not in problem.format()


def test_text_in_a_date_column_is_one_rec06_error(tmp_path, data):
    frame = pl.DataFrame(data["rows"][:5]).with_columns(pl.lit("soon").alias("due_at"))
    frame.write_csv(tmp_path / "bad.csv")
    ruleset = Session().load_ruleset(data["folder"] / "ruleset.yaml")
    location = parse_location(f"dossiers={tmp_path / 'bad.csv'}", ruleset.model.sources)
    with pytest.raises(CchcError) as err:
        count_figures(ruleset, [location])
    (problem,) = err.value.problems
    assert problem.code == "REC06" and "Traceback" not in problem.format()


def cchc(*args: str):
    return CliRunner().invoke(main, ["evaluate", *args])


def test_cli_evaluates_targets_from_records(data):
    folder: Path = data["folder"]
    res = cchc(str(folder / "ruleset.yaml"), "--records",
               f"dossiers={folder}/2025/*.parquet", "--format", "json")
    assert res.exit_code in (0, 1), res.output
    results = json.loads(res.stdout)["results"]
    want = expected(data["rows"])
    by_key = {(r["unit"], r["period"]): r["actual"] for r in results}
    assert len(by_key) == len(UNITS) * 8
    for (unit, period), actual in by_key.items():
        share = want[(unit, period, "received_online")] / want[(unit, period, "received")]
        assert actual == pytest.approx(share * 100)


def test_cli_refuses_a_figure_both_reported_and_counted(data, tmp_path):
    folder: Path = data["folder"]
    (tmp_path / "d.yaml").write_text(
        "reports:\n  - {unit: tan-ha, period: 2025-01, values: {received: 3}}\n",
        encoding="utf-8")
    res = cchc(str(folder / "ruleset.yaml"), "--data", str(tmp_path / "d.yaml"),
               "--records", f"dossiers={folder}/dossiers.csv")
    assert res.exit_code == 2 and "REC08" in res.output, res.output


def test_cli_still_needs_data_or_records(data):
    res = cchc(str(data["folder"] / "ruleset.yaml"))
    assert res.exit_code == 2 and "--data" in res.output, res.output


def test_reported_figures_and_records_are_merged(data, tmp_path):
    folder: Path = data["folder"]
    (tmp_path / "d.yaml").write_text(
        "reports:\n  - {unit: tan-ha, period: 2025-07, values: {received: 10, "
        "received_online: 9}}\n", encoding="utf-8")
    res = cchc(str(folder / "ruleset.yaml"), "--data", str(tmp_path / "d.yaml"),
               "--records", f"dossiers={folder}/dossiers.csv", "--format", "json",
               "--period", "2025-07", "--period", "2025-06")
    assert res.exit_code in (0, 1), res.output
    actual = {(r["unit"], r["period"]): r["actual"] for r in json.loads(res.stdout)["results"]}
    assert actual[("tan-ha", "2025-07")] == pytest.approx(90)
    assert ("son-my", "2025-06") in actual


def test_a_day_is_the_whole_local_day_against_the_period_end(tmp_path):
    """A dossier received at 23:30 on the period's last day is in that period; due on that
    day (a date column: the whole day) and still open when the period ends, it is overdue
    at the end (period_end is the first moment after the period)."""
    rows = [{"dossier_id": "a", "unit_id": "x", "applicant": "p",
             "received_at": datetime(2025, 3, 31, 23, 30), "due_at": date(2025, 3, 31),
             "resolved_at": None, "channel": "online", "fee": 0.0}]
    pl.DataFrame(rows).write_parquet(tmp_path / "one.parquet")
    (tmp_path / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    got = counted({"folder": tmp_path}, "one.parquet")
    assert got[("x", "2025-03", "received")] == 1
    assert got[("x", "2025-Q1", "overdue_pending")] == 1   # due on the last day: late at its end
    assert ("x", "2025-04", "received") not in got


def test_report_renders_html_from_records(data, tmp_path):
    folder: Path = data["folder"]
    res = CliRunner().invoke(main, [
        "report", str(folder / "ruleset.yaml"), "--records", f"dossiers={folder}/2025/*.parquet",
        "--format", "html", "--output", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    assert "ONLINE" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_units_file_parents_get_counts_and_distinct_counts_from_records(data, tmp_path):
    folder: Path = data["folder"]
    (tmp_path / "units.yaml").write_text(
        "units:\n  - {id: ham-tan, name: Hàm Tân, level: district}\n" + "".join(
            f"  - {{id: {u}, name: {u}, level: commune, parent: ham-tan}}\n" for u in UNITS),
        encoding="utf-8")
    evaluation = Session().evaluate(folder / "ruleset.yaml", [],
                                    units_file=tmp_path / "units.yaml",
                                    records=[f"dossiers={folder}/dossiers.csv"])
    values = {(r["unit"], r["period"], r["metric"]): (r["value"], r["origin"])
              for r in evaluation.values.iter_rows(named=True)}
    want = expected(data["rows"])
    assert values[("ham-tan", "2025-Q2", "received")] == (
        sum(want[(u, "2025-Q2", "received")] for u in UNITS), "reported")
    rows = [r for r in data["rows"] if r["received_at"].date().month in (4, 5, 6)]
    assert values[("ham-tan", "2025-Q2", "applicants")] == (
        len({r["applicant"] for r in rows}), "reported")


def test_instants_are_cut_into_periods_in_vietnam_time(tmp_path):
    """A dossier received at 23:30 on 31 March in Vietnam, stored in UTC (16:30Z), counts in
    March and Q1; one at 00:30 on 1 April local (17:30Z on 31 March) counts in April."""
    (tmp_path / "ruleset.yaml").write_text(RULESET.replace(
        "received_at: timestamp", "received_at: timestamptz"), encoding="utf-8")
    (tmp_path / "tz.csv").write_text(
        "dossier_id,unit_id,applicant,received_at,due_at,resolved_at,channel,fee\n"
        "a,x,p,2025-03-31T16:30:00Z,2025-04-10,,online,0\n"
        "b,x,p,2025-03-31T23:30:00+07:00,2025-04-10,,online,0\n"
        "c,x,p,2025-03-31T17:30:00Z,2025-04-10,,online,0\n", encoding="utf-8")
    got = counted({"folder": tmp_path}, "tz.csv")
    assert got[("x", "2025-03", "received")] == 2
    assert got[("x", "2025-Q1", "received")] == 2
    assert got[("x", "2025-04", "received")] == 1


def test_how_each_counted_figure_adds_up_over_time(data):
    from cchc_rules.figures.records import over_time
    metrics = Session().load_ruleset(data["folder"] / "ruleset.yaml").model.metrics
    got = {m: over_time(x.records) for m, x in metrics.items() if x.records is not None}
    assert got == {"received": "sum", "received_online": "sum", "resolved_on_time": "sum",
                   "fees": "sum", "applicants": None, "mean_days": None,
                   "overdue_pending": "last"}


def test_a_declared_column_missing_from_the_files_is_named(tmp_path):
    """Issue 24: a column the source declares but the export lacks is said as such (with
    the columns there are), not as values that are not a valid type."""
    from cchc_rules.pipeline import Session
    root = Path(__file__).resolve().parents[3]
    thin = tmp_path / "thin.parquet"
    pl.read_parquet(root / "examples/records/*.parquet").rename(
        {"ngay_hen_tra": "ngay_hen"}).write_parquet(thin)
    with pytest.raises(CchcError) as err:
        Session().evaluate(root / "rulesets/national/qd766-records.yaml", [],
                           root / "examples/records/units.csv", records=[f"dossiers={thin}"])
    (problem,) = err.value.problems
    assert problem.code == "REC06"
    assert f"table '{thin}' has no column 'ngay_hen_tra'" in problem.message
    assert problem.hint == "did you mean 'ngay_hen'?"
