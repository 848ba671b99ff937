"""The data-quality rows of dossier record sources (records/quality.py) for the report."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .context import RecordSourceRow

if TYPE_CHECKING:
    from ...figures.records.quality import RecordsInfo


def record_rows(info: RecordsInfo | None, t: dict[str, str], fmt: Any
                ) -> list[RecordSourceRow]:
    """One row per source of `info` (records.RecordsInfo, or None without --records)."""
    if info is None:
        return []
    rows = []
    for q in info.sources:
        dates = (f"{fmt.date(q.first_day)} – {fmt.date(q.last_day)}"
                 if q.first_day is not None else t["not_available"])
        unknown = [f"{unit}: {fmt.number(n, 0)}"
                   + (f" ({t['record_did_you_mean'].format(id=_suggested(hint))})"
                      if hint else "") for unit, n, hint in q.unknown_units]
        bad = [f"{t['date.' + kind]}: {fmt.number(n, 0)}" for kind, n in q.dates.items() if n]
        duplicates = t["record_duplicates_text"].format(
            ids=fmt.number(q.duplicate_ids, 0), rows=fmt.number(q.duplicate_rows, 0),
            differing=fmt.number(q.differing_ids, 0),
            examples=", ".join(q.duplicate_examples)) if q.duplicate_ids else None
        rows.append(RecordSourceRow(
            source=q.source, location=q.location, engine=q.engine,
            rows=fmt.number(q.rows, 0), dates=dates, no_unit=fmt.number(q.no_unit, 0),
            unknown_units=unknown, bad_dates=bad, duplicates=duplicates))
    return rows


def _suggested(hint: str) -> str:
    """The id inside a did_you_mean hint ("did you mean 'x'?")."""
    return hint.split("'")[1] if hint.count("'") >= 2 else hint
