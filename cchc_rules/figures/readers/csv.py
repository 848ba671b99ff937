"""Data stage: CSV files of figures (long or wide) and of units, as planners export them.

UTF-8 with or without BOM, CRLF or LF, quoted fields; ';' or tab separators are recognised
from the header line (Excel writes ';' where ',' is the decimal mark). Positions are file:line.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from ...errors import CchcError, Position
from ...files import read_capped
from ...messages import N_, _, translate
from ..units import FIELDS, parse_unit
from .batch import Batch
from .crosswalk import is_crosswalk, read_crosswalk
from .table import TITLE_ROWS, find_header, read_columns, read_header, read_rows

MAX_BYTES = 512 * 1024 * 1024
_BOM = "\ufeff".encode()
UTF8_HINT = N_("save the file as UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')")


def read_text(path: Path) -> str:
    """The file's text without a BOM; CchcError naming the line of the first non-UTF-8 byte."""
    return _read_raw(path)[1]


def _read_raw(path: Path) -> tuple[bytes, str]:
    """`read_text`, with the bytes it was read from (without a BOM: the text's UTF-8)."""
    file = str(path)
    raw = read_capped(path, MAX_BYTES, lambda size: CchcError.one(
        "IO02", _("file is larger than {MAX_BYTES:,} bytes").format(
                  MAX_BYTES=MAX_BYTES), Position(file),
        _("split the figures into several files")))
    try:
        text = raw.decode("utf-8-sig")   # one BOM dropped, if there is one
        return raw.removeprefix(_BOM), text
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise CchcError.one("DAT14", _("file is not UTF-8 text: byte 0x{byte:02X} cannot be "
                                       "read").format(byte=raw[err.start]), Position(file, line),
                            translate(UTF8_HINT)) from None


def _head(text: str, lines: int) -> str:
    """The first `lines` (one or more) lines of `text` (the whole text when it has fewer),
    without the line break after them: no copy of the rest of a large file."""
    end = -1
    for _line in range(lines):
        end = text.find("\n", end + 1)
        if end < 0:
            return text
    return text[:end]


def _delimiter(text: str) -> str:
    # the first line with a separator decides it (title lines above the header may have none)
    top = _head(text, TITLE_ROWS + 1).split("\n")
    first = next((line for line in top if any(d in line for d in ",;\t")), "")
    return max((",", ";", "\t"), key=first.count) if first else ","


def read_cells(path: Path, text: str | None = None) -> list[tuple[int, list[str]]]:
    """(line, cells) for every record; a record's line is where it starts (header = 1)."""
    if text is None:
        text = read_text(path)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        if '"' not in text:
            # Without quotes every record is one line: let the C reader run uninterrupted.
            return [(i, cells) for i, cells in enumerate(reader, start=1) if cells]
        records: list[tuple[int, list[str]]] = []
        start = 1
        for cells in reader:
            if cells:
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as err:
        raise CchcError.one("DAT15", _("not valid CSV: {err}").format(err=err),
                            Position(str(path), reader.line_num), _("a quoted cell must end with "
                                                                    "a quote")) from None
    return records


def _header_and_rows(batch: Batch, path: Path, text: str | None = None
                     ) -> tuple[int, list[str], list[tuple[int, list[str]]]] | None:
    records = read_cells(path, text)
    if not records:
        batch.error("DAT06", _("the file is empty"), Position(str(path)))
        return None
    # title rows may stand above the header
    top = find_header([cells for _, cells in records[:TITLE_ROWS * 4]]) or 0
    (line, header), rows = records[top], records[top + 1:]
    return line, header, rows


def read_csv(batch: Batch, path: Path) -> None:
    """Figures from a long or wide CSV file into `batch`."""
    file = str(path)
    raw, text = _read_raw(path)
    if _read_plain(batch, raw, text, file):
        return
    split = _header_and_rows(batch, path, text)
    if split is None:
        return
    line, header, rows = split
    width = len(header)
    layout = read_header(batch, header, [cells for _, cells in rows], file, line, [0] * width)
    if layout is not None:
        read_rows(batch, layout, rows, file, [0] * width, width, text_only=True)


def _read_plain(batch: Batch, raw: bytes, text: str, file: str) -> bool:
    """The common file read by polars' own CSV reader: the header on line 1 with every
    column named, then one record per line (no quotes, no blank lines, no lone CR), every
    row no wider than the header. False, having read nothing, for any other file: the
    cell-by-cell reader above takes it, with its line numbers and messages."""
    if not text or '"' in text or "\x00" in text \
            or ("\r" in text and text.count("\r") != text.count("\r\n")) \
            or "\n\n" in text or "\n\r\n" in text or text.startswith(("\n", "\r")):
        return False
    delimiter = _delimiter(text)
    top = [cells for cells in csv.reader(io.StringIO(_head(text, TITLE_ROWS * 4)),
                                         delimiter=delimiter)]
    header = top[0] if top else []
    if find_header(top) != 0 or not all(cell.strip() for cell in header):
        return False
    try:
        frame = pl.read_csv(raw, has_header=False, separator=delimiter,
                            quote_char=None, skip_rows=1,
                            schema={str(j): pl.String for j in range(len(header))})
    except (pl.exceptions.PolarsError, ValueError):   # a row wider than the header
        return False
    cols = [0] * len(header)
    layout = read_header(batch, header, [], file, 1, cols)
    if layout is not None and frame.height:
        read_columns(batch, layout, pl.int_range(2, frame.height + 2, eager=True),
                     frame.get_columns(), file, cols, text_only=True)
    return True


def read_units_csv(batch: Batch, path: Path) -> None:
    """Units from a CSV file with columns id, name, level, parent (and optionally valid_from,
    valid_to, successor)."""
    file = str(path)
    split = _header_and_rows(batch, path)
    if split is None:
        return
    line, header, rows = split
    names = [h.strip() for h in header]
    if is_crosswalk(names):   # old_code,new_code,kind: a crosswalk of the reorganisation
        read_crosswalk(batch, file, line, names, rows)
        return
    unknown = [n for n in names if n not in FIELDS]
    if unknown or "id" not in names:
        columns = (_("a units file has the columns {fields}; not {unknown}") if unknown
                   else _("a units file has the columns {fields}"))
        batch.error("UNT01", columns.format(fields=", ".join(FIELDS),
                                            unknown=", ".join(repr(n) for n in unknown)),
                    Position(file, line), _("id is required, the others optional"))
        return
    for row_line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        entry = dict(zip(names, cells, strict=False))
        def pos_of(_key: str | None, at: int = row_line) -> Position:
            return Position(file, at)

        unit, problems = parse_unit(entry, pos_of)
        batch.problems.extend(problems)
        if unit is not None:
            batch.units.append(unit)
