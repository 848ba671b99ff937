"""Render stage, scoring part (spec §7): the ranking as text, CSV and an xlsx workbook.

`cchc evaluate` appends `ranking_text` to its table and writes `csv_frame` for
`--what scores|groups|rankings`; `cchc rank` prints any of them. Numbers are shown with two
decimals (the portal's way); the CSV and the workbook keep them unrounded (the workbook
formats them with two decimals).
"""
from __future__ import annotations

from typing import Any, BinaryIO

import polars as pl

from ..errors import escape_controls
from ..present import Formatter, spreadsheet_safe

WHAT = ("scores", "groups", "rankings")
_WHOLE = ("rank", "of", "rank_change")
_WORDS = {
    "vi": {"heading": "Xếp hạng theo điểm", "rank": "Hạng", "unit": "Đơn vị",
           "name": "Tên đơn vị", "period": "Kỳ", "level": "Cấp", "points": "Điểm",
           "max": "Điểm tối đa", "index": "Chỉ số", "band": "Xếp loại", "of": "Trên",
           "previous_index": "Chỉ số kỳ trước", "rank_change": "Thay đổi hạng",
           "indicator": "Tiêu chí", "title": "Tên tiêu chí", "group": "Nhóm",
           "value": "Giá trị", "status": "Trạng thái", "up": "tăng {n} bậc",
           "down": "giảm {n} bậc", "same": "giữ hạng", "sheet_rank": "Xếp hạng",
           "sheet_points": "Điểm tiêu chí", "none": "Không có đơn vị nào được chấm điểm."},
    "en": {"heading": "Ranking by points", "rank": "Rank", "unit": "Unit",
           "name": "Unit name", "period": "Period", "level": "Level", "points": "Points",
           "max": "Max", "index": "Index", "band": "Band", "of": "Of",
           "previous_index": "Previous index", "rank_change": "Rank change",
           "indicator": "Indicator", "title": "Indicator title", "group": "Group",
           "value": "Value", "status": "Status", "up": "up {n}", "down": "down {n}",
           "same": "unchanged", "sheet_rank": "Ranking", "sheet_points": "Indicator points",
           "none": "No unit was scored."},
}


def words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["vi"])


def pick(frame: pl.DataFrame, periods: list[str] | None = None,
         levels: list[str] | None = None) -> pl.DataFrame:
    """Rows of the asked periods and levels only (none asked: all)."""
    if periods:
        frame = frame.filter(pl.col("period").is_in(periods))
    if levels and "level" in frame.columns:
        frame = frame.filter(pl.col("level").is_in(levels))
    return frame


def change_text(change: int | None, t: dict[str, str]) -> str:
    """`▲ tăng 2 bậc`, `▼ giảm 1 bậc`, `= giữ hạng`: arrow and words, never colour alone."""
    if change is None:
        return ""
    if change > 0:
        return "▲ " + t["up"].format(n=change)
    if change < 0:
        return "▼ " + t["down"].format(n=-change)
    return "= " + t["same"]


def ranking_text(rankings: pl.DataFrame, names: dict[str, str], lang: str) -> list[str]:
    """The ranking section: per period and level, rank, unit, points of max, index, band."""
    t, fmt = words(lang), Formatter(lang)
    out = [t["heading"]]
    if not rankings.height:
        return [*out, "  " + t["none"]]
    head = [t["rank"], t["unit"], t["points"], t["max"], t["index"], t["band"],
            t["rank_change"]]
    for (period, level), part in rankings.group_by("period", "level", maintain_order=True):
        out.append(f"  {period} · {level or '—'}")
        rows = [head]
        for r in part.iter_rows(named=True):
            unit = r["unit"] if names.get(r["unit"], r["unit"]) == r["unit"] \
                else f"{names[r['unit']]} ({r['unit']})"
            rank = "—" if r["rank"] is None else f"{r['rank']}/{r['of']}"
            rows.append([rank, unit, _two(fmt, r["points"]), _two(fmt, r["max"]),
                         _two(fmt, r["index"]), r["band"] or "", change_text(r["rank_change"], t)])
        rows = [[escape_controls(c) for c in row] for row in rows]
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        out += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                for row in rows]
    return out


def _two(fmt: Formatter, value: float | None) -> str:
    if value is None:
        return "—"
    text = fmt.number(value, 2)
    sep = "," if fmt.lang == "vi" else "."
    whole, _, part = text.partition(sep)
    return f"{whole}{sep}{part.ljust(2, '0')}"


def csv_frame(scores: Any, what: str, titles: dict[str, str] | None = None) -> pl.DataFrame:
    """One of the §7 lists as a CSV-ready frame: text cells defused for spreadsheets."""
    frame = getattr(scores, what)
    if what == "scores":
        frame = frame.with_columns(pl.col("indicator").replace_strict(
            titles or {}, default=None, return_dtype=pl.String).alias("title"))
    return frame.with_columns(spreadsheet_safe(pl.col(name)).alias(name)
                              for name, dtype in frame.schema.items() if dtype == pl.String)


def write_xlsx(scores: Any, out: BinaryIO, names: dict[str, str], titles: dict[str, str],
               lang: str = "vi") -> None:
    """A workbook: one sheet of rankings, one of indicator points per unit; headers in the
    language asked (Vietnamese by default), numbers with two decimals, header rows frozen."""
    import xlsxwriter

    t = words(lang)
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1,
                            "text_wrap": True})
    two = book.add_format({"num_format": "0.00"})
    whole = book.add_format({"num_format": "0"})
    ranks = scores.rankings.with_columns(pl.col("unit").replace_strict(
        names, default=None, return_dtype=pl.String).alias("name"))
    _sheet(book, t["sheet_rank"], ranks, ["period", "level", "rank", "of", "unit", "name",
                                          "points", "max", "index", "band", "previous_index",
                                          "rank_change"], t, bold, two, whole)
    points = scores.scores.with_columns(
        pl.col("unit").replace_strict(names, default=None, return_dtype=pl.String).alias("name"),
        pl.col("indicator").replace_strict(titles, default=None, return_dtype=pl.String)
        .alias("title"))
    columns = ["period", "unit", "name", "group", "indicator", "title", "value", "points", "max"]
    if points["status"].null_count() < points.height:
        columns.insert(7, "status")
    _sheet(book, t["sheet_points"], points, columns, t, bold, two, whole)
    book.close()


def _sheet(book, title: str, frame: pl.DataFrame, columns: list[str], t: dict[str, str],
           bold, two, whole) -> None:
    sheet = book.add_worksheet(title)
    sheet.freeze_panes(1, 0)
    numeric = {name for name in columns if frame.schema[name].is_numeric()}
    for c, name in enumerate(columns):
        sheet.write_string(0, c, t[name], bold)
        shape = (whole if name in _WHOLE else two) if name in numeric else None
        sheet.set_column(c, c, 28 if name in ("name", "title") else 12, shape)
    for r, row in enumerate(frame.select(columns).iter_rows(), start=1):
        for c, (name, cell) in enumerate(zip(columns, row, strict=True)):
            if cell is None:
                continue
            if isinstance(cell, str):
                sheet.write_string(r, c, cell)
            else:
                fmt = whole if name in _WHOLE else two
                sheet.write_number(r, c, float(cell), fmt)
    sheet.autofilter(0, 0, max(frame.height, 1), len(columns) - 1)
