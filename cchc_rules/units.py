"""Data stage: reporting units (province, district, commune…) and the tree they form.

Declarations come from a `units:` section or a `--units` file; `check_tree` refuses unknown
parents, unknown successors and cycles, so roll-up can walk the tree by depth.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date

from .domain import LEVELS
from .errors import CchcError, Position, Problem, did_you_mean, has_controls

FIELDS = ("id", "name", "level", "parent", "valid_from", "valid_to", "successor")


@dataclass(frozen=True)
class Unit:
    """One reporting unit. `level` is free text (province, district, commune, …), None when
    unknown; `valid_from`/`valid_to` (ISO dates) and `successor` record the 2025 reorganization."""

    id: str
    name: str
    level: str | None = None
    parent: str | None = None
    pos: Position | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    successor: str | None = None

    def same_as(self, other: Unit) -> bool:
        """Equal in everything but where it was declared."""
        return all(getattr(self, f.name) == getattr(other, f.name)
                   for f in fields(self) if f.name != "pos")


def parse_unit(entry: Mapping[str, object], pos_of: Callable[[str | None], Position]
               ) -> tuple[Unit | None, list[Problem]]:
    """One declaration (a YAML mapping or a CSV row) into a Unit; `pos_of(key)` places a field,
    `pos_of(None)` the entry. Empty text counts as absent, as an empty CSV cell does."""
    problems: list[Problem] = []
    values: dict[str, str | None] = {}
    for key, raw in entry.items():
        if key not in FIELDS:
            problems.append(Problem("UNT01", f"unknown unit field '{key}'", pos_of(key),
                                    did_you_mean(str(key), FIELDS)
                                    or f"a unit has {', '.join(FIELDS)}"))
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[key] = None
        elif isinstance(raw, str):
            values[key] = raw.strip()
            if has_controls(values[key]):  # would forge message lines and break JUnit XML
                problems.append(Problem("UNT01", f"unit field '{key}' holds a control "
                                        "character", pos_of(key), "retype it as plain text"))
        else:
            problems.append(Problem("UNT01", f"unit field '{key}' must be text, got {raw!r}",
                                    pos_of(key), "quote it: codes like 01 lose their zero "
                                    "when read as numbers"))
    for key in ("valid_from", "valid_to"):
        if values.get(key) and not _is_date(values[key]):
            problems.append(Problem("UNT05", f"'{key}' must be a date like 2025-07-01, got "
                                    f"'{values[key]}'", pos_of(key)))
            values[key] = None
    if values.get("valid_from") and values.get("valid_to") \
            and values["valid_from"] > values["valid_to"]:
        problems.append(Problem("UNT05", "'valid_from' is after 'valid_to'", pos_of("valid_to")))
    if not values.get("id"):
        problems.append(Problem("UNT01", "a unit needs an 'id'", pos_of("id" if "id" in entry
                                                                         else None)))
        return None, problems
    uid = values["id"]
    return Unit(uid, values.get("name") or uid, values.get("level"), values.get("parent"),
                pos_of(None), values.get("valid_from"), values.get("valid_to"),
                values.get("successor")), problems


def _is_date(text: str | None) -> bool:
    try:
        date.fromisoformat(text or "")
    except ValueError:
        return False
    return len(text or "") == 10


def collect_units(declared: Iterable[Unit]) -> tuple[dict[str, Unit], list[Problem]]:
    """Declarations from every file into one dict; the same id declared twice differently is an
    error naming both places, an identical repeat is kept once."""
    units: dict[str, Unit] = {}
    problems: list[Problem] = []
    for unit in declared:
        first = units.get(unit.id)
        if first is None:
            units[unit.id] = unit
        elif not first.same_as(unit):
            problems.append(Problem("UNT06", f"unit '{unit.id}' is declared twice, differently",
                                    unit.pos, f"also declared at {first.pos}"))
    return units, problems + check_tree(units)


def level_warnings(units: Mapping[str, Unit]) -> list[Problem]:
    """Levels are free text, but one a letter or two from a standard level is most likely a
    typo that would silently exempt the unit from per-level targets: warn once per level."""
    seen: dict[str, Unit] = {}
    for unit in units.values():
        if unit.level is not None and unit.level not in LEVELS:
            seen.setdefault(unit.level, unit)
    return [Problem("UNT08", f"level '{level}' of unit '{unit.id}' is not a standard level",
                    unit.pos, hint, "warning")
            for level, unit in seen.items() if (hint := did_you_mean(level, LEVELS))]


def check_tree(units: Mapping[str, Unit]) -> list[Problem]:
    """Unknown parents and successors, and cycles, each once with a position."""
    problems: list[Problem] = []
    for unit in units.values():
        for what in ("parent", "successor"):
            ref = getattr(unit, what)
            if ref is not None and ref not in units:
                problems.append(Problem(
                    "UNT02", f"unit '{unit.id}' has {what} '{ref}', which is not declared",
                    unit.pos, did_you_mean(ref, units) or "declare it under 'units:'"))
    on_cycle: set[str] = set()
    for start in units:
        path: list[str] = []
        seen: set[str] = set()
        node: str | None = start
        while node is not None and node in units and node not in seen and node not in on_cycle:
            seen.add(node)
            path.append(node)
            node = units[node].parent
        if node is not None and node in seen:
            cycle = path[path.index(node):]
            on_cycle.update(cycle)
            problems.append(Problem("UNT03", "units form a cycle: " + " → ".join(
                [*cycle, node]), units[node].pos, "a unit cannot be its own ancestor"))
    return problems


def refuse_cycles(units: Mapping[str, Unit]) -> None:
    """CchcError naming each cycle of declared parents, so nothing walks the tree forever."""
    problems = [p for p in check_tree(units) if p.code == "UNT03"]
    if problems:
        raise CchcError(problems)


def depths(units: Mapping[str, Unit]) -> dict[str, int]:
    """Distance from the root for every unit (roots 0); a parent that is not in `units` makes
    the unit a root. CchcError on a cycle."""
    refuse_cycles(units)
    depth: dict[str, int] = {}
    for start in units:
        chain: list[str] = []
        node: str | None = start
        while node is not None and node in units and node not in depth:
            chain.append(node)
            node = units[node].parent
        base = depth.get(node, -1) if node is not None else -1
        for offset, uid in enumerate(reversed(chain), start=1):
            depth[uid] = base + offset
    return depth


def children_of(units: Mapping[str, Unit]) -> dict[str, list[str]]:
    """Parent id -> child ids in declaration order; units without children are absent."""
    children: dict[str, list[str]] = {}
    for unit in units.values():
        if unit.parent is not None and unit.parent in units:
            children.setdefault(unit.parent, []).append(unit.id)
    return children
