"""Every condition example of docs/records.md counts what the page says it counts: the
source and metrics of §2–§3 read from the page itself and run on dossiers made for the
cases it names (on time by the moment, a dossier due on the month's last day and open at
its end, one resolved at the very first moment after the period); the table of a day
against a moment (§4) and a date-and-time literal keeping its time."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from cchc_rules.figures.records import count_figures, parse_location
from cchc_rules.pipeline import Session

ROOT = Path(__file__).resolve().parents[3]
PAGE = (ROOT / "docs/records.md").read_text(encoding="utf-8")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _block(starts: str) -> str:
    (found,) = [b for b in re.findall(r"```yaml\n(.*?)```", PAGE, re.S)
                if b.startswith(starts)]
    return found


def _count(folder: Path, ruleset_text: str, rows: list[dict]) -> dict:
    (folder / "ruleset.yaml").write_text(ruleset_text, encoding="utf-8")
    pl.DataFrame(rows).write_parquet(folder / "d.parquet")
    ruleset = Session().load_ruleset(folder / "ruleset.yaml")
    got = count_figures(ruleset, [parse_location(f"dossiers={folder}/d.parquet",
                                                 ruleset.model.sources)], now=NOW)
    return {(r["period"], r["metric"]): r["value"] for r in got.values.iter_rows(named=True)}


def _dossier(i, received, due, resolved=None, channel="online"):
    return {"dossier_id": f"HS-{i}", "unit_id": "tan-ha", "received_at": received,
            "due_at": due, "resolved_at": resolved, "channel": channel, "fee": 0.0}


def test_the_pages_source_and_metrics_count_what_it_says(tmp_path):
    text = "ruleset: docs-records\ntitle: docs/records.md\n" + _block("sources:") + \
        _block("metrics:")
    rows = [
        # due 02:10, resolved 15:16 the same day: late (issue 22 §1)
        _dossier(1, datetime(2025, 1, 2, 9), datetime(2025, 1, 4, 2, 10),
                 datetime(2025, 1, 4, 15, 16)),
        _dossier(2, datetime(2025, 1, 2, 9), datetime(2025, 1, 4, 16),
                 datetime(2025, 1, 4, 15, 16)),                               # on time
        # due at 16:00 on the month's last day, still open: overdue at its end
        _dossier(3, datetime(2025, 1, 20, 10), datetime(2025, 1, 31, 16)),
        # due at the first moment after January: not yet overdue at January's end
        _dossier(4, datetime(2025, 1, 20, 10), datetime(2025, 2, 1)),
        # resolved at the first moment after January: open at January's end
        _dossier(5, datetime(2025, 1, 25, 10), datetime(2025, 1, 30),
                 datetime(2025, 2, 1)),
        # received in February (periods run from the first to the last day received)
        _dossier(6, datetime(2025, 2, 3, 10), datetime(2025, 2, 5), datetime(2025, 2, 4)),
    ]
    got = _count(tmp_path, text, rows)
    assert got[("2025-01", "received")] == 5
    assert got[("2025-01", "resolved_on_time")] == 1
    assert got[("2025-02", "resolved_on_time")] == 1        # dossier 6; 5 was late
    assert got[("2025-01", "overdue_pending")] == 2          # dossiers 3 and 5
    assert got[("2025-02", "overdue_pending")] == 2          # dossiers 3 and 4
    assert got[("2025-01", "processing_days")] == pytest.approx((2 + 2 + 7) / 3)


DAY_AGAINST_MOMENT = """\
ruleset: docs-days
title: A day against a moment
sources:
  dossiers:
    table: dossiers
    unit: unit_id
    date: received_at
    columns: {{dossier_id: text, unit_id: text, received_at: timestamp, due_at: date,
              resolved_at: timestamp, channel: text, fee: number}}
metrics:
{metrics}
"""
OPS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}


def test_a_day_against_a_moment_is_the_whole_local_day(tmp_path):
    metrics = "".join(
        f"  {name}: {{label: {name}, unit: count, records: {{source: dossiers, "
        f"aggregate: count, where: \"resolved_at {op} due_at\"}}}}\n"
        for name, op in OPS.items())
    metrics += ("  since_nine: {label: n, unit: count, records: {source: dossiers, "
                "aggregate: count, where: \"received_at >= '2025-01-02T09:00'\"}}\n")
    due = date(2025, 1, 10)
    resolved = [datetime(2025, 1, 9, 23, 59, 59), datetime(2025, 1, 10),
                datetime(2025, 1, 10, 23, 59, 59), datetime(2025, 1, 11)]
    rows = [_dossier(i, datetime(2025, 1, 2, 8, 59, 59) if i == 0 else
                     datetime(2025, 1, 2, 9), due, r) for i, r in enumerate(resolved)]
    got = _count(tmp_path, DAY_AGAINST_MOMENT.format(metrics=metrics), rows)
    want = {"lt": 1, "le": 3, "gt": 1, "ge": 3, "eq": 2, "ne": 2, "since_nine": 3}
    assert {m: got[("2025-01", m)] for m in want} == want
