"""figures/data.merge: the one-pass hash check lets a frame without repeats through unchanged,
and any repeat still goes to the exact comparison — against a plain-Python reference."""
from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules.figures.data import merge
from cchc_rules.figures.readers.batch import SCHEMA

ROWS = st.lists(st.tuples(st.sampled_from(["a", "b", "ab"]), st.sampled_from(["2024", "2025"]),
                          st.sampled_from(["x", "y", ""]), st.sampled_from([1.0, 2.0])),
                max_size=30)


def reference(rows: list[tuple]) -> tuple[list[tuple], int]:
    """First of each (unit, period, metric), and one conflict per later repeat whose value
    differs from the first's."""
    first: dict[tuple, tuple] = {}
    conflicts = 0
    for row in rows:
        key = row[:3]
        if key in first:
            conflicts += first[key][3] != row[3]
        else:
            first[key] = row
    return list(first.values()), conflicts


@settings(max_examples=200, deadline=None)
@given(ROWS)
def test_merge_keeps_the_first_and_names_each_differing_repeat(rows):
    frame = pl.DataFrame([(*r, "f.csv", i + 2, 0, None) for i, r in enumerate(rows)],
                         schema=SCHEMA, orient="row")
    merged, problems = merge(frame)
    kept, conflicts = reference(rows)
    assert merged.select("unit", "period", "metric", "value").rows() == kept
    assert [p.code for p in problems] == ["DAT09"] * conflicts
