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

from sqlglot import exp

from ...errors import CchcError, Position, Problem
from ...messages import _
from .sql import RECORD, identifier, table

# declared type -> the type a value is cast to when checked
CAST_TO = {"integer": "BIGINT", "number": "DOUBLE", "date": "TIMESTAMP",
           "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMPTZ", "boolean": "BOOLEAN"}
FLOATS = ("DOUBLE", "FLOAT", "REAL")  # DuckDB's names of floating-point columns


def _nested(physical: str) -> bool:
    """A DuckDB type of values that hold values: `VARCHAR[]`, `STRUCT(a INTEGER)`, MAP…"""
    return physical.endswith("]") or physical.startswith(("STRUCT", "MAP", "UNION"))


def _bad(col: exp.Expression, declared: str, physical: str) -> exp.Expression | None:
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


def locate_column(engine, name: str, source, table_name: str) -> None:
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
