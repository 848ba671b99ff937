"""Row plans: the polars generator and the plain-Python generator agree on every node and on
the whole status plan, so the plan is backend-neutral (a SQL generator has a reference)."""
from __future__ import annotations

import math

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.domain import OPS, REASONS, STATUSES, TRAJECTORIES, Op, Reason
from cchc_rules.evaluation.status_plan import STATUS_PLAN
from cchc_rules.plan import nodes as n
from cchc_rules.plan import polars as plan_polars
from cchc_rules.plan import rows as plan_rows

NAN = math.nan
x, y = n.Col("x"), n.Col("y")


def both(node: n.Node, rows: list[dict], schema: dict) -> tuple[list, list]:
    """`node` on every row, by polars and by the row evaluator."""
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    by_polars = frame.select(plan_polars.to_polars(node).alias("out"))["out"].to_list()
    return by_polars, [plan_rows.evaluate(node, row) for row in rows]


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return (a == b and type(a) is type(b)) or (a is None and b is None)


# Infinite inputs are outside the contract: formulas turn an overflow into NaN.
NUMBERS = [None, NAN, 0.0, -0.0, 1.0, -2.5, 2.5, 0.5, 57.0, 1e300, -1e300]
PAIRS = [{"x": a, "y": b} for a in NUMBERS for b in NUMBERS]
F64 = {"x": pl.Float64, "y": pl.Float64}


def test_each_node_means_the_same_in_both_generators():
    nodes = [x + y, x - y, x * y, x / y, n.Floor(x), n.Ceil(x), n.Round(x), n.Abs(x),
             n.Max((n.Lit(1.0), x, y)), n.IsNull(x), n.IsNaN(x), n.In(x, (0.0, 2.5)),
             *(n.Cmp(op, x, y) for op in n.CMP_OPS), *(n.ApproxCmp(op, x, y) for op in n.CMP_OPS),
             n.case((n.Cmp(">", x, y), x), (n.IsNull(y), 7.0), otherwise=y),
             # every branch a code: compiled as a coalesce of when-thens (plan/polars.py);
             # a comparison with a null or NaN side is null, never the branch
             n.case((n.Cmp(">", x, y), 1), (n.IsNaN(x), 2), (n.ApproxCmp("<=", x, y), 3),
                    otherwise=4),
             n.case((n.Cmp("<", x, y), 1.5), (n.Cmp("==", x, y), 2.5), (n.IsNull(x), 3.5),
                    otherwise=None),
             n.Lookup(n.case((n.IsNull(x), 0), otherwise=1), ("none", "some"))]
    for node in nodes:
        by_polars, by_rows = both(node, PAIRS, F64)
        for row, a, b in zip(PAIRS, by_polars, by_rows, strict=True):
            assert same(a, b), (n.to_text(node), row, a, b)


def test_and_or_not_are_three_valued():
    truth = [True, False, None]
    rows = [{"p": a, "q": b} for a in truth for b in truth]
    schema = {"p": pl.Boolean, "q": pl.Boolean}
    p, q = n.Col("p"), n.Col("q")
    for node in (p & q, p | q, ~p, n.case((p, 1.0), otherwise=2.0),
                 n.case((p & q, 1), (p | q, 2), (~q, 3), otherwise=4)):
        by_polars, by_rows = both(node, rows, schema)
        assert by_polars == by_rows, n.to_text(node)
    assert plan_rows.evaluate(p & q, {"p": None, "q": False}) is False
    assert plan_rows.evaluate(p | q, {"p": None, "q": True}) is True


def test_tolerance_compare_is_one_node_with_the_asserts_tolerance():
    assert plan_rows.evaluate(n.ApproxCmp(">=", x, y), {"x": 57 / 100 * 100, "y": 57.0})
    assert not plan_rows.evaluate(n.ApproxCmp(">", x, y), {"x": 57 / 100 * 100, "y": 57.0})
    assert plan_rows.evaluate(n.ApproxCmp("==", x, y), {"x": NAN, "y": 1.0}) is None
    assert n.TOLERANCE == 1e-9


def test_plan_prints_as_one_line_per_column():
    assert n.to_text(n.case((n.IsNull(x), 0.0), otherwise=x + 1.0)) == \
        "case when isnull(x) then 0.0 else (x + 1.0) end"
    text = n.plan_text(STATUS_PLAN)
    assert text.count("\n") > 10
    for name in ("status", "gap", "needed", "expected", "reason", "trajectory"):
        assert f"\n{name} = " in text
    assert n.columns(n.case((n.IsNull(x), y))) == {"x", "y"}


def test_every_reason_belongs_to_one_status():
    assert {Reason(r).status.value for r in REASONS} == set(STATUSES)


# The status plan's inputs (status_plan's docstring), one random row at a time.
INPUTS = {
    "actual": pl.Float64, "raw": pl.Float64, "baseline_value": pl.Float64,
    "baseline_period": pl.String, "_start": pl.Float64, "_opc": pl.UInt8,
    "threshold": pl.Float64, "threshold_high": pl.Float64, "reached": pl.Boolean,
    "from_baseline": pl.Boolean, "anchor": pl.Float64, "fraction": pl.Float64,
    "anchor_period": pl.String, "_applicable": pl.Boolean, "_declared": pl.Boolean,
    "_num": pl.Float64,
    "_den": pl.Float64, "_k": pl.Float64, "_integral": pl.Boolean, "days_done": pl.Int64,
    "days_total": pl.Int64, "held": pl.Boolean, "before_base": pl.Boolean,
}
OUTPUTS = ("status", "actual", "expected", "gap", "needed", "reason", "na_reason", "trajectory",
           "start_period", "start_value", "days_done", "days_total")
finite = st.one_of(st.integers(-200, 200).map(float), st.floats(-1e4, 1e4))
numbers = st.one_of(finite, finite, finite, st.none(), st.just(NAN))  # mostly numbers
mostly = st.sampled_from([True, True, True, False])
maybe = st.one_of(st.none(), st.integers(0, 5000).map(float))


@st.composite
def plan_rows_(draw) -> dict:
    op = draw(st.sampled_from(OPS))
    low = draw(st.integers(-50, 150).map(float) | st.floats(-100, 200))
    value = draw(numbers)
    return {
        "actual": value, "raw": draw(st.sampled_from([value, 7.0, None, NAN])),
        "baseline_value": draw(numbers), "baseline_period": draw(st.sampled_from([None, "2021"])),
        "_start": draw(numbers), "_opc": OPS.index(op), "threshold": low,
        "threshold_high": low + draw(st.floats(0, 50)) if op == Op.BETWEEN else None,
        "reached": draw(st.booleans()), "from_baseline": draw(st.booleans()),
        "anchor": draw(st.one_of(st.none(), st.floats(-100, 200))),
        "fraction": draw(st.one_of(st.none(), st.floats(0, 1))),
        "anchor_period": draw(st.sampled_from([None, "2021", "2025"])),
        "_applicable": draw(mostly), "_declared": draw(st.sampled_from([False, False, True])),
        "_num": draw(st.one_of(maybe, st.just(NAN))),
        "_den": draw(st.one_of(maybe, st.just(NAN))),
        "_k": draw(st.sampled_from([1.0, 100.0, 0.5, NAN])), "_integral": draw(st.booleans()),
        "days_done": draw(st.one_of(st.none(), st.integers(0, 4000))),
        "days_total": draw(st.one_of(st.none(), st.integers(1, 4000))),
        "held": draw(st.sampled_from([False, False, True])),
        "before_base": draw(st.sampled_from([False, False, False, True])),
    }


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(plan_rows_(), min_size=1, max_size=30))
def test_status_plan_gives_the_same_answers_in_polars_and_in_python(rows):
    frame = pl.DataFrame(rows, schema=INPUTS, orient="row").lazy()
    by_polars = plan_polars.apply(frame, STATUS_PLAN).collect().select(OUTPUTS).to_dicts()
    for row, got in zip(rows, by_polars, strict=True):
        want = plan_rows.apply(row, STATUS_PLAN)
        for name in OUTPUTS:
            assert same(got[name], want[name]), (name, row, got[name], want[name])
        assert want["trajectory"] in TRAJECTORIES
        assert Reason(want["reason"]).status == want["status"]
