"""Read stage for records: one source's incremental count — each query narrowed to the
periods asked and what they need (narrow.py), closed periods taken from the cache when
their records did not change (cache.py), and what was done, for `--verbose` and the
results' `diagnostics.counting` (docs/records.md §8)."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlglot import exp

from ...messages import _
from ...periods import Period
from .cache import Cache, Months, batch_key, depends, months
from .narrow import flow_bounds, received_before_end, stock_bounds, window_bound
from .protocol import Engine
from .sql import Clock, period_moments

LOG = logging.getLogger("cchc.records")


class Incremental:
    """One source's periods (`periods`, already narrowed when `narrowing`) and cache."""

    def __init__(self, ruleset, source, loc, engine: Engine, clock: Clock,
                 periods: Sequence[Period], narrowing: bool, cache: Cache | None) -> None:
        self.ruleset, self.source, self.loc, self.engine = ruleset, source, loc, engine
        self.clock, self.periods, self.narrowing, self.cache = clock, periods, narrowing, cache
        self.physical = engine.physical(loc.source) if narrowing else {}
        self._months: Months | None = None
        self._pending: tuple[str, dict[str, str]] = ("", {})
        self.counted: dict[str, list[str]] = {}   # metrics of a query -> periods counted
        self.hits = self.misses = 0

    def _stock_column(self, specs: Sequence[tuple]) -> str | None:
        return received_before_end([where for _spec, where in specs], list(self.source.columns))

    def plan(self, mids: Sequence[str], specs: Sequence[tuple], place: tuple,
             pairs: list[tuple[str, str]] | None) -> tuple[list[Period], pl.DataFrame]:
        """(the periods to count, the kept figures of the others as a counting query's
        columns: period, unit, v0 …) for one query's metrics."""
        count = len(mids)
        empty = pl.DataFrame(schema={"period": pl.String, "unit": pl.String,
                                     **{f"v{i}": pl.Float64 for i in range(count)}})
        if self.cache is None or not self.cache.usable:
            self.counted[", ".join(mids)] = [p.text for p in self.periods]
            return list(self.periods), empty
        if self._months is None:
            self._months = months(self.engine, self.loc.source, self.source, self.clock.now,
                                  self.clock.latest)
        key = batch_key(self.ruleset, self.source, self.loc, mids, place, pairs)
        how = depends(specs[0][0], self.source,
                      self._stock_column(specs) if specs[0][0].stock else None)
        todo, found, pending = [], [], {}
        for p in self.periods:
            closed = period_moments(p)[1] <= self.clock.as_of
            records = self._months.fingerprint(p, how) if closed else None
            rows = self.cache.get(key, p.text, records)
            if rows is not None:
                self.hits += 1
                found.append(rows.with_columns(pl.lit(p.text).alias("period")))
                continue
            if closed:
                self.misses += 1
            if records is not None:
                pending[p.text] = records
            todo.append(p)
        self._pending = (key, pending)
        self.counted[", ".join(mids)] = [p.text for p in todo]
        if not found:
            return todo, empty
        wide = pl.concat(found).pivot(on="metric", index=["period", "unit"], values="value")
        return todo, wide.select("period", "unit", *(
            pl.col(str(i)).cast(pl.Float64).alias(f"v{i}") if str(i) in wide.columns
            else pl.lit(None, pl.Float64).alias(f"v{i}") for i in range(count)))

    def keep(self, counted: pl.DataFrame, count: int) -> None:
        """Keep the closed periods just counted whose records are settled."""
        key, pending = self._pending
        if self.cache is None:
            return
        for period, records in pending.items():
            self.cache.put(key, period, records, counted, count)

    def narrow(self, query: exp.Select, specs: Sequence[tuple], periods: Sequence[Period]
               ) -> exp.Select:
        """`query` reading only the records `periods` hold (narrow.py), when narrowing."""
        if not self.narrowing:
            return query
        source, physical, dialect = self.source, self.physical, self.engine.dialect
        first = specs[0][0]
        found: list[exp.Expr | None] = [window_bound(
            source.date, source.columns, physical, self.clock.earliest, dialect)]
        if first.stock:
            column = self._stock_column(specs)
            if column is not None:
                found.append(stock_bounds(column, source.columns, physical, periods, dialect))
        else:
            found.append(flow_bounds(first.date or source.date, source.columns,
                                     source.utc_offset, physical, periods, dialect))
        parts = [exp.Paren(this=f) for f in found if f is not None]
        return query.where(exp.and_(*parts), copy=False) if parts else query

    def said(self, every: int, asked: Sequence[str] | None) -> dict[str, Any]:
        """What was counted, for the log and the results' diagnostics."""
        name = self.loc.source
        if self.narrowing:
            LOG.info(_("records '{name}': {asked} asked: {count} of {every} periods needed "
                       "({periods})").format(name=name, asked=", ".join(asked or ()) or "-",
                                             count=len(self.periods), every=every,
                                             periods=", ".join(p.text for p in self.periods)))
        out: dict[str, Any] = {"source": name, "asked": list(asked) if asked is not None
                               else None, "periods": every,
                               "needed": [p.text for p in self.periods], "counted": self.counted}
        if self.cache is not None:
            LOG.info(_("records '{name}': cache {hits} hit(s), {misses} miss(es)").format(
                name=name, hits=self.hits, misses=self.misses))
            out["cache"] = {**self.cache.said(), "hits": self.hits, "misses": self.misses}
        return out
