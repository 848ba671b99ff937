"""Wrong types in records: one positioned error, never a wrong figure (docs/records.md §6).

A value that does not fit its declared column type — text in a date column, a number
column that overflows (an integer past 64 bits, a number past ±1.8e308) — stops the run
with one REC06 error:

- CSV and Parquet (DuckDB): `file:row:column` of the first such value, found before
  counting. Only columns the reader could not type as declared are scanned (text where a
  date or number was declared, and floating-point columns for an overflow), so a clean
  Parquet export with typed columns costs nothing. CSV rows are counted from the header
  line (row 2 is the first record); the column is its 1-based position.
- PostgreSQL and Spark: the engine's failure names no row, so the column is found by
  casting each typed column in turn, and the error names the table and column.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlglot import exp

from ...errors import CchcError, Position, Problem
from ...messages import _
from .sql import DATE_TZ, RECORD, SHIFTED, identifier, table

if TYPE_CHECKING:
    from .protocol import Engine

# declared type -> the type a value is cast to when checked
CAST_TO = {"integer": "BIGINT", "number": "DOUBLE", "date": "TIMESTAMP",
           "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMPTZ", "boolean": "BOOLEAN"}
FLOATS = ("DOUBLE", "FLOAT", "REAL")  # DuckDB's names of floating-point columns


def _nested(physical: str) -> bool:
    """A DuckDB type of values that hold values: `VARCHAR[]`, `STRUCT(a INTEGER)`, MAP…"""
    return physical.endswith("]") or physical.startswith(("STRUCT", "MAP", "UNION"))


def _bad(col: exp.Expr, declared: str, physical: str) -> exp.Expr | None:
    """True where the value does not fit `declared`, given the reader's `physical` type."""
    if _nested(physical):
        # a list, struct or map is no unit id, text or figure, whatever it prints as
        return exp.Not(this=exp.Is(this=col, expression=exp.Null()))
    if physical in FLOATS and declared == "number":
        # NaN and infinity alike: neither is a figure. `x * 0 <> 0` holds for both, also for
        # a NaN of another bit pattern (a polars export's), which DuckDB's isnan misses.
        return exp.Or(this=exp.func("isinf", col), expression=exp.NEQ(
            this=exp.Mul(this=col.copy(), expression=exp.Literal.number(0)),
            expression=exp.Literal.number(0)))
    if physical in (*FLOATS, "HUGEINT", "UHUGEINT", "UBIGINT") and declared == "integer":
        # past 64 bits: what a database's bigint, and a sum of it, cannot hold
        return exp.GTE(this=exp.Abs(this=exp.Cast(this=col, to=exp.DataType.build("DOUBLE"))),
                       expression=exp.Literal.number(str(2.0 ** 63)))
    if physical == "VARCHAR" and declared in CAST_TO:
        cast = exp.TryCast(this=col.copy(), to=exp.DataType.build(CAST_TO[declared]))
        wrong = exp.And(this=exp.Not(this=exp.Is(this=col.copy(), expression=exp.Null())),
                        expression=exp.Is(this=cast, expression=exp.Null()))
        if declared in ("integer", "number"):
            double = exp.TryCast(this=col.copy(), to=exp.DataType.build("DOUBLE"))
            return exp.Or(this=wrong, expression=exp.Or(
                this=exp.func("isinf", double), expression=exp.func("isnan", double.copy())))
        return wrong
    return None


def check_files(con, location, source, reader) -> None:
    """Raise one REC06 at `file:row:column` for the first value of `location`'s files that
    does not fit its declared type. `reader(con, file)` is the DuckDB relation of one file."""
    for path in location.files:
        relation = reader(con, path)
        physical = dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))
        tests = [(name, cond) for name, declared in source.columns.items()
                 if name in physical and (cond := _bad(
                     exp.Column(this=identifier(name)), declared, physical[name])) is not None]
        if not tests:
            continue
        parquet = path.suffix.lower() == ".parquet"
        # Parquet: the reader's own 0-based row number; CSV: records in file order.
        number = exp.column("file_row_number") if parquet else exp.Window(
            this=exp.RowNumber())
        inner = exp.select(number.as_("rn"), exp.Star()).from_("rel")
        found = exp.Case(ifs=[exp.If(this=cond, true=exp.Literal.string(name))
                              for name, cond in tests])
        value = exp.Case(ifs=[exp.If(this=cond.copy(), true=exp.Cast(
            this=exp.Column(this=identifier(name)), to=exp.DataType.build("TEXT")))
            for name, cond in tests])
        query = (exp.select(exp.column("rn"), found.as_("col"), value.as_("value"))
                 .from_(inner.subquery("x"))
                 .where(exp.or_(*(c.copy() for _, c in tests)))
                 .order_by(exp.column("rn")).limit(1))
        con.execute("SET threads = 1")  # row_number() then follows the file's order
        try:
            found_rows = relation.query("rel", query.sql(dialect="duckdb")).fetchall()
        finally:
            con.execute("RESET threads")
        if not found_rows:
            continue
        rn, name, value = found_rows[0]
        line = rn + 1        # Parquet rows from 1; a CSV's first record is on line 2
        col = relation.columns.index(name) + 1
        raise CchcError([Problem(
            "REC06", _("'{value}' in column '{column}' is not a valid {type}").format(
                value=_short(value), column=name, type=source.columns[name]),
            Position(str(Path(path)), line, col),
            _("fix the export, or declare the column's type as it is"))])


def locate_column(engine: Engine, name: str, source, table_name: str) -> None:
    """After an engine failed: raise one REC06 naming the first declared column whose
    values cannot be cast to its type (PostgreSQL, Spark); return when none is found."""
    for column_name, declared in source.columns.items():
        if declared not in CAST_TO:
            continue
        col = exp.Column(this=identifier(column_name), table=exp.to_identifier(RECORD))
        probe = exp.select(exp.Count(this=exp.Cast(
            this=col, to=exp.DataType.build(CAST_TO[declared])))).from_(
            table(table_name).as_(RECORD))
        try:
            engine.rows(name, probe)
        except CchcError as err:
            raise CchcError([Problem(
                "REC06", _("records of '{source}': table {table}, column '{column}' has "
                           "values that are not a valid {type}: {error}").format(
                    source=name, table=table_name, column=column_name, type=declared,
                    error=err.problems[0].message.rpartition(": ")[2]),
                None, _("fix the table, or declare the column's type as it is"))]) from None


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# A text value that ends in a time followed by a zone: `…10:00Z`, `…10:00:00+07:00`.
ZONED = r"[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"


def effective_columns(engine, name: str, source) -> tuple[dict[str, str], list[Problem]]:
    """The column types the count reads, and a REC13 warning for each date or time column
    whose real type (the file's schema, the database catalogue) changes what its declared
    type means (docs/records.md §2):

    - declared `timestamp`, holding instants (a zoned type, or text with offsets or `Z`):
      read as the instants they are, moved to local time;
    - declared `timestamp` or `timestamptz`, holding dates: compared as whole days;
    - declared `timestamptz`, holding times without a zone: read as UTC (as documented);
    - declared `date`, holding instants: the day in local time.
    Columns whose real type the engine cannot tell are read as declared."""
    physical = engine.physical(name)
    columns, problems = dict(source.columns), []
    for column_name, declared in source.columns.items():
        real = physical.get(column_name)
        if declared not in ("date", "timestamp", "timestamptz") or real is None:
            continue
        if real == "text":
            zoned = engine.zoned(name, column_name) if declared != "timestamptz" else 0
            if not zoned:
                continue
            real, held = "timestamptz", _("{count} text value(s) with a time zone").format(
                count=zoned)
        else:
            held = real
        reading = None
        if declared == "timestamp" and real == "timestamptz":
            columns[column_name] = "timestamptz"
            reading = _("read as instants, in local time (UTC{offset})")
        elif declared in ("timestamp", "timestamptz") and real == "date":
            columns[column_name] = "date"
            reading = _("compared as whole days")
        elif declared == "timestamptz" and real == "timestamp":
            reading = _("times without a zone read as UTC")
        elif declared == "date" and real == "timestamptz":
            columns[column_name] = DATE_TZ
            reading = _("each instant's day in local time (UTC{offset})")
        if reading is not None:
            problems.append(Problem("REC13", _(
                "records of '{source}': column '{column}' is declared {declared} but holds "
                "{held}; {reading}").format(
                    source=name, column=column_name, declared=declared, held=held,
                    reading=reading.format(offset=f"{source.utc_offset:+d}")),
                None, _("declare the column's type as it is: {real}").format(real=real),
                "warning"))
    if source.timezone is not None:   # times without a zone written in another zone
        shift = source.utc_offset - zone_hours(source.timezone)
        for column_name, kind in columns.items():
            if kind == "timestamp" and shift:
                columns[column_name] = f"{SHIFTED}{shift:+d}"
    return columns, problems


def zone_hours(text: str) -> int:
    """Hours ahead of UTC of a source's `timezone:` (UTC, UTC+7, +07:00)."""
    text = text.removeprefix("UTC")
    return int(text.split(":")[0]) if text else 0


def zoned_count(engine, name: str, column_name: str) -> int:
    """How many text values of a column carry a time zone (ZONED)."""
    col = exp.Column(this=identifier(column_name), table=exp.to_identifier(RECORD))
    test = exp.RegexpLike(this=exp.Cast(this=col, to=exp.DataType.build("TEXT")),
                          expression=exp.Literal.string(ZONED))
    query = exp.select(exp.Count(this=exp.Star())).from_(
        table(engine.tables[name]).as_(RECORD)).where(test)
    ((count,),) = engine.rows(name, query)
    return int(count or 0)
