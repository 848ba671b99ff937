"""Babel formatting in vi and en, half-up rounding, and the report's vocabulary."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.domain import AREAS, STATUSES
from cchc_rules.errors import CchcError
from cchc_rules.render.i18n import LANGS, Formatter, check_lang, words

VI, EN = Formatter("vi"), Formatter("en")


def test_vi_numbers_percentages_and_dates() -> None:
    assert VI.number(4917, 0) == "4.917"
    assert VI.percent((1733 + 587) / 4917 * 100) == "47,18%"
    assert VI.date(date(2024, 3, 31)) == "31/03/2024"
    assert VI.value(246, "count") == "246"
    assert VI.value(33.354, "score") == "33,35"


def test_en_numbers_percentages_and_dates() -> None:
    assert EN.number(4917, 0) == "4,917"
    assert EN.percent((1733 + 587) / 4917 * 100) == "47.18%"
    assert EN.date(date(2024, 3, 31)) == "03/31/2024"


def test_rounds_half_up_not_half_even() -> None:
    # Babel alone would give 0,12% and 2 (banker's rounding).
    assert VI.percent(0.125) == "0,13%"
    assert EN.number(2.5, 0) == "3"


def test_missing_and_non_numbers_show_a_dash() -> None:
    assert VI.number(None) == "—"
    assert VI.percent(float("nan")) == "—"
    assert VI.signed(None, "percent") == "—"
    assert VI.percent(-0.001) == "0,00%"


def test_signed_differences() -> None:
    assert VI.signed(-44.997, "percent") == "−45,00%"
    assert EN.signed(2.5, "count") == "+3"
    assert EN.signed(0.0001, "percent") == "0.00%"


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_percent_is_the_half_up_rounding_of_the_value(value: float) -> None:
    expected = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = EN.percent(value)
    assert Decimal(text.rstrip("%").replace(",", "")) == expected


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_vi_and_en_integers_differ_only_in_the_grouping_mark(value: int) -> None:
    assert VI.number(value, 0).replace(".", "") == EN.number(value, 0).replace(",", "")


def test_every_word_exists_in_both_languages() -> None:
    vi, en = words("vi"), words("en")
    assert vi.keys() == en.keys()
    for key in [f"status.{s}" for s in STATUSES] + [f"area.{a}" for a in AREAS]:
        assert vi[key] and en[key] and vi[key] != en[key], key
    assert vi["page"] == "Trang" and en["page"] == "Page"


def test_unknown_language_is_an_rpt_problem() -> None:
    assert [check_lang(lang) for lang in LANGS] == list(LANGS)
    with pytest.raises(CchcError) as err:
        check_lang("vie")
    assert err.value.problems[0].code == "RPT01"
    assert err.value.problems[0].hint == "did you mean 'vi'?"
