"""Read stage for records: the cache of closed periods (`--cache PATH`, docs/records.md §8).

A period that ended before the moment counted as of is counted once and its figures kept in
a Parquet file, keyed by
- the ruleset's fingerprint (`batch_key`): cchc's version, the bytes of the ruleset and its
  parents, the source's name, location as shown, engine and column types, the metrics of
  the query and the unit groups it counts parents by;
- the records' fingerprint of that period (`Months.fingerprint`): per month of the source's
  `date`, the rows, the first and last value of every date column and a sum of a 64-bit
  hash of every declared column of every row — of the months the period's figures can
  read: its own months for a flow placed by `date`; every month up to its end for a stock
  that needs `date < period_end` or a flow placed by `resolved`; every month otherwise.
A figure is reused only when both match; a period whose months hold a date the run would
leave out as "in the future" or past the plausible window is not kept (tomorrow it may
count). In-progress periods are never kept. The file is written whole, atomically, with
`cchc:cache` in its metadata; a file that cannot be read, or is not such a file, is a
REC15 warning: every period is counted again and the file is left as it is.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlglot import exp

from ...errors import Problem
from ...messages import _
from ...periods import Period
from ...version import __version__
from .protocol import Engine
from .sql import RECORD, identifier, local_day, local_moment, month_of, table

FORMAT = "1"   # the cache file's layout; another is a foreign file
MARK = "cchc:cache"
FILE_NAME = "cchc-cache.parquet"   # the file `--cache FOLDER` keeps
SCHEMA = {"key": pl.String, "period": pl.String, "records": pl.String, "metric": pl.Int32,
          "unit": pl.String, "value": pl.Float64}
# How far back a period's figures can read (`depends`).
OWN, UP_TO_END, EVERY = "own", "up_to_end", "every"


def cache_file(path: Path) -> Path:
    """The file `--cache PATH` names: PATH itself, or a file in the folder PATH."""
    return path / FILE_NAME if path.is_dir() else path


@dataclass
class Cache:
    """The rows of one cache file; `warnings` says why it was not usable."""

    path: Path
    rows: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SCHEMA))
    usable: bool = True
    warnings: list[Problem] = field(default_factory=list)
    added: list[pl.DataFrame] = field(default_factory=list)
    dropped: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def open(cls, path: Path) -> Cache:
        target = cache_file(path)
        if not target.exists():
            if not target.parent.is_dir():
                return cls(target, usable=False, warnings=[_rec15(target, _(
                    "its folder does not exist"))])
            return cls(target)
        try:
            import pyarrow.parquet as pq
            meta = pq.read_metadata(target).metadata or {}
            if meta.get(MARK.encode()) != FORMAT.encode():
                return cls(target, usable=False, warnings=[_rec15(target, _(
                    "it is not a cchc cache file"))])
            rows = pl.read_parquet(target)
            if dict(rows.schema) != SCHEMA:
                raise ValueError("schema")
        except Exception as err:   # any unreadable file is the same warning
            return cls(target, usable=False, warnings=[_rec15(target, _(
                "it cannot be read ({error})").format(error=type(err).__name__))])
        return cls(target, rows)

    def get(self, key: str, period: str, records: str | None) -> pl.DataFrame | None:
        """The kept rows (metric, unit, value) of a batch's period, or None (a miss)."""
        if not self.usable or records is None:
            return None
        found = self.rows.filter((pl.col("key") == key) & (pl.col("period") == period)
                                 & (pl.col("records") == records))
        if not found.height:
            return None
        return found.filter(pl.col("unit").is_not_null()).select("metric", "unit", "value")

    def put(self, key: str, period: str, records: str, got: pl.DataFrame, count: int
            ) -> None:
        """Keep `got`'s rows of `period` (period, unit, v0…): one marker row (no unit) says
        the period was counted, even when it holds no record."""
        self.dropped.add((key, period))
        mine = got.filter(pl.col("period") == period)
        parts = [pl.DataFrame({"key": [key], "period": [period], "records": [records],
                               "metric": [None], "unit": [None], "value": [None]},
                              schema=SCHEMA)]
        for i in range(count):
            parts.append(mine.select(
                pl.lit(key).alias("key"), "period", pl.lit(records).alias("records"),
                pl.lit(i, pl.Int32).alias("metric"), "unit",
                pl.col(f"v{i}").cast(pl.Float64).alias("value")).drop_nulls("value"))
        self.added += parts

    def save(self) -> bool:
        """Write the file atomically when something was added; whether it was written."""
        if not self.usable or not self.added:
            return False
        from ...output import atomic_open
        keep = self.rows
        if self.dropped:
            gone = pl.DataFrame(list(self.dropped), schema=["key", "period"], orient="row")
            keep = keep.join(gone, on=["key", "period"], how="anti")
        frame = pl.concat([keep, *self.added]).sort("key", "period", "metric", "unit",
                                                    nulls_last=False)
        with atomic_open(self.path, "wb") as out:
            frame.write_parquet(out, compression="zstd", metadata={MARK: FORMAT})
        return True

    def said(self) -> dict[str, Any]:
        return {"path": str(self.path), "usable": self.usable}


def _rec15(path: Path, why: str) -> Problem:
    return Problem("REC15", _("cache '{path}' not used: {why}; every period is counted "
                              "again").format(path=path, why=why), None,
                   _("delete the file or give --cache another path"), "warning",
                   about=(("path", str(path)),))


def batch_key(ruleset, source, loc, mids: Sequence[str], placement: tuple,
              pairs: Iterable[tuple[str, str]] | None) -> str:
    """The ruleset's fingerprint for one query: what its figures depend on besides the
    records (the module's docstring)."""
    digest = hashlib.sha256()
    digest.update(f"cchc {__version__}\0{loc.engine}\0{loc.source}\0{loc.text}\0".encode())
    for path in ruleset.files:
        digest.update(Path(path).read_bytes() + b"\0")
    digest.update(json.dumps(source.model_dump(mode="json", by_alias=True),
                             sort_keys=True).encode())
    digest.update(json.dumps([list(mids), list(placement), sorted(pairs or [])]).encode())
    return digest.hexdigest()


def depends(spec, source, received_before: str | None) -> str:
    """How far back a period's figures of a query placed like `spec` can read."""
    if spec.stock:
        return UP_TO_END if received_before == source.date else EVERY
    placed = spec.date or source.date
    if placed == source.date:
        return OWN
    # resolved before received is left out of every figure (quality.bad_dates)
    return UP_TO_END if placed == source.resolved else EVERY


@dataclass(frozen=True)
class Months:
    """Per month of the source's `date` (YYYYMM, None for no date): a fingerprint of its
    records, and whether a date of it would be left out today but not some later day."""

    stats: Mapping[int | None, str]
    unsettled: frozenset[int | None]

    def fingerprint(self, period: Period, how: str) -> str | None:
        """The records' fingerprint of `period` for figures reading `how` far back; None
        when one of those months is unsettled (then the period is not kept)."""
        last = period.end.year * 100 + period.end.month
        first = period.start.year * 100 + period.start.month
        months = [m for m in self.stats if how == EVERY or (
            m is not None and m <= last and (how == UP_TO_END or m >= first))]
        if any(m in self.unsettled for m in months):
            return None
        digest = hashlib.sha256(how.encode())
        for m in sorted(months, key=lambda m: (m is None, m or 0)):
            digest.update(f"{m}:{self.stats[m]};".encode())
        return digest.hexdigest()


def months(engine: Engine, name: str, source, now: datetime, latest: datetime) -> Months:
    """One pass over the records, grouped by the month of `date`: rows, first and last of
    every date column (local moments) and a sum of a hash of every declared column (a
    row's content). `now` and `latest` (local) are the run's moment and the plausible
    window's end."""
    columns, offset = source.columns, source.utc_offset
    dated = [c for c in dict.fromkeys((source.date, source.resolved, source.due))
             if c is not None]
    parts: list[exp.Expr] = [exp.Count(this=exp.Star())]
    for col in dated:
        value = local_moment(col, columns, offset)
        parts += [exp.Min(this=value), exp.Max(this=value.copy())]
    parts.append(exp.Cast(this=exp.Sum(this=_row_hash(engine.dialect, list(columns))),
                          to=exp.DataType.build("TEXT")))
    month = month_of(local_day(source.date, columns, offset))
    query = (exp.select(month.as_("m"), *(p.as_(f"s{i}") for i, p in enumerate(parts)))
             .from_(table(engine.tables[name]).as_(RECORD)).group_by(month.copy()))
    stats: dict[int | None, str] = {}
    unsettled: set[int | None] = set()
    for row in engine.rows(name, query):
        m = None if row[0] is None else int(row[0])
        stats[m] = json.dumps([_text(v) for v in row[1:]])
        highs = {col: row[3 + 2 * i] for i, col in enumerate(dated)}
        for col, high in highs.items():
            bound = latest if col == source.due else now
            if high is not None and _moment(high) >= bound:
                unsettled.add(m)
    return Months(stats, frozenset(unsettled))


def _row_hash(dialect: str, names: Sequence[str]) -> exp.Expr:
    """A 64-bit hash of a row's declared columns, summed per month: any change of a value
    changes the sum (but for a collision). DuckDB's `hash` of the values themselves; on
    PostgreSQL `hashtextextended` and on Spark `xxhash64` of one text per row, every value
    written out and a missing one marked (as the duplicate check writes it)."""
    raw = [exp.Column(this=identifier(c), table=exp.to_identifier(RECORD)) for c in names]
    if dialect == "duckdb":
        return exp.Cast(this=exp.Anonymous(this="hash", expressions=raw),
                        to=exp.DataType.build("HUGEINT"))
    parts: list[exp.Expr] = []
    for col in raw:
        parts += [exp.Coalesce(this=exp.Cast(this=col, to=exp.DataType.build("TEXT")),
                               expressions=[exp.Literal.string("\u2205")]),
                  exp.Literal.string("|")]
    text = exp.Concat(expressions=parts)
    if dialect == "postgres":
        hashed: exp.Expr = exp.Anonymous(this="hashtextextended",
                                         expressions=[text, exp.Literal.number(0)])
    else:
        hashed = exp.Anonymous(this="xxhash64", expressions=[text])
    return exp.Cast(this=hashed, to=exp.DataType.build("DECIMAL(38, 0)"))


def _text(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value if value is None or isinstance(value, int | str) else str(value)


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value)).replace(tzinfo=None)
