"""Compile stage for records: one metric of a record source → one SQL query, built with sqlglot.

The query is a tree of sqlglot nodes made from the ruleset's AST, never text pasted together:
identifiers are quoted by sqlglot, text is a sqlglot string literal (sqlglot escapes quotes),
dates are `CAST('YYYY-MM-DD' AS DATE)` from a date Python has parsed, numbers are written from
exact fractions. The same tree is generated for DuckDB, PostgreSQL and Spark (`dialect`).

    SELECT p.period, CAST(r.unit AS TEXT) AS unit, AGG(...) AS value
    FROM table AS r JOIN (VALUES (period, first_day, last_day, month), ...) AS p
      ON YEAR(CAST(r.date AS DATE)) * 100 + MONTH(CAST(r.date AS DATE)) = p.month
      -- a stock: ON the conditions all its metrics share (a range join on period_end)
    [JOIN groups AS g ON r.unit = g.member]          -- parents: own + descendants' records
    WHERE r.unit IS NOT NULL AND NOT (bad dates) AND (where)
    GROUP BY p.period, unit                          -- g.grp with groups

Dates are compared by day: a timestamp column is cast to DATE wherever it is used.

A flow's periods table has one row per month of each period (2025-Q1: 202501, 202502,
202503), so a record meets its month, quarter and year by one equality — a hash join —
rather than by a range join over every period (a quarter faster on 10 M records in DuckDB).
Every period of a source's `periods` kinds is made of whole months.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from fractions import Fraction
from typing import cast

from sqlglot import exp

from ...expr.ast import (
    Binary,
    Bool,
    Call,
    Compare,
    In,
    IsNull,
    Logic,
    Name,
    Node,
    Not,
    Number,
    Text,
    Unary,
)
from ...expr.condition import COLUMN_TYPES, literal_date
from ...messages import _

RECORD, PERIOD = "r", "p"  # table aliases
LOCAL_OFFSET = 7  # Vietnam: UTC+7 all year (no daylight saving)
_COMPARE = {"==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT,
            ">=": exp.GTE}
_ARITH = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul, "/": exp.Div}
_PERIOD_COLUMNS = {"period_start": "first_day", "period_end": "last_day"}


def identifier(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def as_text(name: str) -> exp.Cast:
    """A record's column `name` as text (unit and id columns are compared as text)."""
    return exp.Cast(this=exp.Column(this=identifier(name), table=exp.to_identifier(RECORD)),
                    to=exp.DataType.build("TEXT"))


def table(name: str) -> exp.Table:
    """A table named `schema.table` (each part quoted; no part is parsed as SQL)."""
    parts = name.split(".")
    if len(parts) > 3 or not all(parts):
        raise ValueError(_("'{name}' is not a table name").format(name=name))
    *outer, last = parts
    keys = dict(zip(("catalog", "db")[-len(outer):] if outer else (), outer, strict=True))
    return exp.Table(this=identifier(last), **{k: identifier(v) for k, v in keys.items()})


def column(name: str, columns: Mapping[str, str], offset: int = LOCAL_OFFSET
           ) -> exp.Expr:
    """A record column; a date or timestamp column as a DATE (compared by day). A
    `timestamptz` column is an instant: it is moved to local time (`offset` hours ahead of
    UTC) before its day is taken; a `timestamp` column is already local time."""
    col = exp.Column(this=identifier(name), table=exp.to_identifier(RECORD))
    kind = columns.get(name, "")
    if kind == "timestamptz":
        utc = exp.Cast(this=exp.Cast(this=col, to=exp.DataType.build("TIMESTAMPTZ")),
                       to=exp.DataType.build("TIMESTAMP"))
        local = exp.Add(this=utc, expression=exp.Interval(
            this=exp.Literal.string(str(int(offset))), unit=exp.Var(this="HOUR")))
        return exp.Cast(this=local, to=exp.DataType.build("DATE"))
    if COLUMN_TYPES.get(kind) == "date":
        return exp.Cast(this=col, to=exp.DataType.build("DATE"))
    return col


def day(value: date) -> exp.Expr:
    return exp.Cast(this=exp.Literal.string(value.isoformat()), to=exp.DataType.build("DATE"))


def number(value: Fraction) -> exp.Expr:
    text = str(value.numerator) if value.denominator == 1 else repr(float(value))
    literal = exp.Literal.number(text.lstrip("-"))
    return exp.Neg(this=literal) if value < 0 else literal


def condition(node: Node, columns: Mapping[str, str], offset: int = LOCAL_OFFSET
              ) -> exp.Expr:
    """The sqlglot tree of a checked condition (expr/condition.py)."""
    def go(n: Node, other: Node | None = None) -> exp.Expr:
        if isinstance(n, Logic):
            kind = exp.And if n.op == "and" else exp.Or
            return kind(this=exp.Paren(this=go(n.left)), expression=exp.Paren(this=go(n.right)))
        if isinstance(n, Not):
            return exp.Not(this=exp.Paren(this=go(n.operand)))
        if isinstance(n, IsNull):
            test = exp.Is(this=go(n.operand), expression=exp.Null())
            return exp.Not(this=test) if n.negated else test
        if isinstance(n, In):
            return exp.In(this=go(n.operand), expressions=[go(i, n.operand) for i in n.items])
        if isinstance(n, Compare):
            return _COMPARE[n.op](this=go(n.left, n.right), expression=go(n.right, n.left))
        if isinstance(n, Binary):
            return exp.Paren(this=_ARITH[n.op](this=go(n.left), expression=go(n.right)))
        if isinstance(n, Unary):
            return exp.Neg(this=exp.Paren(this=go(n.operand)))
        if isinstance(n, Call):
            args = [go(a) for a in n.args]
            if n.func == "abs":
                return exp.Abs(this=args[0])
            extreme = exp.Least if n.func == "min" else exp.Greatest
            return extreme(this=args[0], expressions=args[1:])
        if isinstance(n, Number):
            return number(n.value)
        if isinstance(n, Bool):
            return exp.Boolean(this=n.value)
        if isinstance(n, Text):
            # Text beside a date is a date literal (the checker made sure it parses).
            if other is not None and _is_date(other, columns):
                found = literal_date(n.value)
                if isinstance(found, datetime):
                    found = found.date()
                return day(cast(date, found))   # not None: the checker made sure it parses
            return exp.Literal.string(n.value)
        if isinstance(n, Name):
            if n.id in _PERIOD_COLUMNS:
                return exp.Column(this=exp.to_identifier(_PERIOD_COLUMNS[n.id]),
                                  table=exp.to_identifier(PERIOD))
            return column(n.id, columns, offset)
        raise TypeError(n)  # pragma: no cover - the checker allows no other node
    return go(node)


def _is_date(node: Node, columns: Mapping[str, str]) -> bool:
    return isinstance(node, Name) and (node.id in _PERIOD_COLUMNS
                                       or COLUMN_TYPES.get(columns.get(node.id, "")) == "date")


def periods_table(periods: Sequence, by_month: bool = False) -> exp.Expr:
    """`(VALUES ('2025-01', DATE, DATE), ...) AS p(period, first_day, last_day)`; with
    `by_month`, one row per month of each period, its YYYYMM number in a column `month`."""
    def row(p, *more) -> exp.Tuple:
        return exp.Tuple(expressions=[exp.Literal.string(p.text), day(p.start), day(p.end),
                                      *more])
    names = ["period", "first_day", "last_day"]
    if by_month:
        rows = [row(p, exp.Literal.number(m.start.year * 100 + m.start.month))
                for p in periods for m in p.sub_periods("month")]
        names.append("month")
    else:
        rows = [row(p) for p in periods]
    alias = exp.TableAlias(this=exp.to_identifier(PERIOD),
                           columns=[exp.to_identifier(c) for c in names])
    return exp.Values(expressions=rows, alias=alias)


def month_of(when: exp.Expr) -> exp.Expr:
    """The YYYYMM number of a DATE: what a flow's record joins its periods on."""
    return exp.Add(this=exp.Mul(this=exp.Year(this=when), expression=exp.Literal.number(100)),
                   expression=exp.Month(this=when.copy()))


def aggregate(spec, columns: Mapping[str, str], offset: int = LOCAL_OFFSET) -> exp.Expr:
    if spec.aggregate == "count":
        return exp.Count(this=exp.Star())
    if spec.aggregate == "sum":
        return exp.Sum(this=exp.Cast(this=column(spec.column, columns, offset),
                                     to=exp.DataType.build("DOUBLE")))
    if spec.aggregate == "count_distinct":
        return exp.Count(this=exp.Distinct(expressions=[column(spec.column, columns,
                                                                offset)]))
    # DATEDIFF, not `to - from`: in Spark a date difference is an interval, not a number.
    days = exp.DateDiff(this=column(spec.to, columns, offset),
                        expression=column(spec.from_, columns, offset),
                        unit=exp.Var(this="DAY"))
    return exp.Avg(this=exp.Cast(this=days, to=exp.DataType.build("DOUBLE")))


def bad_dates(source, today: date) -> dict[str, exp.Expr]:
    """Kind -> condition of a missing or inconsistent date (records/quality.py), each true or
    false, never null: no `date`; `due` before `date`; `resolved` before `date` or after
    `today` (the run's day in the source's local time). Kinds need their columns declared."""
    columns, offset = source.columns, source.utc_offset
    when = column(source.date, columns, offset)
    kinds: dict[str, exp.Expr] = {
        "no_date": exp.Is(this=when.copy(), expression=exp.Null())}
    if source.due is not None:
        kinds["due_before_date"] = exp.LT(this=column(source.due, columns, offset),
                                          expression=when.copy())
    if source.resolved is not None:
        kinds["resolved_before_date"] = exp.LT(this=column(source.resolved, columns, offset),
                                               expression=when.copy())
        kinds["resolved_in_future"] = exp.GT(this=column(source.resolved, columns, offset),
                                             expression=day(today))
    return {k: exp.Coalesce(this=c, expressions=[exp.Boolean(this=False)])
            for k, c in kinds.items()}


def metric_query(source, spec, where: Node | None, table_name: str, periods: Sequence,
                 groups: str | None = None, today: date | None = None) -> exp.Select:
    """The query of one metric over `periods` (periods.Period), its figure in `value`.
    `groups`: the name of a table of (member, grp) unit pairs when records count towards
    other units too (a parent's figure counted from its own and its descendants' records);
    None groups by the record's own unit. With `today`, records with a missing or
    inconsistent date (bad_dates) are left out."""
    return fused_query(source, [(spec, where)], table_name, periods, groups, today)


def placement(spec) -> tuple[str, str | None]:
    """What places a metric's records in a period: metrics with the same placement can be
    counted by one query (fused_query)."""
    return ("stock", None) if spec.stock else ("date", spec.date)


def fused_query(source, metrics: Sequence[tuple], table_name: str, periods: Sequence,
                groups: str | None = None, today: date | None = None) -> exp.Select:
    """One query counting several metrics of the same placement in one pass over the
    records: `metrics` are (spec, where) pairs; one metric's figure is in `value`, several
    metrics' in `v0`, `v1`, … (each aggregate with its own `FILTER (WHERE …)`)."""
    columns, offset = source.columns, source.utc_offset
    first = metrics[0][0]
    if first.stock:
        shared, metrics = _shared_conditions(metrics)
    unit: exp.Expr = as_text(source.unit)
    if first.stock:
        # The conditions every stock metric has (e.g. received by the period's end and not
        # resolved by then) join a record to the periods it is pending at: a range join,
        # not every record with every period.
        placed: exp.Expr = (exp.Boolean(this=True) if shared is None
                                  else condition(shared, columns, offset))
    else:
        when = column(first.date or source.date, columns, offset)
        if not isinstance(when, exp.Cast):
            when = exp.Cast(this=when, to=exp.DataType.build("DATE"))
        placed = exp.EQ(this=month_of(when),
                        expression=exp.Column(this="month", table=exp.to_identifier(PERIOD)))
    filters: exp.Expr = exp.Not(this=exp.Is(this=unit.copy(), expression=exp.Null()))
    if today is not None:
        bad = exp.or_(*bad_dates(source, today).values())
        filters = exp.And(this=filters, expression=exp.Not(this=exp.Paren(this=bad)))
    single = len(metrics) == 1
    if single and metrics[0][1] is not None:
        filters = exp.And(this=filters, expression=exp.Paren(
            this=condition(metrics[0][1], columns, offset)))
    query = (exp.select(exp.Column(this="period", table=exp.to_identifier(PERIOD))
                        .as_("period"))
             .from_(table(table_name).as_(RECORD), copy=False)
             .join(periods_table(periods, by_month=not first.stock), on=placed, copy=False))
    if groups is not None:
        query = query.join(table(groups).as_("g"), on=exp.EQ(
            this=unit.copy(), expression=exp.Column(this="member",
                                                    table=exp.to_identifier("g"))),
            copy=False)
        unit = exp.Column(this="grp", table=exp.to_identifier("g"))
    values = []
    for i, (spec, where) in enumerate(metrics):
        agg = aggregate(spec, columns, offset)
        if not single and where is not None:
            agg = exp.Filter(this=agg, expression=exp.Where(
                this=condition(where, columns, offset)))
        values.append(agg.as_("value" if single else f"v{i}"))
    return (query.select(unit.as_("unit"), *values, copy=False)
            .where(filters, copy=False)
            .group_by(exp.Column(this="period", table=exp.to_identifier(PERIOD)), unit.copy(),
                      copy=False))


def conjuncts(node: Node) -> list[Node]:
    """The parts of `a and b and …`, in order."""
    if isinstance(node, Logic) and node.op == "and":
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


def _all(nodes: Sequence[Node]) -> Node | None:
    out = None
    for node in nodes:
        out = node if out is None else Logic("and", out, node)
    return out


def _shared_conditions(metrics: Sequence[tuple]) -> tuple[Node | None, list[tuple]]:
    """(the conjuncts found in every metric's `where`, the metrics with only their own
    conjuncts left): a condition is the same in two metrics when its tree is."""
    if any(where is None for _, where in metrics):
        return None, list(metrics)
    parts = [conjuncts(where) for _, where in metrics]
    shared = [c for c in dict.fromkeys(parts[0]) if all(c in p for p in parts[1:])]
    rest = [(spec, _all([c for c in p if c not in shared]))
            for (spec, _), p in zip(metrics, parts, strict=True)]
    return _all(shared), rest


def to_sql(query: exp.Expr, dialect: str) -> str:
    return query.sql(dialect=dialect)
