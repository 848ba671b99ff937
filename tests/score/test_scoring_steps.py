"""Steps score like the first step that holds (issue 25: one flat coalesce, linear in the
steps), checked against a plain-Python reference on random steps and values."""
from __future__ import annotations

from types import SimpleNamespace

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.plan.nodes import approx_holds
from cchc_rules.score.points import _rule

OPS = [">=", ">", "<=", "<", "=="]
step = st.builds(lambda op, v, p: SimpleNamespace(op=op, value=v, points=p),
                 st.sampled_from(OPS), st.integers(-5, 105).map(float),
                 st.integers(0, 10).map(float))


def reference(steps, value: float) -> float:
    return next((s.points for s in steps if approx_holds(s.op, value, s.value)), 0.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(step, min_size=1, max_size=30),
       st.lists(st.integers(-10, 110).map(float), min_size=1, max_size=20))
def test_steps_give_the_points_of_the_first_step_that_holds(steps, values):
    ind = SimpleNamespace(max=10.0, as_points=None, manual=False, full_at=None, steps=steps)
    got = pl.DataFrame({"v": values}).select(_rule(ind, pl.col("v")).alias("p"))["p"]
    assert got.to_list() == [reference(steps, v) for v in values]
