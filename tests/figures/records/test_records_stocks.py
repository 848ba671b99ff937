"""Stocks counted by a range join: the conditions every stock metric of a source shares
(received by the period's end, not resolved by then) join a record to the periods it is
pending at, instead of every record to every period; each metric keeps only its own
conditions. The figures must be those of a plain-Python count at each month's end, for
units and for a parent counted from its descendants' records."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from records_services import count_records, write_records
from sqlglot import exp

from cchc_rules.figures.units import Unit
from cchc_rules.periods import parse_period
from cchc_rules.pipeline import Session

PENDING = ("received_at < period_end and (resolved_at is null or resolved_at >= period_end)")
RULESET = f"""\
ruleset: records-stocks
title: Records stocks
sources:
  dossiers:
    table: dossiers
    unit: unit_id
    date: received_at
    periods: [month]
    columns: {{unit_id: text, received_at: timestamp, due_at: date, resolved_at: date}}
metrics:
  in_time:
    label: Pending in time
    unit: count
    records: {{source: dossiers, aggregate: count, stock: true,
              where: "{PENDING} and due_at >= period_end"}}
  overdue:
    label: Pending overdue
    unit: count
    records: {{source: dossiers, aggregate: count, stock: true,
              where: "{PENDING} and due_at < period_end"}}
  open_any:
    label: Pending
    unit: count
    records: {{source: dossiers, aggregate: count, stock: true, where: "{PENDING}"}}
"""
CHILDREN = ("a", "b")


def _rows(n: int = 1500) -> list[dict]:
    rng = random.Random(1414)
    rows = []
    for _ in range(n):
        received = datetime(2025, 1, 1) + timedelta(minutes=rng.randrange(150 * 24 * 60))
        resolved = None if rng.random() < 0.1 else \
            received.date() + timedelta(days=rng.randrange(0, 45))
        rows.append({"unit_id": rng.choice(CHILDREN), "received_at": received,
                     "due_at": received.date() + timedelta(days=rng.choice((5, 10, 20))),
                     "resolved_at": resolved})
    return rows


def _expected(rows: list[dict]) -> dict[tuple[str, str, str], float]:
    out = {}
    for m in range(1, 6):
        end = parse_period(f"2025-{m:02d}").end
        for unit in CHILDREN:
            pending = [r for r in rows if r["unit_id"] == unit
                       and r["received_at"].date() <= end
                       and (r["resolved_at"] is None or r["resolved_at"] > end)]
            # period_end is the first moment after the month; a due day is a whole day
            out[(unit, f"2025-{m:02d}", "in_time")] = sum(r["due_at"] > end for r in pending)
            out[(unit, f"2025-{m:02d}", "overdue")] = sum(r["due_at"] <= end for r in pending)
            out[(unit, f"2025-{m:02d}", "open_any")] = len(pending)
        for metric in ("in_time", "overdue", "open_any"):
            out[("p", f"2025-{m:02d}", metric)] = sum(
                out[(u, f"2025-{m:02d}", metric)] for u in CHILDREN)
    return out


@pytest.fixture(scope="module")
def counted(tmp_path_factory):
    rows = _rows()
    folder = write_records(tmp_path_factory.mktemp("stocks"), rows, RULESET)
    units = {"p": Unit("p", "P", "district"),
             **{u: Unit(u, u, "commune", "p") for u in CHILDREN}}
    got = count_records(folder, f"dossiers={folder}/d.parquet", units,
                        now=datetime(2026, 1, 1, tzinfo=UTC))
    return rows, got


def test_stocks_at_each_months_end_are_those_of_a_plain_count(counted):
    rows, got = counted
    figures = {(r["unit"], r["period"], r["metric"]): r["value"]
               for r in got.values.iter_rows(named=True)}
    want = _expected(rows)
    assert figures == want
    assert all(want[("p", f"2025-{m:02d}", "overdue")] > 0 for m in (2, 3, 4))


def test_each_metrics_own_query_joins_periods_by_its_conditions(counted):
    got = counted[1]
    tree = got.info.queries["overdue"].tree
    (join,) = [j for j in tree.args["joins"] if isinstance(j.this, exp.Values)]
    on = join.args["on"].sql()
    assert "p.period_end" in on and "due_at" in on   # not ON TRUE: a range join
    assert "FILTER" not in tree.sql()


def test_the_fused_query_joins_by_the_shared_conditions_and_filters_by_the_rest(tmp_path):
    from cchc_rules.figures.records.sql import fused_query
    (tmp_path / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    ruleset = Session().load_ruleset(tmp_path / "ruleset.yaml")
    mids = ("in_time", "overdue", "open_any")
    specs = [(ruleset.model.metrics[m].records, ruleset.conditions[m]) for m in mids]
    tree = fused_query(ruleset.model.sources["dossiers"], specs, "records_dossiers",
                       [parse_period("2025-01")])
    (join,) = tree.args["joins"]
    on = join.args["on"].sql()
    assert "received_at" in on and "resolved_at" in on and "due_at" not in on
    values = {s.alias: s.this for s in tree.selects if s.alias.startswith("v")}
    assert "due_at" in values["v0"].sql() and "resolved_at" not in values["v0"].sql()
    assert isinstance(values["v2"], exp.Count)          # nothing left of its own: no FILTER
