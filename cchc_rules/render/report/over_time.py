"""Render stage: the report over time — units that ended (`valid_to`, `successor`), the
territory each result was compared on (spec §6), and the figures ignored outside a unit's
validity (UNT12). Reads the dated unit graph; changes nothing the evaluator decided.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ...derive.territory import absorbed
from ...domain import Status
from ...figures.unitgraph import UnitGraph
from ...periods import Period, day_after, parse_period
from ...present import Formatter
from .context import EndedUnit, IgnoredRow

_OP_DIRECTION = {">=": "higher", ">": "higher", "<=": "lower", "<": "lower"}


def _period(text: str | None) -> Period | None:
    try:
        return parse_period(text) if text else None
    except ValueError:
        return None


def direction(target: Any) -> str | None:
    """"lower" when a smaller value is better (the last milestone is `<=` or `<`), "higher"
    for `>=` and `>`, None for `between` and `==` (neither way is better)."""
    return _OP_DIRECTION.get(target.milestones[-1].op) if target.milestones else None


class UnitTimes:
    """What the report says about units over time, for units shown by name."""

    def __init__(self, units: Mapping[str, Any], names: Mapping[str, str], fmt: Formatter,
                 words: Mapping[str, str]) -> None:
        self.graph = UnitGraph.from_units(units)
        self.names, self.fmt, self.t = names, fmt, words
        self.changes = any(u.successor or u.split_into or u.valid_to for u in units.values())

    def name(self, unit: str) -> str:
        return self.names.get(unit) or unit

    def last_day(self, unit: str) -> date | None:
        return self.graph.lifetime(unit)[1] if unit in self.graph.units else None

    def ended(self, unit: str) -> EndedUnit | None:
        """The unit's end (last day, successor or the units it was split among), or None."""
        last = self.last_day(unit)
        if last is None:
            return None
        u = self.graph.units[unit]
        successor = self.graph.successor_of(unit)
        heirs = [successor] if successor else [s for s in u.split_into if s in self.graph.units]
        heir_names = ", ".join(self.name(h) for h in heirs)
        key = "ended.merged" if successor else "ended.split" if heirs else "ended.plain"
        note = self.t[key].format(day=self.fmt.date(last), successor=heir_names)
        return EndedUnit(id=unit, name=self.name(unit), last_day=self.fmt.date(last),
                         successors=[self.name(h) for h in heirs], note=note)

    def ended_units(self, shown: set[str]) -> dict[str, EndedUnit]:
        return {uid: e for uid in sorted(shown) if (e := self.ended(uid))}

    def events(self, units: list[str]) -> list[tuple[date, str]]:
        """(first day of the successor's territory, "A → B") for the charted units that
        ended into another unit."""
        out = []
        for unit in units:
            last, heir = self.last_day(unit), self.graph.successor_of(unit)
            if last is not None and heir:
                out.append((day_after(last), f"{self.name(unit)} → {self.name(heir)}"))
        return out

    def is_ended_pending(self, unit: str, status: str, deadline: str | None) -> bool:
        """A pending result of a unit that ended before its deadline: it will never be due."""
        last = self.last_day(unit)
        if status != Status.PENDING or last is None:
            return False
        due = _period(deadline)
        return due is None or due.end > last

    def with_predecessors(self, order: list[str], has_data: set[str]) -> list[str]:
        """`order` with, right after each unit, the units that ended into it and have data:
        a merged unit's history is charted beside its successor."""
        out: list[str] = []
        for unit in order:
            before = absorbed(self.graph, unit) if unit in self.graph.units else []
            for u in (unit, *before):
                if u not in out and (u == unit or u in has_data):
                    out.append(u)
        return out

    def compared_on(self, unit: str, period: str, territory: str | None,
                    changed: str | None) -> str:
        """The territory a result was compared on, in words."""
        t, fmt = self.t, self.fmt
        if changed:
            return t["territory.changed"].format(day=fmt.date(date.fromisoformat(changed)))
        if unit not in self.graph.units:
            return t["territory.same"]
        if territory:   # spec §6: the base period restated on this period's territory
            members = [m for m in territory.split(" + ") if m != unit]
            return t["territory.restated"].format(
                unit=self.name(unit), members=", ".join(self.name(m) for m in members),
                since=fmt.date(self._since(members)))
        merged = [m for m in absorbed(self.graph, unit) if self.last_day(m)]
        span = _period(period)
        if merged and span is not None:
            after = [m for m in merged
                     if (day := self.last_day(m)) is not None and day < span.end]
            if after:
                return t["territory.new"].format(
                    unit=self.name(unit), members=", ".join(self.name(m) for m in after),
                    since=fmt.date(self._since(after)))
            return t["territory.old"].format(unit=self.name(unit),
                                             since=fmt.date(self._since(merged, first=True)))
        last = self.last_day(unit)
        if last is not None:
            return t["territory.until"].format(unit=self.name(unit), day=fmt.date(last))
        return t["territory.same"]

    def _since(self, members: list[str], first: bool = False) -> date:
        days = [day_after(d) for m in members if (d := self.last_day(m))]
        return (min if first else max)(days) if days else date.min

    def ignored(self, warnings: list[Any]) -> tuple[list[IgnoredRow], list[Any]]:
        """The UNT12 warnings (figures of a unit for a period outside its validity) as rows,
        read from what each warning is `about` (its unit and period), and the other
        warnings."""
        rows, rest = [], []
        for w in warnings:
            if getattr(w, "code", None) != "UNT12":
                rest.append(w)
                continue
            about = dict(w.about)
            unit, period = about.get("unit"), about.get("period", "")
            where = f"{w.pos.file.rsplit('/', 1)[-1]}:{w.pos.line}" if w.pos else ""
            if unit is None or unit not in self.graph.units:
                rows.append(IgnoredRow(unit="", unit_name="", period=period, where=where,
                                       reason=str(w.message)))
                continue
            u = self.graph.units[unit]
            start, end = u.valid_from, u.valid_to
            key = ("ignored.between" if start and end else
                   "ignored.from" if start else "ignored.until")
            reason = self.t[key].format(
                start=self.fmt.date(date.fromisoformat(start)) if start else "",
                end=self.fmt.date(date.fromisoformat(end)) if end else "")
            rows.append(IgnoredRow(unit=unit, unit_name=self.name(unit), period=period,
                                   where=where, reason=reason))
        return rows, rest
