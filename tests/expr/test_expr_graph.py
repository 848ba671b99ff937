"""Formula dependency graph: evaluation order, cycles with positions, raw inputs."""
from __future__ import annotations

import pytest

from cchc_rules.errors import CchcError, Position
from cchc_rules.expr import derived_order, parse, raw_inputs


def formulas(**texts):
    return {k: parse(v) for k, v in texts.items()}


def test_order_puts_dependencies_first():
    f = formulas(total="rate + extra", rate="a / b * 100", extra="rate * c")
    order = derived_order(f, {})
    assert order.index("rate") < order.index("extra") < order.index("total")
    assert set(order) == set(f)


def test_order_is_deterministic_and_ignores_raw_names():
    f = formulas(x="a + b", y="c", z="x + y")
    assert derived_order(f, {}) == ("x", "y", "z")


def test_cycle_reports_every_member_at_its_formula():
    f = formulas(a="b + 1", b="c * 2", c="a - x", ok="x")
    pos = {k: Position("plan.yaml", i + 1, 14) for i, k in enumerate(f)}
    with pytest.raises(CchcError) as info:
        derived_order(f, pos)
    found = info.value.problems
    assert [p.code for p in found] == ["FRM20"] * 3
    assert [str(p.pos) for p in found] == ["plan.yaml:1:14", "plan.yaml:2:14", "plan.yaml:3:14"]
    assert found[1].message == "formula of 'b' refers to itself through c → a → b"


def test_self_reference_and_two_separate_cycles():
    f = formulas(s="s + 1", p="q", q="p")
    with pytest.raises(CchcError) as info:
        derived_order(f, {})
    messages = [p.message for p in info.value.problems]
    assert "formula of 's' refers to itself" in messages
    assert "formula of 'p' refers to itself through q → p" in messages
    assert len(messages) == 3


def test_raw_inputs_are_transitive():
    f = formulas(rate="a / b * 100", score="rate + c", cyc1="cyc2 + d", cyc2="cyc1")
    raw = raw_inputs(f)
    assert raw["rate"] == {"a", "b"}
    assert raw["score"] == {"a", "b", "c"}
    assert raw["cyc1"] == raw["cyc2"] == {"d"}


def test_long_chain_does_not_recurse():
    f = formulas(m0="raw", **{f"m{i}": f"m{i - 1} + 1" for i in range(1, 3000)})
    order = derived_order(f, {})
    assert order[0] == "m0" and order[-1] == "m2999"
