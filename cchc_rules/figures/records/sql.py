"""Compile stage for records: one metric of a record source → one SQL query, built with sqlglot.

The query is a tree of sqlglot nodes made from the ruleset's AST, never text pasted together:
identifiers are quoted by sqlglot, text is a sqlglot string literal (sqlglot escapes quotes),
dates are `CAST('YYYY-MM-DD' AS DATE)` from a date Python has parsed, numbers are written from
exact fractions. The same tree is generated for DuckDB, PostgreSQL and Spark (`dialect`).

    SELECT p.period, CAST(r.unit AS TEXT) AS unit, AGG(...) AS value
    FROM table AS r JOIN (VALUES (period, period_start, period_end, month), ...) AS p
      ON YEAR(local day of r.date) * 100 + MONTH(local day of r.date) = p.month
      -- a stock: ON the conditions all its metrics share (a range join on period_end)
    [JOIN groups AS g ON r.unit = g.member]          -- parents: own + descendants' records
    WHERE r.unit IS NOT NULL AND NOT (left-out records) AND (where)
    GROUP BY p.period, unit                          -- g.grp with groups

Moments and days, as the column says (docs/records.md §4). Every moment is brought to the
local wall clock (Vietnam, UTC+7, unless the source sets `utc_offset`) as a TIMESTAMP
without a zone: a `timestamptz` instant is cast to UTC (every engine's session is pinned
to UTC, whatever the machine's TZ) and moved by the offset; a `timestamp` is local time
as it is. A `date` is a day. Two moments compare as moments, two days as days, and a day
against a moment stands for the whole local day: `m <= D` is `m < D + 1 day`, `m < D` is
`m < D`, `m == D` is `D <= m < D + 1 day`. `period_start` is the first instant of the
period and `period_end` the first instant after it (or the as-of moment, for a period not
ended by then), both local moments.

A flow's periods table has one row per month of each period (2025-Q1: 202501, 202502,
202503), so a record meets its month, quarter and year by one equality — a hash join —
rather than by a range join over every period (a quarter faster on 10 M records in DuckDB).
Every period of a source's `periods` kinds is made of whole months.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from fractions import Fraction

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
from ...expr.condition import literal_date
from ...messages import _
from ...periods import moment_after

RECORD, PERIOD = "r", "p"  # table aliases
LOCAL_OFFSET = 7  # Vietnam: UTC+7 all year (no daylight saving)
_COMPARE = {"==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT,
            ">=": exp.GTE}
_ARITH = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul, "/": exp.Div}
_PERIOD_COLUMNS = ("period_start", "period_end")
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
DATE_TZ = "date_tz"  # internal: a column declared `date` that holds instants (types.py)
SHIFTED = "timestamp@"  # internal: `timestamp@H`, times without a zone H hours behind local
MOMENTS = ("timestamp", "timestamptz")
DAYS = ("date", DATE_TZ)


def is_moment(kind: str) -> bool:
    return kind in MOMENTS or kind.startswith(SHIFTED)


@dataclass(frozen=True)
class Clock:
    """The moments a count is made against, all local wall-clock times (no zone): `as_of`
    (figures as of it: later flows are not counted yet, stocks are taken at it for a period
    not ended by then), `now` (the run: a later received or resolved moment is in the
    future) and the plausible window `earliest` ≤ a date < `latest`."""

    as_of: datetime
    now: datetime
    earliest: datetime
    latest: datetime


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


def _raw(name: str) -> exp.Column:
    return exp.Column(this=identifier(name), table=exp.to_identifier(RECORD))


def _cast(e: exp.Expr, to: str) -> exp.Cast:
    return exp.Cast(this=e, to=exp.DataType.build(to))


def _hours(e: exp.Expr, hours: int) -> exp.Expr:
    return exp.Add(this=e, expression=exp.Interval(
        this=exp.Literal.string(str(int(hours))), unit=exp.Var(this="HOUR")))


def _next_day(e: exp.Expr) -> exp.Expr:
    return exp.Add(this=e, expression=exp.Interval(this=exp.Literal.string("1"),
                                                   unit=exp.Var(this="DAY")))


def local_moment(name: str, columns: Mapping[str, str], offset: int = LOCAL_OFFSET
                 ) -> exp.Expr:
    """A date or time column as a local TIMESTAMP without a zone (a day: its first
    instant). An instant (`timestamptz`) is cast to UTC — every session runs in UTC — and
    moved `offset` hours; a `timestamp` is local time already."""
    col, kind = _raw(name), columns.get(name, "")
    if kind in ("timestamptz", DATE_TZ):
        return _hours(_cast(_cast(col, "TIMESTAMPTZ"), "TIMESTAMP"), offset)
    if kind == "timestamp":
        return _cast(col, "TIMESTAMP")
    if kind.startswith(SHIFTED):   # written in another zone (the source's `timezone:`)
        return _hours(_cast(col, "TIMESTAMP"), int(kind[len(SHIFTED):]))
    return _cast(_cast(col, "DATE"), "TIMESTAMP")


def local_day(name: str, columns: Mapping[str, str], offset: int = LOCAL_OFFSET
              ) -> exp.Expr:
    """The local day (a DATE) of a date or time column: what places a record in a period."""
    kind = columns.get(name, "")
    if kind in ("timestamptz", DATE_TZ) or kind.startswith(SHIFTED):
        return _cast(local_moment(name, columns, offset), "DATE")
    return _cast(_raw(name), "DATE")


def column(name: str, columns: Mapping[str, str], offset: int = LOCAL_OFFSET
           ) -> exp.Expr:
    """A record column as a value: a day as a DATE, a moment as a local TIMESTAMP."""
    kind = columns.get(name, "")
    if kind in DAYS:
        return local_day(name, columns, offset)
    if is_moment(kind):
        return local_moment(name, columns, offset)
    return _raw(name)


def moment(value: datetime) -> exp.Expr:
    """A local moment as `CAST('YYYY-MM-DD HH:MM:SS' AS TIMESTAMP)`."""
    return _cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")


def temporal_compare(op: str, left: tuple[exp.Expr, str],
                     right: tuple[exp.Expr, str]) -> exp.Expr:
    """`left op right` where each side is (expression, "day" | "moment"): days as DATEs,
    moments as local TIMESTAMPs. A day against a moment is the whole local day."""
    (a, ka), (b, kb) = left, right
    if ka == kb:
        return _COMPARE[op](this=a, expression=b)
    if ka == "day":           # the moment on the left: D op m is m flip(op) D
        (a, b), op = (b, a), _FLIP[op]
    start = _cast(b, "TIMESTAMP")
    if op == "<":
        return exp.LT(this=a, expression=start)
    if op == ">=":
        return exp.GTE(this=a, expression=start)
    end = _next_day(start.copy())
    if op == "<=":
        return exp.LT(this=a, expression=end)
    if op == ">":
        return exp.GTE(this=a, expression=end)
    within = exp.And(this=exp.GTE(this=a, expression=start),
                     expression=exp.LT(this=a.copy(), expression=end))
    return exp.Paren(this=within) if op == "==" else exp.Not(this=exp.Paren(this=within))


def day(value: date) -> exp.Expr:
    return exp.Cast(this=exp.Literal.string(value.isoformat()), to=exp.DataType.build("DATE"))


def number(value: Fraction) -> exp.Expr:
    text = str(value.numerator) if value.denominator == 1 else repr(float(value))
    literal = exp.Literal.number(text.lstrip("-"))
    return exp.Neg(this=literal) if value < 0 else literal


def condition(node: Node, columns: Mapping[str, str], offset: int = LOCAL_OFFSET
              ) -> exp.Expr:
    """The sqlglot tree of a checked condition (expr/condition.py)."""
    def kind(n: Node, other: Node | None) -> str | None:
        """"day", "moment" or None (not a date or time) of a compared node."""
        if isinstance(n, Name):
            if n.id in _PERIOD_COLUMNS:
                return "moment"
            declared = columns.get(n.id, "")
            return "day" if declared in DAYS else "moment" if is_moment(declared) else None
        if isinstance(n, Text) and other is not None and kind(other, None) is not None:
            found = literal_date(n.value)
            return "day" if type(found) is date else "moment"
        return None

    def temporal(n: Node, k: str) -> exp.Expr:
        if isinstance(n, Text):
            found = literal_date(n.value)
            assert found is not None   # the checker made sure it parses
            if k == "day":
                return day(found)
            assert isinstance(found, datetime)   # kind() says "moment" only of a time
            if found.tzinfo is not None:   # a stated offset: the same instant, local time
                found = found.astimezone(timezone(timedelta(hours=offset))).replace(
                    tzinfo=None)
            return moment(found)
        if isinstance(n, Name) and n.id in _PERIOD_COLUMNS:
            return exp.Column(this=exp.to_identifier(n.id), table=exp.to_identifier(PERIOD))
        assert isinstance(n, Name)   # kind() gives a day or a moment only to names and text
        return local_day(n.id, columns, offset) if k == "day" else \
            local_moment(n.id, columns, offset)

    def compare(op: str, left: Node, right: Node) -> exp.Expr:
        kl, kr = kind(left, right), kind(right, left)
        if kl is None or kr is None:
            return _COMPARE[op](this=go(left), expression=go(right))
        return temporal_compare(op, (temporal(left, kl), kl), (temporal(right, kr), kr))

    def go(n: Node) -> exp.Expr:
        if isinstance(n, Logic):
            kind_ = exp.And if n.op == "and" else exp.Or
            return kind_(this=exp.Paren(this=go(n.left)),
                         expression=exp.Paren(this=go(n.right)))
        if isinstance(n, Not):
            return exp.Not(this=exp.Paren(this=go(n.operand)))
        if isinstance(n, IsNull):
            test = exp.Is(this=go(n.operand), expression=exp.Null())
            return exp.Not(this=test) if n.negated else test
        if isinstance(n, In):
            if kind(n.operand, None) is not None:   # dates and times: one == per item
                return exp.Paren(this=exp.or_(*(compare("==", n.operand, i)
                                                for i in n.items)))
            return exp.In(this=go(n.operand), expressions=[go(i) for i in n.items])
        if isinstance(n, Compare):
            return compare(n.op, n.left, n.right)
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
            return exp.Literal.string(n.value)
        if isinstance(n, Name):
            if n.id in _PERIOD_COLUMNS:
                return temporal(n, "moment")
            return column(n.id, columns, offset)
        raise TypeError(n)  # pragma: no cover - the checker allows no other node
    return go(node)


def references(node: Node | None) -> set[str]:
    """The column names a condition uses."""
    if node is None:
        return set()
    if isinstance(node, Name):
        return {node.id}
    found: set[str] = set()
    for value in vars(node).values():
        for part in value if isinstance(value, tuple) else (value,):
            if isinstance(part, Node):
                found |= references(part)
    return found


def period_moments(p, as_of: datetime | None = None) -> tuple[datetime, datetime]:
    """(first instant, first instant after) of period `p` in local time; the end is
    `as_of` for a period not ended by then."""
    start = datetime.combine(p.start, time())
    end = moment_after(p)
    return start, end if as_of is None else max(start, min(end, as_of))


def periods_table(periods: Sequence, by_month: bool = False, as_of: datetime | None = None
                  ) -> exp.Expr:
    """`(VALUES ('2025-01', START, END), ...) AS p(period, period_start, period_end)`, local
    moments (period_moments); with `by_month`, one row per month of each period, its YYYYMM
    number in a column `month`."""
    def row(p, *more) -> exp.Tuple:
        start, end = period_moments(p, as_of)
        return exp.Tuple(expressions=[exp.Literal.string(p.text), moment(start), moment(end),
                                      *more])
    names = ["period", *_PERIOD_COLUMNS]
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
    # Whole local days between the two (the days of two moments), as documented.
    # DATEDIFF, not `to - from`: in Spark a date difference is an interval, not a number.
    days = exp.DateDiff(this=local_day(spec.to, columns, offset),
                        expression=local_day(spec.from_, columns, offset),
                        unit=exp.Var(this="DAY"))
    return exp.Avg(this=exp.Cast(this=days, to=exp.DataType.build("DOUBLE")))


def _side(name: str, columns: Mapping[str, str], offset: int
          ) -> tuple[exp.Expr, str]:
    if columns.get(name, "") in DAYS:
        return local_day(name, columns, offset), "day"
    return local_moment(name, columns, offset), "moment"


def bad_dates(source, clock: Clock) -> dict[str, exp.Expr]:
    """Kind -> condition of a record left out of every figure (records/quality.py), each
    true or false, never null, and exclusive: a record is of the first kind it fits.
    No `date`; a date (`date`, `due`, `resolved`) outside the plausible window; received
    or resolved after the run's moment; resolved before received, or due before received
    (to the moment; a day is the whole local day). Kinds need their columns declared."""
    columns, offset = source.columns, source.utc_offset
    when = _side(source.date, columns, offset)
    dated = [source.date, *(c for c in (source.due, source.resolved) if c is not None)]
    outside = []
    for name in dated:
        value = local_moment(name, columns, offset)
        outside.append(exp.Or(this=exp.LT(this=value, expression=moment(clock.earliest)),
                              expression=exp.GTE(this=value.copy(),
                                                 expression=moment(clock.latest))))
    now = (moment(clock.now), "moment")
    kinds: dict[str, exp.Expr] = {
        "no_date": exp.Is(this=when[0].copy(), expression=exp.Null()),
        "out_of_window": exp.or_(*outside),
        "received_in_future": temporal_compare(">", when, now)}
    if source.resolved is not None:
        resolved = _side(source.resolved, columns, offset)
        kinds["resolved_in_future"] = temporal_compare(">", resolved, now)
        kinds["resolved_before_date"] = temporal_compare("<", resolved, when)
    if source.due is not None:
        kinds["due_before_date"] = temporal_compare("<", _side(source.due, columns, offset),
                                                    when)
    return {k: exp.Coalesce(this=exp.Paren(this=c), expressions=[exp.Boolean(this=False)])
            for k, c in kinds.items()}


def exclusive(kinds: Mapping[str, exp.Expr]) -> dict[str, exp.Expr]:
    """Each kind's condition, true only where no earlier kind's is: a record counts once."""
    out: dict[str, exp.Expr] = {}
    before: list[exp.Expr] = []
    for kind, cond in kinds.items():
        out[kind] = exp.and_(cond.copy(), *(exp.Not(this=b.copy()) for b in before))
        before.append(cond)
    return out


def metric_query(source, spec, where: Node | None, table_name: str, periods: Sequence,
                 groups: str | None = None, clock: Clock | None = None) -> exp.Select:
    """The query of one metric over `periods` (periods.Period), its figure in `value`.
    `groups`: the name of a table of (member, grp) unit pairs when records count towards
    other units too (a parent's figure counted from its own and its descendants' records);
    None groups by the record's own unit. With `clock`, records left out (bad_dates) are
    left out, flows are counted up to `clock.as_of` and stocks at it at the latest."""
    return fused_query(source, [(spec, where)], table_name, periods, groups, clock)


def placement(spec) -> tuple[str, str | None]:
    """What places a metric's records in a period: metrics with the same placement can be
    counted by one query (fused_query)."""
    return ("stock", None) if spec.stock else ("date", spec.date)


def fused_query(source, metrics: Sequence[tuple], table_name: str, periods: Sequence,
                groups: str | None = None, clock: Clock | None = None,
                left_out: Collection[str] | None = None) -> exp.Select:
    """One query counting several metrics of the same placement in one pass over the
    records: `metrics` are (spec, where) pairs; one metric's figure is in `value`, several
    metrics' in `v0`, `v1`, … (each aggregate with its own `FILTER (WHERE …)`).
    `left_out`: the kinds of bad_dates to filter out (default every kind). The kinds the
    data-quality scan found no record of as its first kind may be omitted: a record of an
    omitted kind is then of an earlier kind, still filtered out, so the figures are the
    same."""
    columns, offset = source.columns, source.utc_offset
    first = metrics[0][0]
    if first.stock:
        shared, metrics = _shared_conditions(metrics)
    unit: exp.Expr = as_text(source.unit)
    filters: exp.Expr = exp.Not(this=exp.Is(this=unit.copy(), expression=exp.Null()))
    if first.stock:
        # The conditions every stock metric has (e.g. received by the period's end and not
        # resolved by then) join a record to the periods it is pending at: a range join,
        # not every record with every period.
        placed: exp.Expr = (exp.Boolean(this=True) if shared is None
                                  else condition(shared, columns, offset))
    else:
        name = first.date or source.date
        placed = exp.EQ(this=month_of(local_day(name, columns, offset)),
                        expression=exp.Column(this="month", table=exp.to_identifier(PERIOD)))
        if clock is not None and clock.as_of < clock.now:   # flows up to the as-of moment
            filters = exp.And(this=filters, expression=temporal_compare(
                "<", _side(name, columns, offset), (moment(clock.as_of), "moment")))
    kinds = [c for k, c in bad_dates(source, clock).items()
             if left_out is None or k in left_out] if clock is not None else []
    if kinds:
        bad = exp.or_(*kinds)
        filters = exp.And(this=filters, expression=exp.Not(this=exp.Paren(this=bad)))
    single = len(metrics) == 1
    if single and metrics[0][1] is not None:
        filters = exp.And(this=filters, expression=exp.Paren(
            this=condition(metrics[0][1], columns, offset)))
    query = (exp.select(exp.Column(this="period", table=exp.to_identifier(PERIOD))
                        .as_("period"))
             .from_(table(table_name).as_(RECORD), copy=False)
             .join(periods_table(periods, by_month=not first.stock,
                                 as_of=clock.as_of if clock is not None else None),
                   on=placed, copy=False))
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
