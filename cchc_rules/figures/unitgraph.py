"""Data stage: the units as a dated graph — parent edges in force between two dates, and
successor edges — and, for a list of periods, the child → parent frame roll-up sums along.

`Unit.parent` is an undated edge (always in force); `Unit.parents` holds dated edges (a
commune under a district until 2025-06-30, under the province from 2025-07-01), which win
on the days they are in force.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import NamedTuple

import polars as pl

from ..errors import CchcError, Problem
from ..messages import _
from ..periods import Period
from .units import Unit, check_tree, refuse_cycles


class ParentEdge(NamedTuple):
    """`child` is under `parent` from `valid_from` to `valid_to` (both included; None: open).
    A named tuple: a graph makes one per unit each evaluation, and a frozen dataclass took
    twice as long to build (3.5 ms of 3,355 national units)."""

    child: str
    parent: str
    valid_from: date | None = None
    valid_to: date | None = None

    def in_force(self, day: date) -> bool:
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))


_OPEN: tuple[date | None, date | None] = (None, None)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True, eq=False)
class UnitGraph:
    """Declared units, their parent edges (declaration order) and successor edges."""

    units: Mapping[str, Unit]
    parents: tuple[ParentEdge, ...]
    successors: Mapping[str, str]   # ended unit -> the unit that took it over

    @classmethod
    def from_units(cls, units: Mapping[str, Unit], dated: Iterable[ParentEdge] = ()
                   ) -> UnitGraph:
        """The `dated` edges, then each unit's declared `parent` as an undated edge: on a day
        when a dated edge of a unit is in force it wins over the undated one. Edges and
        successors naming an undeclared unit are left out (check_tree reports them)."""
        declared = [ParentEdge(u.id, pid, _day(start), _day(end))
                    for u in units.values() for pid, start, end in u.parents]
        edges = [e for e in (*dated, *declared) if e.child in units and e.parent in units]
        edges += [ParentEdge(u.id, u.parent) for u in units.values()
                  if u.parent is not None and u.parent in units]
        successors = {u.id: u.successor for u in units.values()
                      if u.successor is not None and u.successor in units}
        return cls(units, tuple(edges), successors)

    def lifetime(self, unit: str) -> tuple[date | None, date | None]:
        """The unit's own `valid_from` and `valid_to` (None: open)."""
        u = self.units[unit]
        if u.valid_from is None and u.valid_to is None:
            return _OPEN   # most units: no date to read
        return _day(u.valid_from), _day(u.valid_to)

    def exists_on(self, unit: str, day: date) -> bool:
        first, last = self.lifetime(unit)
        return (first is None or first <= day) and (last is None or day <= last)

    @cached_property
    def _edges_of(self) -> dict[str, list[ParentEdge]]:
        out: dict[str, list[ParentEdge]] = {}
        for edge in self.parents:
            out.setdefault(edge.child, []).append(edge)
        return out

    def parent_at(self, unit: str, day: date) -> str | None:
        """The parent of `unit` in force on `day` (the first such edge), None when none is."""
        return next((e.parent for e in self._edges_of.get(unit, ()) if e.in_force(day)), None)

    def children_at(self, unit: str, day: date) -> list[str]:
        """The units whose parent on `day` is `unit` and that exist on that day, in
        declaration order."""
        return [child for child in self.units if child in self._edges_of
                and self.parent_at(child, day) == unit and self.exists_on(child, day)]

    def successor_of(self, unit: str) -> str | None:
        return self.successors.get(unit)

    def predecessors_of(self, unit: str) -> list[str]:
        """The units whose successor is `unit`, in declaration order."""
        return self._heirs.get(unit, [])

    @cached_property
    def _heirs(self) -> dict[str, list[str]]:
        """Successor -> the units it took over: built once, so a walk along a chain of
        mergers is linear in it, not in the chain times all the units."""
        out: dict[str, list[str]] = {}
        for old, new in self.successors.items():
            out.setdefault(new, []).append(old)
        return out

    def parent_frame(self, periods: Sequence[Period | None]) -> pl.DataFrame:
        """(child, parent, p, level): for each period (p = its index in `periods`), each unit
        existing in it (validity overlapping the period) under the parent in force on the
        period's last day, or on the unit's own last day when it ended earlier. `level` is the
        child's depth in that period's tree (1 under a root), so summing the highest level
        first feeds each sum into the next level up. A None period (text that does not parse)
        takes every unit and only undated edges. CchcError when the edges form a cycle,
        naming each cycle of declared parents (refuse_cycles) before anything walks them."""
        lives = [self.lifetime(e.child) for e in self.parents]
        if not any(e.valid_from or e.valid_to for e in self.parents) \
                and not any(a or b for a, b in lives):
            fixed = self._undated_levels()
            if fixed is not None:   # no date anywhere: the same tree in every period
                if any(u.parents for u in self.units.values()):
                    # the walk took each unit's first edge: its `parent` may close a cycle
                    refuse_cycles(self.units)
                return fixed.join(pl.DataFrame({"p": range(len(periods))},
                                               schema={"p": pl.UInt32}), how="cross") \
                    .select("child", "parent", "p", "level")
        # without a date, `_undated_levels` walked every `parent` link: no cycle among them
        refuse_cycles(self.units)
        edges = pl.DataFrame({
            "child": [e.child for e in self.parents], "parent": [e.parent for e in self.parents],
            "e_from": [e.valid_from for e in self.parents],
            "e_to": [e.valid_to for e in self.parents],
            "c_from": [life[0] for life in lives], "c_to": [life[1] for life in lives],
        }, schema={"child": pl.String, "parent": pl.String, "e_from": pl.Date, "e_to": pl.Date,
                   "c_from": pl.Date, "c_to": pl.Date})
        spans = pl.DataFrame({"p": range(len(periods)),
                              "start": [p.start if p else None for p in periods],
                              "end": [p.end if p else None for p in periods]},
                             schema={"p": pl.UInt32, "start": pl.Date, "end": pl.Date})
        start, end = pl.col("start"), pl.col("end")
        began, ended = pl.col("c_from"), pl.col("c_to")
        alive = ((began.is_null() | end.is_null() | (began <= end))
                 & (ended.is_null() | start.is_null() | (ended >= start)))
        day = pl.when(end.is_null()).then(None).otherwise(pl.min_horizontal(end, ended))
        in_force = ((pl.col("e_from").is_null() | (pl.col("e_from") <= day).fill_null(False))
                    & (pl.col("e_to").is_null() | (pl.col("e_to") >= day).fill_null(False)))
        links = (edges.join(spans, how="cross").filter(alive & in_force)
                 .unique(["child", "p"], keep="first", maintain_order=True)
                 .select("child", "parent", "p"))
        return links.join(self._levels(links), on=["child", "p"], maintain_order="left")

    def _undated_levels(self) -> pl.DataFrame | None:
        """(child, parent, level) when no edge and no unit has a date: each child under its
        first edge's parent, at its depth; None on a cycle (`_levels` then reports it)."""
        parent: dict[str, str] = {}
        for edge in self.parents:
            parent.setdefault(edge.child, edge.parent)
        depth: dict[str, int] = {}
        for child in parent:
            path = [child]
            while path[-1] in parent and path[-1] not in depth:
                path.append(parent[path[-1]])
                if len(path) > len(self.units) + 1:
                    return None
            below = depth.get(path[-1], 0)
            for node in reversed(path[:-1]):
                below += 1
                depth[node] = below
        return pl.DataFrame({"child": list(parent), "parent": list(parent.values()),
                             "level": [depth[c] for c in parent]},
                            schema={"child": pl.String, "parent": pl.String, "level": pl.Int32})

    def _levels(self, links: pl.DataFrame) -> pl.DataFrame:
        """(child, p, level): how many parent edges lead from the child to its period's root."""
        up = links.rename({"child": "via", "parent": "next"})
        walk = links.select("child", "p", pl.col("parent").alias("via"))
        found = [walk.select("child", "p", pl.lit(1).alias("level"))]
        while True:
            walk = walk.join(up, on=["via", "p"]).select("child", "p", pl.col("next").alias("via"))
            if walk.is_empty():
                break
            if len(found) > len(self.units):
                raise CchcError([p for p in check_tree(self.units) if p.code == "UNT03"]
                                or [Problem("UNT03", _("units form a cycle through their dated "
                                                       "parents"), None)])
            found.append(walk.select("child", "p", pl.lit(len(found) + 1).alias("level")))
        return pl.concat(found).group_by("child", "p").agg(pl.col("level").max())
