"""The formula language (validate/compile stages): parse, print, order, compile.

Problem codes: FRM01 syntax, FRM02 refused construct, FRM03 unknown function,
FRM04 argument count, FRM05 comparison misuse, FRM06 empty, FRM07 non-ASCII id,
FRM08 malformed number, FRM20 formula cycle.
"""
from __future__ import annotations

from .ast import FUNCTIONS, Binary, Call, Compare, Name, Node, Number, Unary, names, walk
from .graph import derived_order, raw_inputs
from .parser import parse

__all__ = [
    "FUNCTIONS", "Binary", "Call", "Compare", "Name", "Node", "Number", "Unary",
    "derived_order", "names", "parse", "raw_inputs", "walk",
]
