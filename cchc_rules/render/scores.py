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
_WORDS = Words(
    W_("heading", "Ranking by points"),
    W_("rank", "Rank"),
    W_("unit", "Unit"),
    W_("name", "Unit name"),
    W_("period", "Period"),
    W_("level", "Level"),
    W_("points", "Points"),
    W_("max", "Max"),
    W_("index", "Index"),
    W_("band", "Band"),
    W_("of", "Of"),
    W_("previous_index", "Previous index"),
    W_("rank_change", "Rank change"),
    W_("indicator", "Indicator"),
    W_("title", "Indicator title"),
    W_("group", "Group"),
    W_("value", "Value"),
    W_("status", "Status"),
    W_("up", "up {n}"),
    W_("down", "down {n}"),
    W_("same", "unchanged"),
    W_("sheet_rank", "Ranking"),
    W_("sheet_points", "Indicator points"),
    W_("none", "No unit was scored."),
    W_("self_assessed_points", "Self-assessed"),
    W_("difference", "Difference"),
    W_("self_assessed_value", "Self-assessed value"),
    W_("inherited_from", "Points of"),
    W_("appraised", "Appraised"),
    W_("total", "Total"),
    W_("appraisal_heading", "Self-assessed and appraised points"),
    W_("sheet_appraisal", "Self-assessed - appraised"),
)


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
    appraised = "difference" in rankings.columns
    head = [t["rank"], t["unit"], t["points"], t["max"], t["index"], t["band"],
            t["rank_change"], *([t["self_assessed_points"], t["difference"]] if appraised
                                else [])]
    for (period, level), part in rankings.group_by("period", "level", maintain_order=True):
        out.append(f"  {period} · {level or '—'}")
        rows = [head]
        for r in part.iter_rows(named=True):
            unit = r["unit"] if names.get(r["unit"], r["unit"]) == r["unit"] \
                else f"{names[r['unit']]} ({r['unit']})"
            rank = "—" if r["rank"] is None else f"{r['rank']}/{r['of']}"
            rows.append([rank, unit, _two(fmt, r["points"]), _two(fmt, r["max"]),
                         _two(fmt, r["index"]), r["band"] or "", change_text(r["rank_change"], t),
                         *([_two(fmt, r["self_assessed_points"]), _signed(fmt, r["difference"])]
                           if appraised else [])])
        rows = [[escape_controls(c) for c in row] for row in rows]
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        out += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                for row in rows]
    return out


def appraisal_rows(scores: Any) -> pl.DataFrame:
    """Per unit and period, the indicators with a self-assessed figure and a total row
    (indicator null): self-assessed points, appraised points and the difference — the table
    a Home Affairs department argues over. Empty when no indicator has `self_assessed`."""
    frame = scores.scores
    if "difference" not in frame.columns:
        return pl.DataFrame(schema={"unit": pl.String, "period": pl.String,
                                    "indicator": pl.String, "self_assessed_points": pl.Float64,
                                    "points": pl.Float64, "max": pl.Float64,
                                    "difference": pl.Float64})
    rows = frame.with_row_index("_n").filter(pl.col("self_assessed_points").is_not_null()) \
        .select("_n", "unit", "period", pl.col("indicator").cast(pl.String),
                "self_assessed_points", "points", "max", "difference")
    firsts = rows.group_by("unit", "period").agg(pl.col("_n").min())
    totals = scores.rankings.join(firsts, on=["unit", "period"]).select(
        "_n", "unit", "period", pl.lit(None, pl.String).alias("indicator"),
        "self_assessed_points", "points", "max", "difference")
    # each unit's rows in ruleset order, its total last (score rows are period, unit order)
    return pl.concat([rows.with_columns(pl.lit(0).alias("_t")),
                      totals.with_columns(pl.lit(1).alias("_t"))]) \
        .with_columns(pl.col("_n").min().over("unit", "period").alias("_first")) \
        .sort("_first", "_t", "_n").drop("_n", "_t", "_first")


def appraisal_text(scores: Any, names: dict[str, str], titles: dict[str, str],
                   lang: str) -> list[str]:
    """The self-assessed / appraised section: per period and unit, each indicator with a
    self-assessed figure and the unit's total; [] when no indicator has one."""
    frame = appraisal_rows(scores)
    if not frame.height:
        return []
    t, fmt = words(lang), Formatter(lang)
    out = [t["appraisal_heading"]]
    head = [t["indicator"], t["title"], t["self_assessed_points"], t["appraised"], t["max"],
            t["difference"]]
    for (period, unit), part in frame.group_by("period", "unit", maintain_order=True):
        out.append(f"  {period} · {names.get(unit) or unit} ({unit})")
        rows = [head] + [[r["indicator"] or t["total"],
                          titles.get(r["indicator"], "") if r["indicator"] else "",
                          _two(fmt, r["self_assessed_points"]), _two(fmt, r["points"]),
                          _two(fmt, r["max"]), _signed(fmt, r["difference"])]
                         for r in part.iter_rows(named=True)]
        rows = [[escape_controls(c) for c in row] for row in rows]
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        out += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                for row in rows]
    return out


def _signed(fmt: Formatter, value: float | None) -> str:
    """A difference with two decimals and its sign: '−0,50', '+1,00', '0,00'."""
    if value is None:
        return "—"
    text = _two(fmt, abs(value))
    return text if text.strip("0,.") == "" else ("+" if value > 0 else "−") + text


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
    appraised = "difference" in scores.rankings.columns
    both = ["self_assessed_points", "difference"] if appraised else []
    _sheet(book, t["sheet_rank"], ranks, ["period", "level", "rank", "of", "unit", "name",
                                          "points", "max", "index", "band", "previous_index",
                                          "rank_change", *both], t, bold, two, whole)
    points = scores.scores.with_columns(
        pl.col("unit").replace_strict(names, default=None, return_dtype=pl.String).alias("name"),
        pl.col("indicator").replace_strict(titles, default=None, return_dtype=pl.String)
        .alias("title"))
    columns = ["period", "unit", "name", "group", "indicator", "title", "value", "points", "max"]
    if points["status"].null_count() < points.height:
        columns.insert(7, "status")
    if appraised:
        columns[columns.index("points"):columns.index("points")] = ["self_assessed_value",
                                                                    "self_assessed_points"]
        columns.append("difference")
    if "inherited_from" in points.columns:
        columns.append("inherited_from")
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


def appraisal_context(scores: Any, names: dict[str, str], titles: dict[str, str],
                      lang: str) -> list[dict[str, Any]]:
    """The report's self-assessed / appraised table (reports/templates/_appraisal.html.j2),
    for the latest scored period only (units side by side in one period): one dict per row,
    numbers as text with two decimals; `total` marks each unit's total row. [] when no
    indicator has `self_assessed`."""
    from ..score.share_met import latest_period

    frame = latest_period(appraisal_rows(scores))
    fmt = Formatter(lang)
    return [{"unit": r["unit"], "name": names.get(r["unit"]) or r["unit"],
             "period": r["period"], "indicator": r["indicator"] or "",
             "title": titles.get(r["indicator"], "") if r["indicator"] else "",
             "total": r["indicator"] is None,
             "self_assessed": _two(fmt, r["self_assessed_points"]),
             "appraised": _two(fmt, r["points"]), "max": _two(fmt, r["max"]),
             "difference": _signed(fmt, r["difference"]),
             "lower": (r["difference"] or 0.0) < -0.005}
            for r in frame.iter_rows(named=True)]
