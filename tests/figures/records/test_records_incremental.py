"""Incremental counting (docs/records.md §8): `--period`/`--since` narrow the count to what
the asked periods need, and `--cache` reuses closed periods' figures — never a different
figure from a full recount.

The reference is the same run with narrowing switched off (`narrow.wanted` gives None: every
period counted, as before issue 24) and no cache. Hypothesis picks the periods asked, the
moment counted as of and the baseline of a change target; a change, a trajectory, relative
baselines (same_last_year, previous), a year tiled from months and quarters, a stock and a
formula all read figures of other periods than the asked ones.
"""
from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
import records_services
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from records_services import load_table

from cchc_rules.errors import CchcError
from cchc_rules.figures.records import narrow
from cchc_rules.pipeline import Session

COLUMNS = {"dossier_id": "text", "unit_id": "text", "received_at": "timestamp",
           "due_at": "date", "resolved_at": "date", "channel": "text",
           "sent_at": "timestamptz"}

RULESET = """\
ruleset: incremental
title: Incremental
sources:
  dossiers:
    table: dossiers
    unit: unit_id
    date: received_at
    id: dossier_id
    due: due_at
    resolved: resolved_at
    periods: [month, quarter]
    columns: {{dossier_id: text, unit_id: text, received_at: timestamp, due_at: date,
              resolved_at: date, channel: text, sent_at: timestamptz}}
metrics:
  received: {{label: R, unit: count, over_time: sum,
              records: {{source: dossiers, aggregate: count}}}}
  online: {{label: O, unit: count, over_time: sum,
            records: {{source: dossiers, aggregate: count, where: "channel == 'online'"}}}}
  on_time:
    label: T
    unit: count
    over_time: sum
    records: {{source: dossiers, aggregate: count, date: resolved_at,
              where: "resolved_at <= due_at"}}
  sent:
    label: S
    unit: count
    records: {{source: dossiers, aggregate: count, date: sent_at}}
  days:
    label: D
    unit: days
    records: {{source: dossiers, aggregate: mean_days, from: received_at, to: resolved_at}}
  pending:
    label: P
    unit: count
    over_time: last
    records:
      source: dossiers
      aggregate: count
      stock: true
      where: "received_at < period_end and (resolved_at is null or resolved_at >= period_end)"
  online_rate: {{label: Rate, unit: percent, formula: online / received * 100}}
targets:
  - {{id: UP, title: More online, area: procedures, metric: online, change: percent,
     baseline: {{period: "{baseline}"}}, milestones: [{{by: "2026", op: ">=", value: 5}}]}}
  - {{id: RATE, title: Rate path, area: procedures, metric: online_rate,
     baseline: {{period: "{baseline}"}}, milestones: [{{by: "2026", op: ">=", value: 60}}]}}
  - {{id: YOY, title: Year on year, area: procedures, metric: received, change: percent,
     baseline: {{period: same_last_year}}, milestones: [{{by: "2026", op: ">=", value: 0}}]}}
  - {{id: QOQ, title: Previous, area: procedures, metric: on_time, change: absolute,
     baseline: {{period: previous}}, milestones: [{{by: "2026", op: ">=", value: 0}}]}}
  - {{id: STOCK, title: Few pending, area: procedures, metric: pending,
     milestones: [{{by: "2026", op: "<=", value: 40}}]}}
  - {{id: SENT, title: Sent, area: procedures, metric: sent,
     milestones: [{{by: "2026", op: ">=", value: 1}}]}}
  - {{id: DAYS, title: Fast, area: procedures, metric: days,
     milestones: [{{by: "2026", op: "<=", value: 6}}]}}
"""
pg_server = records_services.pg_server   # the module's throw-away PostgreSQL (a fixture)
UNITS = "id,name,level,parent\np,Province,province,\na,A,district,p\nb,B,district,p\n"
FIRST, MONTHS = date(2024, 1, 1), 26   # records from January 2024 to February 2026


def _rows(n: int = 900, seed: int = 24) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    span = (date(2026, 3, 1) - FIRST).days * 24 * 60
    for i in range(n):
        received = datetime.combine(FIRST, datetime.min.time()) + timedelta(
            minutes=rng.randrange(span))
        resolved = None if rng.random() < 0.15 else \
            received.date() + timedelta(days=rng.randrange(12))
        rows.append({"dossier_id": f"HS-{i}", "unit_id": rng.choice(("a", "b", "p")),
                     "received_at": received,
                     "due_at": received.date() + timedelta(days=rng.choice((3, 7))),
                     "resolved_at": resolved, "channel": rng.choice(("online", "direct")),
                     "sent_at": (received + timedelta(hours=rng.randrange(-9, 9)))
                     .replace(tzinfo=UTC)})
    return rows


def _folder(tmp: Path, rows: list[dict], baseline: str = "2024") -> Path:
    pl.DataFrame(rows).write_parquet(tmp / "dossiers.parquet")
    (tmp / "ruleset.yaml").write_text(RULESET.format(baseline=baseline), encoding="utf-8")
    (tmp / "units.csv").write_text(UNITS, encoding="utf-8")
    return tmp


def _run(folder: Path, location: str, *, narrowing: bool = True, **options) -> tuple:
    """(outcome, the warnings' codes, diagnostics.counting): outcome is the spec §4
    results and the figures used, or the error's lines."""
    warned: list = []
    original = narrow.wanted
    if not narrowing:
        narrow_off = lambda *_a: None  # noqa: E731
        import cchc_rules.figures.records as records
        records.wanted = narrow_off
    try:
        ev = Session().evaluate(folder / "ruleset.yaml", [], folder / "units.csv",
                                records=[location], warn=warned.append, **options)
        values = ev.values.sort("unit", "period", "metric").to_dicts()
        outcome: tuple = ("ok", _same_nan(ev.records()), _same_nan(values))
        counting = ev.figures.records.counting if ev.figures.records else []
    except CchcError as err:
        outcome, counting = ("error", [str(p) for p in err.problems]), []
    finally:
        import cchc_rules.figures.records as records
        records.wanted = original
    return outcome, sorted({w.code for w in warned}), counting


def _same_nan(rows: list[dict]) -> list[dict]:
    """NaN (a formula with no number) as a text, so that two runs' rows compare equal."""
    return [{k: "NaN" if isinstance(v, float) and v != v else v for k, v in r.items()}
            for r in rows]


def _parquet(folder: Path) -> str:
    return f"dossiers={folder}/dossiers.parquet"


PERIODS = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)][:MONTHS] + \
    [f"{y}-Q{q}" for y in (2024, 2025) for q in range(1, 5)] + \
    ["2024", "2025", "2026-Q1", "2025-01/2025-09", "2025-H1", "2024-Q4/2025-Q1"]


@st.composite
def asks(draw) -> dict:
    """Periods asked (or a --since), and a moment counted as of."""
    as_of = datetime(2025, 6, 1) + timedelta(hours=draw(st.integers(0, 24 * 600)))
    if draw(st.booleans()):
        return {"since": draw(st.sampled_from(PERIODS[:MONTHS])), "as_of": as_of}
    return {"periods": draw(st.lists(st.sampled_from(PERIODS), min_size=1, max_size=3,
                                     unique=True)), "as_of": as_of}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return _rows()


@pytest.fixture(scope="module")
def folders(tmp_path_factory, rows) -> dict[str, Path]:
    return {b: _folder(tmp_path_factory.mktemp(f"inc-{b}"), rows, b)
            for b in ("2024", "2024-Q3", "2025-02")}


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ask=asks(), baseline=st.sampled_from(["2024", "2024-Q3", "2025-02"]))
def test_a_narrowed_count_gives_the_full_count_s_figures_on_duckdb(folders, ask, baseline):
    folder = folders[baseline]
    narrowed, codes, counting = _run(folder, _parquet(folder), **ask)
    full, full_codes, _ = _run(folder, _parquet(folder), narrowing=False, **ask)
    assert narrowed == full
    assert codes == full_codes
    if narrowed[0] == "ok":
        (said,) = counting
        assert len(said["needed"]) <= said["periods"]


def test_a_month_asked_counts_only_what_it_needs(folders):
    folder = folders["2024"]
    _, _, counting = _run(folder, _parquet(folder), periods=["2025-11"],
                          as_of=datetime(2025, 12, 3))
    (said,) = counting
    # the month, the same month a year before, the months before it (previous: up to 32
    # days earlier, whole months) and the baseline year with its months and quarters
    assert said["needed"] == [
        "2024-01", "2024-02", "2024-Q1", "2024-03", "2024-04", "2024-05", "2024-Q2", "2024-06",
        "2024-07", "2024-08", "2024-Q3", "2024-09", "2024-10", "2024-11", "2024-Q4",
        "2024-12", "2025-09", "2025-10", "2025-11"]
    # of the 23 months and 7 quarters ended by then (2025-12 and 2025-Q4 are running)
    assert said["periods"] == 23 + 7


def test_the_narrowed_sql_is_sargable_on_the_raw_column(folders):
    folder = folders["2024"]
    ev = Session().evaluate(folder / "ruleset.yaml", [], folder / "units.csv",
                            records=[_parquet(folder)], periods=["2025-11"],
                            as_of=datetime(2025, 12, 3))
    sql = ev.figures.records.queries["received"].sql()
    # the column as stored, against a literal a day wider than the periods counted
    assert 'r."received_at" >= CAST(\'2023-12-31 00:00:00\' AS TIMESTAMP)' in sql
    assert 'r."received_at" < CAST(\'2025-12-02 00:00:00\' AS TIMESTAMP)' in sql
    sent = ev.figures.records.queries["sent"].sql()
    assert 'r."sent_at" < CAST(\'2025-12-02 00:00:00+00:00\' AS TIMESTAMPTZ)' in sent
    stock = ev.figures.records.queries["pending"].sql()
    assert 'r."received_at" < CAST(\'2025-12-02 00:00:00\' AS TIMESTAMP)' in stock


# -- the cache -------------------------------------------------------------------------

def _cached(folder: Path, cache: Path, location: str | None = None, **ask) -> tuple:
    ask = ask or {"periods": ["2025-11", "2026-02"], "as_of": datetime(2026, 2, 20)}
    return _run(folder, location or _parquet(folder), cache=cache, **ask)


def _counted_of(counting, metric: str) -> list[str]:
    (said,) = counting
    return next(v for k, v in said["counted"].items() if metric in k.split(", "))


def _hits(counting) -> tuple[int, int]:
    (said,) = counting
    return said["cache"]["hits"], said["cache"]["misses"]


def test_a_warm_cache_gives_the_same_figures_and_counts_only_the_running_month(
        tmp_path, rows):
    folder = _folder(tmp_path, rows)
    ask = {"periods": ["2025-11", "2026-02"], "as_of": datetime(2026, 2, 20)}
    full, _, _ = _run(folder, _parquet(folder), narrowing=False, **ask)
    cold, _, counting = _cached(folder, tmp_path / "cache.parquet")
    assert cold == full and _hits(counting)[0] == 0
    warm, _, counting = _cached(folder, tmp_path / "cache.parquet")
    assert warm == full
    hits, misses = _hits(counting)
    assert hits > 0 and misses == 0
    (said,) = counting
    assert set(map(tuple, said["counted"].values())) == {("2026-02",)}  # never kept: running
    # a folder holds the file cchc-cache.parquet
    (tmp_path / "c").mkdir()
    assert _cached(folder, tmp_path / "c")[0] == full
    assert (tmp_path / "c" / "cchc-cache.parquet").exists()


def test_a_changed_record_of_a_closed_period_is_counted_again(tmp_path, rows):
    folder = _folder(tmp_path, rows)
    cache = tmp_path / "cache.parquet"
    _cached(folder, cache)
    changed = [dict(r) for r in rows]
    mine = next(r for r in changed if r["received_at"].strftime("%Y-%m") == "2025-11"
                and r["channel"] == "direct")
    mine["channel"] = "online"       # same count, same dates: only the content differs
    _folder(tmp_path, changed)
    full, _, _ = _run(folder, _parquet(folder), narrowing=False, periods=["2025-11", "2026-02"],
                      as_of=datetime(2026, 2, 20))
    again, _, counting = _cached(folder, cache)
    assert again == full
    counted = _counted_of(counting, "received")
    assert counted == ["2025-11", "2026-02"]           # the month changed, the running one
    pending = _counted_of(counting, "pending")      # stocks: every period from that month on
    assert "2024-03" not in pending and "2025-11" in pending and "2025-12" in pending


def test_a_changed_ruleset_counts_everything_again(tmp_path, rows):
    folder = _folder(tmp_path, rows)
    cache = tmp_path / "cache.parquet"
    _cached(folder, cache)
    text = (folder / "ruleset.yaml").read_text(encoding="utf-8")
    (folder / "ruleset.yaml").write_text(text.replace("channel == 'online'",
                                                      "channel != 'online'"), "utf-8")
    full, _, _ = _run(folder, _parquet(folder), narrowing=False, periods=["2025-11", "2026-02"],
                      as_of=datetime(2026, 2, 20))
    again, _, counting = _cached(folder, cache)
    assert again == full and _hits(counting)[0] == 0


@pytest.mark.parametrize("content", [b"not a parquet file", "foreign"])
def test_a_corrupt_or_foreign_cache_is_a_warning_and_a_recount(tmp_path, rows, content):
    folder = _folder(tmp_path, rows)
    cache = tmp_path / "cache.parquet"
    if content == "foreign":
        pl.DataFrame({"x": [1]}).write_parquet(cache)
    else:
        cache.write_bytes(content)
    before = cache.read_bytes()
    full, _, _ = _run(folder, _parquet(folder), narrowing=False, periods=["2025-11", "2026-02"],
                      as_of=datetime(2026, 2, 20))
    got, codes, counting = _cached(folder, cache)
    assert got == full
    assert "REC15" in codes
    assert counting[0]["cache"]["usable"] is False
    assert cache.read_bytes() == before            # not ours: left as it is


def test_a_cache_file_with_a_foreign_row_layout_is_not_trusted(tmp_path, rows):
    folder = _folder(tmp_path, rows)
    cache = tmp_path / "cache.parquet"
    pl.DataFrame({"key": ["x"]}).write_parquet(cache, metadata={"cchc:cache": "1"})
    got, codes, _ = _cached(folder, cache)
    assert "REC15" in codes and got[0] == "ok"
    warned: list = []
    Session().evaluate(folder / "ruleset.yaml", [], folder / "units.csv",
                       records=[_parquet(folder)], warn=warned.append, periods=["2025-11"],
                       as_of=datetime(2026, 2, 20), cache=cache)
    assert [str(w) for w in warned if w.code == "REC15"] == [
        f"warning REC15 cache '{cache}' not used: it cannot be read (ValueError); every "
        "period is counted again [delete the file or give --cache another path]"]


def test_the_cache_is_in_the_json_diagnostics(tmp_path, rows):
    from click.testing import CliRunner

    from cchc_rules.cli import main
    folder = _folder(tmp_path, rows)
    args = ["evaluate", str(folder / "ruleset.yaml"), "--units", str(folder / "units.csv"),
            "--records", _parquet(folder), "--period", "2025-11", "--as-of", "2026-02-20",
            "--cache", str(tmp_path / "cache.parquet"), "--format", "json", "-v"]
    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)
    assert first.exit_code in (0, 1), first.output
    counting = json.loads(second.stdout)["diagnostics"]["counting"][0]
    assert counting["cache"]["hits"] > 0 and counting["asked"] == ["2025-11"]
    assert "cache" in second.stderr and "hit" in second.stderr
    assert json.loads(first.stdout)["results"] == json.loads(second.stdout)["results"]


# -- PostgreSQL ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pg(pg_server, rows) -> str:
    load_table(pg_server, "dossiers", COLUMNS, rows)
    return f"dossiers={pg_server}?table=dossiers"


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ask=asks())
def test_a_narrowed_count_gives_the_full_count_s_figures_on_postgresql(folders, pg, ask):
    folder = folders["2024-Q3"]
    narrowed, _codes, _ = _run(folder, pg, **ask)
    assert narrowed == _run(folder, pg, narrowing=False, **ask)[0]
    assert narrowed == _run(folder, _parquet(folder), **ask)[0]   # and DuckDB's


def test_postgresql_cache_sees_a_new_record_in_a_closed_period(tmp_path, pg_server, rows):
    server = pg_server
    import psycopg
    folder = _folder(tmp_path, rows)
    load_table(server, "cached", COLUMNS, rows)
    location = f"dossiers={server}?table=cached"
    cache = tmp_path / "cache.parquet"
    _cached(folder, cache, location)
    _, _, counting = _cached(folder, cache, location)
    assert _hits(counting)[1] == 0
    copied = next(r["dossier_id"] for r in rows
                  if r["received_at"].strftime("%Y-%m") == "2025-11")
    with psycopg.connect(server, autocommit=True) as con:
        con.execute("INSERT INTO cached SELECT 'HS-new', unit_id, received_at, due_at, "
                    "resolved_at, channel, sent_at FROM cached WHERE dossier_id = %s",
                    (copied,))
    full, _, _ = _run(folder, location, narrowing=False, periods=["2025-11", "2026-02"],
                      as_of=datetime(2026, 2, 20))
    again, _, counting = _cached(folder, cache, location)
    assert again == full
    counted = _counted_of(counting, "received")
    assert "2025-11" in counted and "2024-03" not in counted
    # a value changed in place: same rows, same first and last dates
    changed = next(r["dossier_id"] for r in rows if r["channel"] == "direct"
                   and r["received_at"].strftime("%Y-%m") == "2025-11")
    with psycopg.connect(server, autocommit=True) as con:
        con.execute("UPDATE cached SET channel = 'online' WHERE dossier_id = %s", (changed,))
    full, _, _ = _run(folder, location, narrowing=False, periods=["2025-11", "2026-02"],
                      as_of=datetime(2026, 2, 20))
    assert full != again
    again, _, counting = _cached(folder, cache, location)
    assert again == full and "2025-11" in _counted_of(counting, "received")


def test_a_plan_in_force_by_date_or_a_name_not_a_period_is_counted_whole():
    from types import SimpleNamespace
    plain = SimpleNamespace(replaces=None, amends=None, targets=[])
    assert [p.text for p in narrow.wanted(plain, ["2025-11"])] == ["2025-11"]
    # an older version's targets may have other baselines: not known here, so no narrowing
    assert narrow.wanted(SimpleNamespace(replaces="old.yaml", amends=None, targets=[]),
                         ["2025-11"]) is None
    assert narrow.wanted(SimpleNamespace(replaces=None, amends="old.yaml", targets=[]),
                         ["2025-11"]) is None
    assert narrow.wanted(plain, ["tháng trước"]) is None


def test_explain_says_what_was_narrowed(folders):
    from click.testing import CliRunner

    from cchc_rules.cli import main
    folder = folders["2024"]
    got = CliRunner().invoke(main, [
        "explain", str(folder / "ruleset.yaml"), "--units", str(folder / "units.csv"),
        "--records", _parquet(folder), "--as-of", "2025-12-03", "--lang", "en",
        "--target", "UP", "--unit", "a", "--period", "2025-11"])
    assert got.exit_code == 0, got.output
    assert "    narrowed to what 2025-11 needs: 19 of 30 periods counted (2024-01, 2024-02, " \
        "2024-Q1," in got.stdout
    assert "r.\"received_at\" >= CAST('2023-12-31 00:00:00' AS TIMESTAMP)" in got.stdout
