"""The law of a day against a moment (docs/records.md §4), checked as SQL: for any local
moment m, day D and operator, the condition sql.temporal_compare builds, run by DuckDB,
is true exactly when the plain-Python reading says — D stands for the whole local day,
[D 00:00, D+1 00:00) — on either side of the operator; moments against moments and days
against days compare as they are. And the window and future kinds of a left-out record
(sql.bad_dates) agree with the Python reading of the Clock, to the second."""
from __future__ import annotations

import operator
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from cchc_rules.figures.records.sql import (
    Clock,
    bad_dates,
    day,
    exclusive,
    moment,
    temporal_compare,
)

OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
       "==": operator.eq, "!=": operator.ne}
MOMENTS = st.datetimes(min_value=datetime(2024, 12, 30), max_value=datetime(2025, 1, 3))
DAYS = st.dates(min_value=date(2024, 12, 30), max_value=date(2025, 1, 3))


def plain(op: str, m: datetime, d: date, day_left: bool) -> bool:
    """The documented reading: where m falls against the whole day d."""
    start = datetime.combine(d, time())
    end = start + timedelta(days=1)
    before, within = m < start, start <= m < end
    if day_left:          # D op m is m flipped-op D
        op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
    return {"<": before, "<=": m < end, ">": m >= end, ">=": not before,
            "==": within, "!=": not within}[op]


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    yield c
    c.close()


def _sql(con, condition: exp.Expression) -> bool:
    return con.execute(exp.select(condition).sql(dialect="duckdb")).fetchone()[0]


@settings(max_examples=300, deadline=None)
@given(m=MOMENTS, d=DAYS, op=st.sampled_from(sorted(OPS)), day_left=st.booleans())
def test_a_day_against_a_moment_is_the_whole_local_day(con, m, d, op, day_left):
    m = m.replace(microsecond=0)
    sides = [(moment(m), "moment"), (day(d), "day")]
    if day_left:
        sides.reverse()
    assert _sql(con, temporal_compare(op, *sides)) is plain(op, m, d, day_left)


@settings(max_examples=200, deadline=None)
@given(a=MOMENTS, b=MOMENTS, op=st.sampled_from(sorted(OPS)))
def test_moments_compare_to_the_second(con, a, b, op):
    a, b = a.replace(microsecond=0), b.replace(microsecond=0)
    got = _sql(con, temporal_compare(op, (moment(a), "moment"), (moment(b), "moment")))
    assert got is OPS[op](a, b)


@settings(max_examples=100, deadline=None)
@given(a=DAYS, b=DAYS, op=st.sampled_from(sorted(OPS)))
def test_days_compare_as_days(con, a, b, op):
    assert _sql(con, temporal_compare(op, (day(a), "day"), (day(b), "day"))) is OPS[op](a, b)


CLOCK = Clock(as_of=datetime(2025, 1, 2, 12), now=datetime(2025, 1, 2, 12),
              earliest=datetime(2025, 1, 1), latest=datetime(2025, 1, 3))
SOURCE = SimpleNamespace(date="received_at", due="due_at", resolved="resolved_at",
                         utc_offset=7, columns={"received_at": "timestamp",
                                                "due_at": "timestamp",
                                                "resolved_at": "timestamp"})
WIDE = st.datetimes(min_value=datetime(2024, 12, 31), max_value=datetime(2025, 1, 4))


def left_out(rec: datetime, due: datetime | None, res: datetime | None) -> str | None:
    """The first kind a record fits (docs/records.md §6), in plain Python."""
    dated = [d for d in (rec, due, res) if d is not None]
    if any(not CLOCK.earliest <= d < CLOCK.latest for d in dated):
        return "out_of_window"
    if rec > CLOCK.now:
        return "received_in_future"
    if res is not None and res > CLOCK.now:
        return "resolved_in_future"
    if res is not None and res < rec:
        return "resolved_before_date"
    if due is not None and due < rec:
        return "due_before_date"
    return None


@settings(max_examples=300, deadline=None)
@given(rec=WIDE, due=st.none() | WIDE, res=st.none() | WIDE)
def test_each_left_out_record_is_of_the_first_kind_it_fits(con, rec, due, res):
    rec, due, res = (v if v is None else v.replace(microsecond=0) for v in (rec, due, res))
    kinds = exclusive(bad_dates(SOURCE, CLOCK))
    row = exp.Values(expressions=[exp.Tuple(expressions=[
        moment(v) if v is not None else exp.Cast(this=exp.Null(),
                                                  to=exp.DataType.build("TIMESTAMP"))
        for v in (rec, due, res)])], alias=exp.TableAlias(
        this=exp.to_identifier("r"), columns=[exp.to_identifier(c) for c in (
            "received_at", "due_at", "resolved_at")]))
    query = exp.select(*(c.as_(k) for k, c in kinds.items())).from_(row)
    got = dict(zip(kinds, con.execute(query.sql(dialect="duckdb")).fetchone(), strict=True))
    assert [k for k, v in got.items() if v] == [k for k in [left_out(rec, due, res)] if k]
