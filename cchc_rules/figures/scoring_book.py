"""Figures stage: the self-assessment and appraisal workbooks of a province's CCHC index
(issue 26) — the layout both the writer and the reader (scoring_read.py) follow.

One workbook per unit and period. The sheet lists the criteria set as the province wrote it
(areas → criteria → sub-criteria, the unit's track only), one row per criterion scored by
points (`manual` or `as_points`) with its maximum and its rule in words; the unit fills the
white cells: points (validated 0…max, or `n/a`), evidence (document number and date; link or
file name) and an explanation. Everything else is locked; group rows and the total add up
as the unit types. The appraisal workbook carries the unit's self-assessment locked beside
cells for the appraised points and the appraiser's comment.

The custom property `cchc-scoring` names the ruleset, the kind, the unit, the period and a
fingerprint of the rows, so a workbook of another ruleset, or of an edited criteria set, is
refused; a very hidden sheet keeps a copy of the locked self-assessment of an appraisal
workbook, so a locked cell unlocked and changed is found at its cell.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from ..domain import IndicatorKind
from ..periods import Period
from ..ruleset.criteria import indicator_levels
from .forms import period_name, write_guide
from .units import Unit

PROPERTY = "cchc-scoring"
SELF, APPRAISAL = "self", "appraisal"
SHEETS = {SELF: "Tự chấm", APPRAISAL: "Thẩm định"}
GUIDE = "Hướng dẫn"
COPY = "_cchc"               # very hidden: the locked self-assessment of an appraisal book
HEADER_ROW = 5               # 1-based row of the column labels; criteria start below it
FIRST = HEADER_ROW + 1
# columns, 1-based: A id, B title, C max, D rule in words, E self points, F evidence
# document (number, date), G link or file, H explanation; appraisal: I points, J comment
ID, TITLE, MAX, RULE, POINTS, EVIDENCE, LINK, EXPLAIN, APPRAISED, COMMENT = range(1, 11)
SELF_COLUMNS = (POINTS, EVIDENCE, LINK, EXPLAIN)
LABELS = {ID: "Mã", TITLE: "Lĩnh vực, tiêu chí, tiêu chí thành phần", MAX: "Điểm tối đa",
          RULE: "Cách chấm", POINTS: "Điểm tự chấm",
          EVIDENCE: "Tài liệu kiểm chứng (số, ngày văn bản)",
          LINK: "Đường dẫn hoặc tên tệp kiểm chứng", EXPLAIN: "Giải trình",
          APPRAISED: "Điểm thẩm định", COMMENT: "Ý kiến thẩm định"}


@dataclass(frozen=True)
class Row:
    """One body row: a group (area, criterion …) or a criterion scored by points."""

    id: str
    title: str
    max: float
    depth: int
    indicator: Any = None        # the schema Indicator, None for a group row
    members: tuple[int, ...] = ()  # a group row: the body rows (0-based) it sums
    cap: float | None = None

    @property
    def scored(self) -> bool:
        return self.indicator is not None


def pointed(indicator: Any) -> bool:
    """Whether a criterion is scored by points a person writes (a workbook row)."""
    return bool(indicator.manual or indicator.as_points) and indicator.metric is not None


def book_rows(scoring: Any, level: str | None) -> list[Row]:
    """The body rows for a unit of `level`: groups in the ruleset's tree order, each followed
    by its criteria and its child groups; then criteria in no group, bonus, penalty."""
    levels = indicator_levels(scoring)
    mine = [i for i, lv in zip(scoring.indicators, levels, strict=True)
            if pointed(i) and (lv is None or level is None or level in lv)]
    known = {g.id for g in scoring.groups}
    children: dict[str | None, list[Any]] = {}
    for g in scoring.groups:
        children.setdefault(g.parent if g.parent in known else None, []).append(g)
    rows: list[Row] = []

    def group(g: Any, depth: int) -> int | None:
        at = len(rows)
        rows.append(Row(g.id, g.title, 0.0, depth))
        members = []
        items = [(ind.id, ind) for ind in mine
                 if ind.group == g.id and ind.kind == IndicatorKind.SCORE]
        items += [(child.id, child) for child in children.get(g.id, [])]
        # as the decision numbers them: 1.2 before 1.10, criteria and sub-groups together
        for _id, item in sorted(items, key=lambda pair: natural(pair[0])):
            if item in mine:
                members.append(len(rows))
                rows.append(Row(item.id, item.title, float(item.max), depth + 1, item))
            elif (found := group(item, depth + 1)) is not None:
                members.append(found)
        if not members:
            del rows[at:]
            return None
        total = sum(rows[m].max for m in members)
        cap = float(g.max) if g.max is not None else None
        rows[at] = Row(g.id, g.title, min(total, cap) if cap is not None else total, depth,
                       None, tuple(members), cap)
        return at

    for g in children.get(None, []):
        group(g, 0)
    for kind in (IndicatorKind.SCORE, IndicatorKind.BONUS, IndicatorKind.PENALTY):
        for ind in mine:
            if ind.kind == kind and (kind != IndicatorKind.SCORE or ind.group not in known):
                rows.append(Row(ind.id, ind.title, float(ind.max), 0, ind))
    return rows


def natural(ident: str) -> tuple:
    """Sort key of a criterion id as decisions number them: '1.2' < '1.10' < '2'."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p)
                 for p in re.split(r"[.\-_]", ident))


def fingerprint(ruleset_id: str, rows: Sequence[Row]) -> str:
    """16 hex digits over the rows' ids, titles, maxima and kinds: the structure a returned
    workbook must still have."""
    text = json.dumps([ruleset_id, [(r.id, r.title, r.max, r.depth, r.scored,
                                     r.indicator.kind if r.scored else "")
                                    for r in rows]], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def property_value(ruleset_id: str, kind: str, unit: str, period: str, rows: Sequence[Row],
                   copy_digest: str = "") -> str:
    return json.dumps({"ruleset": ruleset_id, "kind": kind, "unit": unit, "period": period,
                       "fingerprint": fingerprint(ruleset_id, rows), "copy": copy_digest},
                      ensure_ascii=False, sort_keys=True)


def rule_words(ind: Any) -> str:
    """The criterion's scoring rule in words: its `guide`, else said from the rule."""
    if ind.guide:
        return ind.guide
    top = _num(ind.max)
    kind = {IndicatorKind.BONUS: "Điểm thưởng", IndicatorKind.PENALTY: "Điểm trừ"}.get(
        ind.kind, "Điểm")
    return f"{kind} từ 0 đến {top}; ghi n/a nếu tiêu chí không áp dụng với đơn vị."


def _num(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def copy_digest(values: Sequence[Sequence[object]]) -> str:
    return hashlib.sha256(json.dumps([[_plain(v) for v in row] for row in values],
                                     ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def _plain(v: object) -> object:
    if v == "":
        return None             # an empty text cell reads back as no value
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v if v is None or isinstance(v, int | float) else str(v)


def write_book(ruleset: Any, unit: Unit, period: Period, out: BinaryIO, kind: str = SELF,
               self_values: Mapping[str, Sequence[object]] | None = None) -> int:
    """Write one unit's workbook of `kind` to `out`; the criteria rows written. For an
    appraisal, `self_values` maps a criterion id to its (points, evidence, link, explanation)
    as the unit returned them."""
    import xlsxwriter

    model = ruleset.model
    rows = book_rows(model.scoring, unit.level)
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False,
                                     "strings_to_formulas": False, "strings_to_urls": False})
    f = _Formats(book)
    sheet = book.add_worksheet(SHEETS[kind])
    guide = book.add_worksheet(GUIDE)
    last = FIRST + len(rows) - 1
    width = COMMENT if kind == APPRAISAL else EXPLAIN
    title = ("BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH" if kind == SELF
             else "BẢNG THẨM ĐỊNH ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH")
    sheet.write(0, 0, f"{title} — {period_name(period).upper()}", f.title)
    sheet.write(1, 0, "Đơn vị:", f.bold)
    sheet.write(1, 1, unit.name, f.bold)
    for j, text in enumerate(("Mã đơn vị", unit.id, "Kỳ", period.text, "Bộ tiêu chí",
                              model.ruleset)):
        sheet.write_string(2, j, text, f.key if j % 2 else f.bold)
    for col, label in LABELS.items():
        if col <= width:
            sheet.write(HEADER_ROW - 1, col - 1, label, f.label)
    copied: list[list[object]] = []
    for n, row in enumerate(rows):
        r = FIRST - 1 + n
        style = f.group if not row.scored else f.text
        sheet.write_string(r, ID - 1, row.id, style)
        sheet.write_string(r, TITLE - 1, ("    " * row.depth) + row.title, style)
        sheet.write_number(r, MAX - 1, row.max, f.group_num if not row.scored else f.num)
        if not row.scored:
            cells = [_cell(POINTS, FIRST + m) for m in row.members]
            total = f"SUM({','.join(cells)})"
            sheet.write_formula(r, POINTS - 1, f"=MIN({_num_en(row.cap)},{total})"
                                if row.cap is not None else f"={total}", f.group_num)
            if kind == APPRAISAL:
                cells = [_cell(APPRAISED, FIRST + m) for m in row.members]
                total = f"SUM({','.join(cells)})"
                sheet.write_formula(r, APPRAISED - 1, f"=MIN({_num_en(row.cap)},{total})"
                                    if row.cap is not None else f"={total}", f.group_num)
            continue
        sheet.write_string(r, RULE - 1, rule_words(row.indicator), f.text)
        if kind == SELF:
            sheet.write_blank(r, POINTS - 1, None, f.entry_num)
            for col in (EVIDENCE, LINK, EXPLAIN):
                sheet.write_blank(r, col - 1, None, f.entry)
            _points_rule(sheet, r, POINTS, row.max)
        else:
            found = list((self_values or {}).get(row.id, (None, None, None, None)))
            copied.append(found)
            for col, value in zip(SELF_COLUMNS, found, strict=True):
                _write(sheet, r, col - 1, value, f.locked_num if col == POINTS else f.text)
            sheet.write_blank(r, APPRAISED - 1, None, f.entry_num)
            sheet.write_blank(r, COMMENT - 1, None, f.entry)
            _points_rule(sheet, r, APPRAISED, row.max)
    total_row = last + 1
    tops = [n for n, row in enumerate(rows) if row.depth == 0
            and (not row.scored or row.indicator.kind == IndicatorKind.SCORE)]
    sheet.write_string(total_row, TITLE - 1, "TỔNG ĐIỂM (chưa gồm điểm thưởng, điểm trừ)",
                       f.group)
    sheet.write_number(total_row, MAX - 1, sum(rows[n].max for n in tops), f.group_num)
    for col in (POINTS, APPRAISED) if kind == APPRAISAL else (POINTS,):
        summed = ",".join(_cell(col, FIRST + n) for n in tops) or "0"
        sheet.write_formula(total_row, col - 1, f"=SUM({summed})", f.group_num)
    sheet.set_column(ID - 1, ID - 1, 8)
    sheet.set_column(TITLE - 1, TITLE - 1, 60)
    sheet.set_column(MAX - 1, MAX - 1, 9)
    sheet.set_column(RULE - 1, RULE - 1, 40)
    sheet.set_column(POINTS - 1, POINTS - 1, 11)
    sheet.set_column(EVIDENCE - 1, EXPLAIN - 1, 30)
    if kind == APPRAISAL:
        sheet.set_column(APPRAISED - 1, APPRAISED - 1, 11)
        sheet.set_column(COMMENT - 1, COMMENT - 1, 36)
    sheet.set_row(HEADER_ROW - 1, 45)
    sheet.freeze_panes(HEADER_ROW, 2)
    sheet.protect("", {"format_columns": True, "format_rows": True})
    digest = ""
    if kind == APPRAISAL:
        hidden = book.add_worksheet(COPY)
        for n, values in enumerate(copied):
            for j, value in enumerate(values):
                _write(hidden, n, j, value, None)
        hidden.very_hidden()
        hidden.protect("")
        digest = copy_digest(copied)
    book.set_custom_property(PROPERTY, property_value(model.ruleset, kind, unit.id,
                                                      period.text, rows, digest))
    book.set_properties({"title": f"{title} — {unit.name} — {period.text}",
                         "subject": model.ruleset, "comments": f"cchc form --{kind}"})
    _guide(guide, ruleset, unit, period, kind, f)
    book.close()
    return sum(1 for r in rows if r.scored)


def _num_en(x: float | None) -> str:
    return repr(float(x or 0.0)).rstrip("0").rstrip(".")


def _cell(col: int, row: int) -> str:
    from ..errors import cell_ref
    return cell_ref(row, col)


def _write(sheet: Any, r: int, c: int, value: object, style: Any) -> None:
    if value is None or value == "":
        sheet.write_blank(r, c, None, style)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(r, c, float(value), style)
    else:
        sheet.write_string(r, c, str(value), style)


def _points_rule(sheet: Any, r: int, col: int, top: float) -> None:
    """Excel's own check while typing: a number from 0 to max, or n/a."""
    ref = _cell(col, r + 1)
    sheet.data_validation(r, col - 1, r, col - 1, {
        "validate": "custom",
        "value": f'=OR(AND(ISNUMBER({ref}),{ref}>=0,{ref}<={_num_en(top)}),'
                 f'LOWER(TRIM({ref}))="n/a",LOWER(TRIM({ref}))="không áp dụng")',
        "error_title": "Điểm không hợp lệ",
        "error_message": f"Điểm từ 0 đến {_num(top)}, hoặc n/a nếu tiêu chí không áp dụng."})


class _Formats:
    def __init__(self, book: Any) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True})
        self.label = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                      "bg_color": "#DDEBF7", "border": 1})
        self.key = book.add_format({"bg_color": "#F2F2F2", "border": 1})
        self.group = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1,
                                      "text_wrap": True, "valign": "top"})
        self.group_num = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1,
                                          "num_format": "0.00"})
        self.text = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        self.num = book.add_format({"border": 1, "num_format": "0.00", "valign": "top"})
        self.locked_num = book.add_format({"border": 1, "num_format": "0.00", "valign": "top",
                                           "bg_color": "#F2F2F2"})
        self.entry = book.add_format({"locked": False, "border": 1, "text_wrap": True,
                                      "valign": "top", "bg_color": "#FFFFFF"})
        self.entry_num = book.add_format({"locked": False, "border": 1, "num_format": "0.00",
                                          "valign": "top", "bg_color": "#FFF2CC"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})


def _guide(sheet: Any, ruleset: Any, unit: Unit, period: Period, kind: str, f: _Formats
           ) -> None:
    model = ruleset.model
    others = [i for i in model.scoring.indicators if not pointed(i)]
    lines = [
        ("Hướng dẫn", None),
        ("Bộ tiêu chí", f"{model.title} ({model.ruleset})"),
        ("Cơ quan ban hành", model.issuer or ""),
        ("Văn bản", model.source or ""),
        ("Đơn vị", f"{unit.name} ({unit.id})"),
        ("Kỳ đánh giá", f"{period_name(period)} ({period.text})"),
    ]
    if kind == SELF:
        lines += [
            ("Điểm tự chấm", "Ghi điểm vào ô màu vàng của từng tiêu chí, từ 0 đến điểm tối đa; "
                             "ghi n/a nếu tiêu chí không áp dụng với đơn vị (tiêu chí bị loại, "
                             "điểm tối đa của đơn vị được tính lại). Không ghi công thức."),
            ("Tài liệu kiểm chứng", "Ghi số, ngày văn bản (ví dụ: 123/KH-UBND ngày 15/01/2025) "
                                    "và đường dẫn hoặc tên tệp kiểm chứng. Điểm chấm mà không có "
                                    "tài liệu kiểm chứng phải giải trình ở cột Giải trình."),
        ]
    else:
        lines += [
            ("Điểm thẩm định", "Tổ thẩm định ghi điểm thẩm định vào ô màu vàng; điểm tự chấm và "
                               "tài liệu kiểm chứng của đơn vị bị khoá. Khi điểm thẩm định khác "
                               "điểm tự chấm, ghi ý kiến thẩm định."),
        ]
    lines += [
        ("Cấu trúc", "Không thêm, xoá hay sửa dòng, mã, tên tiêu chí, điểm tối đa: bảng bị "
                     "khoá; bảng đã sửa sẽ bị từ chối khi tổng hợp."),
        ("Tổng điểm", "Dòng nhóm và dòng tổng tự cộng (điểm nhóm không vượt điểm tối đa của "
                      "nhóm). Điểm thưởng, điểm trừ tính riêng."),
    ]
    if others:
        lines.append(("Tiêu chí tính từ số liệu", "; ".join(f"{i.id} {i.title}"
                                                            for i in others)))
    lines.append(("Gửi lại", "Lưu tệp (giữ định dạng .xlsx) và gửi lại Sở Nội vụ; đổi tên tệp "
                             "không sao: tệp tự mang mã đơn vị và kỳ."))
    write_guide(sheet, lines, f.bold, f.wrap, (24, 100))
    sheet.protect("")


def write_books(ruleset: Any, units: Mapping[str, Unit], period: Period, output: Any,
                kind: str = SELF,
                self_values: Mapping[str, Mapping[str, Sequence[object]]] | None = None
                ) -> list[tuple[str, Any, int]]:
    """One workbook per unit: into `output` itself when it names an .xlsx file (one unit
    only), else into the folder `output` as `<unit id>.xlsx`. Each file is written whole or
    not at all. Returns (unit id, path, criteria rows) per workbook, in unit order. For an
    appraisal, `self_values` maps a unit to its returned self-assessment."""
    from pathlib import Path

    from ..errors import CchcError
    from ..messages import _
    from ..output import atomic_open

    target = Path(output)
    chosen = [u for u in units.values() if self_values is None or u.id in self_values]
    single = target.suffix.lower() == ".xlsx"
    if single and len(chosen) != 1:
        raise CchcError.one("USG03", _("{output} is one workbook, but {n} units are to get "
                                       "one").format(output=output, n=len(chosen)),
                            hint=_("give a folder as --output, or choose one unit with "
                                   "--unit"))
    (target.parent if single else target).mkdir(parents=True, exist_ok=True)
    written = []
    for unit in chosen:
        path = target if single else target / f"{unit.id}.xlsx"
        with atomic_open(path, "wb") as out:
            n = write_book(ruleset, unit, period, cast(BinaryIO, out), kind,   # "wb"
                           (self_values or {}).get(unit.id))
        written.append((unit.id, path, n))
    return written
