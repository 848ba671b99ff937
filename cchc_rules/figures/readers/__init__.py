"""Data stage: one reader per file format, all adding to a shared `Batch` (see data.py)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...errors import CchcError, Position
from ...messages import _
from .batch import Batch
from .csv import read_csv, read_units_csv
from .yaml_json import read_yaml


def read_xlsx(batch: Batch, path: Path) -> None:
    """The workbook reader, imported when a workbook is read: calamine, zip and XML cost
    4 ms at the start of a run that reads none (issue 28)."""
    from .xlsx import read_xlsx as read
    read(batch, path)


READERS: dict[str, Callable[[Batch, Path], None]] = {
    ".yaml": read_yaml, ".yml": read_yaml, ".json": read_yaml, ".csv": read_csv,
    ".tsv": read_csv, ".txt": read_csv, ".xlsx": read_xlsx, ".xlsm": read_xlsx,
}
UNIT_READERS: dict[str, Callable[[Batch, Path], None]] = {
    ".yaml": lambda b, p: read_yaml(b, p, units_only=True),
    ".yml": lambda b, p: read_yaml(b, p, units_only=True),
    ".json": lambda b, p: read_yaml(b, p, units_only=True),
    ".csv": read_units_csv,
}


def read_into(batch: Batch, path: Path, units: bool = False) -> None:
    """Read one file by its extension; its problems join the batch, so the next file is
    still read and every problem is reported together."""
    readers = UNIT_READERS if units else READERS
    reader = readers.get(path.suffix.lower())
    if reader is None:
        unknown = _("unknown units file type '{name}'") if units \
            else _("unknown data file type '{name}'")
        batch.error("IO03", unknown.format(name=path.suffix or path.name), Position(str(path)),
                    _("use {readers}").format(readers=", ".join(sorted(readers))))
        return
    try:
        reader(batch, path)
    except CchcError as err:
        batch.absorb(err)


__all__ = ["Batch", "read_into"]
