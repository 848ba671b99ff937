"""Errors as data: every problem carries its position, a stable code and a hint.

Shared by every pipeline stage (load, validate, compile, evaluate, render).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .messages import _

Severity = Literal["error", "warning"]

# C0 and C1 control characters, DEL and the Unicode line/paragraph separators: inside a
# message they could start a forged `file:1:1: error …` line or drive the terminal (ANSI
# escapes), so they are shown escaped, as Python writes them: \n, \r, \t, \x1b, \u2028.
_CONTROLS = [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
_ESCAPES = {c: chr(c).encode("unicode_escape").decode("ascii") for c in _CONTROLS}
_CONTROL_CLASS = re.compile("[" + "".join(f"\\u{c:04x}" for c in _CONTROLS) + "]")
CONTROL_PATTERN = _CONTROL_CLASS.pattern   # the same class for polars' str.contains


def escape_controls(text: str) -> str:
    """`text` with every control character written as an escape (`\n`, `\x1b`)."""
    return text.translate(_ESCAPES)


def has_controls(text: str) -> bool:
    """Whether `text` holds a character `escape_controls` would rewrite."""
    return _CONTROL_CLASS.search(text) is not None


def cell_ref(row: int, col: int) -> str:
    """1-based row and column as Excel's A1 reference."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


@dataclass(frozen=True, order=True)
class Position:
    """A place in an input file; line and col are 1-based, 0 means unknown. A `file` ending
    in '!' is a sheet of a form workbook (`form.xlsx!Số liệu!`): its cells read `…!D7`."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.file.endswith("!") and self.file.count("!") > 1:
            if self.line and self.col:
                return self.file + cell_ref(self.line, self.col)
            return f"{self.file[:-1]}:{self.line}" if self.line else self.file[:-1]
        if self.line and self.col:
            return f"{self.file}:{self.line}:{self.col}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file

    def shifted(self, cols: int) -> Position:
        """The position `cols` characters further on the same line."""
        return Position(self.file, self.line, self.col + cols if self.col else 0)


@dataclass(frozen=True)
class Problem:
    """One finding: `plan.yaml:12:7: error SCH01 'value' must be a number [hint]`."""

    code: str
    message: str
    pos: Position | None = None
    hint: str | None = None
    severity: Severity = "error"
    # what the finding is about, for a reader that lists findings as data (the report's
    # table of ignored figures): e.g. {"unit": "ha-giang", "period": "2025"}; never printed
    about: tuple[tuple[str, str], ...] = ()

    @property
    def place(self) -> tuple[int, int]:
        """(line, col): how problems of one file sort; (0, 0) without a position."""
        return (self.pos.line, self.pos.col) if self.pos is not None else (0, 0)

    def format(self) -> str:
        where = f"{self.pos}: " if self.pos else ""
        hint = f" [{self.hint}]" if self.hint else ""
        return escape_controls(f"{where}{self.severity} {self.code} {self.message}{hint}")

    def __str__(self) -> str:
        return self.format()

    def record(self) -> dict:
        """The problem as data (`--problems-format json`, the results' `diagnostics`): code,
        severity, message and hint in the message language, position (null when none),
        and `fields`, what the finding is about (counts, unit, period) as text."""
        pos = self.pos
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "hint": self.hint, "file": pos.file if pos else None,
                "line": pos.line or None if pos else None,
                "col": pos.col or None if pos else None, "fields": dict(self.about)}


@dataclass
class CchcError(Exception):
    """Raised with every problem a stage found, never just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("\n".join(p.format() for p in self.problems))

    @classmethod
    def one(cls, code: str, message: str, pos: Position | None = None,
            hint: str | None = None) -> CchcError:
        return cls([Problem(code, message, pos, hint)])


class Unreachable(CchcError):
    """The data could not be reached — a database down, refusing the login, timing out or
    dropping the connection: the input may be right, so a scheduler tries again later
    (the CLI exits 3, not 2)."""


def did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    """A "did you mean 'x'?" hint when a known name is close to `name`."""
    from difflib import get_close_matches  # only when a name is unknown: not at start-up
    close = get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return _("did you mean '{name}'?").format(name=close[0]) if close else None


def raise_if(problems: list[Problem]) -> None:
    """Raise a CchcError when any of `problems` is an error."""
    if any(p.severity == "error" for p in problems):
        raise CchcError(problems)
