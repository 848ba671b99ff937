"""Data stage: Excel workbooks (.xlsx) of figures, read with python-calamine.

Every visible worksheet whose first non-empty row names `unit` and `period` is read, long or
wide; other sheets are skipped with a warning. Positions are `book.xlsx[Sheet]:row:col`.
Merged cells and Excel error values (#DIV/0!…) are refused; formulas without a saved result
count as missing, with a warning.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from ..errors import Position
from ..files import regular_size
from .batch import Batch, cell_text
from .table import read_header, read_rows

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def cell_ref(row: int, col: int) -> str:
    """1-based row and column as Excel's A1 reference."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def read_xlsx(batch: Batch, path: Path) -> None:
    """Figures from every data sheet of the workbook into `batch`."""
    file = str(path)
    regular_size(path)  # a FIFO or a device is refused before calamine opens it
    try:
        book = CalamineWorkbook.from_path(file)
        sheets = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet
                  and m.visible == SheetVisibleEnum.Visible]
        grids = {name: book.get_sheet_by_name(name) for name in sheets}
        tables = {name: grid.to_python(skip_empty_area=False) for name, grid in grids.items()}
    except Exception as err:  # calamine raises its own types for every kind of damage
        batch.error("DAT16", f"cannot read as an Excel workbook: {err}", Position(file),
                    "save it from Excel as .xlsx")
        return
    hidden = _hidden_cells(path)
    read = 0
    for name in sheets:
        rows = tables[name]
        where = f"{file}[{name}]"
        top = next((i for i, r in enumerate(rows) if any(_filled(c) for c in r)), None)
        if top is None:
            continue
        header = rows[top]
        merged = grids[name].merged_cell_ranges or []
        if not _names_unit_and_period(header):
            batch.warn("DAT17", f"sheet '{name}' is skipped: its first row has no 'unit' and "
                       "'period' columns", Position(where, top + 1),
                       "unmerge its cells and delete title rows above the header" if merged
                       else None)
            continue
        read += 1
        for (r0, c0), (r1, c1) in merged:
            what = "header cells" if r0 <= top else "cells"
            batch.error("DAT13", f"merged {what} {cell_ref(r0 + 1, c0 + 1)}:"
                        f"{cell_ref(r1 + 1, c1 + 1)}", Position(where, r0 + 1, c0 + 1),
                        "unmerge them: every column needs its own name and every row its "
                        "own unit and period")
        if merged:
            continue
        width = len(header)
        cols = list(range(1, width + 1))
        body = rows[top + 1:]
        layout = read_header(batch, header, body, where, top + 1, cols)
        if layout is not None:
            read_rows(batch, layout, ((top + 2 + i, r) for i, r in enumerate(body)), where,
                      cols, width)
        below = [cell for cell in hidden.get(name, []) if cell.row > top + 1]
        for cell in below:
            if cell.error:
                batch.error("DAT03", f"cell {cell.ref} holds the Excel error {cell.error}",
                            Position(where, cell.row, cell.col),
                            "fix the formula, or clear the cell when the figure is missing")
        refs = [cell.ref for cell in below if not cell.error]
        if refs:
            batch.warn("DAT18", f"{len(refs)} formula cell(s) have no saved result "
                       f"({', '.join(refs[:5])}); they count as missing figures",
                       Position(where), "open the workbook in Excel and save it again")
    if not read:
        batch.error("DAT06", "no sheet has a first row naming 'unit' and 'period'",
                    Position(file), "the first row names the columns: unit, period, then "
                    "one column per metric (wide) or metric, value (long)")


def _filled(cell: object) -> bool:
    return not (cell is None or (isinstance(cell, str) and not cell.strip()))


def _names_unit_and_period(header: list[object]) -> bool:
    names = set()
    for cell in header:
        try:
            names.add(cell_text(cell))
        except ValueError:
            continue
    return {"unit", "period"} <= names


@dataclass(frozen=True)
class _Hidden:
    """A cell calamine shows as empty that is not: an Excel error, or (error None) a formula
    whose result was never saved."""

    row: int
    col: int
    ref: str
    error: str | None


def _hidden_cells(path: Path) -> dict[str, list[_Hidden]]:
    """Sheet name -> its error cells and formula cells without a saved value; only the sheet
    XML tells them from truly empty cells. Best effort: {} on any surprise, since calamine has
    already read the values."""
    found: dict[str, list[_Hidden]] = {}
    try:
        with zipfile.ZipFile(path) as book:
            rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
            for sheet in workbook.iter(f"{_NS}sheet"):
                target = targets.get(sheet.get(_REL), "")
                member = target.lstrip("/") if target.startswith("/") else str(
                    PurePosixPath("xl") / target)
                with book.open(member) as xml:
                    cells = _scan(xml)
                if cells:
                    found[sheet.get("name", "")] = cells
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}
    return found


def _scan(xml: IO[bytes]) -> list[_Hidden]:
    cells: list[_Hidden] = []
    for _, elem in ElementTree.iterparse(xml):
        if elem.tag == f"{_NS}c":
            value = elem.find(f"{_NS}v")
            text = value.text if value is not None else None
            error = text or "#N/A" if elem.get("t") == "e" else None
            if error or (elem.find(f"{_NS}f") is not None and not text):
                ref = elem.get("r", "")
                letters = ref.rstrip("0123456789")
                col = 0
                for ch in letters:
                    col = col * 26 + ord(ch.upper()) - 64
                cells.append(_Hidden(int(ref[len(letters):]), col, ref, error))
            elem.clear()
    return cells
