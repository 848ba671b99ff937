"""The formula language (validate/compile stages): parse, print, order, compile.

Problem codes: FRM01 syntax, FRM02 refused construct, FRM03 unknown function,
FRM04 argument count, FRM05 comparison misuse, FRM06 empty, FRM07 non-ASCII id,
FRM08 malformed or over-long number, FRM09 formula too deep, FRM20 formula cycle.
"""
from __future__ import annotations

from .ast import (
    FUNCTIONS,
    Binary,
    Call,
    Compare,
    Name,
    Node,
    Number,
    Unary,
    name_nodes,
    names,
    ratio_parts,
    walk,
)
from .exact import DivisionByZero, Invalid, display_number, evaluate_exact, substitute
from .graph import derived_order, raw_inputs
from .parser import parse
from .printer import to_text
from .tokens import where as position_at

__all__ = [
    "FUNCTIONS", "TOLERANCE", "Binary", "Call", "Compare", "DivisionByZero", "Invalid", "Name",
    "Node", "Number", "Unary", "approx_cmp", "approx_holds", "compare_to_polars",
    "derived_order", "display_number", "evaluate_exact", "name_nodes", "names", "parse",
    "position_at", "ratio_parts", "raw_inputs", "substitute", "to_polars", "to_text", "walk",
]

_COLUMNAR = {"TOLERANCE", "approx_cmp", "approx_holds", "compare_to_polars", "to_polars"}


def __getattr__(name: str):  # polars loads only when compiling, so `cchc validate` stays quick
    if name in _COLUMNAR:
        from . import columnar
        return getattr(columnar, name)
    raise AttributeError(name)
