"""Evaluate stage: plans in force by date. Each version of a plan is evaluated on the same
figures and keeps the results and checks of the periods whose last day it was in force; the
rows say which version judged them (`version`), and the record names every version and what
the later ones dropped or changed.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable

import polars as pl

from ..periods import parse_period
from ..ruleset.changes import compare
from ..ruleset.versions import Version
from .evaluator import evaluate
from .result import Evaluation


def evaluate_versions(versions: list[Version], figures, **filters: Iterable[str] | None
                      ) -> Evaluation:
    """One `Evaluation` over every version: results of each period from the version in force
    on the period's last day; the newest version's ruleset, with the targets only older ones
    had added, names the targets."""
    parts, traces, checks = [], [], []
    warnings: list = []
    for version in versions:
        ev = evaluate(version.ruleset, figures, **filters)
        keep = _in_force(ev.results["period"], version)
        parts.append(ev.results.filter(keep).with_columns(pl.lit(version.id).alias("version")))
        if ev.trace is not None:
            traces.append(ev.trace.filter(keep))
        checks.append(ev.checks.filter(_in_force(ev.checks["period"], version))
                      .with_columns(pl.lit(version.id).alias("version")))
        warnings += [w for w in ev.warnings if w not in warnings]
        last = ev
    newest = versions[-1].ruleset
    known = {t.id for t in newest.model.targets}
    dropped = [t for v in versions[:-1] for t in v.ruleset.model.targets if t.id not in known]
    metrics = {m: x for v in versions for m, x in v.ruleset.model.metrics.items()}
    metrics.update(newest.model.metrics)   # a dropped target's metric still names its unit
    merged = newest.model.model_copy(update={
        "targets": [*newest.model.targets, *{t.id: t for t in dropped}.values()],
        "metrics": metrics})
    ruleset = type(newest)(**{**newest.__dict__, "model": merged})
    results = pl.concat(parts, how="vertical") if parts else last.results
    order = ["unit", "period", "target"]
    index = results.with_row_index("_i").sort(order)["_i"]
    results = results[index]
    trace = pl.concat(traces, how="vertical")[index] if len(traces) == len(parts) else None
    return Evaluation(ruleset=ruleset, figures=figures, values=last.values, results=results,
                      checks=pl.concat(checks, how="vertical").sort(["unit", "period", "check"]),
                      found=[w for w in warnings if w not in figures.warnings], trace=trace,
                      time=last.time,
                      versions=[v.record() for v in versions], chain=list(versions),
                      version_changes=[compare(a.ruleset, b.ruleset)
                                       for a, b in itertools.pairwise(versions)])


def _in_force(periods: pl.Series, version: Version) -> pl.Series:
    days = {p: parse_period(p).end for p in periods.unique().to_list()}
    return periods.replace_strict(days, return_dtype=pl.Date).map_elements(
        version.in_force, return_dtype=pl.Boolean)


def version_lines(evaluation: Evaluation, t: dict[str, str]) -> list[str]:
    """For the table and the report: each version with its days in force and the periods it
    judged, then what each later version dropped, changed or added (target ids). Empty for a
    single plan. `t`: the words of render/i18n.py."""
    if not evaluation.versions:
        return []
    judged: dict[str, list[str]] = {}
    if "version" in evaluation.results.columns:
        pairs = evaluation.results.select("version", "period").unique()
        for version, period in sorted(pairs.iter_rows()):
            judged.setdefault(version, []).append(period)
    out = [t["versions"] + ":"]
    for v in evaluation.versions:
        days = " ".join(w for w in (
            f"{t['version.from']} {v['in_force_from']}" if v["in_force_from"] else "",
            f"{t['version.to']} {v['in_force_to']}" if v["in_force_to"] else "") if w)
        source = f" ({v['source']})" if v["source"] else ""
        periods = ", ".join(judged.get(v["ruleset"], [])) or t["version.none"]
        out.append(f"  {v['ruleset']}{source}, {days}: {t['version.periods']} {periods}")
    for changes in evaluation.version_changes:
        kinds = [(k, [c.target for c in changes.targets if c.kind == k])
                 for k in ("removed", "changed", "added")]
        said = "; ".join(f"{t['version.' + k]} {', '.join(ids)}" for k, ids in kinds if ids)
        out.append(f"  {t['version.changes']} {changes.old} → {changes.new}: {said or '—'}")
    return out
