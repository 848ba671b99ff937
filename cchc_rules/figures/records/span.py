"""Records: the days their dates reach, read and bounded before any period is made of them.

An engine hands back a day outside Python's calendar (DuckDB: `99999-01-01` or a BC day) as
text, and one typo in a year (`0001-01-05`) would make a period of every month since year 1
for every unit. So the first and last days are read here, and a source whose dates are not
days of years 1 to 9998, or span more than MAX_SPAN_YEARS, is refused (REC14) before the
periods are made.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from ...errors import CchcError, Position, Problem
from ...messages import _

MAX_SPAN_YEARS = 100  # years from a source's first record date to its last
_LAST_YEAR = 9998     # the periods of year 9999 have no next one (9999-12 + 1 month)


def record_day(value: object) -> date | None:
    """A day of the engine's `first_day`/`last_day` column; None when it is not one that
    can be counted in a period (text for a day outside 0001..9999, a year past 9998)."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date) or value.year > _LAST_YEAR:
        return None
    return value


def check_span(source: str, where: str, stats: Sequence[tuple]) -> list[date]:
    """The first and last days of every unit's records (`stats` rows: unit, rows, first,
    last), after refusing (REC14) days that cannot be counted and a span over
    MAX_SPAN_YEARS."""
    days, far = [], []
    for _unit, _rows, *ends in stats:
        for value in ends:
            if value is None:
                continue
            day = record_day(value)
            if day is None:
                far.append(str(value))
            else:
                days.append(day)
    if far:
        raise CchcError([Problem("REC14", _(
            "records of '{source}' are dated {days}: not a day from year 1 to {last}").format(
                source=source, days=", ".join(sorted(set(far))[:3]), last=_LAST_YEAR),
            Position(where), _("fix the year of those dates in the export"))])
    if days and max(days).year - min(days).year > MAX_SPAN_YEARS:
        raise CchcError([Problem("REC14", _(
            "records of '{source}' span {first} to {last}, more than {years} years: a "
            "mistyped year would make a period of every month in between").format(
                source=source, first=min(days).isoformat(), last=max(days).isoformat(),
                years=MAX_SPAN_YEARS),
            Position(where), _("fix the year of the first or last dates in the export"))])
    return days
