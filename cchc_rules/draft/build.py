"""Draft stage: drafted sentences → a ruleset (metrics named, milestones of one indicator
merged, ids given, `source`/`quote`/`review` on every target) written as YAML, and the count
of what was structured fully, partly or not at all.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..messages import _
from .dictionary import Dictionary, Known
from .documents import Document, read_document
from .sentences import Drafted, draft_blocks
from .text import ascii_words, normalise

PREFIX = {"institutions": "TC", "procedures": "TTHC", "organization": "TCBM",
          "civil_service": "CV", "public_finance": "TCC", "digital_government": "CQS"}
_STOP = {"cua", "cac", "va", "duoc", "co", "tai", "tren", "trong", "nhung", "cho", "ve", "voi",
         "den", "nam", "la", "thi", "theo", "so", "tu", "mot", "tro", "len", "nay", "do", "de"}
STATUSES = ("full", "partly", "not")


@dataclass
class Entry:
    id: str
    status: str               # full, partly, not
    place: str
    metric: str | None
    # (deadline, op, value) as drafted; a part not understood is None (and has a review note)
    milestones: list[tuple[str | None, str | None, float | tuple[float, float] | None]]
    notes: list[str]
    title: str


@dataclass
class Draft:
    """The drafted ruleset's text and what went into it."""

    yaml: str
    entries: list[Entry] = field(default_factory=list)
    warnings: list = field(default_factory=list)
    file: str = ""

    def counts(self) -> dict[str, int]:
        out = {"targets": len(self.entries)}
        out.update({s: sum(e.status == s for e in self.entries) for s in STATUSES})
        return out


def draft_file(path: Path, output: Path, extends: Path | None = None) -> Draft:
    """The draft of the plan at `path`, its YAML ready to be written to `output`."""
    document = read_document(path)
    names = Dictionary(extends)
    items = draft_blocks(document.blocks)
    metrics = _name(items, names)
    targets = _merge(items)
    return _write(document, targets, metrics, names, output, extends)


def _name(items: list[Drafted], names: Dictionary) -> dict[str, tuple[str, str]]:
    """Each item's metric: a dictionary entry, else a new id from its words (noted).
    Returns the new metrics made: id -> (label, unit)."""
    made: dict[str, tuple[str, str]] = {}
    by_words: dict[str, str] = {}
    for item in items:
        if item.qualitative:
            continue
        found = names.find(item.phrase, item.kind) or names.find(item.title, item.kind)
        if found:
            item.metric = found[0].id
            continue
        unit = "count" if item.kind == "change" else item.kind
        words = [w for w in ascii_words(item.phrase) if w not in _STOP][:5] or ["chi", "tieu"]
        suffix = {"percent": "rate", "rank": "rank", "days": "days"}.get(unit)
        base = "_".join(words + ([suffix] if suffix else []))
        key = f"{unit}:{normalise(item.phrase).lower()}"
        if key in by_words:
            item.metric = by_words[key]
            continue
        mid, n = base, 2
        while mid in made or names.get(mid):
            mid, n = f"{base}_{n}", n + 1
        label = item.phrase[:1].upper() + item.phrase[1:] if item.phrase else item.title
        if unit == "percent" and not label.lower().startswith(("tỷ lệ", "tỉ lệ", "mức độ")):
            label = "Tỷ lệ " + label[:1].lower() + label[1:]
        made[mid] = (label[:160], unit)
        by_words[key] = item.metric = mid
        item.notes.append(_("metric not in the dictionary: new metric '{id}' from the words "
                            "«{words}»; rename it or add a synonym").format(
            id=mid, words=item.phrase[:80]))
    return made


def _merge(items: list[Drafted]) -> list[list[Drafted]]:
    """The milestones of one indicator, stated for 2025 in one sentence and for 2030 in
    another, become one target; anything else stays its own target."""
    groups: list[list[Drafted]] = []
    for item in items:
        key = _key(item)
        home = next((g for g in groups if key is not None and _key(g[0]) == key
                     and all(m.deadline != item.deadline for m in g)),
                    None)
        if home is None:
            groups.append([item])
        else:
            home.append(item)
    for group in groups:
        group.sort(key=lambda i: i.deadline or "")
    return groups


def _key(item: Drafted) -> tuple | None:
    if item.qualitative or item.deadline is None or item.every_period_from:
        return None
    direction = ">" if item.op in (">=", ">") else "<" if item.op in ("<=", "<") else item.op
    return (item.metric, tuple(item.levels or ()), item.change, item.baseline, direction,
            item.sub)


def _write(document: Document, groups: list[list[Drafted]], made: dict[str, tuple[str, str]],
           names: Dictionary, output: Path, extends: Path | None) -> Draft:
    name = Path(document.file).name
    title = normalise(document.blocks[0].text)[:150] if document.blocks else name
    rid = "draft-" + ("-".join(ascii_words(Path(document.file).stem))[:60].strip("-")
                      or "plan")
    lines = ["# " + _("Drafted by `cchc draft` from {file}: check every `review:` note, "
                      "then delete it.").format(file=name),
             f"ruleset: {_q(re.sub(r'-+', '-', rid))}", f"title: {_q(title)}",
             f"source: {_q(name)}"]
    if extends is not None:
        relative = os.path.relpath(extends.resolve(), output.resolve().parent)
        lines.append(f"extends: [{_q(relative)}]")
    used: dict[str, Known] = {}
    for group in groups:
        for item in group:
            known = names.get(item.metric) if item.metric else None
            if known is not None and not known.inherited:
                used[known.id] = known
    metric_lines = []
    for mid, known in sorted(used.items()):
        metric_lines.append(f"  {mid}: {{label: {_q(known.metric.label)}, "
                            f"unit: {known.metric.unit}}}")
    for mid, (label, unit) in made.items():
        metric_lines.append(f"  {mid}: {{label: {_q(label)}, unit: {unit}}}")
    if metric_lines:
        lines += ["", "metrics:", *metric_lines]
    entries: list[Entry] = []
    counters: dict[str, int] = {}
    target_lines: list[str] = []
    for group in groups:
        first = group[0]
        notes = list(dict.fromkeys(n for item in group for n in item.notes))
        area = first.area
        if area is None:
            area = "procedures"
            notes.append(_("area not named by the section or the words: procedures assumed"))
        counters[area] = counters.get(area, 0) + 1
        tid = f"{PREFIX[area]}-{counters[area]:02d}"
        status = "not" if first.qualitative else "partly" if notes else "full"
        target_lines += ["", f"  - id: {tid}", f"    title: {_q(first.title)}",
                         f"    area: {area}"]
        if first.metric:
            target_lines.append(f"    metric: {first.metric}")
        if first.levels:
            target_lines.append(f"    levels: [{', '.join(first.levels)}]")
        if first.change:
            target_lines.append(f"    change: {first.change}")
        if first.baseline:
            target_lines.append(f"    baseline: {{period: {_q(first.baseline)}}}")
        milestones = []
        if first.qualitative:
            target_lines += ["    qualitative: true", "    milestones: []"]
        else:
            target_lines.append("    milestones:")
            for item in group:
                extra = f", every_period_from: {_q(item.every_period_from)}" \
                    if item.every_period_from else ""
                target_lines.append(f"      - {{by: {_q(item.deadline)}, op: {_q(item.op)}, "
                                    f"value: {_value(item.value)}{extra}}}")
                milestones.append((item.deadline, item.op, item.value))
        places = list(dict.fromkeys(i.place for i in group))
        source = f"{name}, {', '.join(places)}"
        froms = list(dict.fromkeys(i.deadline_from for i in group if i.deadline_from))
        if froms:
            source += "; " + _("deadline from {where}").format(where=", ".join(froms))
        quotes = list(dict.fromkeys(i.quote for i in group))
        target_lines += [f"    source: {_q(source)}", f"    quote: {_q(' … '.join(quotes))}"]
        if notes:
            target_lines.append("    review:")
            target_lines += [f"      - {_q(n)}" for n in notes]
        entries.append(Entry(tid, status, ", ".join(places), first.metric, milestones, notes,
                             first.title))
    lines += ["", "targets:" + ("" if target_lines else " []"), *target_lines]
    return Draft("\n".join(lines) + "\n", entries, list(document.warnings), document.file)


def _q(text: str | None) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text or "", ensure_ascii=False)


def _value(value: float | tuple[float, float] | None) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(f"{v:g}" for v in value) + "]"
    return f"{value:g}"
