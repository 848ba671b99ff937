"""Data stage: Excel workbooks (.xlsx) of figures, read with python-calamine.

Every visible worksheet with a header row naming `unit` and `period` (in English or
Vietnamese, below up to 10 title rows) is read, long or wide; other sheets are skipped with a
warning. Positions are `book.xlsx[Sheet]:row:col`, or `form.xlsx!Sheet!D7` in a workbook
`cchc form` wrote. Merged cells below the titles and Excel error values (#DIV/0!…) are
refused; formulas without a saved result count as missing, with a warning.

A workbook is a zip of XML: 5 KB can declare a cell at XFD1048576 (calamine would allocate the
whole 17-billion-cell grid) or expand to gigabytes. So before calamine sees it, the zip's
declared sizes, the shared strings' part and the used ranges of all the visible sheets
together are checked against the limits below (DAT23), and calamine reads one sheet at a time.

A formula in a figure cell is never evaluated: its saved result is read, with a warning naming
the cell and the formula (DAT25), as nobody typed that figure; a formula that calls outside the
workbook (a function not in SAFE_FUNCTIONS such as WEBSERVICE or HYPERLINK, a DDE link
`cmd|'/c calc'!A0`, another workbook's `[1]Sheet!A1`) is refused (DAT26).
"""
from __future__ import annotations

import lzma
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from ...errors import Position, Problem, cell_ref
from ...files import regular_size
from ...messages import N_, _, translate
from .batch import Batch
from .table import TITLE_ROWS, describe, find_header, read_header, read_rows

# Limits: the uncompressed parts together, like the CSV reader's file size; the cells of the
# grid calamine builds (from A1 to the last used row and column, empty ones included).
# The cells are counted over every visible sheet together (calamine builds each one's grid).
MAX_BYTES = 512 * 1024 * 1024
MAX_CELLS = 10_000_000
MAX_STRINGS_BYTES = 64 * 1024 * 1024  # xl/sharedStrings.xml unpacked: calamine keeps it all
# Functions a figure cell's formula may use (its saved result is read, with DAT25); any other
# function, a DDE link or another workbook's reference is refused (DAT26).
SAFE_FUNCTIONS = frozenset({
    "SUM", "SUMIF", "SUMIFS", "SUMPRODUCT", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTA",
    "COUNTIF", "COUNTIFS", "ROUND", "ROUNDUP", "ROUNDDOWN", "INT", "ABS", "IF", "IFERROR",
    "AND", "OR", "NOT"})
FORMULAS_SHOWN = 20  # DAT25 lines per sheet; the rest are counted in one more line
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


# What unpacking a damaged zip part raises: a bad header or CRC, a cut stream, a broken deflate
# or lzma stream, an unsupported or encrypted method.
_DAMAGED = (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, OSError,
            zlib.error, lzma.LZMAError)


def read_xlsx(batch: Batch, path: Path) -> None:
    """Figures from every data sheet of the workbook into `batch`."""
    file = str(path)
    regular_size(path)  # a FIFO or a device is refused before calamine opens it
    try:
        hidden = _inspect(path)
    except _Refused as refused:
        where = file if refused.sheet is None else f"{file}[{refused.sheet}]"
        batch.error(refused.code, refused.message, Position(where), refused.hint)
        return
    try:
        book = CalamineWorkbook.from_path(file)
        sheets = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet
                  and m.visible == SheetVisibleEnum.Visible]
    except Exception as err:  # calamine raises its own types for every kind of damage
        _unreadable(batch, file, err)
        return
    form = _is_form(path)
    read = filled = 0
    for name in sheets:
        try:  # one grid at a time: never every sheet's grid in memory at once
            grid = book.get_sheet_by_name(name)
            rows = grid.to_python(skip_empty_area=False)
        except Exception as err:
            _unreadable(batch, file, err)
            return
        where = f"{file}!{name}!" if form else f"{file}[{name}]"
        first = next((i for i, r in enumerate(rows) if any(_filled(c) for c in r)), None)
        if first is None:
            continue
        filled += 1
        top = find_header(rows)
        if top is None:
            if form:  # the form's instructions sheet
                continue
            batch.warn("DAT17", _("sheet '{name}' is skipped: no row among its first {TITLE_ROWS} "
                                  "names the columns 'unit' and 'period' (or 'Đơn vị' and 'Kỳ báo "
                                  "cáo'); first row: {describe}").format(
                                  name=name, TITLE_ROWS=TITLE_ROWS + 1,
                                  describe=describe(rows[first])),
                       Position(where, first + 1), _("one row names the columns: unit (or Đơn "
                                                     "vị), period (or Kỳ báo cáo), then the "
                                                     "metrics; title rows may stand above"))
            continue
        read += 1
        header = rows[top]
        merged = [m for m in grid.merged_cell_ranges or []
                  if m[1][0] >= top]  # title rows above the header may be merged
        for (r0, c0), (r1, c1) in merged:
            merged_cells = _("merged header cells {cells}") if r0 <= top \
                else _("merged cells {cells}")
            batch.error("DAT13", merged_cells.format(
                                   cells=f"{cell_ref(r0 + 1, c0 + 1)}:{cell_ref(r1 + 1, c1 + 1)}"),
                        Position(where, r0 + 1, c0 + 1),
                        _("unmerge them: every column needs its own name and every row its own "
                          "unit and period"))
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
        _formulas(batch, [c for c in below if c.formula is not None and c.value
                          and not c.error], where)
        below = [cell for cell in below if cell.error or not cell.value]
        for cell in below:
            if cell.error:
                batch.error("DAT03", _("cell {ref} holds the Excel error {error}").format(
                                       ref=cell.ref, error=cell.error),
                            Position(where, cell.row, cell.col),
                            _("fix the formula, or clear the cell when the figure is missing"))
        refs = [cell.ref for cell in below if not cell.error]
        if refs:
            batch.warn("DAT18", _("{n} formula cell(s) have no saved result ({refs}); they count "
                                  "as missing figures").format(
                                  n=len(refs), refs=', '.join(refs[:5])),
                       Position(where), _("open the workbook in Excel and save it again"))
    if not filled:
        batch.error("DAT06", _("the workbook is empty: no visible sheet holds a cell"),
                    Position(file), translate(_EMPTY_HINT))
    elif not read:
        batch.error("DAT06", _("no sheet has a header row naming 'unit' and 'period' (or 'Đơn vị' "
                               "and 'Kỳ báo cáo')"),
                    Position(file), _("the first row names the columns: unit, period, then one "
                                      "column per metric (wide) or metric, value (long)"))


def _unreadable(batch: Batch, file: str, err: Exception) -> None:
    batch.error("DAT16", _("cannot read as an Excel workbook: {err}").format(err=err),
                Position(file), _("save it from Excel as .xlsx"))


def _formulas(batch: Batch, cells: list[_Hidden], where: str) -> None:
    """Formula cells with a saved result in the figures: DAT26 for one calling outside the
    workbook, else DAT25 (its saved result is read); never evaluated."""
    warned = 0
    for cell in cells:
        outside = _outside(cell.formula or "")
        if outside:
            batch.error("DAT26", _("cell {ref} holds the formula ={formula}, which calls "
                                   "{outside}; it is not read").format(
                                   ref=cell.ref, formula=cell.formula, outside=outside),
                        Position(where, cell.row, cell.col),
                        _("type the figure itself; formulas may use only {names}").format(
                          names=", ".join(sorted(SAFE_FUNCTIONS))))
        elif warned < FORMULAS_SHOWN:
            warned += 1
            batch.warn("DAT25", _("cell {ref} holds the formula ={formula}; its saved result "
                                  "{value} is read as the figure").format(
                                  ref=cell.ref, formula=cell.formula, value=cell.value),
                       Position(where, cell.row, cell.col),
                       _("type the figure itself, or check that the formula is right"))
        else:
            warned += 1
    if warned > FORMULAS_SHOWN:
        batch.warn("DAT25", _("{n} more formula cell(s) have their saved results read as "
                              "figures").format(n=warned - FORMULAS_SHOWN), Position(where),
                   _("type the figures themselves, or check that the formulas are right"))


_STRING = re.compile(r'"(?:[^"]|"")*"')
_QUOTED = re.compile(r"'(?:[^']|'')*'")
_FUNCTION = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")


def _outside(formula: str) -> str | None:
    """What in `formula` reaches outside the workbook: a DDE link (`|`), another workbook
    (`[`), or the first function not in SAFE_FUNCTIONS; None when nothing does."""
    code = _STRING.sub('""', formula)
    if "|" in code:
        return _("a DDE link")
    code = _QUOTED.sub("''", code)  # a sheet's name: 'Số liệu (2)'!A1
    if "[" in code:
        return _("another workbook")
    for name in _FUNCTION.findall(code):
        bare = name.upper().removeprefix("_XLFN.").removeprefix("_XLWS.")
        if bare not in SAFE_FUNCTIONS:
            return bare
    return None


def _filled(cell: object) -> bool:
    return not (cell is None or (isinstance(cell, str) and not cell.strip()))


def _is_form(path: Path) -> bool:
    """Whether `cchc form` wrote the workbook (its custom property): then its problems are
    placed Excel-style, `form.xlsx!Số liệu!D7`."""
    try:
        with zipfile.ZipFile(path) as book:
            info = book.getinfo("docProps/custom.xml")
            if info.file_size > 1 << 20:
                return False
            return b'name="cchc-form"' in book.read(info)
    except (KeyError, ValueError, *_DAMAGED):
        return False


@dataclass(frozen=True)
class _Hidden:
    """A cell calamine does not show as it is: an Excel error, a formula whose result was
    never saved (value None), or a formula calamine shows by its saved result."""

    row: int
    col: int
    ref: str
    error: str | None
    formula: str | None = None
    value: str | None = None


class _Refused(Exception):
    """A workbook not handed to calamine: empty, damaged or over a limit; `sheet` names the
    sheet at fault, if one is."""

    def __init__(self, code: str, message: str, hint: str | None = None,
                 sheet: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.hint, self.sheet = code, message, hint, sheet


_EMPTY_HINT = N_("the first row names the columns: unit, period, then one column per metric")
_SPLIT_HINT = N_("split the figures into several workbooks, or save the sheet as CSV")


def _inspect(path: Path) -> dict[str, list[_Hidden]]:
    """Sheet name -> its hidden cells (see `_Hidden`), after refusing (`_Refused`) an empty
    workbook or one over MAX_BYTES or MAX_CELLS. Anything else unexpected is left for calamine
    to report: it gives {} then."""
    if path.stat().st_size == 0:
        raise _Refused("DAT06", _("the file is empty"), translate(_EMPTY_HINT))
    found: dict[str, list[_Hidden]] = {}
    try:
        with zipfile.ZipFile(path) as book:
            members = book.infolist()
            if not members:
                raise _Refused("DAT06", _("the workbook is empty: it holds no sheet"),
                               translate(_EMPTY_HINT))
            declared = sum(m.file_size for m in members)
            if declared > MAX_BYTES:
                raise _Refused("DAT23", _("the workbook unpacks to {declared:,} bytes; the limit "
                                          "is {MAX_BYTES:,}").format(
                                          declared=declared, MAX_BYTES=MAX_BYTES),
                               translate(_SPLIT_HINT))
            names = {m.filename for m in members}
            strings = next((m for m in members if m.filename.lower() == "xl/sharedstrings.xml"),
                           None)
            if strings is not None and strings.file_size > MAX_STRINGS_BYTES:
                raise _Refused("DAT23", _("the workbook's shared strings unpack to {size:,} "
                                          "bytes; the limit is {limit:,}").format(
                                          size=strings.file_size, limit=MAX_STRINGS_BYTES),
                               translate(_SPLIT_HINT))
            if "xl/workbook.xml" not in names:
                raise _Refused("DAT06", _("the workbook is empty: it has no sheet with data (no "
                                          "xl/workbook.xml)"), _("save it from Excel as .xlsx"))
            rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
            budget = [MAX_CELLS]  # cells left for the visible sheets' grids, all together
            for sheet in workbook.iter(f"{_NS}sheet"):
                target = targets.get(sheet.get(_REL), "")
                member = target.lstrip("/") if target.startswith("/") else str(
                    PurePosixPath("xl") / target)
                name = sheet.get("name", "")
                try:
                    with book.open(member) as xml:
                        visible = sheet.get("state", "visible") == "visible"
                        cells = _scan(xml, name, budget if visible else [MAX_CELLS])
                except (*_DAMAGED, ElementTree.ParseError) as err:
                    # its size is not vouched for: calamine must not be the one to find out
                    raise _Refused("DAT16", _("cannot read as an Excel workbook: the sheet is "
                                              "damaged ({err})").format(
                                              err=err), _("save it from Excel as .xlsx"),
                                   name) from None
                if cells:
                    found[name] = cells
                names.discard(member)
            for member in sorted(names):
                _drain(book, member)
    except (zlib.error, EOFError, lzma.LZMAError) as err:
        # a part that does not unpack (the fuzz suite's "invalid distance too far back"):
        # said here, where it is found, never an internal error
        raise _Refused("DAT16", _("cannot read as an Excel workbook: a part is damaged "
                                  "({err})").format(err=err),
                       _("save it from Excel as .xlsx")) from None
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}
    return found


def _scan(xml: IO[bytes], sheet: str, budget: list[int]) -> list[_Hidden]:
    """The sheet's hidden cells (and formula cells); `_Refused` as soon as its declared
    dimension or its last used row × column exceeds what is left of the workbook's cells
    (`budget[0]`, then lowered by this sheet's grid), before calamine would build it."""
    cells: list[_Hidden] = []
    shared: dict[str, str] = {}  # a shared formula's index -> its text (on its first cell)
    row = col = rows = cols = 0
    left = budget[0]
    for event, elem in ElementTree.iterparse(xml, events=("start", "end")):
        if event == "start":
            if elem.tag == f"{_NS}row":
                row, col = _number(elem.get("r")) or row + 1, 0
            elif elem.tag == f"{_NS}dimension":
                last = (elem.get("ref") or "").rpartition(":")[2]
                _check_area(sheet, *_ref_parts(last),
                            _("its declared range ends at {last}").format(last=last), left)
            continue
        if elem.tag == f"{_NS}row":
            elem.clear()
        if elem.tag != f"{_NS}c":
            continue
        ref = elem.get("r") or ""
        at_row, at_col = _ref_parts(ref)
        col = at_col or col + 1
        here = at_row or row
        rows, cols = max(rows, here), max(cols, col)
        _check_area(sheet, rows, cols, f"cell {cell_ref(here, col)} is used", left)
        value = elem.find(f"{_NS}v")
        text = value.text if value is not None else None
        error = text or "#N/A" if elem.get("t") == "e" else None
        formula = elem.find(f"{_NS}f")
        if error or formula is not None:
            cells.append(_Hidden(here, col, ref or cell_ref(here, col), error,
                                 _formula_text(formula, shared), text))
        elem.clear()
    budget[0] = left - rows * cols
    return cells


def _formula_text(formula: ElementTree.Element | None, shared: dict[str, str]) -> str | None:
    """A cell's formula as Excel shows it after `=`; a shared formula's later cells carry
    only its index, so their text is the first cell's (`shared`)."""
    if formula is None:
        return None
    text, index = formula.text or "", formula.get("si")
    if formula.get("t") == "shared" and index is not None:
        text = shared.setdefault(index, text) if text else shared.get(index, "")
    return text[:200]


def _drain(book: zipfile.ZipFile, member: str) -> None:
    """Unpack a part without keeping it: zipfile stops at the declared size and checks the
    CRC, so a part that unpacks to more than it declares is refused here, not in calamine."""
    try:
        with book.open(member) as part:
            while part.read(1 << 20):
                pass
    except _DAMAGED as err:
        raise _Refused("DAT16", _("cannot read as an Excel workbook: part {member} is damaged "
                                  "({err})").format(member=member, err=err),
                       _("save it from Excel as .xlsx")) from None


def _check_area(sheet: str, rows: int, cols: int, why: str, left: int) -> None:
    """`left`: the cells the workbook's limit leaves for this sheet after the sheets before."""
    if rows * cols > left:
        raise _Refused("DAT23", _("the sheet spans {rows:,} rows × {cols:,} columns ({why}); the "
                                  "limit is {MAX_CELLS:,} cells from A1 over all the visible "
                                  "sheets together, {left:,} left for this one").format(
                                  rows=rows, cols=cols, why=why, MAX_CELLS=MAX_CELLS,
                                  left=max(left, 0)),
                       translate(_SPLIT_HINT) + _("; delete stray cells far below or right of "
                                                  "the table"), sheet)


def _ref_parts(ref: str) -> tuple[int, int]:
    """`XFD1048576` -> (1048576, 16384); (0, 0) for anything else."""
    letters = ref.rstrip("0123456789")
    if not letters.isascii() or not letters.isalpha() or len(letters) > 3:
        return 0, 0
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch.upper()) - 64
    return _number(ref[len(letters):]), col


def _number(text: str | None) -> int:
    """A row number; 0 when absent or not digits, and capped (a 5,000-digit one is just
    too large)."""
    if not (text and text.isascii() and text.isdigit()):
        return 0
    return int(text) if len(text) < 13 else 10 ** 12


def limits_problem(path: Path) -> Problem | None:
    """The problem that stops a workbook before calamine opens it (empty, damaged, over the
    size limits: DAT06, DAT16, DAT23), at the file; None when it may be read."""
    regular_size(path)
    try:
        _inspect(path)
    except _Refused as refused:
        where = str(path) if refused.sheet is None else f"{path}[{refused.sheet}]"
        return Problem(refused.code, refused.message, Position(where), refused.hint)
    return None
