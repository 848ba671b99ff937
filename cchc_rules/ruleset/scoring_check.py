"""Validate stage, scoring part (spec §7): the rules of a `scoring` block that its pydantic
model cannot say: one rule per indicator, rule inputs, known statuses and groups, unique
ids, bands from the highest. Metric and target ids are checked after `extends` (ruleset.py).
"""
from __future__ import annotations

from typing import Any

from ..domain import LEVELS, STATUSES
from ..errors import Problem, did_you_mean
from ..load import Doc
from ..messages import _, noun

RULES = ("full_at", "steps", "by_status", "as_points", "manual")


def rules_of(indicator: Any) -> list[str]:
    """The scoring rules an indicator writes (`as_points: false` writes none)."""
    return [r for r in RULES if getattr(indicator, r) is not None
            and getattr(indicator, r) is not False]


def scoring_problems(scoring: Any, doc: Doc) -> list[Problem]:
    """Every problem of one file's `scoring` block (schema-valid), at its position."""
    if scoring is None:
        return []
    problems: list[Problem] = []

    def at(*loc: Any, key: bool = False):
        return doc.pos(("scoring", *loc), key=key)

    problems += _unique("group", [g.id for g in scoring.groups], lambda i: at("groups", i, "id"))
    problems += _unique("band", [b.id for b in scoring.bands], lambda i: at("bands", i, "id"))
    problems += _unique("indicator", [d.id for d in scoring.indicators],
                        lambda i: at("indicators", i, "id"))
    for i in range(1, len(scoring.bands)):
        low, high = scoring.bands[i], scoring.bands[i - 1]
        if low.min >= high.min:
            problems.append(Problem(
                "SEM36", _("band '{id}' (min {min:g}) must come after bands with a higher min; "
                           "'{id2}' has {min2:g}").format(
                           id=low.id, min=low.min, id2=high.id,
                           min2=high.min), at("bands", i, "min"),
                _("list bands from the highest min down: [{id: A, min: 90}, {id: B, min: 80}]")))
    groups = [g.id for g in scoring.groups]
    problems += _group_tree(scoring, lambda *loc, key=False: at("groups", *loc, key=key))
    for i, indicator in enumerate(scoring.indicators):
        problems += _indicator(indicator, groups, lambda *loc, key=False, i=i:
                               at("indicators", i, *loc, key=key))
    return sorted(problems, key=lambda p: (*p.place, p.code))


def _unique(kind: str, ids: list[str], where) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, int] = {}   # id -> where it is first used
    for i, ident in enumerate(ids):
        if ident in first:
            problems.append(Problem("SEM35", _("duplicate {kind} id '{ident}'").format(
                                               kind=noun(kind), ident=ident), where(i),
                                    _("first used at line {line}; ids must be unique").format(
                                      line=where(first[ident]).line)))
        first.setdefault(ident, i)
    return problems


def _indicator(indicator: Any, groups: list[str], at) -> list[Problem]:
    problems = []
    rules = rules_of(indicator)
    name = _("indicator '{id}'").format(id=indicator.id)
    if len(rules) != 1:
        hint = (_("add one of: full_at, steps, by_status (with target), as_points: true, "
                  "manual: true")
                if not rules else _("keep one of {rules}").format(rules=", ".join(rules)))
        where = at(rules[1], key=True) if len(rules) > 1 else at()
        rules_text = _("{name} has no scoring rule; it needs exactly one") if not rules \
            else _("{name} has rules {rules}; it needs exactly one")
        problems.append(Problem("SEM30", rules_text.format(name=name, rules=", ".join(rules)),
                                where, hint))
    rule = rules[0] if len(rules) == 1 else None
    if indicator.zero_at is not None and rule != "full_at":
        problems.append(Problem("SEM30", _("{name}: zero_at goes with full_at").format(name=name),
                                at("zero_at", key=True), _("add full_at, or remove zero_at")))
    if rule == "full_at" and indicator.full_at == (indicator.zero_at or 0.0):
        problems.append(Problem(
            "SEM31", _("{name}: full_at and zero_at are both {full_at:g}").format(
                       name=name, full_at=indicator.full_at),
            at("full_at"), _("full_at is the value worth max points, zero_at (default 0) the one "
                             "worth none; they must differ")))
    if rule == "by_status":
        if indicator.target is None:
            hint = (_("by_status scores a target's status: write target: <id> instead of "
                      "metric") if indicator.metric is not None else _("add target: <target id>"))
            problems.append(Problem("SEM32", _("{name}: by_status needs a target").format(
                                               name=name),
                                    at("by_status", key=True), hint))
        for status in indicator.by_status:
            if status not in STATUSES:
                problems.append(Problem(
                    "SEM33", _("{name}: unknown status '{status}' in by_status").format(
                               name=name, status=status),
                    at("by_status", status, key=True),
                    did_you_mean(status, STATUSES) or _("known: {STATUSES}").format(
                                                        STATUSES=', '.join(STATUSES))))
    elif rule is not None:
        if indicator.metric is None:
            problems.append(Problem("SEM32", _("{name}: {rule} needs a metric").format(
                                               name=name, rule=rule), at(),
                                    _("add metric: <metric id>")))
        if indicator.target is not None:
            problems.append(Problem("SEM32", _("{name}: target goes with by_status").format(
                                               name=name),
                                    at("target", key=True), _("score the target's status with "
                                                              "by_status, or remove target")))
    if rule == "steps":
        for n, step in enumerate(indicator.steps):
            pair = isinstance(step.value, tuple)
            if (step.op == "between") != pair:
                takes = "[low, high]" if step.op == "between" else "one number"
                problems.append(Problem("SEM02", _("op '{op}' takes {takes}").format(
                                                   op=step.op, takes=takes),
                                        at("steps", n, "value")))
    problems += _inherit(indicator, name, at)
    problems += _kind(indicator, name, at)
    if indicator.self_assessed is not None:
        if rule == "by_status":
            problems.append(Problem(
                "SEM42", _("{name}: self_assessed goes with a metric rule, not by_status")
                .format(name=name), at("self_assessed", key=True),
                _("score the self-assessed figure with full_at, steps or as_points")))
        elif indicator.self_assessed == indicator.metric:
            problems.append(Problem(
                "SEM42", _("{name}: self_assessed names the metric that counts").format(
                    name=name), at("self_assessed"),
                _("metric is the appraised figure (điểm thẩm định), self_assessed the unit's "
                  "own (điểm tự đánh giá): two different metrics")))
    if indicator.group is not None and indicator.group not in groups:
        problems.append(Problem(
            "SEM34", _("{name}: unknown group '{group}'").format(
                       name=name, group=indicator.group), at("group"),
            did_you_mean(indicator.group, groups) or
            (_("known: {groups}").format(
               groups=', '.join(groups)) if groups else _("declare it under scoring.groups"))))
    return problems


def _inherit(indicator: Any, name: str, at) -> list[Problem]:
    """`inherit` names a level that can be above a unit: province or district (SEM41)."""
    level = indicator.inherit
    if level is None:
        return []
    above = LEVELS[:-1]  # the lowest level is nobody's ancestor
    if level in above:
        return []
    if level in LEVELS:
        return [Problem("SEM41", _("{name}: no unit has a {level} above it to inherit from")
                        .format(name=name, level=level), at("inherit"),
                        _("inherit from one of: {levels}").format(levels=", ".join(above)))]
    return [Problem("SEM41", _("{name}: unknown level '{level}' in inherit").format(
        name=name, level=level), at("inherit"),
        did_you_mean(level, LEVELS) or _("inherit from one of: {levels}").format(
            levels=", ".join(above)))]


def _kind(indicator: Any, name: str, at) -> list[Problem]:
    """A bonus or penalty indicator (spec §7 v3) belongs to no group (SEM50)."""
    if indicator.kind == "score" or indicator.group is None:
        return []
    return [Problem("SEM50", _("{name}: a {kind} indicator belongs to no group").format(
        name=name, kind=indicator.kind), at("group", key=True),
        _("remove group: bonus and penalty points are added to or taken from the total, "
          "outside every group"))]


def _group_tree(scoring: Any, at) -> list[Problem]:
    """Nested groups (areas → criteria → sub-criteria): a group's `parent` is a known group
    and no group is its own ancestor (SEM52)."""
    problems: list[Problem] = []
    ids = [g.id for g in scoring.groups]
    parent = {g.id: g.parent for g in scoring.groups}
    for i, group in enumerate(scoring.groups):
        if group.parent is None:
            continue
        if group.parent not in parent:
            problems.append(Problem(
                "SEM52", _("group '{id}': unknown parent group '{parent}'").format(
                    id=group.id, parent=group.parent), at(i, "parent"),
                did_you_mean(group.parent, ids) or _("declare it under scoring.groups")))
            continue
        seen, up = {group.id}, group.parent
        while up is not None and up not in seen and up in parent:
            seen.add(up)
            up = parent[up]
        if up == group.id:
            problems.append(Problem(
                "SEM52", _("group '{id}' is inside itself through its parents").format(
                    id=group.id), at(i, "parent"),
                _("a group's parent is the area or criterion it is part of: no circles")))
    return problems
