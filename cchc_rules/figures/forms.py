"""Data-entry forms: an Excel workbook a unit fills in and `cchc evaluate` reads back unchanged.

The figures sheet has title rows, a row of Vietnamese labels, a row of measuring units and
then the id header row (`unit`, `period`, metric ids) the readers look for; one row per
unit × period follows. Columns whose id starts with '#' (unit and period names) are notes
the readers skip. Each `assert` check becomes conditional formatting that turns the row red
while it is typed. The workbook carries the custom property `cchc-form`, so problems found
in a returned form are placed Excel-style: `form.xlsx!Số liệu!D7`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..domain import MetricUnit
from ..errors import CchcError, Problem, cell_ref
from ..expr import ast
from ..messages import _, noun
from ..periods import Period, parse_period
from ..ruleset.loader import LoadedRuleset
from .units import Unit
from .validity import exists_during

SHEET = "Số liệu"
GUIDE = "Hướng dẫn"
FORM_PROPERTY = "cchc-form"   # custom document property: the readers use A1 positions
ID_ROW = 4                    # 1-based row of the id header; figures start below it
NOTE = "#"                    # an id starting with it marks a column the readers skip
_FIRST = ID_ROW + 1
_COMPARE = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_HALVES = {1: "6 tháng đầu năm", 2: "6 tháng cuối năm"}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Column:
    """One figure column: its metric, its letter, its 0-based index."""

    metric: str
    index: int

    @property
    def letter(self) -> str:
        return cell_ref(1, self.index + 1)[:-1]


def period_name(period: Period) -> str:
    """How a Vietnamese report names the period: `Quý I/2024`, `Tháng 3/2024`, `Năm 2024`."""
    year = period.start.year
    if period.kind == "quarter":
        return f"Quý {_ROMAN[(period.start.month + 2) // 3]}/{year}"
    if period.kind == "half":
        return f"{_HALVES[1 if period.start.month == 1 else 2]} {year}"
    if period.kind == "month":
        return f"Tháng {period.start.month}/{year}"
    return f"Năm {year}"


def parse_periods(texts: Sequence[str]) -> list[Period]:
    """The `--period` values; PER01 for each that is not a calendar period."""
    periods, problems = [], []
    for text in texts:
        try:
            periods.append(parse_period(text))
        except ValueError as err:
            problems.append(Problem("PER01", str(err), None,
                                    _("e.g. --period 2024-Q1 (also \"2024\", \"2024-H1\", "
                                      "\"2024-03\")")))
    if problems:
        raise CchcError(problems)
    return periods


def raw_metrics(ruleset: LoadedRuleset) -> list[str]:
    """The metrics a unit reports: those without a formula, in ruleset order."""
    return [mid for mid, m in ruleset.model.metrics.items() if m.formula is None]


def level_metrics(ruleset: LoadedRuleset, level: str | None) -> set[str]:
    """The raw metrics a unit of `level` reports: the inputs of the targets that apply to
    its level and of the scoring indicators it is scored on by its own figures (not those
    it inherits from a unit of another level). A unit without a level, or a ruleset whose
    metrics no target or indicator reads, reports every raw metric."""
    model = ruleset.model
    raw = raw_metrics(ruleset)
    if level is None:
        return set(raw)
    used: set[str] = set()
    read: set[str] = set()

    def add(metric: str | None, into: set[str]) -> None:
        if metric is not None:
            into |= set(ruleset.raw_inputs.get(metric, {metric}))

    for target in model.targets:
        add(target.metric, read)
        if target.levels is None or level in target.levels:
            add(target.metric, used)
    scoring = model.scoring
    for ind in scoring.indicators if scoring is not None else ():
        metrics = [getattr(ind, "metric", None), getattr(ind, "self_assessed", None)]
        for metric in metrics:
            add(metric, read)
            if ind.inherit is None or ind.inherit == level:
                add(metric, used)
    # a metric no target or indicator reads (kept for display): every unit may report it
    return (used | (set(raw) - read)) & set(raw)


def pick_units(units: Mapping[str, Unit], levels: Sequence[str], ids: Sequence[str]
               ) -> dict[str, Unit]:
    """The units of `levels` (all when none) and `ids` (all when none); an unknown level
    (EVL07) or unit (EVL02) is an error with a did-you-mean."""
    from ..errors import did_you_mean

    known_levels = sorted({u.level for u in units.values() if u.level})
    problems = [Problem("EVL07", _("no unit of level '{level}' in the units file").format(
                            level=level), None,
                        did_you_mean(level, known_levels) or _("known: {known}").format(
                            known=", ".join(known_levels)))
                for level in dict.fromkeys(levels) if level not in known_levels]
    problems += [Problem("EVL02", _("unknown {kind} '{name}'").format(kind=noun("unit"),
                                                                     name=uid), None,
                         did_you_mean(uid, list(units)) or _("known: {known}").format(
                             known=", ".join(sorted(units)[:10])))
                 for uid in dict.fromkeys(ids) if uid not in units]
    if problems:
        raise CchcError(problems)
    return {uid: u for uid, u in units.items()
            if (not levels or u.level in levels) and (not ids or uid in ids)}


def excel_formula(node: ast.Node, cells: Mapping[str, str],
                  formulas: Mapping[str, ast.Node]) -> str | None:
    """`node` as an Excel expression over `cells` (metric id -> cell reference); a derived
    metric is written out through its own formula. None when a part has no Excel form."""
    def go(n: ast.Node) -> str | None:
        if isinstance(n, ast.Number):
            value = n.value
            return str(value.numerator) if value.denominator == 1 else (
                f"({value.numerator}/{value.denominator})")
        if isinstance(n, ast.Name):
            if n.id in cells:
                return cells[n.id]
            inner = formulas.get(n.id)
            return None if inner is None else _wrap(go(inner))
        if isinstance(n, ast.Unary) and n.op == "-":
            return _wrap(go(n.operand), "-")
        if isinstance(n, ast.Binary) and n.op in "+-*/":
            left, right = go(n.left), go(n.right)
            return None if left is None or right is None else f"({left}{n.op}{right})"
        if isinstance(n, ast.Call) and n.func in ast.FUNCTIONS:
            args = [go(a) for a in n.args]
            texts = [a for a in args if a is not None]
            return None if len(texts) < len(args) else f"{n.func.upper()}({','.join(texts)})"
        if isinstance(n, ast.Compare) and n.op in _COMPARE:
            left, right = go(n.left), go(n.right)
            return None if left is None or right is None else f"{left}{_COMPARE[n.op]}{right}"
        return None
    return go(node)


def _wrap(text: str | None, prefix: str = "") -> str | None:
    return None if text is None else f"{prefix}({text})"


def form_rows(units: Mapping[str, Unit], periods: Sequence[Period]
              ) -> tuple[list[tuple[Unit, Period]], int]:
    """(unit, period) rows of units in existence in the period (some day of it: a commune
    that began mid-year reports its part of the year), and how many were left out."""
    rows = [(u, p) for u in units.values() for p in periods]
    kept = [(u, p) for u, p in rows if exists_during(u, p)]
    return kept, len(rows) - len(kept)


def write_form(ruleset: LoadedRuleset, units: Mapping[str, Unit], periods: Sequence[Period],
               out: BinaryIO, ruleset_path: str = "") -> list[str]:
    """Write the form to `out`: a row per unit × period it existed in, a column per raw
    metric some unit of the form reports (a cell its level does not report is locked and
    grey); the notes (rows left out, checks that could not become Excel formulas)."""
    import xlsxwriter

    model = ruleset.model
    reports = {level: level_metrics(ruleset, level)
               for level in {u.level for u in units.values()}}
    wanted = set().union(*reports.values()) if reports else set()
    metrics = [m for m in raw_metrics(ruleset) if m in wanted]
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_custom_property(FORM_PROPERTY, model.ruleset)
    book.set_properties({"title": f"Biểu nhập số liệu — {model.title}",
                         "subject": model.ruleset, "comments": "cchc form"})
    f = _Formats(book)
    sheet = book.add_worksheet(SHEET)
    guide = book.add_worksheet(GUIDE)
    cols = [Column(m, 4 + i) for i, m in enumerate(metrics)]
    rows, gone = form_rows(units, periods)
    last = ID_ROW + len(rows)

    sheet.write(0, 0, f"BIỂU NHẬP SỐ LIỆU — {model.title}", f.title)
    sheet.write(1, 0, "Mã đơn vị", f.label)
    sheet.write(1, 1, "Đơn vị", f.label)
    sheet.write(1, 2, "Mã kỳ", f.label)
    sheet.write(1, 3, "Kỳ báo cáo", f.label)
    sheet.write(2, 0, "Đơn vị tính →", f.unit)
    for j, tag in enumerate(("unit", f"{NOTE}unit_name", "period", f"{NOTE}period_name")):
        sheet.write(ID_ROW - 1, j, tag, f.ids)
    for col in cols:
        metric = model.metrics[col.metric]
        sheet.write(1, col.index, metric.label, f.label)
        sheet.write(2, col.index, metric.unit, f.unit)
        sheet.write(ID_ROW - 1, col.index, col.metric, f.ids)
        sheet.write_comment(1, col.index, f"{col.metric}: {metric.description or metric.label}"
                            f" ({metric.unit})", {"x_scale": 2, "y_scale": 1.5})
        if rows:
            _validate(sheet, col, metric.unit, last)
    for i, (unit, period) in enumerate(rows):
        r = ID_ROW + i
        sheet.write_string(r, 0, unit.id, f.key)
        sheet.write_string(r, 1, unit.name, f.key)
        sheet.write_string(r, 2, period.text, f.key)
        sheet.write_string(r, 3, period_name(period), f.key)
        mine = reports[unit.level]
        for col in cols:
            if col.metric in mine:
                sheet.write_blank(r, col.index, None, f.figure)
            else:   # not reported at this unit's level: locked, grey
                sheet.write_blank(r, col.index, None, f.key)
    notes = [_("{n} unit × period rows left out: the unit did not exist in the period")
             .format(n=gone)] if gone else []
    notes += _checks(sheet, ruleset, cols, last, f) if rows else []
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 2, 10)
    sheet.set_column(3, 3, 16)
    if cols:
        sheet.set_column(4, 3 + len(cols), 18)
    sheet.set_row(1, 60)
    sheet.freeze_panes(ID_ROW, 4)
    sheet.protect("", {"format_columns": True, "format_rows": True})
    _guide(guide, ruleset, units, periods, ruleset_path, notes, f)
    book.close()
    return notes


class _Formats:
    def __init__(self, book) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.label = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                      "bg_color": "#DDEBF7", "border": 1})
        self.unit = book.add_format({"italic": True, "font_color": "#555555"})
        self.ids = book.add_format({"font_color": "#808080", "font_size": 8})
        self.key = book.add_format({"bg_color": "#F2F2F2", "border": 1})
        self.figure = book.add_format({"locked": False, "border": 1, "num_format": "#,##0.##"})
        self.bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.bold = book.add_format({"bold": True})


def _validate(sheet, col: Column, unit: str, last: int) -> None:
    """Excel's own validation: whole numbers ≥ 0 for counts, 0–100 for percentages."""
    info = MetricUnit(unit).info
    if unit == MetricUnit.PERCENT:
        rule = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
                "error_message": "Tỷ lệ phần trăm từ 0 đến 100."}
    elif info.whole and info.non_negative:
        rule = {"validate": "integer", "criteria": ">=", "value": 0,
                "error_message": "Số đếm: số nguyên không âm."}
    elif info.non_negative:
        rule = {"validate": "decimal", "criteria": ">=", "value": 0,
                "error_message": "Số không âm."}
    else:
        return
    sheet.data_validation(ID_ROW, col.index, last - 1, col.index,
                          {**rule, "error_title": "Số liệu không hợp lệ"})


def _checks(sheet, ruleset: LoadedRuleset, cols: Sequence[Column], last: int, f: _Formats
            ) -> list[str]:
    """One conditional format per `assert` check: the row turns red while it fails."""
    notes: list[str] = []
    top = _FIRST
    cells = {c.metric: f"${c.letter}{top}" for c in cols}
    span = f"A{top}:{cols[-1].letter}{last}" if cols else None
    for check in ruleset.model.checks:
        node = ruleset.asserts.get(check.id)
        formula = None if node is None else excel_formula(node, cells, ruleset.formulas)
        if node is None or formula is None or span is None:
            notes.append(_("check '{id}' has no Excel form; it is checked by cchc evaluate "
                           "only").format(id=check.id))
            continue
        used = sorted({cells[n] for n in _raw_names(node, ruleset) if n in cells})
        filled = f"COUNT({','.join(used)})={len(used)}"
        sheet.conditional_format(span, {"type": "formula",
                                        "criteria": f"=AND({filled},NOT({formula}))",
                                        "format": f.bad})
    return notes


def _raw_names(node: ast.Node, ruleset: LoadedRuleset) -> set[str]:
    found: set[str] = set()
    for name in ast.names(node):
        found |= set(ruleset.raw_inputs.get(name, {name}))
    return found


def _guide(sheet, ruleset: LoadedRuleset, units: Mapping[str, Unit],
           periods: Sequence[Period], ruleset_path: str, notes: list[str], f: _Formats) -> None:
    model = ruleset.model
    lines = [
        ("Hướng dẫn điền biểu", None),
        ("Bộ chỉ tiêu", f"{model.title} ({model.ruleset})"),
        ("Cơ quan ban hành", model.issuer or ""),
        ("Văn bản gốc", model.source or ruleset_path),
        ("Kỳ báo cáo", ", ".join(f"{period_name(p)} ({p.text})" for p in periods)),
        ("Đơn vị điền", ", ".join(f"{u.name} ({u.id})" for u in units.values())),
        ("Cách điền", f"Mỗi đơn vị điền số liệu vào dòng của mình trên trang '{SHEET}', "
                      "chỉ vào các ô trắng. Để trống ô chưa có số liệu (không ghi 0). "
                      "Không sửa mã đơn vị, mã kỳ và dòng mã chỉ số (dòng 4)."),
        ("Kiểm tra", "Dòng chuyển màu đỏ khi số liệu không khớp các phép kiểm tra dưới đây."),
    ]
    for check in model.checks:
        lines.append(("", f"{check.title or check.id}: {check.assert_}"))
    lines += [("", note) for note in notes]
    lines.append(("Gửi lại", "Lưu tệp (giữ định dạng .xlsx) và gửi lại cho cơ quan tổng hợp; "
                             "kiểm tra bằng: cchc evaluate BỘ_CHỈ_TIÊU --data TỆP.xlsx"))
    write_guide(sheet, lines, f.bold, f.wrap, (20, 90))


def write_guide(sheet, lines: Sequence[tuple[str, str | None]], bold, wrap,
                widths: tuple[int, int]) -> None:
    """An instructions sheet: a key in bold, its text wrapped beside it."""
    for i, (key, text) in enumerate(lines):
        sheet.write(i, 0, key, bold)
        if text is not None:
            sheet.write(i, 1, text, wrap)
    sheet.set_column(0, 0, widths[0])
    sheet.set_column(1, 1, widths[1])


def form_units(path: Path) -> dict[str, Unit]:
    """The units declared in a units file or a data file (its reports are not read)."""
    from .readers import Batch, read_into
    from .units import collect_units

    batch = Batch()
    read_into(batch, path, units=True)
    units, problems = collect_units(batch.units)
    problems = batch.problems + problems
    if not problems and not units:
        problems.append(Problem("UNT01", _("{path} declares no unit").format(path=path), None,
                                _("give a units file or a data file with 'units:'")))
    if problems:
        raise CchcError(problems)
    return units
