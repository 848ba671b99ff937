"""Reporting periods: "2024", "2024-H1", "2024-Q1", "2024-03", with their first and last days."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

_PATTERN = re.compile(r"^(\d{4})(?:-(?:H([12])|Q([1-4])|(0[1-9]|1[0-2])))?$")


@dataclass(frozen=True)
class Period:
    text: str
    kind: str  # "year", "half", "quarter", "month"
    start: date
    end: date

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=4096)
def parse_period(text: str) -> Period:
    """Parse a period string; ValueError with a planner-readable message otherwise."""
    m = _PATTERN.match(str(text).strip()) if isinstance(text, str) else None
    if not m:
        raise ValueError(
            f"'{text}' is not a period; expected \"2024\", \"2024-H1\", \"2024-Q1\" or \"2024-03\"")
    year = int(m.group(1))
    if m.group(2):
        half = int(m.group(2))
        first, last, kind = 6 * half - 5, 6 * half, "half"
    elif m.group(3):
        q = int(m.group(3))
        first, last, kind = 3 * q - 2, 3 * q, "quarter"
    elif m.group(4):
        first = last = int(m.group(4))
        kind = "month"
    else:
        first, last, kind = 1, 12, "year"
    end = date(year, last, calendar.monthrange(year, last)[1])
    return Period(text.strip(), kind, date(year, first, 1), end)


def is_period(text: object) -> bool:
    try:
        parse_period(text)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True
