"""Formula printer (validate/explain stages): AST -> text with minimal parentheses.

`parse(to_text(n)) == n` for every AST whose numbers are finite decimals (all
the parser produces). A number with no finite decimal, like 1/3, prints as
`(1 / 3)`: same value, but it reads back as a division.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

from .ast import Binary, Call, Compare, Name, Node, Number, Unary

# Binding strength; a higher level binds tighter (parser.py's levels).
_COMPARE, _SUM, _PRODUCT, _UNARY, _ATOM = range(5)
_LEVEL = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT}


def decimal_text(value: Fraction) -> str | None:
    """The exact decimal spelling of `value`, or None when it has none (1/3)."""
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        return None
    places = max(twos, fives)
    digits = str(abs(value.numerator) * 10**places // value.denominator).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    if not places:
        return sign + digits
    return f"{sign}{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")


def number_text(value: Fraction) -> str:
    """How a literal prints: exact decimal, else a parenthesised division."""
    text = decimal_text(value)
    return text if text is not None else f"({value.numerator} / {value.denominator})"


def _level(node: Node) -> int:
    if isinstance(node, Binary):
        return _LEVEL[node.op]
    if isinstance(node, Compare):
        return _COMPARE
    if isinstance(node, Unary) or (isinstance(node, Number) and node.value < 0):
        return _UNARY
    return _ATOM


class _Printer:
    def __init__(self, number: Callable[[Fraction], str], names: Mapping[str, str]) -> None:
        self.number, self.names = number, names

    def wrapped(self, node: Node, wrap: bool) -> str:
        text = self.text(node)
        return f"({text})" if wrap else text

    def text(self, node: Node) -> str:
        if isinstance(node, Number):
            return self.number(node.value)
        if isinstance(node, Name):
            return self.names.get(node.id, node.id)
        if isinstance(node, Call):
            return f"{node.func}({', '.join(self.text(a) for a in node.args)})"
        if isinstance(node, Unary):
            # `-3` would read back as a negative literal and `--a` looks like a
            # typo, so a number or a minus under unary minus gets parentheses.
            operand = self.text(node.operand)
            wrap = (_level(node.operand) < _UNARY or isinstance(node.operand, Number)
                    or operand.startswith("-"))
            return f"{node.op}({operand})" if wrap else f"{node.op}{operand}"
        if not isinstance(node, Binary | Compare):   # a records condition: sql.py prints it
            raise TypeError(f"{type(node).__name__} is not a formula node")
        level = _COMPARE if isinstance(node, Compare) else _LEVEL[node.op]
        left = self.wrapped(node.left, _level(node.left) < level)
        # The parser groups to the left, so an equal level on the right needs
        # parentheses; a leading minus there is wrapped only for readability.
        right = self.text(node.right)
        if _level(node.right) <= level or right.startswith("-"):
            right = f"({right})"
        return f"{left} {node.op} {right}"


def to_text(node: Node, number: Callable[[Fraction], str] = number_text,
            names: Mapping[str, str] | None = None) -> str:
    """The formula text of `node`; `number` spells each literal (default: exact).

    `names` replaces metric ids by text (a figure already spelled, for a check's message);
    a replacement starting with '-' is parenthesised where a minus would misread.
    """
    return _Printer(number, names or {}).text(node)
