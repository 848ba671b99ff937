"""The independent count (issue 22): generated dossier records, stored as UTC instants, with
records at 16:59:59Z and 17:00:00Z — the last second of a Vietnamese month, quarter and
year, and the first of the next — are counted by a plain-Python reference in Vietnam time
(UTC+7) and by `cchc figures --records` (the figures `cchc evaluate --records` uses), figure
by figure, on DuckDB and PostgreSQL, with the process under TZ=UTC, TZ=Asia/Ho_Chi_Minh
and TZ=America/New_York (subprocesses with the variable set) and the PostgreSQL database's
own time zone set elsewhere again.

The reference knows only the documented rules (docs/records.md): a period holds a record
whose local day is in it; on time is the resolution moment at or before the due moment;
a stock is taken at the first moment after the period, or at the as-of moment; records
left out of every figure (resolved before received to the second, a date outside the
plausible window, received in the future) count nowhere; a period not ended as of the
moment counted is not counted unless asked for.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import polars as pl
import pytest
from records_services import load_table

from cchc_rules.periods import parse_period

ROOT = Path(__file__).resolve().parents[3]
ZONES = ("UTC", "Asia/Ho_Chi_Minh", "America/New_York")
AS_OF = "2026-02-01"                       # the end of 31 January 2026, Vietnam time
AS_OF_LOCAL = datetime(2026, 2, 1)
VN = timedelta(hours=7)
COMMUNES = ("c1", "c2", "c3", "c4")
METRICS = ("received", "online", "on_time", "late", "in_time", "overdue", "days")

# open at the period's end: received before it, not resolved before it
PENDING = "received_at < period_end and (resolved_at is null or resolved_at >= period_end)"
RULESET = """\
ruleset: records-vietnam-time
title: Records counted in Vietnam time
sources:
  dossiers:
    table: dossiers
    unit: unit_id
    date: received_at
    id: dossier_id
    due: due_at
    resolved: resolved_at
    periods: [month, quarter, year]
    columns: {{dossier_id: text, unit_id: text, channel: text, received_at: {kind},
              due_at: {kind}, resolved_at: {kind}}}
metrics:
  received: {{label: R, unit: count, records: {{source: dossiers, aggregate: count}}}}
  online:
    label: O
    unit: count
    records: {{source: dossiers, aggregate: count, where: "channel == 'online'"}}
  on_time:
    label: T
    unit: count
    records: {{source: dossiers, aggregate: count, date: resolved_at,
              where: "resolved_at <= due_at"}}
  late:
    label: L
    unit: count
    records: {{source: dossiers, aggregate: count, date: resolved_at,
              where: "resolved_at > due_at"}}
  in_time:
    label: I
    unit: count
    records: {{source: dossiers, aggregate: count, stock: true,
              where: "{pending} and due_at >= period_end"}}
  overdue:
    label: P
    unit: count
    records: {{source: dossiers, aggregate: count, stock: true,
              where: "{pending} and due_at < period_end"}}
  days:
    label: D
    unit: days
    records: {{source: dossiers, aggregate: mean_days, date: resolved_at,
              from: received_at, to: resolved_at}}
"""
UNITS = "units:\n  - {id: P, name: P, level: province}\n" + "".join(
    f"  - {{id: {c}, name: {c}, level: commune, parent: P}}\n" for c in COMMUNES)


def _utc(y, m, d, hh=0, mm=0, ss=0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=UTC)


def dossiers(n: int = 2500, seed: int = 22) -> list[dict]:
    """Dossiers received over 2025 (UTC instants), due and resolved by the minute, plus the
    boundary cases and a few records that must be left out."""
    rng = random.Random(seed)
    units = ("P", *COMMUNES)
    rows = []

    def add(received, due, resolved, unit=None, channel=None):
        rows.append({"dossier_id": f"HS-{len(rows):05d}", "unit_id": unit or rng.choice(units),
                     "channel": channel or rng.choice(("online", "direct")),
                     "received_at": received, "due_at": due, "resolved_at": resolved})

    start = _utc(2024, 12, 31, 17)   # 2025-01-01 00:00 in Vietnam
    for _ in range(n):
        received = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
        due = received + timedelta(days=rng.choice((1, 3, 7, 15)), minutes=rng.randrange(600))
        roll = rng.random()
        resolved = None if roll < 0.1 else due if roll < 0.15 else \
            due + timedelta(seconds=1) if roll < 0.2 else \
            received + timedelta(minutes=rng.randrange(20 * 24 * 60))
        add(received, due, resolved)
    # the last second of each Vietnamese month (16:59:59Z on the month's last day) and the
    # first second of the next (17:00:00Z), as received, resolved and due moments
    for month in range(13):
        first = date(2025 + (month // 12), month % 12 + 1, 1)
        edge = datetime.combine(first, time(), UTC) - VN          # 17:00:00Z the day before
        for moment in (edge - timedelta(seconds=1), edge):
            for unit in ("c1", "P"):
                add(moment, moment + timedelta(days=2), moment + timedelta(hours=3), unit)
                add(moment - timedelta(days=3), moment, None, unit)           # due at it
                add(moment - timedelta(days=3), moment - timedelta(hours=1), moment, unit)
                add(moment - timedelta(days=3), moment, moment, unit)         # just on time
    add(_utc(2025, 5, 5, 3), _utc(2025, 5, 9), _utc(2025, 5, 5, 2, 59, 59), "c2")  # 1 s early
    add(_utc(2205, 5, 5), _utc(2205, 5, 9), None, "c2")                   # a mistyped year
    add(_utc(1025, 5, 5), _utc(1025, 5, 9), None, "c3")
    add(_utc(2025, 6, 1), None, _utc(2025, 6, 3), "c3")                   # no due date
    return rows


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else (moment.astimezone(UTC) + VN).replace(tzinfo=None)


def reference(rows: list[dict], now: datetime) -> dict[tuple[str, str, str], float]:
    """Every counted figure in plain Python, in Vietnam time, as of AS_OF."""
    latest = datetime.combine(_local(now).date() + timedelta(days=367), time())
    kept = []
    for r in rows:
        rec, due, res = (_local(r[k]) for k in ("received_at", "due_at", "resolved_at"))
        dated = [d for d in (rec, due, res) if d is not None]
        if any(not datetime(2000, 1, 1) <= d < latest for d in dated):
            continue                                       # outside the plausible window
        if rec > _local(now) or (res is not None and (res > _local(now) or res < rec)) \
                or (due is not None and due < rec):
            continue
        kept.append((r["unit_id"], r["channel"], rec, due, res))
    first = min(rec.date() for *_, rec, _, _ in kept)
    last = min(max(rec.date() for *_, rec, _, _ in kept), AS_OF_LOCAL.date() - timedelta(1))
    periods = []
    for kind in ("month", "quarter", "year"):
        for year in range(first.year, last.year + 1):
            for p in parse_period(str(year)).sub_periods(kind):
                end = datetime.combine(p.end + timedelta(days=1), time())
                if p.end >= first and p.start <= last and end <= AS_OF_LOCAL:
                    periods.append((p, end))
    out = {}
    for unit in ("P", *COMMUNES):
        mine = [k for k in kept if unit == "P" or k[0] == unit]
        for p, end in periods:
            def within(moment, p=p):
                return moment is not None and moment < AS_OF_LOCAL \
                    and p.start <= moment.date() <= p.end
            got = [k for k in mine if within(k[2])]
            resolved = [k for k in mine if within(k[4])]
            pending = [k for k in mine if k[2] < end and (k[4] is None or k[4] >= end)
                       and k[3] is not None]
            days = [(k[4].date() - k[2].date()).days for k in resolved]
            values = {
                "received": len(got), "online": sum(k[1] == "online" for k in got),
                "on_time": sum(k[3] is not None and k[4] <= k[3] for k in resolved),
                "late": sum(k[3] is not None and k[4] > k[3] for k in resolved),
                "in_time": sum(k[3] >= end for k in pending),
                "overdue": sum(k[3] < end for k in pending),
                "days": sum(days) / len(days) if days else None}
            out.update({(unit, p.text, m): float(v) for m, v in values.items()
                        if v is not None})
    return out


def cchc_figures(folder: Path, location: str, zone: str, kind: str = "timestamptz",
                 extra: str = "") -> tuple[dict, str]:
    """The counted figures of `cchc figures --records` run with TZ=`zone`; its stderr.
    `extra`: lines added to the source."""
    ruleset = folder / f"ruleset-{kind}.yaml"
    periods = "    periods: [month, quarter, year]\n"
    ruleset.write_text(RULESET.format(kind=kind, pending=PENDING).replace(
        periods, periods + extra), encoding="utf-8")
    env = {**os.environ, "TZ": zone, "PYTHONPATH": str(ROOT)}
    res = subprocess.run(
        [str(Path(sys.executable).parent / "cchc"), "figures", str(ruleset), "--units",
         str(folder / "units.yaml"), "--records", location, "--as-of", AS_OF,
         "--format", "json", "--lang", "en"],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    assert res.returncode == 0, res.stderr
    figures = json.loads(res.stdout)["figures"]
    return ({(f["unit"], f["period"], f["metric"]): f["value"] for f in figures
             if f["origin"] == "counted"}, res.stderr)


def _agree(got: dict, want: dict) -> None:
    assert set(got) == set(want), (sorted(set(got) ^ set(want)))[:10]
    wrong = [(k, got[k], v) for k, v in want.items() if got[k] != pytest.approx(v, rel=1e-12)]
    assert not wrong, f"{len(wrong)} of {len(want)} figures differ, e.g. {wrong[:5]}"


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vietnam-time")
    rows = dossiers()
    pl.DataFrame(rows).write_parquet(folder / "dossiers.parquet")
    (folder / "units.yaml").write_text(UNITS, encoding="utf-8")
    want = reference(rows, datetime.now(UTC))
    return folder, rows, want


def test_the_reference_sees_the_edges(records):
    """The generated records make the boundaries matter: a figure a day-based or
    machine-zone count gets wrong exists in every month."""
    _folder, _rows, want = records
    assert ("P", "2024-12", "received") in want          # 16:59:59Z on 31 December 2024
    assert ("P", "2026-01", "received") in want          # ended as of AS_OF
    assert ("P", "2026-Q1", "received") not in want      # not ended: not counted
    assert want[("c1", "2025", "late")] > 0 and want[("P", "2025-06", "overdue")] > 0


@pytest.mark.parametrize("zone", ZONES)
def test_duckdb_agrees_with_the_plain_count_in_every_time_zone(records, zone):
    folder, _rows, want = records
    got, stderr = cchc_figures(folder, f"dossiers={folder}/dossiers.parquet", zone)
    _agree(got, want)
    assert "REC09" in stderr and "out_of_window 2" in stderr and "resolved_before_date 1" \
        in stderr and "no due date" in stderr
    assert "REC12" in stderr and "2026-Q1" in stderr   # not ended: said, not counted


def test_timestamp_declared_over_instants_is_read_as_the_instants_with_a_warning(records):
    """The shipped ruleset's mistake (issue 22 §6): columns declared `timestamp` that hold
    instants (Parquet in UTC, CSV text ending in Z) are read as the instants they are."""
    folder, rows, want = records
    got, stderr = cchc_figures(folder, f"dossiers={folder}/dossiers.parquet",
                               "Asia/Ho_Chi_Minh", kind="timestamp")
    _agree(got, want)
    assert "REC13" in stderr and "declared timestamp but holds timestamptz" in stderr
    text = pl.DataFrame(rows).with_columns(
        pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        for c in ("received_at", "due_at", "resolved_at"))
    text.write_csv(folder / "dossiers.csv")
    got, stderr = cchc_figures(folder, f"dossiers={folder}/dossiers.csv", "America/New_York",
                               kind="timestamp")
    _agree(got, want)
    assert "REC13" in stderr


@pytest.fixture(scope="module")
def server(server, records):
    """The module's cluster (conftest.py) holding the records, in a zone of its own."""
    import psycopg
    with psycopg.connect(server, autocommit=True) as con:
        # the server's own zone far from both UTC and Vietnam: cchc must not use it
        con.execute("ALTER DATABASE postgres SET timezone TO 'Pacific/Kiritimati'")
    load_table(server, "dossiers", {
        "dossier_id": "text", "unit_id": "text", "channel": "text",
        "received_at": "timestamptz", "due_at": "timestamptz", "resolved_at": "timestamptz"},
        records[1])
    return server


@pytest.mark.parametrize("zone", ZONES)
def test_postgresql_agrees_with_the_plain_count_in_every_time_zone(records, server, zone):
    folder, _rows, want = records
    got, _stderr = cchc_figures(folder, f"dossiers={server}?table=dossiers", zone)
    _agree(got, want)


def test_postgresql_timestamptz_declared_timestamp_is_read_as_instants(records, server):
    folder, _rows, want = records
    got, stderr = cchc_figures(folder, f"dossiers={server}?table=dossiers", "UTC",
                               kind="timestamp")
    _agree(got, want)
    assert "REC13" in stderr and "'received_at'" in stderr


def test_times_without_a_zone_written_in_utc_are_read_so_with_timezone(records):
    """An export of times without a zone, written in UTC: `timezone: UTC` on the source
    reads them as UTC, and the figures are those of the instants."""
    folder, rows, want = records
    naive = pl.DataFrame(rows).with_columns(
        pl.col(c).dt.replace_time_zone(None) for c in ("received_at", "due_at", "resolved_at"))
    (folder / "naive").mkdir(exist_ok=True)
    naive.write_parquet(folder / "naive" / "dossiers.parquet")
    ruleset = folder / "ruleset-timestamp.yaml"
    got, stderr = cchc_figures(folder, f"dossiers={folder}/naive/dossiers.parquet",
                               "America/New_York", kind="timestamp",
                               extra="    timezone: UTC\n")
    _agree(got, want)
    assert "REC13" not in stderr and "timezone: UTC" in ruleset.read_text(encoding="utf-8")
