"""Folding a row plan on known constants (expr/plan_fold.py) changes no answer: on rows whose
columns hold the known values, the folded status plan gives what the whole plan gives, in
plain Python and in polars; and it does drop the branches the constants rule out."""
from __future__ import annotations

import math
import sys

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.domain import OPS, Op
from cchc_rules.evaluation.status_plan import STATUS_PLAN
from cchc_rules.plan import nodes as n
from cchc_rules.plan import polars as plan_polars
from cchc_rules.plan import rows as plan_rows
from cchc_rules.plan.fold import fold, fold_node

NAN = math.nan
x, y = n.Col("x"), n.Col("y")
# The columns one target has the same value of in all its rows (evaluator._statuses).
CONSTANT = ("_opc", "from_baseline", "baseline_period", "_k", "_integral", "anchor_period",
            "threshold", "threshold_high", "reached", "held", "fraction", "anchor",
            "before_base")
FLOATS = ("actual", "raw", "baseline_value", "_start", "threshold", "threshold_high", "anchor",
          "fraction", "_num", "_den", "_k")
INPUTS = {**dict.fromkeys(FLOATS, pl.Float64), "_opc": pl.UInt8, "days_done": pl.Int64,
          "days_total": pl.Int64, **dict.fromkeys(("baseline_period", "anchor_period"), pl.String),
          **dict.fromkeys(("reached", "held", "from_baseline", "_applicable", "_declared",
                           "_integral", "before_base"), pl.Boolean)}
OUTPUTS = ("status", "actual", "expected", "gap", "needed", "reason", "na_reason", "trajectory",
           "start_period", "start_value", "days_done", "days_total")
numbers = st.one_of(st.integers(-200, 200).map(float), st.floats(-1e4, 1e4), st.none(),
                    st.just(NAN))
maybe = st.one_of(st.none(), st.integers(0, 5000).map(float), st.just(NAN))


def same(a, b) -> bool:
    """Equal, NaN equal to NaN; two numbers within a rounding or two of each other. A folded
    plan writes its constants into the expressions, and polars folds constant arithmetic:
    (39 × den) / 100 runs as den × 0.39, so 451 gives 175.89000000000001 where Python's
    (39 × 451) / 100 gives 175.89 (the case hypothesis found)."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a):
            return math.isnan(b)
        return math.isclose(a, b, rel_tol=4 * sys.float_info.epsilon)
    return a == b or (a is None and b is None)


@st.composite
def constants(draw) -> dict:
    op = draw(st.sampled_from(OPS))
    low = draw(st.integers(-50, 150).map(float))
    return {"_opc": OPS.index(op), "threshold": low,
            "threshold_high": low + 10.0 if op == Op.BETWEEN else None,
            "reached": draw(st.booleans()), "held": draw(st.booleans()),
            "before_base": draw(st.sampled_from([False, False, True])),
            "from_baseline": draw(st.booleans()),
            "baseline_period": draw(st.sampled_from([None, "2021"])),
            "anchor": draw(st.one_of(st.none(), st.floats(-100, 200))),
            "fraction": draw(st.one_of(st.none(), st.floats(0, 1))),
            "anchor_period": draw(st.sampled_from([None, "2021"])),
            "_k": draw(st.sampled_from([1.0, 100.0, NAN])), "_integral": draw(st.booleans())}


@st.composite
def varying(draw) -> dict:
    value = draw(numbers)
    return {"actual": value, "raw": draw(st.sampled_from([value, 7.0, None, NAN])),
            "baseline_value": draw(numbers), "_start": draw(numbers),
            "_applicable": draw(st.sampled_from([True, True, False])),
            "_declared": draw(st.sampled_from([False, False, True])),
            "_num": draw(maybe), "_den": draw(maybe),
            "days_done": draw(st.one_of(st.none(), st.integers(0, 4000))),
            "days_total": draw(st.one_of(st.none(), st.integers(1, 4000)))}


@settings(max_examples=80, deadline=None)
@given(known=constants(), rows=st.lists(varying(), min_size=1, max_size=20),
       keep=st.sets(st.sampled_from(CONSTANT)))
def test_a_folded_status_plan_answers_as_the_whole_plan(known, rows, keep):
    known_part = {name: known[name] for name in keep}
    folded = fold(STATUS_PLAN, known_part)
    full_rows = [known | row for row in rows]
    frame = pl.DataFrame(full_rows, schema=INPUTS, orient="row").lazy()
    by_polars = plan_polars.apply(frame, folded).collect().select(OUTPUTS).to_dicts()
    for row, got in zip(full_rows, by_polars, strict=True):
        want = plan_rows.apply(row, STATUS_PLAN)
        again = plan_rows.apply(row, folded)
        for name in OUTPUTS:
            assert same(again[name], want[name]), (name, known_part, row)
            assert same(got[name], want[name]), (name, known_part, row)


def test_known_operator_leaves_one_comparison():
    holds = dict(STATUS_PLAN[0])["_holds"]
    folded = fold_node(holds, {"_opc": OPS.index(">=")})
    assert isinstance(folded, n.ApproxCmp) and folded.op == ">="
    assert n.columns(folded) == {"actual", "threshold"}


def test_logic_is_three_valued_when_folding():
    p = n.Col("p")
    assert fold_node(p & n.IsNull(x), {"x": None}) == p
    assert fold_node(p & n.IsNull(x), {"x": 1.0}) == n.Lit(False)
    assert fold_node(p | n.IsNull(x), {"x": None}) == n.Lit(True)
    assert fold_node(n.In(x, (1, 2)), {"x": None}) == n.Lit(None)
    assert fold_node(~n.In(x, (1, 2)), {"x": 2}) == n.Lit(False)
    # a null condition is not a match: the branch goes, as a false one would
    assert fold_node(n.case((n.In(x, (1,)), y), otherwise=2.0), {"x": None}) == n.Lit(2.0)


def test_a_column_a_stage_makes_is_not_folded_from_there_on():
    stages = ((("x", n.Lit(5.0)),), (("out", n.case((n.IsNull(x), 1.0), otherwise=2.0)),))
    assert fold(stages, {"x": None})[1][0][1] == stages[1][0][1]


def test_a_known_boolean_column_decides_a_condition():
    reached = n.Col("reached")
    node = n.case((reached, 1.0), otherwise=x)
    assert fold_node(node, {"reached": True}) == n.Lit(1.0)
    assert fold_node(node, {"reached": False}) == x
    assert fold_node(reached, {"reached": True}) == reached   # a value stays a column
