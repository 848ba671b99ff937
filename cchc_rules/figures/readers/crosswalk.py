"""Data stage: a commune (or district) crosswalk CSV read as units (docs/data-format.md §6).

Columns `old_code,new_code,kind` (kind `whole` or `partial`), optionally `old_name`,
`new_name`, `level`, `valid_to` (the old units' last day, default 2025-06-30). Each old code
becomes a unit that ends on `valid_to`: with `successor` when all of it went to one new unit
(`whole`), with `split_into` when it was divided (`partial`, or several new codes) — no
automatic restatement then. Each new code becomes a unit from the next day. A code that maps
to itself continues unchanged.
"""
from __future__ import annotations

from datetime import date

from ...errors import Position
from ...messages import _
from ...periods import day_after
from ..units import Unit
from .batch import Batch

COLUMNS = ("old_code", "new_code", "kind", "old_name", "new_name", "level", "valid_to")
KINDS = ("whole", "partial")
LAST_DAY = "2025-06-30"


def is_crosswalk(names: list[str]) -> bool:
    return "old_code" in names and "new_code" in names


def read_crosswalk(batch: Batch, file: str, line: int, names: list[str],
                   rows: list[tuple[int, list[str]]]) -> None:
    """Units from the crosswalk rows (`names`: the header at `line`)."""
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        batch.error("UNT14", _("a crosswalk has the columns {COLUMNS}; not {value}").format(
                               COLUMNS=", ".join(COLUMNS),
                               value=", ".join(repr(n) for n in unknown)), Position(file, line),
                    _("old_code, new_code and kind are required"))
        return
    olds: dict[str, dict] = {}
    news: dict[str, dict] = {}
    for row_line, cells in rows:
        row = {k: v.strip() for k, v in zip(names, cells, strict=False)}
        if not any(row.values()):
            continue
        where = Position(file, row_line)
        old, new, kind = row.get("old_code", ""), row.get("new_code", ""), row.get("kind", "")
        last = row.get("valid_to") or LAST_DAY
        if not old or not new or kind not in KINDS or not _is_day(last):
            batch.error("UNT14", _("a crosswalk row needs old_code, new_code, kind (whole or "
                                   "partial) and, if given, valid_to as a date"), where,
                        _("got old_code '{old}', new_code '{new}', kind '{kind}'").format(
                          old=old, new=new, kind=kind))
            continue
        entry = olds.setdefault(old, {"new": [], "partial": False, "pos": where,
                                      "name": row.get("old_name") or old,
                                      "level": row.get("level") or "commune", "last": last})
        entry["new"].append(new)
        entry["partial"] |= kind == "partial"
        news.setdefault(new, {"name": row.get("new_name") or new, "pos": where,
                              "level": row.get("level") or "commune", "first": last})
    for old, entry in olds.items():
        if entry["new"] == [old]:
            continue  # unchanged: declared once, as a new code below
        heirs = list(dict.fromkeys(entry["new"]))
        whole = not entry["partial"] and len(heirs) == 1
        batch.units.append(Unit(old, entry["name"], entry["level"], pos=entry["pos"],
                                valid_to=entry["last"], code=old,
                                successor=heirs[0] if whole else None,
                                split_into=() if whole else tuple(heirs)))
    for new, entry in news.items():
        starts = None if new in olds and olds[new]["new"] == [new] else _next(entry["first"])
        batch.units.append(Unit(new, entry["name"], entry["level"], pos=entry["pos"],
                                valid_from=starts, code=new))


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _next(day: str) -> str:
    return day_after(date.fromisoformat(day)).isoformat()
