"""Reporting periods: the four shapes, their first and last days, and refusals."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.periods import is_period, moment_after, parse_period


@pytest.mark.parametrize(("text", "kind", "start", "end"), [
    ("2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
    ("2024-H1", "half", date(2024, 1, 1), date(2024, 6, 30)),
    ("2024-H2", "half", date(2024, 7, 1), date(2024, 12, 31)),
    ("2024-Q1", "quarter", date(2024, 1, 1), date(2024, 3, 31)),
    ("2025-Q3", "quarter", date(2025, 7, 1), date(2025, 9, 30)),
    ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
    ("2023-02", "month", date(2023, 2, 1), date(2023, 2, 28)),
    (" 2024-12 ", "month", date(2024, 12, 1), date(2024, 12, 31)),
])
def test_shapes(text, kind, start, end):
    period = parse_period(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert str(period) == text.strip()


@pytest.mark.parametrize("text", ["2024-q1", "Q1/2024", "2024-Q5", "2024-H3", "2024-13",
                                  "2024-00", "24", "2024-1", "", "2024 Q1", 2024, None])
def test_refusals_say_what_is_expected(text):
    with pytest.raises(ValueError, match="expected \"2024\""):
        parse_period(text)
    assert not is_period(text)


@given(st.integers(1900, 2100), st.sampled_from(["", "-H1", "-H2", "-Q1", "-Q2", "-Q3", "-Q4"]
                                                + [f"-{m:02d}" for m in range(1, 13)]))
def test_a_period_lies_within_its_year(year, suffix):
    period = parse_period(f"{year}{suffix}")
    assert date(year, 1, 1) <= period.start <= period.end <= date(year, 12, 31)
    assert (period.end + timedelta(days=1)).day == 1  # ends on a month's last day


@given(st.integers(1900, 2100))
def test_quarters_and_months_tile_the_year(year):
    for parts in (["Q1", "Q2", "Q3", "Q4"], [f"{m:02d}" for m in range(1, 13)], ["H1", "H2"]):
        periods = [parse_period(f"{year}-{p}") for p in parts]
        assert periods[0].start == date(year, 1, 1) and periods[-1].end == date(year, 12, 31)
        for before, after in pairwise(periods):
            assert after.start == before.end + timedelta(days=1)


# -- Vietnamese period names (issue 23) ---------------------------------------------------

@pytest.mark.parametrize(("name", "canonical"), [
    ("Quý I/2024", "2024-Q1"), ("Quý 1 năm 2024", "2024-Q1"), ("quý IV/2024", "2024-Q4"),
    ("Quy II - 2024", "2024-Q2"), ("6 tháng đầu năm 2024", "2024-H1"),
    ("6 tháng cuối năm 2024", "2024-H2"), ("sáu tháng đầu năm 2024", "2024-H1"),
    ("9 tháng năm 2024", "2024-01/2024-09"), ("9 tháng đầu năm 2024", "2024-01/2024-09"),
    ("3 tháng đầu năm 2025", "2025-Q1"), ("Tháng 3/2024", "2024-03"),
    ("tháng 03 năm 2024", "2024-03"), ("Năm 2024", "2024"), ("  NĂM   2024 ", "2024"),
])
def test_vietnamese_names_read_as_their_period(name, canonical):
    assert parse_period(name).text == canonical
    assert parse_period(name) == parse_period(canonical)


@pytest.mark.parametrize("name", ["Quý V/2024", "Tháng 13/2024", "năm 24", "13 tháng năm 2024",
                                  "Quý I"])
def test_unknown_vietnamese_names_are_refused(name):
    assert not is_period(name)


@given(st.integers(1990, 2100), st.sampled_from(["year", "half", "quarter", "month"]),
       st.integers(0, 11))
def test_every_name_cchc_form_writes_reads_back(year, kind, index):
    """The names `cchc form` writes (forms.period_name) are read as the period they name."""
    from cchc_rules.figures.forms import period_name
    count = {"year": 1, "half": 2, "quarter": 4, "month": 12}[kind]
    period = parse_period(str(year)).sub_periods(kind)[index % count]
    assert parse_period(period_name(period)) == period


@given(st.integers(1990, 2100), st.integers(1, 12))
def test_year_to_date_names_against_a_plain_reference(year, months):
    """"N tháng năm Y" is January to month N of Y: its days, whatever form is chosen."""
    import calendar
    from datetime import date
    period = parse_period(f"{months} tháng năm {year}")
    assert period.start == date(year, 1, 1)
    assert period.end == date(year, months, calendar.monthrange(year, months)[1])


def test_data_and_period_options_take_vietnamese_names(tmp_path):
    from click.testing import CliRunner

    from cchc_rules.cli import main
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text(
        "ruleset: r\ntitle: t\nmetrics:\n  received: {label: Hồ sơ, unit: count, "
        "over_time: sum}\ntargets:\n  - {id: T, title: t, area: procedures, metric: "
        "received, milestones: [{by: '2024', op: '>=', value: 10}]}\n", encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("unit,period,received\nham-tan,Quý I/2024,4917\nham-tan,Quý 2 năm 2024,1\n"
                    "ham-tan,6 tháng cuối năm 2024,2\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["evaluate", str(ruleset), "--data", str(data), "--period",
                                    "Năm 2024", "--format", "json"])
    assert res.exit_code == 0, res.output
    import json
    (row,) = json.loads(res.stdout)["results"]
    assert (row["period"], row["actual"]) == ("2024", 4920)
    data.write_text("unit,period,received\nham-tan,Quý V/2024,1\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["evaluate", str(ruleset), "--data", str(data)])
    assert res.exit_code == 2 and "PER01" in res.output and "Quý I/2024" in res.output


def test_the_moment_after_a_period():
    assert moment_after(parse_period("2025-06")) == datetime(2025, 7, 1)
    assert moment_after(parse_period("2025-Q4")) == datetime(2026, 1, 1)
    assert moment_after(parse_period("9999")) == datetime.max   # never ends
