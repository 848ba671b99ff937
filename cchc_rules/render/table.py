"""Render stage: the human table (`--format table`, the default), grouped by unit.

Titles, labels and unit names are shown as written in the ruleset and data; only the fixed
words (headings, statuses) follow `--lang`. Colour only when the caller says it is a terminal.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click

from ..checktext import check_texts
from ..domain import COLOURS, DEFAULT_FAIL_ON, STATUSES, UNRATED
from ..errors import escape_controls
from ..present import Formatter, compared_unit, threshold_text
from ..result import Evaluation
from ..selection import empty_reason
from .i18n import words

COLUMNS = ("period", "target", "actual", "threshold", "expected", "status", "needed")
# Rows that say nothing about progress are summed up in one line per unit: a province plan
# of 60 targets against a district's one-stop report is otherwise mostly "no data".
QUIET = UNRATED
QUIET_LISTED = 12


def _quiet_line(status: str, records: list[dict[str, Any]], t: dict[str, str]) -> str:
    targets = sorted({r["target"] for r in records})
    shown = ", ".join(targets[:QUIET_LISTED]) + (", …" if len(targets) > QUIET_LISTED else "")
    return "  " + t["quiet_rows"].format(status=t[f"status.{status}"], n=len(records),
                                         targets=shown)


def _threshold(r: dict[str, Any], fmt: Formatter, unit: str | None) -> str:
    # A record writes a `between` threshold as its [low, high] pair.
    low, high = r["threshold"] if isinstance(r["threshold"], list) else (r["threshold"], None)
    return threshold_text(r["op"], low, high, unit, fmt)


def _value_units(evaluation: Evaluation) -> dict[str, str | None]:
    """Per target, how its compared quantity is written: a percent change is a percentage."""
    model = evaluation.ruleset.model
    return {t.id: compared_unit(t, model.metrics) for t in model.targets}


def _row(r: dict[str, Any], unit: str | None, fmt: Formatter, t: dict[str, str]) -> list[str]:
    return [r["period"], r["target"], fmt.value(r["actual"], unit), _threshold(r, fmt, unit),
            fmt.value(r["expected"], unit), t[f"status.{r['status']}"],
            fmt.needed(r["needed"]) if r["needed"] is not None else "", r["title"]]


def _lines(rows: list[list[str]], statuses: list[str | None], color: bool) -> list[str]:
    rows = [[escape_controls(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    out = []
    for row, status in zip(rows, statuses, strict=True):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        if color and status:
            cells[5] = click.style(cells[5], fg=COLOURS[status])
        out.append(("  " + "  ".join(cells) + "  " + row[-1]).rstrip())
    return out


def render(evaluation: Evaluation, *, lang: str = "vi", color: bool = False,
           fail_on: Iterable[str] = DEFAULT_FAIL_ON, **_options: Any) -> str:
    t, fmt = words(lang), Formatter(lang)
    units = evaluation.figures.units
    value_units = _value_units(evaluation)
    heading = [t[c] for c in COLUMNS] + [""]
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for r in evaluation.records():
        by_unit.setdefault(r["unit"], []).append(r)
    checks_by_unit: dict[str, list[dict[str, Any]]] = {}
    for c in evaluation.check_records():
        if c["status"] in set(fail_on):
            checks_by_unit.setdefault(c["unit"], []).append(c)
    shown = [c for cs in checks_by_unit.values() for c in cs]
    texts = dict(zip(map(id, shown), check_texts(evaluation, shown, fmt.number), strict=True))
    out: list[str] = []
    for unit_id in sorted(by_unit.keys() | checks_by_unit.keys()):
        unit = units.get(unit_id)
        level = f" · {unit.level}" if unit and unit.level else ""
        title = f"{unit.name} ({unit_id}{level})" if unit and unit.name != unit_id \
            else f"{unit_id}{level}"
        title = escape_controls(title)
        out.append(click.style(title, bold=True) if color else title)
        records = [r for r in by_unit.get(unit_id, []) if r["status"] not in QUIET]
        if records:
            rows = [heading] + [_row(r, value_units[r["target"]], fmt, t) for r in records]
            out.extend(_lines(rows, [None] + [r["status"] for r in records], color))
        for status in QUIET:
            quiet = [r for r in by_unit.get(unit_id, []) if r["status"] == status]
            if quiet:
                out.append(_quiet_line(status, quiet, t))
        for c in checks_by_unit.get(unit_id, []):
            out.append(f"  {t['check']} {c['check']} {c['period']}: {t['check.' + c['status']]}"
                       f": {texts[id(c)]}")
        out.append("")
    if evaluation.ruleset.model.scoring is not None:
        from .scores import appraisal_text, ranking_text
        names = {uid: u.name for uid, u in units.items()}
        out += [*ranking_text(evaluation.scores().rankings, names, lang), ""]
        titles = {i.id: i.title for i in evaluation.ruleset.model.scoring.indicators}
        appraisal = appraisal_text(evaluation.scores(), names, titles, lang)
        out += [*appraisal, ""] if appraisal else []
    counts = evaluation.summary()
    shown = [f"{t[f'status.{s}']} {counts[s]}" for s in STATUSES if counts[s]]
    checks = evaluation.check_summary()
    out.append(f"{t['summary']}: " + (" · ".join(shown) or empty_reason(evaluation)))
    if any(checks.values()):
        out.append(f"{t['check']}: " + " · ".join(f"{t['check.' + k]} {v}"
                                                  for k, v in checks.items() if v))
    return "\n".join(out) + "\n"
