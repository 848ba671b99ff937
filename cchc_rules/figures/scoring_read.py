"""Figures stage: reading back one self-assessment or appraisal workbook (issue 26).

`read_book` checks that the workbook is one `cchc form --scoring/--appraisal` wrote for this
ruleset (its `cchc-scoring` property, DAT44), for a unit that exists in the period (DAT45),
with its locked structure unchanged (DAT43, at the cell), and reads every criterion's points,
evidence, explanation and, in an appraisal, the appraiser's points and comment. Points are
numbers from 0 to max or `n/a` (DAT40, DAT41); a formula in a points cell is never evaluated:
its saved value is used and said (DAT47); an evidence date after today is refused (DAT42);
a point claimed without evidence or explanation (DAT48) and an appraisal that changes the
points without a comment (DAT49) are warnings. Every problem is placed `book.xlsx!Sheet!E7`.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

from ..errors import Position, Problem, cell_ref, did_you_mean
from ..files import sha256_file
from ..messages import _
from ..periods import Period, parse_period
from .readers.batch import is_declared
from .scoring_book import (
    APPRAISAL,
    APPRAISED,
    COMMENT,
    COPY,
    EVIDENCE,
    EXPLAIN,
    FIRST,
    ID,
    LINK,
    MAX,
    POINTS,
    PROPERTY,
    SELF,
    SELF_COLUMNS,
    SHEETS,
    TITLE,
    Row,
    book_rows,
    copy_digest,
    fingerprint,
)
from .units import Unit

MAX_LISTED = 5   # structure differences listed per workbook; the rest are counted
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
NA = "n/a"


@dataclass
class Entry:
    """One criterion as returned: points (a number, `NA`, or None when left empty) and the
    cells they were read from."""

    indicator: Any
    points: float | str | None
    cell: str
    self_points: float | str | None = None
    self_cell: str = ""
    evidence: str = ""
    link: str = ""
    explanation: str = ""
    comment: str = ""


@dataclass
class Returned:
    """One returned workbook: who it is for, its SHA-256, its entries and problems."""

    path: Path
    sha256: str
    kind: str = SELF
    unit: str = ""
    period: str = ""
    sheet: str = ""
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(p.severity == "error" for p in self.problems)



def read_book(path: Path, ruleset: Any, units: dict[str, Unit], period: Period | None,
              today: dt.date) -> Returned:
    """Read one returned workbook; `period` is the one being collected (None: any)."""
    from .readers.xlsx import limits_problem

    out = Returned(path, sha256_file(path))
    file = str(path)
    refused = limits_problem(path)
    if refused is not None:
        out.problems.append(refused)
        return out
    meta = _property(path)
    model = ruleset.model
    if meta is None:
        out.problems.append(Problem(
            "DAT44", _("not a self-assessment or appraisal workbook of cchc (it has no "
                       "'{name}' property)").format(name=PROPERTY), Position(file),
            _("fill the workbook written by cchc form --scoring for your unit")))
        return out
    out.kind, out.unit, out.period = meta.get("kind", ""), meta.get("unit", ""), \
        meta.get("period", "")
    out.sheet = SHEETS.get(out.kind, "")
    if meta.get("ruleset") != model.ruleset or out.kind not in SHEETS:
        out.problems.append(Problem(
            "DAT44", _("a workbook of ruleset '{other}', not '{ruleset}'").format(
                other=meta.get("ruleset"), ruleset=model.ruleset), Position(file),
            _("collect each criteria set's workbooks with its own ruleset")))
        return out
    where = f"{file}!{out.sheet}!"
    unit = units.get(out.unit)
    if unit is None:
        out.problems.append(Problem(
            "DAT45", _("the workbook is for unit '{unit}', which is not declared").format(
                unit=out.unit), Position(where, 3, 2),
            did_you_mean(out.unit, units) or _("declare the unit in the units file")))
        return out
    if period is not None and out.period != period.text:
        out.problems.append(Problem(
            "DAT45", _("the workbook is for period {got}, not {period}").format(
                got=out.period, period=period.text), Position(where, 3, 4),
            _("collect each period's workbooks on their own")))
        return out
    if not exists_in(unit, parse_period(out.period)):
        out.problems.append(Problem(
            "DAT45", _("unit '{unit}' did not exist in {period} (valid {start} to {end})").format(
                unit=out.unit, period=out.period, start=unit.valid_from or "…",
                end=unit.valid_to or "…"), Position(where, 3, 2),
            _("a unit dissolved or not yet formed in the period is not scored")))
        return out
    rows = book_rows(model.scoring, unit.level)
    if meta.get("fingerprint") != fingerprint(model.ruleset, rows):
        out.problems.append(Problem(
            "DAT44", _("the workbook was written from another version of the criteria set "
                       "'{ruleset}'").format(ruleset=model.ruleset), Position(file),
            _("write the workbooks again with cchc form from the ruleset in force")))
        return out
    grids = _sheets(path, out.sheet)
    if grids is None or out.sheet not in grids:
        out.problems.append(Problem("DAT43", _("the sheet '{sheet}' is missing or renamed")
                                    .format(sheet=out.sheet), Position(file),
                                    _("return the workbook as written, filled in")))
        return out
    grid = grids[out.sheet]
    formulas = _formula_cells(path, out.sheet)
    _structure(out, grid, rows, where, formulas)
    if out.kind == APPRAISAL:
        _copy_unchanged(out, grid, grids.get(COPY), rows, where, meta.get("copy", ""))
    if out.refused:
        return out
    for n, row in enumerate(rows):
        if row.scored:
            _entry(out, grid, FIRST + n, row, where, formulas, today)
    return out


def exists_in(unit: Unit, period: Period) -> bool:
    start = dt.date.fromisoformat(unit.valid_from) if unit.valid_from else None
    end = dt.date.fromisoformat(unit.valid_to) if unit.valid_to else None
    return (start is None or start <= period.end) and (end is None or end >= period.start)


def _cell(grid: list[list[Any]], row: int, col: int) -> Any:
    if row - 1 < len(grid) and col - 1 < len(grid[row - 1]):
        value = grid[row - 1][col - 1]
        return None if value == "" else value
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _structure(out: Returned, grid: list[list[Any]], rows: list[Row], where: str,
               formulas: set[str]) -> None:
    """The locked cells as written: id, title and max of every row, and the subtotal formula
    of every group row (DAT43 at the cell)."""
    found = 0
    sums = (POINTS, APPRAISED) if out.kind == APPRAISAL else (POINTS,)
    for n, row in enumerate(rows):
        r = FIRST + n
        checks: list[tuple[int, Any, Any]] = [(ID, row.id, _text(_cell(grid, r, ID))),
                  (TITLE, row.title, _text(_cell(grid, r, TITLE))),
                  (MAX, row.max, _cell(grid, r, MAX))]
        if not row.scored:
            checks += [(c, _("a subtotal formula"), _cell(grid, r, c)) for c in sums
                       if cell_ref(r, c) not in formulas]
        for col, want, got in checks:
            if col in (POINTS, APPRAISED):
                same = False            # a group row's sum, typed over
            elif col == MAX:
                same = isinstance(got, int | float) and abs(float(got) - want) < 1e-9
            else:
                same = got == want
            if not same:
                found += 1
                if found <= MAX_LISTED:
                    out.problems.append(Problem(
                        "DAT43", _("locked cell {ref} was changed: it reads {got!r}, the "
                                   "criteria set has {want!r}").format(
                            ref=cell_ref(r, col), got=got, want=want), Position(where, r, col),
                        _("the structure is locked: return the workbook as written, with "
                          "only the white and yellow cells filled in")))
    if found > MAX_LISTED:
        out.problems.append(Problem(
            "DAT43", _("{n} more locked cells were changed").format(n=found - MAX_LISTED),
            Position(where), None))


def _copy_unchanged(out: Returned, grid: list[list[Any]], copy: list[list[Any]] | None,
                    rows: list[Row], where: str, digest: str) -> None:
    """An appraisal's locked self-assessment equals the copy written beside it (DAT43)."""
    if copy is None or copy_digest([[_cell(copy, i + 1, j + 1) for j in range(4)]
                                    for i in range(sum(1 for r in rows if r.scored))]) != digest:
        out.problems.append(Problem(
            "DAT43", _("the workbook's hidden copy of the self-assessment was changed"),
            Position(out.path.as_posix()), _("write the appraisal workbook again")))
        return
    k = 0
    for n, row in enumerate(rows):
        if not row.scored:
            continue
        k += 1
        for j, col in enumerate(SELF_COLUMNS):
            got, want = _cell(grid, FIRST + n, col), _cell(copy, k, j + 1)
            if _text(got) != _text(want):
                out.problems.append(Problem(
                    "DAT43", _("locked cell {ref} was changed: it reads {got!r}, the unit "
                               "returned {want!r}").format(
                        ref=cell_ref(FIRST + n, col), got=got, want=want),
                    Position(where, FIRST + n, col),
                    _("the unit's self-assessment is locked in an appraisal workbook")))


def _points(out: Returned, value: Any, row: Row, r: int, col: int, where: str,
            formulas: set[str]) -> float | str | None:
    ref = cell_ref(r, col)
    pos = Position(where, r, col)
    if ref in formulas:
        out.problems.append(Problem(
            "DAT47", _("cell {ref} holds a formula; its saved value {value} is used, the "
                       "formula is never evaluated").format(
                ref=ref, value=_text(value) or _("(none)")), pos,
            _("type the points as a number"), "warning"))
    if value is None:
        return None
    if isinstance(value, str):
        if is_declared(value):
            return NA
        out.problems.append(Problem(
            "DAT41", _("cell {ref} holds text {value!r}, not points").format(
                ref=ref, value=value), pos,
            _("type a number from 0 to {max:g}, or n/a when the criterion does not apply")
            .format(max=row.max)))
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        out.problems.append(Problem(
            "DAT41", _("cell {ref} holds {value!r}, not points").format(ref=ref, value=value),
            pos, _("type a number from 0 to {max:g}").format(max=row.max)))
        return None
    if value > row.max + 1e-9 and row.indicator.kind != "score":
        # a bonus or penalty above its max: clamped, with a warning (issue 26's list)
        out.problems.append(Problem(
            "DAT31", _("{kind} '{id}': {value:g} points claimed, above its max {max:g}; "
                       "counted as {max:g}").format(
                kind=_("bonus") if row.indicator.kind == "bonus" else _("penalty"),
                id=row.id, value=value, max=row.max), pos,
            _("the criteria set gives 0 to {max:g} points for '{id}': correct the figure, or "
              "the ruleset's max if the plan allows more").format(max=row.max, id=row.id),
            "warning"))
        return float(row.max)
    if value < 0 or value > row.max + 1e-9:
        out.problems.append(Problem(
            "DAT40", _("criterion '{id}': {value:g} points, outside 0 to {max:g}").format(
                id=row.id, value=value, max=row.max), pos,
            _("the criteria set gives '{id}' at most {max:g} points").format(
                id=row.id, max=row.max)))
        return None
    return float(value)


def _entry(out: Returned, grid: list[list[Any]], r: int, row: Row, where: str,
           formulas: set[str], today: dt.date) -> None:
    evidence = _cell(grid, r, EVIDENCE)
    self_pts = _points(out, _cell(grid, r, POINTS), row, r, POINTS, where,
                       formulas if out.kind == SELF else set())
    entry = Entry(row.indicator, self_pts, cell_ref(r, POINTS), self_pts, cell_ref(r, POINTS),
                  _text(evidence), _text(_cell(grid, r, LINK)),
                  _text(_cell(grid, r, EXPLAIN)))
    if out.kind == SELF:
        for day, text in _dates(evidence):
            if day > today:
                out.problems.append(Problem(
                    "DAT42", _("criterion '{id}': evidence dated {text}, after today "
                               "({today})").format(id=row.id, text=text,
                                                   today=today.strftime("%d/%m/%Y")),
                    Position(where, r, EVIDENCE),
                    _("cite documents already issued: number and date as written on them")))
        if isinstance(self_pts, float) and self_pts > 0 and not (
                entry.evidence or entry.link or entry.explanation):
            out.problems.append(Problem(
                "DAT48", _("criterion '{id}': {points:g} points claimed without evidence or "
                           "explanation").format(id=row.id, points=self_pts),
                Position(where, r, POINTS),
                _("cite the evidence (document number and date, link or file), or explain "
                  "in the Giải trình column"), "warning"))
    else:
        entry.points = _points(out, _cell(grid, r, APPRAISED), row, r, APPRAISED, where,
                               formulas)
        entry.cell = cell_ref(r, APPRAISED)
        entry.comment = _text(_cell(grid, r, COMMENT))
        if entry.points is not None and entry.points != self_pts and not entry.comment:
            out.problems.append(Problem(
                "DAT49", _("criterion '{id}': appraised {points} against {self} self-assessed, "
                           "without a comment").format(
                    id=row.id, points=_shown(entry.points), self=_shown(self_pts)),
                Position(where, r, APPRAISED),
                _("say why in the Ý kiến thẩm định column"), "warning"))
    out.entries.append(entry)


def _shown(points: float | str | None) -> str:
    if points is None:
        return "—"
    return points if isinstance(points, str) else f"{points:g}"


def _dates(value: Any) -> list[tuple[dt.date, str]]:
    """The dates an evidence cell gives: a date cell, or dd/mm/yyyy in its text."""
    if isinstance(value, dt.datetime):
        return [(value.date(), value.strftime("%d/%m/%Y"))]
    if isinstance(value, dt.date):
        return [(value, value.strftime("%d/%m/%Y"))]
    found = []
    for m in _DATE.finditer(str(value or "")):
        try:
            found.append((dt.date(int(m[3]), int(m[2]), int(m[1])), m[0]))
        except ValueError:
            continue
    return found


def _property(path: Path) -> dict[str, str] | None:
    """The `cchc-scoring` custom property, parsed; None when absent or unreadable."""
    try:
        with zipfile.ZipFile(path) as book:
            info = book.getinfo("docProps/custom.xml")
            if info.file_size > 1 << 20:
                return None
            root = ElementTree.fromstring(book.read(info))
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    for prop in root:
        if prop.get("name") == PROPERTY:
            text = "".join(prop.itertext())
            try:
                found = json.loads(text)
            except ValueError:
                return None
            return found if isinstance(found, dict) else None
    return None


def _sheets(path: Path, main: str) -> dict[str, list[list[Any]]] | None:
    from python_calamine import CalamineWorkbook
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = [m.name for m in book.sheets_metadata]
        return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                for name in names if name in (main, COPY)}
    except Exception:  # calamine raises its own types for every kind of damage
        return None


def _formula_cells(path: Path, sheet: str) -> set[str]:
    """The references of the cells of `sheet` that hold a formula (`<f>`)."""
    try:
        with zipfile.ZipFile(path) as book:
            rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
            for node in workbook.iter(f"{_NS}sheet"):
                if node.get("name") != sheet:
                    continue
                target = targets.get(node.get(_REL), "")
                member = target.lstrip("/") if target.startswith("/") else str(
                    PurePosixPath("xl") / target)
                with book.open(member) as xml:
                    return {c.get("r", "") for _event, c in ElementTree.iterparse(xml)
                            if c.tag == f"{_NS}c" and c.find(f"{_NS}f") is not None}
    except (KeyError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return set()
    return set()
