"""Render/explain stages: a check's assert with the figures put in.

`abs(a - b) <= 0.01` failing reads `abs(5 - 0) <= 0,01 → 5 <= 0,01`: the reader sees
which figures went in and what each side came to, as `explain` shows a formula.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import polars as pl

from ..expr import Compare, Name, Number, to_text

Spell = Callable[..., str]  # number(value, digits=2) -> text, e.g. Formatter.number
LITERAL_DIGITS = 6  # a literal such as a 0.001 tolerance must not print as 0


def check_text(node: Compare, values: Mapping[str, float | None], number: Spell,
               left: float | None = None, right: float | None = None) -> str:
    """The assert with each known metric replaced by its value, spelled by `number`.

    When a side is a computation and its value is given, `→ left op right` follows.
    """
    def spell(value: Any) -> str:
        return number(float(value), LITERAL_DIGITS)

    text = to_text(node, spell, {k: number(v) for k, v in values.items() if v is not None})
    plain = all(isinstance(side, Name | Number) for side in (node.left, node.right))
    if plain or left is None or right is None:
        return text
    return f"{text} → {number(left)} {node.op} {number(right)}"


def check_texts(evaluation: Any, rows: Iterable[Mapping[str, Any]], number: Spell) -> list[str]:
    """check_text for each check row (`check`, `unit`, `period`, `left`, `right`) of
    `evaluation`, reading the figures of all rows in one pass."""
    rows = list(rows)
    keys = pl.DataFrame({"unit": [r["unit"] for r in rows],
                         "period": [r["period"] for r in rows]},
                        schema={"unit": pl.String, "period": pl.String}).unique()
    figures: dict[tuple[str, str], dict[str, float | None]] = {}
    for unit, period, metric, value in evaluation.values.join(
            keys, on=["unit", "period"], how="semi").select(
            "unit", "period", "metric", "value").iter_rows():
        figures.setdefault((unit, period), {})[metric] = value
    asserts = evaluation.ruleset.asserts
    return [check_text(asserts[r["check"]], figures.get((r["unit"], r["period"]), {}), number,
                       r.get("left"), r.get("right")) for r in rows]
