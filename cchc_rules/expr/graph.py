"""Formula dependency graph (validate stage): evaluation order, cycles, raw inputs.

Only derived metrics (keys of `formulas`) are graph nodes; any other name a
formula uses is a raw input read from the data.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..errors import CchcError, Position, Problem
from ..messages import _
from .ast import Node, name_nodes


def _deps(formulas: Mapping[str, Node], metric: str) -> list[str]:
    """Derived metrics `metric` uses directly, in reading order, without repeats."""
    seen = dict.fromkeys(n.id for n in name_nodes(formulas[metric]) if n.id in formulas)
    return list(seen)


def _cycle_path(formulas: Mapping[str, Node], start: str, members: set[str]) -> list[str]:
    """A shortest path start → … → start inside one strongly connected component."""
    frontier, came_from = [start], {start: ""}
    while frontier:
        nxt = []
        for metric in frontier:
            for dep in _deps(formulas, metric):
                if dep == start:
                    path = [metric]
                    while came_from[path[-1]]:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start][1:]
                if dep in members and dep not in came_from:
                    came_from[dep] = metric
                    nxt.append(dep)
        frontier = nxt
    return []


def _components(formulas: Mapping[str, Node]) -> list[list[str]]:
    """Tarjan's strongly connected components, dependencies before dependants."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(root: str) -> None:
        # Iterative, so a long chain of formulas cannot hit the recursion limit.
        work = [(root, iter(_deps(formulas, root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            metric, deps = work[-1]
            dep = next(deps, None)
            if dep is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[metric])
                if low[metric] == index[metric]:
                    comp = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        comp.append(top)
                        if top == metric:
                            break
                    out.append(comp)
            elif dep not in index:
                index[dep] = low[dep] = len(index)
                stack.append(dep)
                on_stack.add(dep)
                work.append((dep, iter(_deps(formulas, dep))))
            elif dep in on_stack:
                low[metric] = min(low[metric], index[dep])

    for metric in formulas:
        if metric not in index:
            visit(metric)
    return out


def derived_order(formulas: Mapping[str, Node],
                  positions: Mapping[str, Position]) -> tuple[str, ...]:
    """Derived metric ids, each after every derived metric its formula uses.

    Raises CchcError (FRM20) with one problem per metric on a cycle, at
    `positions[metric]`.
    """
    problems = []
    order = []
    for comp in _components(formulas):
        metric = comp[0]
        if len(comp) == 1 and metric not in _deps(formulas, metric):
            order.append(metric)
            continue
        members = set(comp)
        for m in sorted(members, key=list(formulas).index):
            path = _cycle_path(formulas, m, members)
            itself = _("formula of '{m}' refers to itself") if path == [m] \
                else _("formula of '{m}' refers to itself through {path}")
            problems.append(Problem("FRM20", itself.format(m=m, path=" → ".join(path)),
                                    positions.get(m), _("a formula cannot depend on its own "
                                                        "result")))
    if problems:
        raise CchcError(problems)
    return tuple(order)


def raw_inputs(formulas: Mapping[str, Node]) -> dict[str, frozenset[str]]:
    """For each derived metric, the raw (non-derived) metrics it needs, transitively.

    Safe on cyclic formulas (each metric is expanded once).
    """
    out: dict[str, frozenset[str]] = {}
    for metric in formulas:
        raw: set[str] = set()
        seen, todo = {metric}, [metric]
        while todo:
            for name in (n.id for n in name_nodes(formulas[todo.pop()])):
                if name not in formulas:
                    raw.add(name)
                elif name not in seen:
                    seen.add(name)
                    todo.append(name)
        out[metric] = frozenset(raw)
    return out
