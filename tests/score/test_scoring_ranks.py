"""Competition ranks with the 0.005 tie rule, computed column-wise (score/ranks.py), agree with
the rule read row by row: a run of indices within TIE of its first shares that first's rank,
and the next rank skips."""
from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.score.ranks import TIE, competition_ranks


def _reference(groups: list[list[float | None]]) -> list[int | None]:
    out: list[int | None] = []
    for indices in groups:
        lead, lead_rank, seen = None, 0, 0
        for index in indices:
            if index is None:
                out.append(None)
                continue
            seen += 1
            if lead is None or lead - index > TIE + 1e-9:
                lead, lead_rank = index, seen
            out.append(lead_rank)
    return out


def _frame(groups: list[list[float | None]]) -> pl.DataFrame:
    rows = [(p, "commune", v) for p, indices in enumerate(groups) for v in indices]
    return pl.DataFrame(rows, schema={"_p": pl.Int64, "level": pl.String,
                                      "index": pl.Float64}, orient="row")


def test_a_chain_of_close_indices_starts_a_new_run_past_the_tie():
    groups = [[90.0, 89.997, 89.994, 89.991, 80.0, None]]
    ranks, of = competition_ranks(_frame(groups), ("_p", "level"), "index")
    assert ranks.to_list() == [1, 1, 3, 3, 5, None] == _reference(groups)
    assert of.to_list() == [5] * 6


INDEX = st.one_of(st.none(), st.sampled_from([90.0, 89.997, 89.995, 89.994, 89.99, 50.0]),
                  st.floats(0, 100, allow_nan=False))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(INDEX, max_size=12), min_size=1, max_size=4))
def test_columnar_ranks_agree_with_the_rule_row_by_row(groups):
    groups = [sorted(g, key=lambda v: (v is None, -(v or 0.0))) for g in groups if g]
    if not groups:
        return
    ranks, of = competition_ranks(_frame(groups), ("_p", "level"), "index")
    assert ranks.to_list() == _reference(groups)
    assert of.to_list() == [sum(v is not None for v in g) for g in groups for _ in g]
