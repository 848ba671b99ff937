"""The one-source records ruleset the trust and far-date tests count dossiers with (not a test
module): one-stop dossiers by unit and received date, the count received, a milestone by
2025. Each test adds only what it varies: columns, source keys, periods, metrics."""
from __future__ import annotations

RECEIVED = "{source: dossiers, aggregate: count}"


def records_ruleset(name: str, *, keys: str = "", periods: str = "month", columns: str = "",
                    unit: str = "count", received: str = RECEIVED, metrics: str = "") -> str:
    """`keys`: more lines of the source (`due: due_at`, `earliest: …`), each indented four
    spaces and ending in a newline; `columns`: more declared columns (`, fee: number`);
    `unit`, `received`: the received metric's unit and records; `metrics`: more metrics."""
    return f"""\
ruleset: {name}
title: Hồ sơ một cửa
sources:
  dossiers:
    table: dossiers
    unit: unit_id
    date: received_at
{keys}    periods: [{periods}]
    columns: {{dossier_id: text, unit_id: text, received_at: date{columns}}}
metrics:
  received:
    label: Tổng số hồ sơ tiếp nhận
    unit: {unit}
    records: {received}
{metrics}targets:
  - {{id: TTHC-01, title: Tiếp nhận hồ sơ, area: procedures, metric: received,
     milestones: [{{by: "2025", op: ">=", value: 1}}]}}
"""
