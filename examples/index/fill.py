"""Filling scoring workbooks the way a unit or an appraisal team would (openpyxl edits the
cells and keeps the workbook's property and hidden sheet): the illustrative returned
workbooks of `make demo-index` and the index tests. Needs openpyxl (the dev extra)."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from cchc_rules.figures.scoring_book import (
    APPRAISED,
    COMMENT,
    EVIDENCE,
    EXPLAIN,
    FIRST,
    ID,
    LINK,
    POINTS,
    SHEETS,
)


def rows_by_id(path: Path, kind: str = "self") -> dict[str, int]:
    """Criterion or group id → its 1-based row."""
    sheet = openpyxl.load_workbook(path)[SHEETS[kind]]
    found = {}
    for r in range(FIRST, sheet.max_row + 1):
        value = sheet.cell(r, ID).value
        if value:
            found[str(value)] = r
    return found


def fill(path: Path, out: Path, points: dict[str, Any], kind: str = "self",
         evidence: dict[str, str] | None = None, explain: dict[str, str] | None = None,
         comments: dict[str, str] | None = None, cells: dict[str, Any] | None = None) -> Path:
    """Write `points` (criterion id → number or text) into the points cells of `kind`
    (self points, or appraised points), evidence, explanations, comments, and any raw
    `cells` ('B7': value), then save to `out`."""
    book = openpyxl.load_workbook(path)
    sheet = book[SHEETS[kind]]
    where = rows_by_id(path, kind)
    column = POINTS if kind == "self" else APPRAISED
    for ident, value in points.items():
        sheet.cell(where[ident], column).value = value
    for ident, text in (evidence or {}).items():
        sheet.cell(where[ident], EVIDENCE).value = text
        sheet.cell(where[ident], LINK).value = f"https://vanban.example/{ident}.pdf"
    for ident, text in (explain or {}).items():
        sheet.cell(where[ident], EXPLAIN).value = text
    for ident, text in (comments or {}).items():
        sheet.cell(where[ident], COMMENT).value = text
    for ref, value in (cells or {}).items():
        sheet[ref] = value
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def with_saved_formula(path: Path, out: Path, ref: str, formula: str, saved: float) -> Path:
    """`path` with cell `ref` of the first sheet a formula whose saved result is `saved`, as
    Excel stores it (the XML edited: openpyxl never saves a formula's result)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode("utf-8")
    cell = re.compile(rf'<c r="{ref}"([^>]*?)(/>|>.*?</c>)', re.S)
    style = re.search(r'\ss="\d+"', cell.search(xml)[1])
    xml = cell.sub(f'<c r="{ref}"{style[0] if style else ""}><f>{formula}</f>'
                   f'<v>{saved}</v></c>', xml, count=1)
    parts[name] = xml.encode("utf-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for n, data in parts.items():
            dst.writestr(n, data)
    return out
