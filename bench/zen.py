"""Benchmark comparison: the same target evaluations done record by record by GoRules zen-engine.

The ruleset is encoded as one JDM decision (a decision table for the milestone in force, expression
nodes for the rate, the trajectory and the status); inputs are rolled up beforehand with polars.
"""
from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from bench.workload import BASELINE_PERIOD, RATE_BY_ID, RATES, RAW, TARGETS, Target, _sum
from cchc_rules.periods import parse_period

KEY = "cchc"
TOLERANCE = 1e-9  # relative, as the engine's comparisons (docs/architecture.md)


def _day(period: str) -> int:
    return parse_period(period).end.toordinal()


def _lit(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _node(node_id: str, kind: str, content: dict | None = None) -> dict:
    node = {"id": node_id, "type": kind, "name": node_id, "position": {"x": 0, "y": 0}}
    if content is not None:
        node["content"] = content
    return node


def _expressions(pairs: list[tuple[str, str]], pass_through: bool = True) -> dict:
    rows = [{"id": f"x{i}", "key": k, "value": v} for i, (k, v) in enumerate(pairs)]
    return {"passThrough": pass_through, "expressions": rows}


def _milestone_rules(t: Target) -> Iterator[dict]:
    """One decision-table row per milestone: the first whose deadline the period has not passed."""
    prev_day, prev_value = None, None
    if t.baseline is not None:
        prev_day, prev_value = _day(BASELINE_PERIOD), 0 if t.change else t.baseline
    for i, (by, op, value) in enumerate(t.milestones):
        last = i == len(t.milestones) - 1
        yield {"t": _lit(t.id), "pe": "" if last else f"<= {_day(by)}",
               "op": _lit(op), "thr": _lit(value), "dl": _lit(by), "dle": _lit(_day(by)),
               "fd": _lit(prev_day), "fv": _lit(prev_value), "m": _lit(t.metric),
               "ch": _lit(t.change), "bv": _lit(t.baseline),
               "lvl": _lit(list(t.levels) if t.levels else None)}
        prev_day, prev_value = _day(by), value


def _chain(pick) -> str:
    """`m == 'a' ? <a> : m == 'b' ? <b> : … : null`, one branch per derived metric."""
    return " : ".join(f"m == {_lit(r.id)} ? ({pick(r)})" for r in RATES) + " : null"


def decision() -> dict:
    """The JDM graph for one (target, unit, period) record; context: t, lv, pe, raw figures."""
    fields = ["op", "thr", "dl", "dle", "fd", "fv", "m", "ch", "bv", "lvl"]
    table = {
        "hitPolicy": "first", "passThrough": True, "executionMode": "single",
        "inputs": [{"id": "t", "name": "Target", "field": "t"},
                   {"id": "pe", "name": "Period end", "field": "pe"}],
        "outputs": [{"id": f, "name": f, "field": f} for f in fields],
        "rules": [{"_id": f"r{i}", **row} for i, row in
                  enumerate(r for t in TARGETS for r in _milestone_rules(t))],
    }
    inputs = _expressions([
        ("app", "lvl == null or lv in lvl"),
        ("miss", _chain(lambda r: " or ".join(f"{n} == null" for n in r.inputs))),
        ("num", f"$.miss ? null : ({_chain(lambda r: ' + '.join(r.numerator))})"),
        ("den", f"$.miss ? null : ({_chain(lambda r: ' + '.join(r.denominator))})"),
    ])
    value = _expressions([
        ("inv", "miss == false and den == 0"),
        ("raw", "miss or $.inv ? null : num / den * 100"),
        ("act", "$.raw == null ? null : ch == 'percent' ? ($.raw - bv) / bv * 100"
                " : ch == 'absolute' ? $.raw - bv : $.raw"),
        ("tol", f"$.act == null ? 0 : {TOLERANCE} * max([abs($.act), abs(thr)])"),
        ("exp", "fv == null ? null : fv + (thr - fv) * (pe - fd) / (dle - fd)"),
    ])
    status = _expressions([
        ("met", "act == null ? false : op == '>=' ? act >= thr - tol : op == '<=' ? "
                "act <= thr + tol : op == '>' ? act > thr + tol : act < thr - tol"),
        ("ahead", "act == null or exp == null ? false : op == '>=' or op == '>' ? "
                  "act >= exp : act <= exp"),
        ("status", "app == false ? 'not_applicable' : miss ? 'no_data' : inv ? 'invalid' : "
                   "$.met ? 'met' : pe >= dle ? 'not_met' : exp == null ? 'pending' : "
                   "$.ahead ? 'on_track' : 'off_track'"),
        ("actual", "act"), ("expected", "exp"),
        ("gap", "act == null ? null : act - thr"),
    ], pass_through=False)
    nodes = [_node("in", "inputNode"), _node("milestone", "decisionTableNode", table),
             _node("inputs", "expressionNode", inputs), _node("value", "expressionNode", value),
             _node("status", "expressionNode", status), _node("out", "outputNode")]
    edges = [{"id": f"e{i}", "sourceId": a["id"], "targetId": b["id"], "type": "edge"}
             for i, (a, b) in enumerate(itertools.pairwise(nodes))]
    return {"nodes": nodes, "edges": edges}


def rolled_up(data_dir: Path) -> pl.DataFrame:
    """Communes as reported plus provinces as sums (null unless every child reports)."""
    raw = pl.read_csv(data_dir / "data.csv", schema_overrides={k: pl.Int64 for k in RAW})
    units = pl.read_csv(data_dir / "units.csv", schema_overrides={"parent": pl.String})
    children = units.group_by("parent").agg(pl.len().alias("children"))
    sums = (raw.join(units.select(pl.col("id").alias("unit"), "parent"), on="unit")
            .group_by("parent", "period")
            .agg(pl.len().alias("reporting"),
                 *[pl.when(pl.col(k).null_count() == 0).then(pl.col(k).sum()).alias(k)
                   for k in RAW])
            .join(children, on="parent")
            .with_columns([pl.when(pl.col("reporting") == pl.col("children")).then(pl.col(k))
                           .alias(k) for k in RAW])
            .rename({"parent": "unit"}).drop("reporting", "children"))
    days = {p: _day(p) for p in raw["period"].unique().to_list()}
    levels = units.select(pl.col("id").alias("unit"), pl.col("level").alias("lv"))
    return (pl.concat([raw, sums.select(raw.columns)])
            .join(levels, on="unit", how="left")
            .with_columns(pe=pl.col("period").replace_strict(days, return_dtype=pl.Int64))
            .sort("unit", "period"))


def contexts(table: pl.DataFrame, target: Target) -> list[dict]:
    cols = ["lv", "pe", *RATE_BY_ID[target.metric].inputs]
    return [{"t": target.id, **dict(zip(cols, row, strict=True))}
            for row in table.select(cols).iter_rows()]


@dataclass
class ZenRun:
    results: pl.DataFrame   # target, unit, period, status, actual, expected, gap
    prepare_s: float        # reading, roll-up and building the request contexts
    evaluate_s: float       # inside evaluate_batch only
    collect_s: float        # turning the responses into a table
    records: int


def run(data_dir: Path, targets: tuple[Target, ...] = TARGETS) -> ZenRun:
    """Evaluate every (target, unit, period) with `evaluate_batch`, one batch per target."""
    from zen import ZenEngine

    t0 = time.perf_counter()
    table = rolled_up(data_dir)
    engine = ZenEngine({"loader": {"type": "static", "content": {KEY: decision()}}})
    prepare = time.perf_counter() - t0
    evaluate = collect = 0.0
    frames = []
    for target in targets:
        t1 = time.perf_counter()
        requests = [{"key": KEY, "context": c} for c in contexts(table, target)]
        t2 = time.perf_counter()
        responses = engine.evaluate_batch(requests)
        t3 = time.perf_counter()
        frames.append(_collect(responses, table, target))
        prepare += t2 - t1
        evaluate += t3 - t2
        collect += time.perf_counter() - t3
    results = pl.concat(frames)
    return ZenRun(results, prepare, evaluate, collect, results.height)


def _collect(responses: list[dict], table: pl.DataFrame, target: Target) -> pl.DataFrame:
    bad = [r for r in responses if not r.get("success")]
    if bad:
        raise RuntimeError(f"zen-engine failed on {len(bad)} records of {target.id}: {bad[0]}")
    out = [r["data"]["result"] for r in responses]
    return table.select("unit", "period").with_columns(
        target=pl.lit(target.id),
        status=pl.Series([o["status"] for o in out], dtype=pl.String),
        actual=pl.Series([o.get("actual") for o in out], dtype=pl.Float64),
        expected=pl.Series([o.get("expected") for o in out], dtype=pl.Float64),
        gap=pl.Series([o.get("gap") for o in out], dtype=pl.Float64),
    )



# The leanest zen peer (issue 13): what any zen-based tool must do at least. One decision
# (input → one expression node → output) whose 40 expressions are the targets' first
# milestones over the inlined formulas; met/not-met booleans only, one evaluate_batch call.
LEAN_KEY = "lean"


def lean_expression(target: Target) -> str:
    """`<the metric's formula inlined down to raw figures> <op> <value>` of the first
    milestone, e.g. `(on_time + pending_in_time) / handled * 100 >= 80`, behind the least
    guard that keeps zen from failing the record: no blank figure, a denominator above zero
    (zen fails a record on arithmetic with null and on a division by zero)."""
    _, op, value = target.milestones[0]
    rate = RATE_BY_ID[target.metric]
    filled = " and ".join(f"{name} != null" for name in rate.inputs)
    return f"{filled} and {_sum(rate.denominator)} > 0 and {rate.formula} {op} {value:g}"


def lean_decision(targets: tuple[Target, ...] = TARGETS) -> dict:
    expressions = _expressions([(t.id, lean_expression(t)) for t in targets],
                               pass_through=False)
    nodes = [_node("in", "inputNode"), _node("met", "expressionNode", expressions),
             _node("out", "outputNode")]
    edges = [{"id": f"e{i}", "sourceId": a["id"], "targetId": b["id"], "type": "edge"}
             for i, (a, b) in enumerate(itertools.pairwise(nodes))]
    return {"nodes": nodes, "edges": edges}


@dataclass
class LeanRun:
    met: int               # met booleans that came back true
    answers: int           # booleans (records × targets)
    prepare_s: float       # reading, province sums, request dicts (not the peer's cost)
    evaluate_s: float      # the one evaluate_batch call
    records: int


def lean_run(data_dir: Path, targets: tuple[Target, ...] = TARGETS) -> LeanRun:
    """One evaluate_batch over every unit-period row (communes as reported, provinces
    pre-summed in Python): the rows as dicts of raw figures."""
    from zen import ZenEngine

    t0 = time.perf_counter()
    table = rolled_up(data_dir)
    engine = ZenEngine({"loader": {"type": "static",
                                   "content": {LEAN_KEY: lean_decision(targets)}}})
    requests = [{"key": LEAN_KEY, "context": row}
                for row in table.select(list(RAW)).iter_rows(named=True)]
    t1 = time.perf_counter()
    responses = engine.evaluate_batch(requests)
    t2 = time.perf_counter()
    bad = [r for r in responses if not r.get("success")]
    if bad:
        raise RuntimeError(f"zen-engine failed on {len(bad)} records: {bad[0]}")
    met = sum(v is True for r in responses for v in r["data"]["result"].values())
    answers = sum(len(r["data"]["result"]) for r in responses)
    return LeanRun(met, answers, t1 - t0, t2 - t1, len(requests))
