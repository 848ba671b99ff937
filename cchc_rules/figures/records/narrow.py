"""Read stage for records: an incremental count (docs/records.md §8) — only the periods the
asked ones need, and only the records those periods can hold.

`--period` (or `--since`) asks for some periods. Their results need more than their own
figures: a baseline year (a change or a trajectory), the period a relative baseline names
(`same_last_year`, `previous`), and the shorter periods a longer one is made of (a year or
a year-to-date range tiled from months). `wanted` gives the spans of days those figures lie
in, widened where the exact period is not known here (a relative baseline is resolved by
derive/, above this stage), and `narrowed` keeps the counted periods lying inside one of
them. Never fewer: a figure of the narrowed count is the full count's figure.

The queries then read only the records those periods hold (`bounds`): for flows, the local
day of the placing column in one of the periods (exact), plus a range on the raw column a
day wider on each side (sargable: a PostgreSQL index or Parquet row-group statistics can
skip what lies outside); for stocks, the records received before the last period's end,
when every stock metric of the query says so in its `where` (`date < period_end`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta

from sqlglot import exp

from ...domain import RelativePeriod, is_relative
from ...periods import Period, canonical, is_period, parse_period
from .sql import (
    DATE_TZ,
    RECORD,
    SHIFTED,
    conjuncts,
    day,
    identifier,
    local_day,
)

WIDEN = timedelta(days=1)   # more than any UTC offset: the raw range holds every local day
NATIVE = ("date", "timestamp", "timestamptz")   # real types a raw range is written for


def wanted(model, asked: Iterable[str]) -> list[Period] | None:
    """The spans whose figures the results of `asked` read: each asked period, every fixed
    baseline period, and for a relative baseline a span holding the period it names for each
    asked one. None (count everything) when an asked name is not a period, or when the
    ruleset is a plan in force by date (`replaces`, `amends`): an older version's targets,
    not known here, may have other baselines."""
    if getattr(model, "replaces", None) is not None or \
            getattr(model, "amends", None) is not None:
        return None
    own: list[Period] = []
    for text in asked:
        if not is_period(canonical(text)):
            return None
        own.append(parse_period(canonical(text)))
    spans = list(own)
    relative: set[str] = set()
    for target in model.targets:
        if target.baseline is None:
            continue
        if is_relative(target.baseline.period):
            relative.add(target.baseline.period)
        elif is_period(target.baseline.period):
            spans.append(parse_period(target.baseline.period))
    for p in own:
        for kind in sorted(relative):
            spans.append(_relative_span(p, RelativePeriod(kind)))
    return spans


def _relative_span(p: Period, kind: RelativePeriod) -> Period:
    """A span of whole months holding the period `kind` names for `p` (derive/relative.py):
    a year earlier, or just before `p` by at least its own length."""
    if kind is RelativePeriod.SAME_LAST_YEAR:
        first, last = p.start.replace(day=1, year=p.start.year - 1), \
            _month_end(p.end.replace(day=1, year=p.end.year - 1))
    else:
        length = p.end - p.start + timedelta(days=1)
        first = (p.start - length - timedelta(days=31)).replace(day=1)
        last = p.start - timedelta(days=1)
    return Period(f"{first.isoformat()}/{last.isoformat()}", "range", first, last)


def _month_end(first: date) -> date:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def narrowed(periods: Sequence[Period], spans: Sequence[Period]) -> list[Period]:
    """The counted `periods` lying inside one of `spans`."""
    return [p for p in periods if any(s.contains(p) for s in spans)]


def intervals(periods: Iterable[Period]) -> list[tuple[date, date]]:
    """The days of `periods` as disjoint (first, last) runs, in order."""
    out: list[tuple[date, date]] = []
    for p in sorted(periods, key=lambda q: (q.start, q.end)):
        if out and p.start <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], p.end))
        else:
            out.append((p.start, p.end))
    return out


def _raw_range(name: str, kind: str, physical: str | None, first: datetime,
               after: datetime) -> exp.Expr | None:
    """`first - 1 day <= raw column < after + 1 day` on the column as stored (no cast of
    the column: sargable), for a column stored as a date or a time; None otherwise."""
    if physical not in NATIVE or not (kind in (*NATIVE, DATE_TZ) or kind.startswith(SHIFTED)):
        return None
    col = exp.Column(this=identifier(name), table=exp.to_identifier(RECORD))

    def literal(moment: datetime) -> exp.Expr:
        if physical == "date":
            return day(moment.date())
        text = moment.isoformat(sep=" ") + ("+00:00" if physical == "timestamptz" else "")
        return exp.Cast(this=exp.Literal.string(text),
                        to=exp.DataType.build(physical.upper()))
    return exp.and_(exp.GTE(this=col, expression=literal(first - WIDEN)),
                    exp.LT(this=col.copy(), expression=literal(after + WIDEN)))


def flow_bounds(name: str, columns: Mapping[str, str], offset: int,
                physical: Mapping[str, str | None], periods: Sequence[Period],
                dialect: str) -> exp.Expr:
    """Records whose local day of `name` lies in one of `periods` (the same test as the
    join on the month, so no figure changes), and around them a sargable raw range."""
    runs = intervals(periods)
    local = local_day(name, columns, offset)
    exact = exp.or_(*(exp.and_(exp.GTE(this=local.copy(), expression=day(a)),
                               exp.LTE(this=local.copy(), expression=day(b)))
                      for a, b in runs))
    raw = None if dialect == "spark" else _raw_range(
        name, columns.get(name, ""), physical.get(name), datetime.combine(runs[0][0], time()),
        datetime.combine(runs[-1][1] + timedelta(days=1), time()))
    return exact if raw is None else exp.and_(raw, exp.Paren(this=exact))


def received_before_end(wheres: Sequence, dated: Sequence[str]) -> str | None:
    """The column `c` of a conjunct `c < period_end` or `c <= period_end` found in every
    stock metric's `where` (a record of a stock at a period's end came before it), or None."""
    from ...expr.ast import Compare, Name
    found: set[str] | None = None
    for where in wheres:
        mine = set()
        for part in conjuncts(where) if where is not None else ():
            if not isinstance(part, Compare):
                continue
            left, op, right = part.left, part.op, part.right
            if isinstance(left, Name) and left.id == "period_end":
                left, right, op = right, left, {">": "<", ">=": "<="}.get(op, "")
            if op in ("<", "<=") and isinstance(left, Name) and left.id in dated \
                    and isinstance(right, Name) and right.id == "period_end":
                mine.add(left.id)
        found = mine if found is None else found & mine
    return min(found) if found else None


def stock_bounds(name: str, columns: Mapping[str, str], physical: Mapping[str, str | None],
                 periods: Sequence[Period], dialect: str) -> exp.Expr | None:
    """A sargable `name < last period's end + 1 day` (widened): stocks are counted from the
    records received before their period's end."""
    if dialect == "spark":
        return None
    after = datetime.combine(max(p.end for p in periods) + timedelta(days=1), time())
    found = _raw_range(name, columns.get(name, ""), physical.get(name), datetime.min + WIDEN,
                       after)
    return found.args["expression"] if isinstance(found, exp.And) else None


def window_bound(name: str, columns: Mapping[str, str], physical: Mapping[str, str | None],
                 earliest: datetime, dialect: str) -> exp.Expr | None:
    """A sargable `name >= earliest - 1 day`: a record dated before the plausible window is
    left out of every figure anyway (records/quality.py)."""
    if dialect == "spark":
        return None
    found = _raw_range(name, columns.get(name, ""), physical.get(name), earliest,
                       datetime.max - WIDEN)
    return found.args["this"] if isinstance(found, exp.And) else None
