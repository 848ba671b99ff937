"""Validate stage: a ruleset file and its `extends` parents → one checked `LoadedRuleset`.

Schema per file, then merge (child wins by id), then formulas, dependency order and the
semantic rules the schema cannot express. Every problem is collected and raised once.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

from .. import expr
from ..domain import LEVELS, NOT_OVER_TIME_UNITS, is_relative
from ..errors import CchcError, Position, Problem, did_you_mean
from ..expr.ast import name_nodes
from ..load import Doc, load_yaml
from ..messages import _, noun
from ..periods import parse_period
from .count_refs import CountReference, count_reference_problems
from .schema import Check, Metric, Ruleset, Scoring, Source, Target, validate_doc

_Item = TypeVar("_Item", Metric, Check, Target, Scoring, Source)
_Entry = TypeVar("_Entry", Check, Target)   # what has an id of its own in a list


@dataclass(frozen=True)
class LoadedRuleset:
    model: Ruleset                         # merged after extends (child wins by id)
    files: tuple[Path, ...]                # the file and every parent, for hashing
    formulas: dict[str, expr.Node]         # derived metric id -> AST
    order: tuple[str, ...]                 # derived metric ids, dependencies first
    asserts: dict[str, expr.Compare]       # check id -> AST
    raw_inputs: dict[str, frozenset[str]]  # metric id -> raw metrics it needs
    positions: dict[str, Position]         # "metric:ID", "check:ID", "target:ID",
                                           # "target:ID:milestone:N", "formula:ID", "assert:ID"
    warnings: tuple[Problem, ...] = ()     # likely mistakes that are still valid
    conditions: dict[str, expr.Node] = field(default_factory=dict)  # records metric -> where
    # targets marked `qualitative: true`: kept for the record, never evaluated, so they are
    # left out of `model.targets` (which every stage after this one reads)
    qualitative: tuple[Target, ...] = ()


class _Source(NamedTuple, Generic[_Item]):
    """An entry with the file and key path it was written at (parents keep their own)."""

    item: _Item
    doc: Doc
    loc: tuple


class _Entries:
    """Merged entries by id."""

    def __init__(self) -> None:
        self.metrics: dict[str, _Source[Metric]] = {}
        self.checks: dict[str, _Source[Check]] = {}
        self.targets: dict[str, _Source[Target]] = {}
        self.sources: dict[str, _Source[Source]] = {}  # record sources by name
        self.files: list[Path] = []
        self.scoring: _Source[Scoring] | None = None  # a child's replaces its parent's whole

    def update(self, other: _Entries) -> None:
        self.scoring = other.scoring or self.scoring
        self.metrics.update(other.metrics)
        self.checks.update(other.checks)
        self.targets.update(other.targets)
        self.sources.update(other.sources)
        self.files += [f for f in other.files if f not in self.files]


class _Loader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.done: dict[Path, tuple[Ruleset, _Entries] | None] = {}

    def file(self, path: Path, stack: tuple[Path, ...] = ()) -> tuple[Ruleset, _Entries] | None:
        real = Path(os.path.realpath(path))  # a symlink loop is then an IO01 when read
        if real not in self.done:
            self.done[real] = self._file(path, (*stack, real))
        return self.done[real]

    def _file(self, path: Path, stack: tuple[Path, ...]) -> tuple[Ruleset, _Entries] | None:
        try:
            doc = load_yaml(path)
        except CchcError as err:
            self.problems += err.problems
            return None
        model, problems = validate_doc(doc)
        if model is None:
            self.problems += problems
            return None
        merged = _Entries()
        parents: list[tuple[str, tuple[str | int, ...]]] = [
            (entry, ("extends", i)) for i, entry in enumerate(model.extends)]
        if model.amends is not None:   # an amendment is the amended plan plus its own entries
            parents.append((model.amends, ("amends",)))
        for entry, loc in parents:
            parent = self.parent(path, entry, doc.pos(loc), stack)
            if parent is not None:
                merged.update(parent[1])
        own = self.own_entries(model, doc)
        own.files = [path]
        files = [path, *merged.files]
        merged.update(own)
        merged.files = [f for i, f in enumerate(files) if f not in files[:i]]
        return model, merged

    def parent(self, path: Path, entry: str, pos: Position,
               stack: tuple[Path, ...]) -> tuple[Ruleset, _Entries] | None:
        target = Path(os.path.normpath(path.parent / entry))
        try:
            found = target.is_file()
        except (OSError, ValueError):  # e.g. a NUL byte in the path
            found = False
        if found and target.resolve() in stack:
            names = [p.name for p in stack[stack.index(target.resolve()):]] + [target.name]
            self.problems.append(Problem("EXT02", _("extends cycle: {names}").format(
                                                    names=" → ".join(names)), pos,
                                         _("a ruleset cannot extend itself, directly or not")))
            return None
        if not found:
            self.problems.append(Problem("EXT01", _("parent ruleset '{entry}' not found (looked "
                                                    "for {target})").format(
                                                    entry=entry, target=target), pos,
                                         _("paths in extends are relative to this file")))
            return None
        return self.file(target, stack)

    def own_entries(self, model: Ruleset, doc: Doc) -> _Entries:
        own = _Entries()
        own.metrics = {m: _Source(metric, doc, ("metrics", m))
                       for m, metric in model.metrics.items()}
        if model.scoring is not None:
            own.scoring = _Source(model.scoring, doc, ("scoring",))
        own.sources = {n: _Source(source, doc, ("sources", n))
                       for n, source in model.sources.items()}
        own.checks = self.by_id("check", model.checks, doc)
        own.targets = self.by_id("target", model.targets, doc)
        return own

    def by_id(self, kind: str, items: list[_Entry], doc: Doc) -> dict[str, _Source[_Entry]]:
        """Checks or targets by id; a second use of an id is SEM01."""
        table: dict[str, _Source[_Entry]] = {}
        for i, item in enumerate(items):
            loc: tuple[str, int] = (kind + "s", i)
            if item.id in table:
                first = doc.pos(table[item.id].loc)
                self.problems.append(Problem(
                    "SEM01", _("duplicate {kind} id '{id}'").format(
                               kind=noun(kind), id=item.id), doc.pos((*loc, "id")),
                    _("first used at line {line}; ids must be unique").format(
                      line=first.line)))
                continue
            table[item.id] = _Source(item, doc, loc)
        return table


def load_ruleset(path: Path | str) -> LoadedRuleset:
    """Load, merge and check a ruleset; `CchcError` with every problem found otherwise."""
    loader = _Loader()
    loaded = loader.file(Path(path))
    if loaded is None or loader.problems:
        raise CchcError(loader.problems)
    model, entries = loaded
    checker = _Checker(entries)
    result = checker.run(model)
    if checker.problems:
        raise CchcError(sorted(checker.problems + checker.warnings, key=_place))
    return result


def _place(problem: Problem) -> tuple:
    pos = problem.pos or Position("")
    return (pos.file, pos.line, pos.col)


class _Checker:
    """Formulas, dependency order and semantic rules over the merged entries."""

    def __init__(self, entries: _Entries) -> None:
        self.entries = entries
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.positions: dict[str, Position] = {}

    def at(self, source: _Source, *sub: str | int, key: bool = False) -> Position:
        return source.doc.pos((*source.loc, *sub), key=key)

    def run(self, model: Ruleset) -> LoadedRuleset:
        metrics = self.entries.metrics
        formulas: dict[str, expr.Node] = {}
        for m, source in metrics.items():
            self.positions[f"metric:{m}"] = self.at(source, key=True)
            self.over_time(m, source)
            if source.item.formula is not None:
                pos = self.positions[f"formula:{m}"] = self.at(source, "formula")
                node = self.parse(source.item.formula, pos, False)
                if node is not None:
                    formulas[m] = node
        self.ranks(metrics)
        self.samples(metrics)
        asserts = {}
        for c, check in self.entries.checks.items():
            self.positions[f"check:{c}"] = self.at(check)
            pos = self.positions[f"assert:{c}"] = self.at(check, "assert")
            node = self.parse(check.item.assert_, pos, True)
            if isinstance(node, expr.Compare):
                asserts[c] = node
        for target in self.entries.targets.values():
            self.target(target)
        if self.entries.scoring is not None:
            self.scoring(self.entries.scoring)
        conditions = self.records()
        order: tuple[str, ...] = ()
        try:
            order = expr.derived_order(formulas, {m: self.positions[f"formula:{m}"]
                                                  for m in formulas})
        except CchcError as err:
            self.problems += err.problems
        derived = expr.raw_inputs(formulas)
        raw = {m: derived.get(m, frozenset({m})) for m in metrics if m in formulas
               or metrics[m].item.formula is None}
        targets = [s.item for s in self.entries.targets.values()]
        merged = model.model_copy(update={
            "metrics": {m: s.item for m, s in metrics.items()},
            "checks": [s.item for s in self.entries.checks.values()],
            "targets": [t for t in targets if not t.qualitative],
            "scoring": self.entries.scoring.item if self.entries.scoring else None,
            "sources": {n: s.item for n, s in self.entries.sources.items()}})
        self.problems.sort(key=_place)
        return LoadedRuleset(merged, tuple(self.entries.files), formulas, order, asserts, raw,
                             self.positions, tuple(self.warnings), conditions,
                             tuple(t for t in targets if t.qualitative))

    def records(self) -> dict[str, expr.Node]:
        """Check the record sources and the metrics counted from them (records/check.py);
        the parsed `where` of each such metric."""
        if not self.entries.sources and all(
                s.item.records is None for s in self.entries.metrics.values()):
            return {}  # nothing to check: the records package (sqlglot) is not imported
        from .record_metrics import check_metric, check_source
        sources = {n: s.item for n, s in self.entries.sources.items()}
        for source in self.entries.sources.values():
            self.problems += check_source(source.item, lambda *k, s=source: self.at(s, *k))
        conditions = {}
        for m, entry in self.entries.metrics.items():
            if entry.item.records is not None:
                node, problems = check_metric(
                    m, entry.item, sources,
                    lambda *k, s=entry, key=False: self.at(s, *k, key=key))
                self.problems += problems
                if node is not None:
                    conditions[m] = node
        return conditions

    def parse(self, text: str, pos: Position, allow_compare: bool) -> expr.Node | None:
        try:
            node = expr.parse(text, pos, allow_compare=allow_compare)
        except CchcError as err:
            self.problems += err.problems
            return None
        for name in name_nodes(node):
            if name.id not in self.entries.metrics:
                self.unknown_metric(name.id, pos.shifted(name.col))
        return node

    def over_time(self, name: str, source: _Source[Metric]) -> None:
        """`over_time` only on a raw figure that adds up (spec §5): a formula metric is derived
        from its derived inputs, and a rate of a year is no sum of its quarters' rates."""
        metric = source.item
        if metric.over_time is None:
            return
        why = (_("a formula metric is computed from its inputs' figures for the period")
               if metric.formula is not None else
               _("a {unit} metric does not add up over time").format(unit=metric.unit)
               if metric.unit in NOT_OVER_TIME_UNITS else None)
        if why:
            self.problems.append(Problem(
                "SEM08", _("'over_time' is not allowed on '{name}': {why}").format(
                           name=name, why=why),
                self.at(source, "over_time"),
                _("remove over_time, and set it on the raw metrics the formula uses")
                if metric.formula is not None else _("remove over_time")))

    def unknown_metric(self, name: str, pos: Position) -> None:
        hint = did_you_mean(name, self.entries.metrics) or _("declare it under 'metrics'")
        self.problems.append(Problem("SEM05", _("unknown metric '{name}'").format(
                                                name=name), pos, hint))

    def target(self, source: _Source[Target]) -> None:
        target = source.item
        self.positions[f"target:{target.id}"] = self.at(source)
        if target.qualitative:
            if target.metric is not None and target.metric not in self.entries.metrics:
                self.unknown_metric(target.metric, self.at(source, "metric"))
            return
        metric = self.entries.metrics.get(target.metric_id)
        if metric is None:
            self.unknown_metric(target.metric_id, self.at(source, "metric"))
        if target.change is not None and target.baseline is None:
            self.problems.append(Problem(
                "SEM06", _("'change: {change}' needs a baseline").format(
                           change=target.change), self.at(source, "change"),
                _("add baseline: {period: \"2021\"}")))
        is_percent = metric is not None and metric.item.unit == "percent"
        base = target.baseline.value if target.baseline else None
        if is_percent and base is not None:
            self.percent_range(base, self.at(source, "baseline", "value"))
        if target.change == "percent" and base == 0:
            self.problems.append(Problem(
                "SEM06", _("'change: percent' cannot start from a baseline value of 0"),
                self.at(source, "baseline", "value"), _("use change: absolute")))
        for n, level in enumerate(target.levels or ()):
            near = did_you_mean(level, LEVELS) if level not in LEVELS else None
            if near:
                self.warnings.append(Problem(
                    "SEM07", _("level '{level}' is none of {LEVELS}").format(
                               level=level, LEVELS=', '.join(LEVELS)),
                    self.at(source, "levels", n), near, "warning"))
        percent = is_percent and target.change is None
        baseline = target.baseline
        relative = baseline is not None and is_relative(baseline.period)
        if baseline is not None and relative and baseline.value is not None:
            self.problems.append(Problem(
                "SEM10", _("a relative baseline ('{period}') takes the unit's own figures, "
                           "not a value").format(period=baseline.period),
                self.at(source, "baseline", "value"),
                _("remove value, or name the baseline period, e.g. \"2021\"")))
        previous = parse_period(target.baseline.period) \
            if target.baseline and not relative else None
        for n, milestone in enumerate(target.milestones):
            self.positions[f"target:{target.id}:milestone:{n}"] = self.at(source, "milestones", n)
            value_pos = self.at(source, "milestones", n, "value")
            self.op_value(milestone.op, milestone.value, value_pos)
            if percent:
                for value in milestone.value if isinstance(milestone.value, tuple) \
                        else (milestone.value,):
                    self.percent_range(value, value_pos)
            by = parse_period(milestone.by)
            if previous is not None and by.end <= previous.end:
                after = _("milestone by '{text}' must end after the baseline") if n == 0 \
                    else _("milestone by '{text}' must end after the milestone by '{previous}'")
                self.problems.append(Problem(
                    "SEM03", after.format(text=by.text, previous=previous.text),
                    self.at(source, "milestones", n, "by"),
                    _("list milestones in time order, after the baseline period")))
            previous = by
            if milestone.every_period_from is not None:
                self.every_period_from(source, ("milestones", n, "every_period_from"),
                                       parse_period(milestone.every_period_from), by)
        if target.every_period_from is not None and previous is not None:
            self.every_period_from(source, ("every_period_from",),
                                   parse_period(target.every_period_from), previous)

    def every_period_from(self, source: _Source, where: tuple, start, by) -> None:
        """A milestone (or a target's last one) that must hold every period from `start` on:
        `start` begins no later than the milestone's deadline ends."""
        if start.start > by.end:
            self.problems.append(Problem(
                "SEM09", _("'every_period_from: {start}' begins after the milestone's "
                           "deadline '{by}' ends").format(start=start.text, by=by.text),
                self.at(source, *where),
                _("use a period that starts by the end of {by}").format(by=by.text)))

    def ranks(self, metrics: dict[str, _Source[Metric]]) -> None:
        """Rank metrics' `of` (ranks.py); each adds its check `rank <= of`."""
        from .rank_metrics import RANK_FIELD, field_checks
        self.count_references(RANK_FIELD, metrics)
        specs = {m: s.item for m, s in metrics.items()}
        for cid, text in field_checks(specs).items():
            source = metrics[cid.rsplit(".", 1)[0]]
            self.entries.checks.setdefault(cid, _Source(
                Check.model_validate({"id": cid, "assert": text}), source.doc,
                (*source.loc, "of")))

    def samples(self, metrics: dict[str, _Source]) -> None:
        """Survey metrics' `sample` (survey_metrics.py)."""
        from .survey_metrics import SURVEY_SAMPLE
        self.count_references(SURVEY_SAMPLE, metrics)

    def count_references(self, ref: CountReference, metrics: dict[str, _Source]) -> None:
        """Each metric's `ref.key` names a count metric and sits on the right unit."""
        specs = {m: s.item for m, s in metrics.items()}
        for m, source in metrics.items():
            self.problems += count_reference_problems(
                ref, m, source.item, specs,
                lambda *k, key=False, s=source: self.at(s, *k, key=key))

    def scoring(self, source: _Source[Scoring]) -> None:
        """Each indicator's metric and target exist (after extends)."""
        targets = self.entries.targets
        for i, indicator in enumerate(source.item.indicators):
            if indicator.metric is not None and indicator.metric not in self.entries.metrics:
                self.unknown_metric(indicator.metric, self.at(source, "indicators", i, "metric"))
            if indicator.self_assessed is not None \
                    and indicator.self_assessed not in self.entries.metrics:
                self.unknown_metric(indicator.self_assessed,
                                    self.at(source, "indicators", i, "self_assessed"))
            if indicator.target is not None and indicator.target not in targets:
                self.problems.append(Problem(
                    "SEM37", _("unknown target '{target}' in indicator '{id}'").format(
                               target=indicator.target,
                               id=indicator.id), self.at(source, "indicators", i, "target"),
                    did_you_mean(indicator.target, targets) or _("declare it under 'targets'")))

    def op_value(self, op: str, value: float | tuple[float, float], pos: Position) -> None:
        if op == "between" and not isinstance(value, tuple):
            self.problems.append(Problem("SEM02", _("op 'between' takes value: [low, high]"), pos))
        elif op == "between" and isinstance(value, tuple) and value[0] > value[1]:
            self.problems.append(Problem("SEM02", _("low end {value:g} is above high end "
                                                    "{value2:g}").format(
                                                    value=value[0],
                                                    value2=value[1]), pos, _("write [low, high]")))
        elif op != "between" and isinstance(value, tuple):
            self.problems.append(Problem("SEM02", _("op '{op}' takes one number, not a "
                                                    "pair").format(
                                                    op=op), pos,
                                         _("use op: between for a range")))

    def percent_range(self, value: float, pos: Position) -> None:
        if not 0 <= value <= 100:
            self.problems.append(Problem(
                "SEM04", _("{value:g} is outside 0–100 for a percent metric").format(
                           value=value), pos,
                _("set change: percent or absolute to compare a change")))
