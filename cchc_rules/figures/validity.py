"""Figures stage: a unit's figures only for periods that overlap its validity
(`valid_from`/`valid_to`, spec §6), and the warning for the ones dropped."""
from __future__ import annotations

from datetime import date

import polars as pl

from ..errors import Position, Problem
from ..messages import _
from ..periods import Period, parse_period


def _period(text: str) -> Period | None:
    try:
        return parse_period(text)
    except ValueError:
        return None


def outside_validity(values: pl.DataFrame, units: dict) -> tuple[pl.DataFrame, list]:
    """`values` without the figures of a unit for a period wholly outside its validity
    (`valid_from`/`valid_to`), and one UNT12 warning per such unit and period, at its first
    figure (spec §6: a unit only gets results for periods that overlap its validity)."""
    gone = _outside(values, units)
    if gone is None:
        return values, []
    dated = {uid: (u.valid_from, u.valid_to) for uid, u in units.items()}
    dropped = values.join(gone, on=["unit", "period"], how="semi", maintain_order="left")
    warnings = []
    for (unit, period), group in dropped.group_by("unit", "period", maintain_order=True):
        first = group.row(0, named=True)
        start, end = dated[unit]
        warnings.append(Problem(
            "UNT12", _("figures of '{unit}' for {period} are ignored: the unit exists only "
                       "{span}").format(unit=unit, period=period, span=_span(start, end)),
            Position(first["file"], first["line"], first.get("col") or 0),
            _("report them for the unit in force then (its successor), or fix the period"),
            "warning", about=(("unit", unit), ("period", period))))
    return values.join(gone, on=["unit", "period"], how="anti", maintain_order="left"), warnings



def within_validity(values: pl.DataFrame, units: dict) -> pl.DataFrame:
    """`values` without the rows of a unit for a period wholly outside its validity (sums
    rolled up into a unit that did not exist then)."""
    gone = _outside(values, units)
    return values if gone is None else values.join(gone, on=["unit", "period"], how="anti",
                                                   maintain_order="left")



def _outside(values: pl.DataFrame, units: dict) -> pl.DataFrame | None:
    """(unit, period) pairs of `values` wholly outside the unit's validity; None if none."""
    dated = {uid: (u.valid_from, u.valid_to) for uid, u in units.items()
             if u.valid_from or u.valid_to}
    if not dated or not values.height:
        return None
    pairs = values.select("unit", "period").unique(maintain_order=True).rows()
    out = [(u, p) for u, p in pairs if u in dated and (span := _period(p)) is not None
           and not _overlaps(dated[u], span)]
    return pl.DataFrame(out, schema=["unit", "period"], orient="row") if out else None



def exists_during(unit, period: Period) -> bool:
    """Whether `unit` (a units.Unit) existed on some day of `period`."""
    return _overlaps((unit.valid_from, unit.valid_to), period)


def exists_at_end(unit, period: Period) -> bool:
    """Whether `unit` (a units.Unit) exists on the last day of `period` (one that ended
    during the period is reported for by its successor)."""
    end = period.end
    return ((unit.valid_from is None or date.fromisoformat(unit.valid_from) <= end)
            and (unit.valid_to is None or end <= date.fromisoformat(unit.valid_to)))


def _overlaps(span: tuple[str | None, str | None], period: Period) -> bool:
    start, end = span
    return ((start is None or date.fromisoformat(start) <= period.end)
            and (end is None or period.start <= date.fromisoformat(end)))



def _span(start: str | None, end: str | None) -> str:
    """When a unit exists: 'from 2025-07-01', 'until 2025-06-30' or both."""
    if start and end:
        return _("from {start} until {end}").format(start=start, end=end)
    return _("from {start}").format(start=start) if start else _("until {end}").format(end=end)
