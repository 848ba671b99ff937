"""The label columns read by code (issue 28): a Categorical column's texts and each result's
target title looked up through its few category texts give what a cast and a replace per row
give, nulls and texts not in the table included."""
from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.render.csv import _titles, as_texts

WORDS = st.one_of(st.none(), st.sampled_from(["ha-noi", "=1+1", "tq-01", "", "Tỷ lệ", "a"]),
                  st.text(max_size=4))
TITLES = st.dictionaries(st.sampled_from(["ha-noi", "tq-01", "a", "b"]),
                         st.sampled_from(["Tỷ lệ hồ sơ", "-3% trễ hẹn", "T"]), min_size=1)


@given(st.lists(WORDS, max_size=40))
def test_texts_by_code_are_the_cast(words):
    column = pl.Series("reason", words, dtype=pl.String).cast(pl.Categorical)
    assert as_texts(column).equals(column.cast(pl.String))


@given(st.lists(WORDS, max_size=40), TITLES)
def test_titles_by_code_are_the_replace(words, titles):
    target = pl.Series("target", words, dtype=pl.String)
    kind = pl.Enum(sorted(set(titles.values())))
    expected = target.replace_strict(titles, default=None, return_dtype=kind).alias("title")
    assert _titles(target.cast(pl.Categorical), titles).equals(expected)
    assert _titles(target, titles).equals(expected)
