"""Data stage: reporting units (province, district, commune…) and the tree they form.

Declarations come from a `units:` section or a `--units` file; `check_tree` refuses unknown
parents, unknown successors and cycles, so roll-up can walk the tree by depth.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date

from ..domain import LEVELS
from ..errors import CchcError, Position, Problem, did_you_mean, has_controls
from ..messages import _, noun
from ..periods import day_after

FIELDS = ("id", "name", "level", "parent", "valid_from", "valid_to", "successor", "split_into",
          "code", "parents")


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
    split_into: tuple[str, ...] = ()   # a partial merge: the units that each took a part
    code: str | None = None            # the official code (e.g. "08"), kept as text
    # dated parents: (parent id, from, to), ISO dates or None (open), e.g. a commune under a
    # district until 2025-06-30 and under the province from 2025-07-01
    parents: tuple[tuple[str, str | None, str | None], ...] = ()

    def same_as(self, other: Unit) -> bool:
        """Equal in everything but where it was declared."""
        return all(getattr(self, f.name) == getattr(other, f.name)
                   for f in fields(self) if f.name != "pos")


# The fields a plain declaration holds: text as it is, no dates, no lists.
_PLAIN = frozenset({"id", "name", "level", "parent", "successor", "code"})
_ABSENT = {f.name: f.default for f in fields(Unit)}


def plain_units(entries: Sequence[object]) -> list[int] | None:
    """The indexes of `entries` that are plain declarations (a mapping of `_PLAIN` fields to
    non-empty text without surrounding spaces, `id` among them), which `plain_unit` takes
    as they are; None when some text of the file holds a control character (then every
    entry goes through `parse_unit`, which says where)."""
    plain = [i for i, entry in enumerate(entries) if entry.__class__ is dict
             and "id" in entry and _PLAIN.issuperset(entry)]
    values = [v for i in plain for v in entries[i].values()]   # type: ignore[attr-defined]
    if set(map(type, values)) - {str} or "" in values \
            or list(map(str.strip, values)) != values:   # some entry is not plain: which
        plain = [i for i in plain if all(v.__class__ is str and v and v == v.strip()
                                         for v in entries[i].values())]  # type: ignore
        values = [v for i in plain for v in entries[i].values()]  # type: ignore
    return None if has_controls("".join(values)) else plain


def plain_unit(entry: Mapping[str, str], pos: Position) -> Unit:
    """`parse_unit` of a plain declaration (see `plain_units`), which has nothing to refuse:
    the same Unit, built without the frozen dataclass's field-by-field setattr (a national
    units file holds thousands)."""
    unit = object.__new__(Unit)
    unit.__dict__.update(_ABSENT, **entry, pos=pos)
    if "name" not in entry:
        unit.__dict__["name"] = entry["id"]
    return unit


def parse_unit(entry: Mapping[str, object], pos_of: Callable[[str | None], Position]
               ) -> tuple[Unit | None, list[Problem]]:
    """One declaration (a YAML mapping or a CSV row) into a Unit; `pos_of(key)` places a field,
    `pos_of(None)` the entry. Empty text counts as absent, as an empty CSV cell does."""
    problems: list[Problem] = []
    values: dict[str, str | None] = {}
    for key, raw in entry.items():
        if key == "split_into" and isinstance(raw, list) and all(
                isinstance(x, str) for x in raw):
            raw = ",".join(raw)   # YAML list or "a, b" text: one form from here on
        if key == "parents" and isinstance(raw, list):
            raw = _parents_text(raw)  # YAML list of {id, from, to}: the CSV text form
        if key not in FIELDS:
            problems.append(Problem("UNT01", _("unknown unit field '{key}'").format(
                                               key=key), pos_of(key),
                                    did_you_mean(str(key), FIELDS)
                                    or _("a unit has {FIELDS}").format(FIELDS=', '.join(FIELDS))))
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[key] = None
        elif isinstance(raw, str):
            values[key] = text = raw.strip()
            if has_controls(text):  # would forge message lines and break JUnit XML
                problems.append(Problem("UNT01", _("unit field '{key}' holds a control "
                                                   "character").format(key=key), pos_of(key),
                                        _("retype it as plain text")))
        else:
            problems.append(Problem("UNT01", _("unit field '{key}' must be text, got "
                                               "{raw!r}").format(
                                               key=key, raw=raw),
                                    pos_of(key), _("quote it: codes like 01 lose their zero when "
                                                   "read as numbers")))
    for key in ("valid_from", "valid_to"):
        if values.get(key) and not _is_date(values[key]):
            problems.append(Problem("UNT05", _("'{key}' must be a date like 2025-07-01, got "
                                               "'{values}'").format(
                                               key=key, values=values[key]), pos_of(key)))
            values[key] = None
    start, end = values.get("valid_from"), values.get("valid_to")
    if start and end and start > end:
        problems.append(Problem("UNT05", _("'valid_from' is after "
                                           "'valid_to'"), pos_of("valid_to")))
    uid = values.get("id")
    if not uid:
        problems.append(Problem("UNT01", _("a unit needs an 'id'"), pos_of("id" if "id" in entry
                                                                         else None)))
        return None, problems
    parents, bad = parse_parents(values.get("parents"))
    if bad:
        problems.append(Problem("UNT13", _("dated parents: {bad}").format(
                                           bad=bad), pos_of("parents"),
                                _("write 'ham-tan until 2025-06-30; lam-dong from 2025-07-01' or "
                                  "a list of {id, from, to}")))
    return Unit(uid, values.get("name") or uid, values.get("level"), values.get("parent"),
                pos_of(None), values.get("valid_from"), values.get("valid_to"),
                values.get("successor"), split_ids(values.get("split_into")),
                values.get("code"), parents), problems


def _parents_text(entries: list) -> object:
    """A YAML list of {id, from, to} as the CSV text form; anything else stays as it is (and
    is refused as not text)."""
    parts = []
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) - {"id", "from", "to"} \
                or not all(isinstance(v, str) for v in entry.values()):
            return entries
        text = entry.get("id", "")
        if entry.get("from"):
            text += f" from {entry['from']}"
        if entry.get("to"):
            text += f" until {entry['to']}"
        parts.append(text)
    return "; ".join(parts)


def parse_parents(text: str | None) -> tuple[tuple, str | None]:
    """'ham-tan until 2025-06-30; lam-dong from 2025-07-01' as ((id, from, to), …), or the
    reason it cannot be read."""
    out = []
    for part in (text or "").split(";"):
        words = part.split()
        if not words:
            continue
        pid = words[0]
        dates: dict[str, str | None] = {"from": None, "until": None}
        rest = words[1:]
        while rest:
            if len(rest) < 2 or rest[0] not in dates or not _is_date(rest[1]):
                return (), _("cannot read '{part}'").format(part=part.strip())
            dates[rest[0]] = rest[1]
            rest = rest[2:]
        first, until = dates["from"], dates["until"]
        if first and until and first > until:
            return (), _("'{part}' ends before it starts").format(part=part.strip())
        out.append((pid, dates["from"], dates["until"]))
    return tuple(out), None


def split_ids(text: str | None) -> tuple[str, ...]:
    """`split_into` text ("a, b") as ids."""
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


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
            problems.append(Problem("UNT06", _("unit '{id}' is declared twice, "
                                               "differently").format(
                                               id=unit.id),
                                    unit.pos, _("also declared at {pos}").format(pos=first.pos)))
    return units, problems + check_tree(units)


def level_warnings(units: Mapping[str, Unit]) -> list[Problem]:
    """Levels are free text, but one a letter or two from a standard level is most likely a
    typo that would silently exempt the unit from per-level targets: warn once per level."""
    seen: dict[str, Unit] = {}
    for unit in units.values():
        if unit.level is not None and unit.level not in LEVELS:
            seen.setdefault(unit.level, unit)
    return [Problem("UNT08", _("level '{level}' of unit '{id}' is not a standard level").format(
                               level=level, id=unit.id),
                    unit.pos, hint, "warning")
            for level, unit in seen.items() if (hint := did_you_mean(level, LEVELS))]


def check_tree(units: Mapping[str, Unit]) -> list[Problem]:
    """Unknown parents and successors, and cycles, each once with a position. The quick
    chain walk (`_within`) that settles the chain bounds also settles the cycles: a chain
    it finds short is no cycle, so the cycle walks run only where it does not settle."""
    problems: list[Problem] = []
    linked = [u for u in units.values() if u.split_into or u.parents
              or (u.parent is not None and u.parent not in units)
              or (u.successor is not None and u.successor not in units)]
    for unit in linked:   # only the units naming some other unit that may not be declared
        for what in ("parent", "successor"):
            ref = getattr(unit, what)
            if ref is not None and ref not in units:
                problems.append(Problem(
                    "UNT02", _("unit '{id}' has {what} '{ref}', which is not declared").format(
                               id=unit.id, what=noun(what), ref=ref),
                    unit.pos, did_you_mean(ref, units) or _("declare it under 'units:'")))
        for ref in (*unit.split_into, *(p[0] for p in unit.parents)):
            if ref not in units:
                problems.append(Problem(
                    "UNT02", _("unit '{id}' names '{ref}', which is not declared").format(
                               id=unit.id, ref=ref),
                    unit.pos, did_you_mean(ref, units) or _("declare it under 'units:'")))
    short_parents = _within(units, "parent", MAX_DEPTH)
    short_successions = _within(units, "successor", MAX_SUCCESSION)
    problems += successor_problems(units, cycles=not short_successions)
    if not (short_parents and short_successions):
        problems += chain_problems(units)
    return problems + ([] if short_parents else _parent_cycles(units))


def _parent_cycles(units: Mapping[str, Unit]) -> list[Problem]:
    """UNT03 for each cycle of declared parents."""
    return [Problem("UNT03", _("units form a cycle: {value}").format(
                               value=" → ".join([*cycle, cycle[0]])),
                    units[cycle[0]].pos, _("a unit cannot be its own ancestor"))
            for cycle in _cycles(units, "parent")]


# Bounds on the chains that drive work (docs/security.md): roll-up sums one level at a time,
# restatement walks a unit's predecessors. Vietnam's tree has four levels, and a commune is
# merged a few times at most; both bounds are far above that.
MAX_DEPTH = 50        # parent levels above a unit (its `parent` and dated `parents` alike)
MAX_SUCCESSION = 50   # units merged one into the next (successor after successor)


def chain_problems(units: Mapping[str, Unit]) -> list[Problem]:
    """UNT18 for the first unit (in declaration order) under more than MAX_DEPTH levels of
    parents, and for the first at the start of a successor chain longer than MAX_SUCCESSION;
    each unit walked once (linear in the units and their links)."""
    if _within(units, "parent", MAX_DEPTH) and _within(units, "successor", MAX_SUCCESSION):
        return []   # the common tree: no chain near a bound, nothing to name
    problems = []
    depth = _longest(units, lambda u: (u.parent, *(p[0] for p in u.parents)))
    deep = next((u for u in units.values() if depth[u.id] - 1 > MAX_DEPTH), None)
    if deep is not None:
        problems.append(Problem("UNT18", _(
            "unit '{id}' has {levels:,} levels of parents above it; the limit is {limit}").format(
                id=deep.id, levels=depth[deep.id] - 1, limit=MAX_DEPTH), deep.pos,
            _("a unit's parent is the unit directly above it (province, district, commune)")))
    chain = _longest(units, lambda u: (u.successor,))
    long = next((u for u in units.values() if chain[u.id] - 1 > MAX_SUCCESSION), None)
    if long is not None:
        problems.append(Problem("UNT18", _(
            "unit '{id}' starts a chain of {n:,} successors; the limit is {limit}").format(
                id=long.id, n=chain[long.id] - 1, limit=MAX_SUCCESSION), long.pos,
            _("a unit's successor is the unit that took its territory over")))
    return problems


def _within(units: Mapping[str, Unit], link: str, bound: int) -> bool:
    """True when no chain along `link` (parent or successor) holds more than `bound` links,
    by one memoised walk up from each unit (linear); False, to have `_longest` decide, on
    anything this walk does not settle: dated parents, a cycle, a longer chain."""
    if link == "parent" and any(u.parents for u in units.values()):
        return False
    links = {uid: ref for uid, u in units.items()
             if (ref := getattr(u, link)) is not None and ref in units}
    above: dict[str, int] = {}
    for start in links:
        path = []
        node: str | None = start
        while node in links and node not in above:
            path.append(node)
            if len(path) > bound + 1:
                return False   # a chain too long, or a cycle: `_longest` says which
            node = links[node]
        count = above.get(node, 0) if node is not None else 0
        for uid in reversed(path):
            count += 1
            if count > bound:
                return False
            above[uid] = count
    return True


def _longest(units: Mapping[str, Unit], links) -> dict[str, int]:
    """Unit id -> the most units on a path from it along `links(unit)` (itself included),
    by one depth-first walk: each unit entered once. A link back into the path (a cycle,
    reported as UNT03 or UNT10) ends the path there."""
    depth: dict[str, int] = {}
    for start in units:
        stack, entered = [start], set()
        while stack:
            node = stack.pop()
            if node in depth:
                continue
            up = [n for n in links(units[node]) if n is not None and n in units]
            if node in entered:
                depth[node] = 1 + max((depth.get(n, 0) for n in up), default=0)
            else:
                entered.add(node)
                stack.append(node)
                stack.extend(n for n in up if n not in depth and n not in entered)
    return depth


def _cycles(units: Mapping[str, Unit], link: str) -> list[list[str]]:
    """Each cycle of the `link` field (parent or successor) once, from where it is met."""
    found: list[list[str]] = []
    done: set[str] = set()  # walked from an earlier start: any cycle beyond is found already
    for start in units:
        path: list[str] = []
        at: dict[str, int] = {}  # node -> its place in path: linear, not a list search
        node: str | None = start
        while node is not None and node in units and node not in at and node not in done:
            at[node] = len(path)
            path.append(node)
            node = getattr(units[node], link)
        if node is not None and node in at:
            found.append(path[at[node]:])
        done.update(path)
    return found


def successor_problems(units: Mapping[str, Unit], cycles: bool = True) -> list[Problem]:
    """Successor cycles (UNT10), and a successor that starts later than the day after its
    predecessor ended (UNT11: the territory would belong to nobody in between). `cycles`
    False: the caller knows there is no successor cycle."""
    problems = [Problem("UNT10", _("successors form a cycle: {value}").format(
                                   value=" → ".join([*cycle, cycle[0]])),
                        units[cycle[0]].pos, _("a unit cannot succeed itself"))
                for cycle in (_cycles(units, "successor") if cycles else ())]
    for unit in units.values():
        if unit.successor is None or not unit.valid_to:
            continue
        heir = units.get(unit.successor)
        if heir is None or not unit.valid_to or not heir.valid_from \
                or not _is_date(unit.valid_to) or not _is_date(heir.valid_from):
            continue
        next_day = day_after(date.fromisoformat(unit.valid_to))
        if date.fromisoformat(heir.valid_from) > next_day:
            problems.append(Problem(
                "UNT11", _("unit '{id}' ends on {valid_to} but its successor '{id2}' starts only "
                           "on {valid_from}").format(
                           id=unit.id, valid_to=unit.valid_to, id2=heir.id,
                           valid_from=heir.valid_from), unit.pos,
                _("the successor should start by {next_day}").format(
                  next_day=next_day.isoformat())))
    return problems


def refuse_cycles(units: Mapping[str, Unit]) -> None:
    """CchcError naming each cycle of declared parents, so nothing walks the tree forever."""
    problems = _parent_cycles(units)   # only the cycles: the rest of check_tree is not needed
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
