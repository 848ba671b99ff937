"""Formula AST (validate/compile stages): frozen nodes with 0-based columns.

`col` is excluded from equality so two formulas with the same structure compare
equal whatever their spacing (the printer round-trip relies on it).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction

FUNCTIONS = {"min": (2, None), "max": (2, None), "abs": (1, 1)}  # name -> (min, max) args


@dataclass(frozen=True)
class Number:
    value: Fraction
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Name:
    id: str
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unary:
    op: str  # "-"
    operand: Node
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Binary:
    op: str  # "+", "-", "*", "/"
    left: Node
    right: Node
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    func: str  # "min", "max", "abs"
    args: tuple[Node, ...]
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Compare:
    op: str  # "==", "!=", "<", "<=", ">", ">="
    left: Node
    right: Node
    col: int = field(default=0, compare=False)


# Records conditions (`where`) only: text, true/false, logic, `is null` and `in [...]`.
@dataclass(frozen=True)
class Text:
    value: str
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Bool:
    value: bool
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Logic:
    op: str  # "and", "or"
    left: Node
    right: Node
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Not:
    operand: Node
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class IsNull:
    operand: Node
    negated: bool  # `is not null`
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class In:
    operand: Node
    items: tuple[Node, ...]
    col: int = field(default=0, compare=False)


Node = Number | Name | Unary | Binary | Call | Compare | Text | Bool | Logic | Not | IsNull | In


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of `node`, left to right."""
    if isinstance(node, Unary | Not | IsNull):
        return (node.operand,)
    if isinstance(node, Binary | Compare | Logic):
        return (node.left, node.right)
    if isinstance(node, In):
        return (node.operand, *node.items)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children, left to right."""
    yield node
    for child in children(node):
        yield from walk(child)


def name_nodes(node: Node) -> list[Name]:
    """Every metric reference in reading order (with columns, for error messages)."""
    return [n for n in walk(node) if isinstance(n, Name)]


def names(node: Node) -> set[str]:
    """The metric ids a formula refers to."""
    return {n.id for n in name_nodes(node)}


def ratio_parts(node: Node) -> tuple[Node, Node, Fraction] | None:
    """(numerator, denominator, k) when `node` is numerator / denominator × k.

    Recognises `a / b`, `a / b * k`, `k * (a / b)`, `a * k / b` and `k * a / b`
    for a literal k, so the engine can say how much more numerator would meet
    a threshold with the denominator held. None for any other shape.
    """
    if not isinstance(node, Binary):
        return None
    if node.op == "*":
        for ratio, k in ((node.left, node.right), (node.right, node.left)):
            if isinstance(k, Number) and isinstance(ratio, Binary) and ratio.op == "/":
                return ratio.left, ratio.right, k.value
        return None
    if node.op != "/":
        return None
    top = node.left
    if isinstance(top, Binary) and top.op == "*":
        if isinstance(top.right, Number):
            return top.left, node.right, top.right.value
        if isinstance(top.left, Number):
            return top.right, node.right, top.left.value
    return top, node.right, Fraction(1)
