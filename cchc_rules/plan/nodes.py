"""Row plans (compile stage): small backend-neutral AST nodes for per-row rules.

A plan is an ordered tuple of stages; a stage is a tuple of `(column, node)` pairs computed
together from the columns that exist before it (so a stage may overwrite a column it reads).
One AST, many generators, as in sqlglot: `plan_polars` turns nodes into polars expressions,
`plan_rows` evaluates them on one Python dict; a SQL generator would be a third.

Value semantics every generator keeps (they are polars', the first backend):
- numbers are finite floats where null = missing and NaN = "no number" (an overflow is
  NaN, as formulas make it); null propagates through
  `Arith`, `Floor`, `Ceil`, `Round`, `Abs`; x/0 is ±inf (NaN for 0/0);
- `Cmp` is null when a side is null; NaN sorts above every number and equals itself;
- `ApproxCmp` compares with relative tolerance TOLERANCE and is null when a side is null
  or NaN (the one tolerance rule, shared with formula asserts);
- `And`/`Or`/`Not` are three-valued (Kleene); a `Case` condition that is null counts as
  false; `Case` without a matching branch gives `otherwise` (null by default);
- `Max` is the greatest argument, skipping nulls and NaN; `Round` rounds half to even;
- `Lookup(index, table)` is `table[index]`, null for a null index.
"""
from __future__ import annotations

from dataclasses import dataclass

TOLERANCE = 1e-9  # relative: 57/100*100 = 56.99999999999999 still meets ">= 57"

CMP_OPS = ("==", "!=", "<", "<=", ">", ">=")
ARITH_OPS = ("+", "-", "*", "/")


class Node:
    """Base of plan nodes; operators build nodes so plans read like the rules they hold."""

    __slots__ = ()

    def __add__(self, other) -> Arith:
        return Arith("+", self, lit(other))

    def __sub__(self, other) -> Arith:
        return Arith("-", self, lit(other))

    def __mul__(self, other) -> Arith:
        return Arith("*", self, lit(other))

    def __truediv__(self, other) -> Arith:
        return Arith("/", self, lit(other))

    def __and__(self, other) -> And:
        return And((self, lit(other)))

    def __or__(self, other) -> Or:
        return Or((self, lit(other)))

    def __invert__(self) -> Not:
        return Not(self)


@dataclass(frozen=True)
class Col(Node):
    name: str


@dataclass(frozen=True)
class Lit(Node):
    value: float | int | bool | str | None


@dataclass(frozen=True)
class Binary(Node):
    """`left op right`; the subclass says which family of operators."""

    op: str
    left: Node
    right: Node


class Arith(Binary):
    """+ - * / (ARITH_OPS)."""


class Cmp(Binary):
    """A plain comparison (CMP_OPS), no tolerance."""


class ApproxCmp(Binary):
    """A comparison (CMP_OPS) within the relative TOLERANCE: the one tolerance rule."""


@dataclass(frozen=True)
class Many(Node):
    """A function of any number of arguments; the subclass names which."""

    args: tuple[Node, ...]


class And(Many):
    pass


class Or(Many):
    pass


class Max(Many):
    pass


@dataclass(frozen=True)
class Unary(Node):
    """A function of one argument; the subclass names which."""

    arg: Node


class Not(Unary):
    pass


class IsNull(Unary):
    pass


class IsNaN(Unary):
    pass


class Floor(Unary):
    pass


class Ceil(Unary):
    pass


class Round(Unary):
    pass


class Abs(Unary):
    pass


@dataclass(frozen=True)
class In(Node):
    arg: Node
    values: tuple


@dataclass(frozen=True)
class Case(Node):
    whens: tuple[tuple[Node, Node], ...]
    otherwise: Node = Lit(None)


@dataclass(frozen=True)
class Lookup(Node):
    index: Node
    table: tuple


Stage = tuple[tuple[str, Node], ...]
Plan = tuple[Stage, ...]


def lit(value) -> Node:
    """`value` as a node (nodes pass through)."""
    return value if isinstance(value, Node) else Lit(value)


def case(*whens: tuple[Node, object], otherwise: object = None) -> Case:
    """`Case` from (condition, value) pairs; plain values become literals."""
    return Case(tuple((cond, lit(value)) for cond, value in whens), lit(otherwise))


def approx_holds(op: str, a: float, b: float) -> bool:
    """`a op b` within the relative tolerance, for two numbers (neither NaN nor None)."""
    tol = TOLERANCE * max(1.0, abs(a), abs(b))
    return {">=": a >= b - tol, ">": a > b + tol, "<=": a <= b + tol, "<": a < b - tol,
            "==": abs(a - b) <= tol, "!=": abs(a - b) > tol}[op]


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of `node`, in reading order."""
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Many):
        return node.args
    if isinstance(node, Case):
        return (*(n for pair in node.whens for n in pair), node.otherwise)
    if isinstance(node, Lookup):
        return (node.index,)
    if isinstance(node, Col | Lit):
        return ()
    if isinstance(node, Unary | In):
        return (node.arg,)
    raise TypeError(f"{type(node).__name__} is not a plan node")


def columns(node: Node) -> set[str]:
    """The columns `node` reads."""
    if isinstance(node, Col):
        return {node.name}
    return set().union(*(columns(c) for c in children(node)))


def to_text(node: Node) -> str:
    """A one-line, SQL-like reading of `node` (for docs, debugging and tests)."""
    if isinstance(node, Col):
        return node.name
    if isinstance(node, Lit):
        return "null" if node.value is None else repr(node.value)
    if isinstance(node, Arith | Cmp):
        return f"({to_text(node.left)} {node.op} {to_text(node.right)})"
    if isinstance(node, ApproxCmp):
        return f"({to_text(node.left)} {node.op}~ {to_text(node.right)})"
    if isinstance(node, And | Or):
        word = " and " if isinstance(node, And) else " or "
        return "(" + word.join(to_text(a) for a in node.args) + ")"
    if isinstance(node, Not):
        return f"not {to_text(node.arg)}"
    if isinstance(node, In):
        return f"({to_text(node.arg)} in {list(node.values)})"
    if isinstance(node, Case):
        whens = " ".join(f"when {to_text(c)} then {to_text(v)}" for c, v in node.whens)
        return f"case {whens} else {to_text(node.otherwise)} end"
    if isinstance(node, Lookup):
        return f"{list(node.table)}[{to_text(node.index)}]"
    if isinstance(node, Max):
        return "greatest(" + ", ".join(to_text(a) for a in node.args) + ")"
    if isinstance(node, Unary):
        return f"{type(node).__name__.lower()}({to_text(node.arg)})"
    raise TypeError(f"{type(node).__name__} is not a plan node")


def plan_text(plan: Plan) -> str:
    """Every stage's columns, one `column = node` line each, stages separated by a blank."""
    return "\n\n".join("\n".join(f"{name} = {to_text(node)}" for name, node in stage)
                       for stage in plan) + "\n"
