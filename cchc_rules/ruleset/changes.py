"""Validate stage: what changed between two versions of a plan, target by target — added,
removed, milestones or thresholds changed, other fields changed — for `cchc diff OLD NEW`
and for naming what a replacing plan dropped or changed (plans in force by date).
"""
from __future__ import annotations

import contextvars
import json
from dataclasses import asdict, dataclass, field

from ..messages import _, set_language
from .loader import LoadedRuleset
from .schema import Milestone, Target

# fields compared besides the milestones, in the order they are reported
FIELDS = ("metric", "levels", "baseline", "change", "every_period_from", "weight", "area",
          "title")


@dataclass(frozen=True)
class TargetChange:
    target: str
    kind: str                              # added, removed, changed
    title: str
    old_milestones: tuple[str, ...] = ()   # "2025 >= 80", in order of `by`
    new_milestones: tuple[str, ...] = ()
    fields: tuple[tuple[str, str, str], ...] = ()   # (field, old, new)


@dataclass(frozen=True)
class Changes:
    old: str                                # ruleset ids
    new: str
    targets: tuple[TargetChange, ...] = field(default_factory=tuple)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        out = {k: sum(c.kind == k for c in self.targets) for k in ("added", "removed",
                                                                   "changed")}
        out["unchanged"] = self.unchanged
        return out


def milestone_text(m: Milestone) -> str:
    value = f"[{m.value[0]:g}, {m.value[1]:g}]" if isinstance(m.value, tuple) else f"{m.value:g}"
    every = f" every period from {m.every_period_from}" if m.every_period_from else ""
    return f"{m.by} {m.op} {value}{every}"


def _show(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if hasattr(value, "model_dump"):
        return json.dumps(value.model_dump(exclude_none=True), ensure_ascii=False)
    return f"{value:g}" if isinstance(value, float) else str(value)


def compare(old: LoadedRuleset, new: LoadedRuleset) -> Changes:
    """Target by target (by id, after `extends`), what `new` changes in `old`."""
    before = {t.id: t for t in old.model.targets}
    after = {t.id: t for t in new.model.targets}
    out: list[TargetChange] = []
    unchanged = 0
    for tid, target in before.items():
        if tid not in after:
            out.append(TargetChange(tid, "removed", target.title,
                                    tuple(milestone_text(m) for m in target.milestones)))
    for tid, target in after.items():
        if tid not in before:
            out.append(TargetChange(tid, "added", target.title, (),
                                    tuple(milestone_text(m) for m in target.milestones)))
            continue
        change = _changed(before[tid], target)
        if change is None:
            unchanged += 1
        else:
            out.append(change)
    return Changes(old.model.ruleset, new.model.ruleset, tuple(out), unchanged)


def _changed(old: Target, new: Target) -> TargetChange | None:
    was = tuple(milestone_text(m) for m in old.milestones)
    now = tuple(milestone_text(m) for m in new.milestones)
    fields = tuple((name, _show(getattr(old, name)), _show(getattr(new, name)))
                   for name in FIELDS if getattr(old, name) != getattr(new, name))
    if was == now and not fields:
        return None
    return TargetChange(new.id, "changed", new.title, was, now, fields)


def to_json(changes: Changes) -> str:
    """The changes as one JSON object, stable bytes."""
    body = {"old": changes.old, "new": changes.new, "summary": changes.counts(),
            "targets": [{**asdict(c), "fields": [{"field": f, "old": o, "new": n}
                                                 for f, o, n in c.fields]}
                        for c in changes.targets]}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def to_table(changes: Changes, lang: str | None = None) -> str:
    """The changes as terminal lines, in the language of the messages (`lang` sets it)."""
    if lang is not None:   # in a copy of the context, so the caller's language is kept
        return contextvars.copy_context().run(_table_in, changes, lang)
    return _table(changes)


def _table_in(changes: Changes, lang: str) -> str:
    set_language(lang)
    return _table(changes)


def _table(changes: Changes) -> str:
    words = {"added": _("added"), "removed": _("removed"), "changed": _("changed")}
    counts = changes.counts()
    lines = [_("{old} → {new}: {added} added, {removed} removed, {changed} changed, "
               "{unchanged} unchanged").format(old=changes.old, new=changes.new, **counts)]
    for c in changes.targets:
        lines.append(f"  {words[c.kind]:<9} {c.target}  {c.title}")
        if c.kind != "added" and (c.kind == "removed" or c.old_milestones != c.new_milestones):
            lines.append("      - " + ("; ".join(c.old_milestones) or "—"))
        if c.kind != "removed" and (c.kind == "added" or c.old_milestones != c.new_milestones):
            lines.append("      + " + ("; ".join(c.new_milestones) or "—"))
        for name, old, new in c.fields:
            lines.append(f"      {name}: {old} → {new}")
    return "\n".join(lines) + "\n"
