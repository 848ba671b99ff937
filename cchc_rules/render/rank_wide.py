"""Render stage, scoring part (spec §7): the ranking workbook's wide sheets, one per level and
period — units down, indicators across under their group titles, then each group's total,
the unit's points, max, index, band and rank — the table a planner circulates.

Cells are written as strings (the workbook turns no text into a formula). Reads a reader's
view's rankings (evaluation/view.py: ranked units only, no internal
period) and the §7 scores; numbers stay unrounded, formatted with two decimals.
"""
from __future__ import annotations

from typing import Any

import polars as pl

from ..domain import LEVELS
from ..evaluation.view import band_title
from ..periods import period_key

SHEET_NAME = 31   # Excel's longest sheet name
_BAD = str.maketrans({c: "-" for c in "[]:*?/\\"})


def sheet_name(period: str, level: str | None, level_text: str, taken: set[str]) -> str:
    """'2025 · cấp tỉnh' within Excel's rules: ≤ 31 characters, none of []:*?/\\, unique."""
    base = f"{period} {level_text or level or '—'}".translate(_BAD)[:SHEET_NAME].strip("'")
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[:SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def cohorts(rankings: pl.DataFrame) -> list[tuple[str | None, str]]:
    """(level, period) of every ranking: levels in the format's order, newest period first."""
    pairs = rankings.select("level", "period").unique().rows()
    order = {p: i for i, p in enumerate(sorted({p for _, p in pairs}, key=period_key))}

    def level_key(level: str | None) -> tuple[int, str]:
        if level is None:
            return (len(LEVELS) + 1, "")
        return (LEVELS.index(level), "") if level in LEVELS else (len(LEVELS), level)

    return sorted(pairs, key=lambda lp: (level_key(lp[0]), -order[lp[1]]))


def write_wide(book: Any, scores: Any, scoring: Any, names: dict[str, str],
               t: dict[str, str], level_text: dict[str, str], formats: dict[str, Any]) -> None:
    """One sheet per (level, period) of `scores.rankings` into the xlsxwriter `book`."""
    rankings = scores.rankings
    if not rankings.height:
        return
    points = scores.scores.join(rankings.select("unit", "period"), on=["unit", "period"],
                                how="semi").select(
        "unit", "period", pl.col("indicator").cast(pl.String), "points")
    groups = scores.groups.join(rankings.select("unit", "period"), on=["unit", "period"],
                                how="semi").select(
        "unit", "period", pl.col("group").cast(pl.String), "points")
    got = {(u, p, i): v for u, p, i, v in points.iter_rows()}
    got_group = {(u, p, g): v for u, p, g, v in groups.iter_rows()}
    titles = {g.id: g.title for g in scoring.groups}
    layout: list[tuple[str | None, list[Any]]] = []   # (group id, its indicators), in order
    for ind in scoring.indicators:
        if layout and layout[-1][0] == ind.group:
            layout[-1][1].append(ind)
        else:
            layout.append((ind.group, [ind]))
    taken: set[str] = set()
    for level, period in cohorts(rankings):
        part = rankings.filter((pl.col("period") == period)
                               & pl.col("level").eq_missing(pl.lit(level, pl.String))) \
            .sort("rank", "unit")
        sheet = book.add_worksheet(sheet_name(period, level, level_text.get(level or "", ""),
                                              taken))
        _wide_sheet(sheet, part, layout, titles, got, got_group, names, t, formats, scoring)


def _wide_sheet(sheet: Any, part: pl.DataFrame, layout: list, titles: dict[str, str],
                got: dict, got_group: dict, names: dict[str, str], t: dict[str, str],
                f: dict[str, Any], scoring: Any) -> None:
    """Two header rows (group titles merged over their indicators, then indicator ids and
    titles), a row per ranked unit."""
    head, bold, two, whole = f["head"], f["bold"], f["two"], f["whole"]
    fixed = [t["rank"], t["unit"], t["name"]]
    for c, word in enumerate(fixed):
        sheet.merge_range(0, c, 1, c, word, head)
    col = len(fixed)
    columns: list[tuple[str, Any]] = []   # (kind, id) per numeric column
    for group, members in layout:
        width = len(members) + (1 if group is not None else 0)
        title = titles.get(group, group) if group is not None else ""
        if width > 1:
            sheet.merge_range(0, col, 0, col + width - 1, title or "", head)
        else:
            sheet.write_string(0, col, title or "", head)
        for ind in members:
            sheet.write_string(1, col, f"{ind.id} {ind.title}", head)
            sheet.set_column(col, col, 14)
            columns.append(("indicator", ind.id))
            col += 1
        if group is not None:
            sheet.write_string(1, col, t['total'], head)
            sheet.set_column(col, col, 12)
            columns.append(("group", group))
            col += 1
    tail = [("points", t["points"]), ("max", t["max"]), ("index", t["index"]),
            ("band", t["band"]), ("rank", t["rank"])]
    for _name, word in tail:
        sheet.merge_range(0, col, 1, col, word, head)
        col += 1
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 32)
    sheet.freeze_panes(2, 3)
    for r, row in enumerate(part.iter_rows(named=True), start=2):
        unit, period = row["unit"], row["period"]
        sheet.write_string(r, 0, f"{row['rank']}/{row['of']}")
        sheet.write_string(r, 1, unit)
        sheet.write_string(r, 2, names.get(unit) or unit)
        c = len(fixed)
        for kind, ident in columns:
            value = (got if kind == "indicator" else got_group).get((unit, period, ident))
            if value is not None:
                sheet.write_number(r, c, float(value), bold if kind == "group" else two)
            c += 1
        for name, _word in tail:
            value = row[name]
            if value is None:
                pass
            elif name == "band":
                sheet.write_string(r, c, band_title(scoring, value) or "")
            elif name == "rank":
                sheet.write_number(r, c, float(value), whole)
            else:
                sheet.write_number(r, c, float(value), two)
            c += 1
