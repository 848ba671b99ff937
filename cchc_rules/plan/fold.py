"""Row plans (compile stage): fold the conditions a plan can decide from known constants.

The wide evaluation runs the status plan once per target, and most of a target's inputs are
one value for all its rows (its operator, whether a trajectory starts at the baseline, its
ratio factor). `fold(plan, known)` decides the conditions that read only such values, and
drops the `Case` branches they rule out: a `>=` target no longer computes the five other
operators' comparisons on every row. The folded plan gives the same value on every row whose
columns hold the `known` values (tests/test_plan_fold.py holds plan_rows to that), so the
status rules stay written once, in status_plan.py.

Only conditions are folded; a known column read as a value stays a column, so every backend
keeps its types.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from . import nodes as n

_UNKNOWN = object()


def fold(stages: n.Plan, known: Mapping[str, Any]) -> n.Plan:
    """`stages` with every condition decided by `known` (column -> its one value) folded.

    A column a stage makes is no longer known from that stage on, whatever `known` says."""
    known = dict(known)
    out = []
    for stage in stages:
        out.append(tuple((name, fold_node(node, known)) for name, node in stage))
        for name, _ in stage:
            known.pop(name, None)
    return tuple(out)


def fold_node(node: n.Node, known: Mapping[str, Any]) -> n.Node:
    """`node` with the conditions `known` decides replaced by `Lit(True | False | None)`."""
    if isinstance(node, n.Col | n.Lit):
        return node
    if isinstance(node, n.In | n.IsNull | n.IsNaN):
        value = _value(node.arg, known)
        if value is not _UNKNOWN:
            return n.Lit(_decide(node, value))
        return replace(node, arg=fold_node(node.arg, known))
    if isinstance(node, n.Not):
        arg = _condition(node.arg, known)
        if isinstance(arg, n.Lit) and isinstance(arg.value, bool | None):
            return n.Lit(None if arg.value is None else not arg.value)
        return n.Not(arg)
    if isinstance(node, n.And | n.Or):
        return _logic(node, known)
    if isinstance(node, n.Case):
        return _case(node, known)
    if isinstance(node, n.Binary):
        return replace(node, left=fold_node(node.left, known),
                       right=fold_node(node.right, known))
    if isinstance(node, n.Many):
        return replace(node, args=tuple(fold_node(a, known) for a in node.args))
    if isinstance(node, n.Lookup):
        return replace(node, index=fold_node(node.index, known))
    if isinstance(node, n.Unary):
        return replace(node, arg=fold_node(node.arg, known))
    raise TypeError(f"{type(node).__name__} is not a plan node")


def _condition(node: n.Node, known: Mapping[str, Any]) -> n.Node:
    """`node` folded where it is a condition: a known Boolean column is its value there."""
    value = _value(node, known) if isinstance(node, n.Col) else _UNKNOWN
    if isinstance(value, bool) or (value is None and isinstance(node, n.Col)):
        return n.Lit(value)
    return fold_node(node, known)


def _value(node: n.Node, known: Mapping[str, Any]) -> Any:
    if isinstance(node, n.Col):
        return known.get(node.name, _UNKNOWN)
    if isinstance(node, n.Lit):
        return node.value
    return _UNKNOWN


def _decide(node: n.In | n.IsNull | n.IsNaN, value: Any) -> bool | None:
    if isinstance(node, n.IsNull):
        return value is None
    if value is None:
        return None
    if isinstance(node, n.IsNaN):
        return math.isnan(value)
    return value in node.values   # an In


def _logic(node: n.And | n.Or, known: Mapping[str, Any]) -> n.Node:
    """Kleene and/or: the deciding value decides, the neutral one drops out."""
    decisive = isinstance(node, n.Or)  # True decides an Or, False an And
    args = []
    for arg in (_condition(a, known) for a in node.args):
        if isinstance(arg, n.Lit) and arg.value is decisive:
            return n.Lit(decisive)
        if isinstance(arg, n.Lit) and arg.value is (not decisive):
            continue
        args.append(arg)
    if not args:
        return n.Lit(not decisive)
    return args[0] if len(args) == 1 else type(node)(tuple(args))


def _case(node: n.Case, known: Mapping[str, Any]) -> n.Node:
    """Branches whose condition is false or null are dropped; a true one ends the case."""
    whens: list[tuple[n.Node, n.Node]] = []
    for cond, value in node.whens:
        cond = _condition(cond, known)
        if isinstance(cond, n.Lit):
            if cond.value is True:
                return _case_of(whens, fold_node(value, known))
            continue
        whens.append((cond, fold_node(value, known)))
    return _case_of(whens, fold_node(node.otherwise, known))


def _case_of(whens: list[tuple[n.Node, n.Node]], otherwise: n.Node) -> n.Node:
    return n.Case(tuple(whens), otherwise) if whens else otherwise
