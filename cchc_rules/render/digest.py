"""Render stage: a change digest between two results documents (`cchc evaluate --format
json`), as a table, JSON or Markdown fit for a chat message or an e-mail (docs/diff.md).

A result is keyed by (unit, target, period); with `periods=(P, Q)` the results of period P
in the previous document are set against those of period Q in the current one (month to
month). A status that moved down the severity order of domain.py (met, on_track, pending,
no_data, invalid, off_track, not_met) got worse; `not_applicable` is neither better nor
worse. Every result of either side lands in exactly one list or in `unchanged`.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain import Status
from ..errors import CchcError, Problem
from ..messages import _
from ..present import Formatter
from .i18n import check_lang, words

SIDE_KEYS = ("unit", "target", "period", "status", "actual", "metric")
REL_TOL = 1e-9               # figures closer than this are the same (float noise)


@dataclass
class Digest:
    """What changed between two results documents."""

    previous: str
    current: str
    worse: list[dict] = field(default_factory=list)      # status changes, worst first
    better: list[dict] = field(default_factory=list)
    other: list[dict] = field(default_factory=list)      # to or from not_applicable
    figures: list[dict] = field(default_factory=list)    # same status, another actual
    new: list[dict] = field(default_factory=list)
    vanished: list[dict] = field(default_factory=list)
    unchanged: int = 0

    @property
    def got_worse(self) -> bool:
        return bool(self.worse)

    def counts(self) -> dict[str, int]:
        return {"worse": len(self.worse), "better": len(self.better),
                "other_status_changes": len(self.other), "figures_changed": len(self.figures),
                "new": len(self.new), "vanished": len(self.vanished),
                "unchanged": self.unchanged}


def results_of(document: Any, name: str) -> list[dict]:
    """The `results` of a results document; DIF01 when it is not one."""
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list) or not all(
            isinstance(r, dict) and all(k in r for k in ("unit", "target", "period", "status"))
            for r in results):
        raise CchcError([Problem("DIF01", _("'{name}' is not a results document: no "
                                            "'results' list of unit, target, period and "
                                            "status").format(name=name), None,
                                 _("write it with: cchc evaluate … --format json"))])
    return results


def compare(previous: Sequence[Mapping], current: Sequence[Mapping], *,
            names: tuple[str, str] = ("", ""),
            periods: tuple[str, str] | None = None) -> Digest:
    """The digest of `current` against `previous` (lists of result records)."""
    before = _keyed(previous, periods[0] if periods else None)
    after = _keyed(current, periods[1] if periods else None)
    digest = Digest(*names)
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old is None:
            assert new is not None   # the key came from one side or the other
            digest.new.append(_side(new))
        elif new is None:
            digest.vanished.append(_side(old))
        elif old["status"] != new["status"]:
            change = _change(old, new)
            {"worse": digest.worse, "better": digest.better}.get(
                change["direction"], digest.other).append(change)
        elif not _same(old.get("actual"), new.get("actual")):
            digest.figures.append(_change(old, new))
        else:
            digest.unchanged += 1
    # worst first: the biggest drop in severity, then by unit, target, period
    digest.worse.sort(key=lambda c: (-c["steps"], c["unit"], c["target"], c["period"]))
    digest.better.sort(key=lambda c: (-c["steps"], c["unit"], c["target"], c["period"]))
    return digest


def _keyed(results: Sequence[Mapping], period: str | None) -> dict[tuple[str, str, str], Mapping]:
    """Results by (unit, target, period); with `period`, only that period's, keyed by
    (unit, target, '') so two periods can be set side by side."""
    if period is None:
        return {(str(r["unit"]), str(r["target"]), str(r["period"])): r for r in results}
    return {(str(r["unit"]), str(r["target"]), ""): r for r in results
            if str(r["period"]) == period}


def _severity(status: str) -> int | None:
    try:
        found = Status(status)
    except ValueError:
        return None
    return None if found is Status.NOT_APPLICABLE else found.info.severity


def _side(result: Mapping) -> dict:
    return {k: result.get(k) for k in SIDE_KEYS}


def _change(old: Mapping, new: Mapping) -> dict:
    was, now = _severity(old["status"]), _severity(new["status"])
    steps = 0 if was is None or now is None else was - now
    direction = "other" if was is None or now is None or was == now else \
        "worse" if steps > 0 else "better"
    before, after = old.get("actual"), new.get("actual")
    delta = after - before if _number(before) and _number(after) else None  # type: ignore[operator]  # _number: both are numbers
    return {"unit": new["unit"], "target": new["target"], "period": new["period"],
            "previous_period": old["period"], "metric": new.get("metric"),
            "before": old["status"], "after": new["status"], "direction": direction,
            "steps": abs(steps), "actual_before": before, "actual_after": after,
            "delta": delta}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)


def _same(a: Any, b: Any) -> bool:
    if _number(a) and _number(b):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=REL_TOL)
    return a == b


def to_json(digest: Digest) -> str:
    """The digest as one JSON object: `summary` counts, then every list in full."""
    return json.dumps({"previous": digest.previous, "current": digest.current,
                       "got_worse": digest.got_worse, "summary": digest.counts(),
                       "worse": digest.worse, "better": digest.better,
                       "other_status_changes": digest.other,
                       "figures_changed": digest.figures,
                       "new": digest.new, "vanished": digest.vanished},
                      ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _status(name: Any, lang: str) -> str:
    return words(lang).get(f"status.{name}", str(name))


def _actual(value: Any, lang: str) -> str:
    """A figure as the tables show it: Vietnamese 92,05 / English 92.05, '—' for none."""
    return Formatter(lang).number(value) if _number(value) else "—"


def _moved(c: Mapping, lang: str) -> str:
    return f"{_status(c['before'], lang)} → {_status(c['after'], lang)}"


def _figures(c: Mapping, lang: str) -> str:
    return f"{_actual(c['actual_before'], lang)} → {_actual(c['actual_after'], lang)}"


def _where(c: Mapping) -> str:
    period = c["period"] if c.get("previous_period", c["period"]) == c["period"] \
        else f"{c['previous_period']} → {c['period']}"
    return f"{c['unit']} · {c['target']} · {period}"


def _lines(digest: Digest, lang: str, limit: int, bullet: str, bold: str
           ) -> list[str]:
    """The digest's sections as text lines (`bullet` before each item, `bold` around each
    heading: '- ' and '**' for Markdown), each section cut at `limit` items with a count."""
    lang = check_lang(lang)
    sections = (
        (_("Got worse"), digest.worse,
         lambda c: f"{_where(c)}: {_moved(c, lang)} ({_figures(c, lang)})"),
        (_("Got better"), digest.better,
         lambda c: f"{_where(c)}: {_moved(c, lang)} ({_figures(c, lang)})"),
        (_("Other status changes"), digest.other,
         lambda c: f"{_where(c)}: {_moved(c, lang)}"),
        (_("Figures that changed (same status)"), digest.figures,
         lambda c: f"{_where(c)}: {_figures(c, lang)} ({_status(c['after'], lang)})"),
        (_("New results"), digest.new, lambda r: (
            f"{_where(r)}: {_status(r['status'], lang)} ({_actual(r['actual'], lang)})")),
        (_("Vanished results"), digest.vanished, lambda r: (
            f"{_where(r)}: {_status(r['status'], lang)} ({_actual(r['actual'], lang)})")),
    )
    counts = digest.counts()
    out = [_("{worse} worse, {better} better, {other} other status changes, {figures} "
             "figures changed, {new} new, {vanished} vanished, {unchanged} unchanged").format(
        worse=counts["worse"], better=counts["better"],
        other=counts["other_status_changes"], figures=counts["figures_changed"],
        new=counts["new"], vanished=counts["vanished"], unchanged=counts["unchanged"])]
    for title, items, line in sections:
        if not items:
            continue
        out += ["", f"{bold}{title} ({len(items)}){bold}"]
        shown = items if limit <= 0 else items[:limit]
        out += [bullet + line(item) for item in shown]
        if len(shown) < len(items):
            out.append(bullet + _("… and {more} more (--limit 0 lists all)").format(
                more=len(items) - len(shown)))
    return out


def to_table(digest: Digest, lang: str = "vi", limit: int = 0) -> str:
    head = _("Changes from {previous} to {current}").format(
        previous=digest.previous, current=digest.current)
    return "\n".join([head, *_lines(digest, lang, limit, "  ", "")]) + "\n"


def to_markdown(digest: Digest, lang: str = "vi", limit: int = 20) -> str:
    """Markdown for a chat message or an e-mail: a heading, a one-line count, then one
    bulleted list per kind of change (file names in code spans, no tables: chat clients
    render lists everywhere)."""
    head = "### " + _("Changes from {previous} to {current}").format(
        previous=f"`{digest.previous}`", current=f"`{digest.current}`")
    return "\n".join([head, "", *_lines(digest, lang, limit, "- ", "**")]) + "\n"


RENDERERS = {"table": to_table, "markdown": to_markdown}
