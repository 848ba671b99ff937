"""What the records themselves say about their quality, per source (docs/records.md §6).

Counted in the source's own engine in two passes — one per unit for the rows, days and
bad dates (unit_stats), one group-by over the ids or their hashes (duplicates; only when
some key is seen twice, a group-by over the ids, and the contents of those ids' rows
compared) — and kept for the report's data-quality section (`SourceQuality`) and as
warnings:

- rows, and the first and last day of the source's `date`;
- rows without a unit, and rows of an undeclared unit (with a did-you-mean) — REC07;
- rows left out of every figure, by kind (each row of the first kind it fits) — REC09:
  no received date, a date outside the plausible window, received or resolved in the
  future, resolved before received (to the moment), due before received (sql.bad_dates).
  A dossier resolved before it was received, or in the future, is neither on time nor late
  until the export is fixed; such rows never make a period of their own (the first and
  last day are those of the rows kept);
- rows without a due date, left out of the metrics that compare with it (on time,
  overdue) — REC09 too;
- dossier ids seen more than once, and how many of them differ in content — REC10. Every
  copy counts, as the export has it: a database table has no order in which one copy would
  be "the first" or "the last", so none is chosen silently; the ids are listed to fix.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlglot import exp

from ...errors import Problem, did_you_mean
from ...messages import _
from .sql import PERIOD, RECORD, Clock, as_text, bad_dates, column, local_day, table

if TYPE_CHECKING:
    from .protocol import Engine

DATE_KINDS = ("no_date", "out_of_window", "received_in_future", "resolved_in_future",
              "resolved_before_date", "due_before_date")   # left out of every figure
NO_DUE = "no_due"   # left out of the metrics comparing with the due date only
EXAMPLES = 5  # duplicate ids and undeclared units shown by name


@dataclass
class SourceQuality:
    source: str
    location: str                 # where the records were read (no password)
    engine: str                   # duckdb | postgres | spark
    rows: int
    first_day: date | None
    last_day: date | None
    no_unit: int = 0
    unknown_units: list[tuple[str, int, str | None]] = field(default_factory=list)
    dates: dict[str, int] = field(default_factory=dict)   # kind -> rows (DATE_KINDS, NO_DUE)
    due_metrics: list[str] = field(default_factory=list)  # the metrics NO_DUE rows miss
    duplicate_ids: int = 0        # ids seen more than once
    duplicate_rows: int = 0       # rows carrying those ids
    differing_ids: int = 0        # of those ids, copies that differ in content
    duplicate_examples: list[str] = field(default_factory=list)


@dataclass
class Query:
    """The query one counted metric ran (all periods at once), for `cchc explain`."""

    source: str
    engine: str
    dialect: str
    tree: exp.Select

    def sql(self, period: str | None = None) -> str:
        """The SQL, narrowed to one period's row of the periods table when `period` is
        given: run as it is, it gives that period's figures."""
        tree = self.tree.copy()
        if period is not None:
            for values in tree.find_all(exp.Values):
                if values.alias == PERIOD:
                    rows = [r for r in values.expressions if r.expressions[0].name == period]
                    values.set("expressions", rows or values.expressions)
        return tree.sql(dialect=self.dialect, pretty=True)


@dataclass
class RecordsInfo:
    """Provenance of counted figures: each source's quality and each metric's query."""

    sources: list[SourceQuality] = field(default_factory=list)
    queries: dict[str, Query] = field(default_factory=dict)
    in_progress: set[str] = field(default_factory=set)   # periods counted though not ended
    # per source, what an incremental count did (records/narrow.py, records/cache.py)
    counting: list[dict] = field(default_factory=list)


def _count_if(condition: exp.Expr) -> exp.Expr:
    return exp.Sum(this=exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))],
                                 default=exp.Literal.number(0)))


class UnitSpan(NamedTuple):
    """One unit's records in a source: how many, and the first and last day they fall on."""

    unit: str | None        # None: the records without a unit
    rows: int
    first: date | None
    last: date | None


@dataclass(frozen=True)
class UnitStats:
    """What one pass over a source's records finds (unit_stats)."""

    units: list[UnitSpan]   # units without one first, then by id
    dates: dict[str, int]   # rows per kind of record left out (DATE_KINDS, NO_DUE)


@dataclass(frozen=True)
class Duplicates:
    """Dossier ids seen more than once in a source (duplicates)."""

    ids: int = 0            # ids seen twice or more
    rows: int = 0           # the rows carrying them
    differing: int = 0      # of those ids, the ones whose copies differ
    examples: list[str] = field(default_factory=list)   # a few such ids


def unit_stats(engine: Engine, name: str, source, clock: Clock, due_used: bool = False
               ) -> UnitStats:
    """One pass over the records: (unit, rows, first day, last day) per unit of the source,
    unit None included — the days of the rows kept only — and the rows per kind left out
    (only the kinds the source can show: due and resolved need its `due` and `resolved`
    columns; NO_DUE when `due_used`, some metric comparing with the due date).

    Each record's kind is one CASE (its first kind, or none): every condition is tested at
    most once per record, and the counts, the first and the last day are conditional
    aggregates of that one number in the same group-by."""
    kinds = bad_dates(source, clock)
    if due_used and source.due is not None:
        kinds[NO_DUE] = exp.Is(this=column(source.due, source.columns, source.utc_offset),
                               expression=exp.Null())
    number = exp.column("record_kind")
    kind = exp.Case(ifs=[exp.If(this=cond, true=exp.Literal.number(i + 1))
                         for i, cond in enumerate(kinds.values())])
    when = local_day(source.date, source.columns, source.utc_offset)
    records = (exp.select(as_text(source.unit).as_("unit"), when.as_("record_day"),
                          kind.as_("record_kind"))
               .from_(table(engine.tables[name]).as_(RECORD)))
    kept = exp.or_(exp.Is(this=number.copy(), expression=exp.Null()), *(
        [exp.EQ(this=number.copy(), expression=exp.Literal.number(len(kinds)))]
        if NO_DUE in kinds else []))
    day = exp.Case(ifs=[exp.If(this=kept, true=exp.column("record_day"))])
    query = (exp.select(exp.column("unit"), exp.Count(this=exp.Star()).as_("n"),
                        exp.Min(this=day).as_("first_day"),
                        exp.Max(this=day.copy()).as_("last_day"),
                        *(_count_if(exp.EQ(this=number.copy(), expression=exp.Literal.number(
                            i + 1))).as_(k) for i, k in enumerate(kinds)))
             .from_(records.subquery("k"))
             .group_by(exp.column("unit")))
    rows = sorted(engine.rows(name, query), key=lambda r: (r[0] is None, r[0] or ""))
    dates = {kind: sum(int(r[4 + i] or 0) for r in rows) for i, kind in enumerate(kinds)}
    return UnitStats([UnitSpan(*(_day(v) if i >= 2 else v for i, v in enumerate(r[:4])))
                      for r in rows], dates)


def _day(value: Any) -> Any:
    """A DATE as Python's date (Spark may hand back a datetime)."""
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def duplicates(engine: Engine, name: str, source) -> Duplicates:
    """Ids seen twice or more, their rows, ids whose copies differ, a few such ids."""
    ident = as_text(source.id)
    # One text per row: every declared column, a missing value marked, so that two copies
    # differ exactly when one of their columns does (compared within one engine only).
    parts: list[exp.Expr] = []
    for col in source.columns:
        parts += [exp.Coalesce(this=exp.Cast(this=column(col, {}), to=exp.DataType.build(
            "TEXT")), expressions=[exp.Literal.string("\u2205")]), exp.Literal.string("|")]
    content = exp.Concat(expressions=parts)
    records = table(engine.tables[name]).as_(RECORD)
    present = exp.Not(this=exp.Is(this=ident.copy(), expression=exp.Null()))
    more_than_once = exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1))
    # No key seen twice: no id is, and nothing more to look at. The key is what the engine
    # groups cheapest, a 64-bit hash of the id where it has one: equal ids hash alike, so
    # no duplicate is missed, and a collision only sends the check on to the exact queries
    # below, which then find no id twice. A group-by, as it spills to disk where a distinct
    # count may not (DuckDB, 50 M ids, 600 MB).
    key = engine.id_key(ident.copy())
    keys = (exp.select(key.as_("k")).from_(records.copy()).where(present.copy())
            .group_by(key.copy()).having(more_than_once.copy()))
    ((seen_twice,),) = engine.rows(name, exp.select(exp.Count(this=exp.Star()))
                                   .from_(keys.subquery("twice")))
    if not seen_twice:
        return Duplicates()
    # Ids seen twice first (one pass); the contents of only their rows compared after.
    twice = (exp.select(ident.as_("id"), exp.Count(this=exp.Star()).as_("n"))
             .from_(records.copy())
             .where(present.copy())
             .group_by(ident.copy())
             .having(more_than_once.copy()))
    groups = (exp.select(exp.column("id", table="t"), exp.Max(this=exp.column("n", table="t"))
                         .as_("n"),
                         exp.Count(this=exp.Distinct(expressions=[content])).as_("variants"))
              .from_(records.copy())
              .join(twice.subquery("t"), on=exp.EQ(this=ident.copy(),
                                                   expression=exp.column("id", table="t")))
              .group_by(exp.column("id", table="t")))
    differs = exp.GT(this=exp.column("variants"), expression=exp.Literal.number(1))
    # The totals ride on every row (window sums); the rows themselves are the first ids
    # whose copies differ, then (when fewer differ) others: one query, not two.
    every = exp.Window(this=exp.Count(this=exp.Star()))
    first = (exp.select(exp.column("id"), exp.column("variants"), every.as_("ids"),
                        exp.Window(this=exp.Sum(this=exp.column("n"))).as_("dup_rows"),
                        exp.Window(this=_count_if(differs)).as_("differing"))
             .from_(groups.subquery("d"))
             .order_by(exp.Case(ifs=[exp.If(this=differs.copy(),
                                             true=exp.Literal.number(0))],
                                default=exp.Literal.number(1)), exp.column("id"))
             .limit(EXAMPLES))
    rows = engine.rows(name, first)
    if not rows:        # the keys seen twice were a collision of hashes: no duplicate
        return Duplicates()
    _id, _variants, ids, dup_rows, differing = rows[0]
    examples = [r[0] for r in rows]   # those whose copies differ first, then identical
    return Duplicates(int(ids), int(dup_rows), int(differing), examples)


def unit_problems(quality: SourceQuality, counts: Mapping, units: Mapping | None
                  ) -> None:
    """Fill in the rows without a unit and the rows of undeclared units."""
    quality.no_unit = counts.get(None, 0)
    if units is not None:
        quality.unknown_units = sorted(
            ((u, n, did_you_mean(u, units)) for u, n in counts.items()
             if u is not None and u not in units), key=lambda x: (-x[1], x[0]))


def warnings(quality: SourceQuality) -> list[Problem]:
    """REC09 and REC10: missing or inconsistent dates, duplicate ids (never silent)."""
    out = []
    bad = {k: n for k, n in quality.dates.items() if n and k != NO_DUE}
    if bad:
        out.append(Problem("REC09", _(
            "{rows} record(s) of '{source}' have a missing or inconsistent date and are "
            "counted in no figure: {kinds}").format(
                rows=sum(bad.values()), source=quality.source,
                kinds=", ".join(f"{k} {n}" for k, n in bad.items())),
            None, _("see the data-quality section; fix the dates in the export"), "warning"))
    if quality.dates.get(NO_DUE):
        out.append(Problem("REC09", _(
            "{rows} record(s) of '{source}' have no due date and are left out of {metrics}"
            ).format(rows=quality.dates[NO_DUE], source=quality.source,
                     metrics=", ".join(quality.due_metrics)),
            None, _("see the data-quality section; fix the dates in the export"), "warning"))
    if quality.duplicate_ids:
        out.append(Problem("REC10", _(
            "{ids} dossier id(s) of '{source}' occur more than once ({rows} rows, {differing} "
            "with different contents); every copy is counted").format(
                ids=quality.duplicate_ids, source=quality.source,
                rows=quality.duplicate_rows, differing=quality.differing_ids),
            None, _("e.g. {ids}").format(ids=", ".join(quality.duplicate_examples))
            if quality.duplicate_examples else None, "warning"))
    return out
