"""Style findings on a valid ruleset: what validates but is probably not what the plan meant.

Each finding is a warning `Problem` with an `LNT` code (docs/lint.md has Bad/Good examples).
`# cchc: disable=LNT01` (several codes: comma-separated) at the end of the line a finding
points at silences it there; the reason is written after it in the same comment.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

from ..domain import MetricUnit, Op
from ..errors import Position, Problem
from ..expr.ast import Name, names, ratio_parts, walk
from ..messages import _
from .loader import LoadedRuleset
from .schema import Target

_PERCENT_IN_TITLE = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")
_DISABLE = re.compile(r"#\s*cchc:\s*disable=([A-Z0-9, ]+)")
_RATE_WORDS = ("tỷ lệ", "tỉ lệ")


def lint(ruleset: LoadedRuleset) -> list[Problem]:
    """Every finding in the ruleset's own file (its `extends` parents are linted on their
    own) not silenced by a `# cchc: disable=` comment, in file order."""
    found = [*_targets(ruleset), *_metrics(ruleset), *_document(ruleset)]
    own = str(ruleset.files[0]) if ruleset.files else None
    lines: dict[str, list[str]] = {}
    kept = [p for p in found if (p.pos is None or p.pos.file == own)
            and not _silenced(p, lines)]
    return sorted(kept, key=lambda p: (p.pos or Position(""), p.code))


def _warn(code: str, message: str, pos: Position | None, hint: str) -> Problem:
    return Problem(code, message, pos, hint, "warning")


def _targets(ruleset: LoadedRuleset) -> Iterator[Problem]:
    model = ruleset.model
    for target in model.targets:
        pos = ruleset.positions.get(f"target:{target.id}")
        metric = model.metrics.get(target.metric_id)
        if not target.source:
            yield _warn("LNT01", _("target '{id}' has no source").format(id=target.id), pos,
                        _("add source: the plan's section that states it, e.g. 'Mục II.2'"))
        if metric is not None and metric.unit == MetricUnit.PERCENT and metric.formula:
            yield from _percent_formula(ruleset, target, pos)
        if target.baseline is None and any(m.op != Op.BETWEEN for m in target.milestones):
            yield _warn("LNT03", _("target '{id}' has no baseline: before its deadline it can "
                                   "only be 'pending', never on or off track").format(
                                   id=target.id), pos,
                        _("add baseline: {period: \"2021\", value: …} to draw a trajectory"))
        yield from _title_numbers(target, pos)


def _percent_formula(ruleset: LoadedRuleset, target: Target, pos: Position | None
                     ) -> Iterator[Problem]:
    """A percentage is part / whole * 100 of one kind of quantity, or a combination (sum,
    min, max) of other percentages."""
    node = ruleset.formulas.get(target.metric_id)
    metrics = ruleset.model.metrics
    if node is None:
        return
    units = {metrics[n].unit for n in names(node) if n in metrics}
    parts = ratio_parts(node)
    if parts is None:
        if units - {MetricUnit.PERCENT}:
            yield _warn("LNT02", _("target '{id}' is a percentage, but '{metric}' is not a ratio "
                                   "of counts").format(id=target.id, metric=target.metric), pos,
                        _("write it as part / whole * 100"))
        return
    top, bottom, k = parts
    mixed = sorted({metrics[n].unit for part in (top, bottom) for n in names(part)
                    if n in metrics})
    if k != 100:
        yield _warn("LNT02", _("target '{id}' is a percentage, but '{metric}' multiplies its "
                               "ratio by {k}, not 100").format(
                               id=target.id, metric=target.metric, k=_show(k)), pos,
                    _("write part / whole * 100"))
    elif len(mixed) > 1:
        yield _warn("LNT02", _("target '{id}' is a percentage of quantities in different units "
                               "({mixed})").format(id=target.id, mixed=', '.join(mixed)), pos,
                    _("a percentage divides two counts (or two amounts) of the same kind"))


def _title_numbers(target: Target, pos: Position | None) -> Iterator[Problem]:
    """'Tối thiểu 80%' over `value: 70` is a typing error: the title's percentages must
    each be a milestone value (or its size, for a decrease)."""
    said = [float(n.replace(",", ".")) for n in _PERCENT_IN_TITLE.findall(target.title)]
    values = {abs(v) for m in target.milestones
              for v in (m.value if isinstance(m.value, tuple) else (m.value,))}
    if target.baseline is not None and target.baseline.value is not None:
        values.add(abs(target.baseline.value))
    wrong = [n for n in said if not any(abs(n - v) < 1e-9 for v in values)]
    if wrong and values:
        shown = ", ".join(f"{_show(v)}" for v in sorted(values))
        yield _warn("LNT05", _("target '{id}': the title says {value}, the milestones say "
                               "{shown}").format(
                               id=target.id, value=', '.join(f'{_show(n)}%' for n in wrong),
                               shown=shown),
                    pos, _("correct the title or the milestone value"))


def _metrics(ruleset: LoadedRuleset) -> Iterator[Problem]:
    model = ruleset.model
    used = {t.metric for t in model.targets}
    if model.scoring is not None:  # a scored or self-assessed metric is used (spec §7)
        used |= {m for i in model.scoring.indicators for m in (i.metric, i.self_assessed)
                 if m is not None}
    # a survey's sample is used by its rate's margin (spec §7 v3)
    used |= {m.sample for m in model.metrics.values() if getattr(m, "sample", None)}
    for node in (*ruleset.asserts.values(), *ruleset.formulas.values()):
        used |= {n.id for n in walk(node) if isinstance(n, Name)}
    for mid, metric in model.metrics.items():
        pos = ruleset.positions.get(f"metric:{mid}")
        if mid not in used and not metric.display_only:
            yield _warn("LNT04", _("metric '{mid}' is defined but no target, check or formula "
                                   "uses it").format(
                                   mid=mid), pos, _("remove it, or add the target that needs it"))
        rate = metric.label.casefold().startswith(_RATE_WORDS)
        if rate and metric.unit not in (MetricUnit.PERCENT, MetricUnit.RATIO):
            yield _warn("LNT06", _("metric '{mid}' is labelled as a rate ('{label}') but its unit "
                                   "is {unit}").format(
                                   mid=mid, label=metric.label, unit=metric.unit), pos,
                        _("use unit: percent (or ratio), or rename it"))


def _document(ruleset: LoadedRuleset) -> Iterator[Problem]:
    model = ruleset.model
    if not model.source:
        yield _warn("LNT07", _("ruleset '{ruleset}' names no source document").format(
                               ruleset=model.ruleset),
                    _key_line(ruleset.files[0], "ruleset:") if ruleset.files else None,
                    _("add source: the plan's number and date, e.g. 'Quyết định 123/QĐ-UBND'"))


def _key_line(path: Path, key: str) -> Position:
    """Where the top-level `key` is written (line 1 when it cannot be found)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    line = next((i for i, text in enumerate(lines, 1) if text.startswith(key)), 1)
    return Position(str(path), line, 1)


def _silenced(problem: Problem, cache: dict[str, list[str]]) -> bool:
    pos = problem.pos
    if pos is None or not pos.line:
        return False
    if pos.file not in cache:
        try:
            cache[pos.file] = Path(pos.file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            cache[pos.file] = []
    lines = cache[pos.file]
    if pos.line > len(lines):
        return False
    match = _DISABLE.search(lines[pos.line - 1])
    return match is not None and problem.code in re.findall(r"[A-Z]+[0-9]+", match.group(1))


def _show(value: float | Fraction) -> str:
    return f"{float(value):g}"
