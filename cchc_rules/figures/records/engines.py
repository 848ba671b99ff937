"""Where record queries run: DuckDB embedded over CSV/Parquet files, inside PostgreSQL, or
in Spark (pyspark; local mode unless a Spark session is already running, e.g. under
spark-submit on a cluster) for files that sit in a data lake (`NAME=spark:PATH`).

An engine runs the sqlglot trees of records/sql.py in its own dialect and returns rows; only
the per-unit, per-period figures come back from a server. Any failure of the engine (a file
it cannot read, text in a date column, a lost connection) becomes one REC06 problem naming
the source, never a traceback.
"""
from __future__ import annotations

import contextlib
import glob
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import parse_qsl, unquote_plus, urlsplit

from sqlglot import exp

from ...errors import CchcError, Position, Problem, Unreachable, did_you_mean
from ...messages import _
from ...output import CANCELS
from .sql import table

if TYPE_CHECKING:
    import polars as pl

    from ...ruleset.schema import Source

FILE_KINDS = {".parquet": "parquet", ".csv": "csv"}
SERVER_SCHEMES = ("postgresql", "postgres")
SPARK_PREFIX = "spark:"
# Spark's own logging, off: its errors reach the user as one REC06 line instead.
QUIET_LOG4J = """\
rootLogger.level = off
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %m%n
"""
# What DuckDB's CSV reader says of a value or row it cannot read (its line counts the
# header, as ours do).
CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
CSV_FILE = re.compile(r"^\s*file = (.+)$", re.M)
CSV_VALUE = re.compile(r'Could not convert string "(.*?)" to \'([^\']+)\'')
CSV_COLUMN = re.compile(r'Error when converting column "(.*?)"')
CSV_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
# DuckDB spills to disk past this, so big exports fit a small machine: the whole process
# (Python, polars, the figures) stays under 1 GB.
MEMORY_LIMIT = "600MB"


@dataclass(frozen=True)
class Location:
    """Where one source's records are: files (a glob) or a PostgreSQL table."""

    source: str
    text: str                       # as shown everywhere: NAME=engine://host/db?table=T
    files: tuple[Path, ...] = ()
    url: str | None = None          # PostgreSQL conninfo URL without `table`
    table: str | None = None
    engine: str = "duckdb"          # duckdb | postgres | spark
    user: str | None = None         # a server's user name: never shown, scrubbed from errors


def _problem(message: str, hint: str | None = None, code: str = "REC05") -> CchcError:
    return CchcError([Problem(code, message, None, hint)])


Doing = Literal["start", "read", "connect", "group", "count"]


@contextmanager
def rec06(errors: type[Exception] | tuple[type[Exception], ...], doing: Doing,
          source: str = "", where: str = "", *,
          unreachable: type[Exception] | tuple[type[Exception], ...] = (),
          said: Callable[[Exception], str] | None = None,
          locate: Callable[[Exception], CchcError | None] | None = None) -> Iterator[None]:
    """The one place an engine's own error becomes a problem: one REC06 naming the source and
    the error's first line, never a traceback. `doing`: starting the engine, reading a
    source's records, connecting to `where`, making the unit-groups table, or counting (a
    query; a declared column type is the likely cause, so the hint says so).

    A server's engine names its `unreachable` errors (down, refused, a timeout, a lost
    connection): those, and any error while connecting, are REC11 (exit 3: try again later,
    the input is fine). `said` gives an error's first line as it may be shown (without a
    user's name); `locate` may turn an error into a positioned problem (a file's line)."""
    try:
        yield
    except errors as err:
        located = locate(err) if locate is not None else None
        if located is not None:
            raise located from None
        first = (said or _first)(err)
        if unreachable and doing == "connect":
            raise _unreachable(_("records of '{source}': cannot connect to {text}: "
                                 "{first}").format(source=source, text=where, first=first),
                               _("is the server up, and are PGPASSWORD, ~/.pgpass or the "
                                 "service file right?")) from None
        if unreachable and isinstance(err, unreachable):
            raise _unreachable(_("records of '{source}' cannot be counted: {first}").format(
                source=source, first=first)) from None
        if doing == "start":
            message = _("Spark cannot start: {error}").format(error=first)
            hint = _("is Java 17 or later installed (java -version)?")
        elif doing == "read":
            message = _("records of '{source}' cannot be read: {first}").format(
                source=source, first=first)
            hint = None
        elif doing == "connect":
            message = _("records of '{source}': cannot connect to {text}: {first}").format(
                source=source, text=where, first=first)
            hint = None
        else:
            message = _("records of '{source}' cannot be counted: {first}").format(
                source=source, first=first)
            hint = _("check the column types declared under the source") \
                if doing == "count" else None
        raise _problem(message, hint, code="REC06") from None


def parse_location(text: str, sources) -> Location:
    """`NAME=FILES` or `NAME=postgresql://host/db?table=T` (the --records option's value)."""
    name, sep, where = text.partition("=")
    name = name.strip()
    if not sep or not where.strip() or "://" in name:  # a URL without its NAME=
        raise _problem(_("--records '{hide}' is not NAME=LOCATION").format(hide=_hide(text)),
                       _("e.g. --records dossiers=exports/2025/*.parquet"))
    if name not in sources:
        raise _problem(_("--records names no source of the ruleset: '{name}'").format(
                         name=_hide(name)),
                       did_you_mean(name, sources) or _("sources: {sources}").format(
                                                        sources=", ".join(sorted(sources)))
                       if sources else _("the ruleset has no 'sources:'"))
    where = where.strip()
    if where.partition("://")[0].lower() in SERVER_SCHEMES:
        return _server(name, where, sources[name])
    engine = "duckdb"
    if where.startswith(SPARK_PREFIX):
        engine, where = "spark", where[len(SPARK_PREFIX):]
    files = tuple(Path(p) for p in sorted(glob.glob(os.path.expanduser(where))))
    if not files:
        raise _problem(_("--records {name}: no file matches '{where}'").format(
                         name=name, where=_hide(where)), code="REC06")
    kinds = {FILE_KINDS.get(_suffix(p)) for p in files}
    if None in kinds or len(kinds) > 1:
        raise _problem(_("--records {name}: files must all be .parquet or all .csv").format(
                         name=name),
                       code="REC06")
    text = f"{name}={SPARK_PREFIX if engine == 'spark' else ''}{where}"
    return Location(name, text, files=files, engine=engine)


# The --records pattern is expanded once, by Python; the engines would expand each matched
# name again (the file literally named `a*.csv` also reads `ab.csv`), so its glob characters
# are escaped as each engine spells a literal one.
_GLOB = re.compile(r"([*?\[{])")
_HADOOP_GLOB = re.compile(r"([*?\[\]{}\\])")


def duckdb_literal(path: Path) -> str:
    """`path` as a DuckDB file pattern matching that file only: `a*.csv` → `a[*].csv`."""
    return _GLOB.sub(r"[\1]", str(path))


def hadoop_literal(path: Path) -> str:
    """`path` as a Spark (Hadoop) path pattern matching that file only: `a*.csv` → `a\\*.csv`."""
    return _HADOOP_GLOB.sub(r"\\\1", str(path))


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def _hide(text: str) -> str:
    """`text` with every URL in it shown as `shown_url` shows it (no user, password, port or
    query but the database's names): for messages about a --records value not understood."""
    return _URL.sub(lambda m: shown_url(m.group(0)), text)


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*")
# libpq's own keys that carry a secret, and the spellings a person might try; `passfile`
# (where the passwords are, not one) is not among them.
SECRET_KEYS = ("password", "pass", "passwd", "pwd", "passphrase", "secret")


def _query(text: str) -> list[tuple[str, str]]:
    """The query string's (key, value) pairs, decoded, keys lower-case, blanks kept."""
    return [(k.strip().lower(), v) for k, v in parse_qsl(text, keep_blank_values=True)]


def has_secret(url: str) -> bool:
    """Whether `url` carries a password: in its user-info (`u:pw@`, even an empty one) or
    in its query under any key naming one (password=, PassWord=, sslpassword=, pass=…)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ":" in url.partition("://")[2].partition("@")[0] and "@" in url
    user_info = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    return ":" in user_info or any(
        k in SECRET_KEYS or "password" in k for k, _v in _query(parts.query))


def shown_url(url: str) -> str:
    """A connection URL as every message, report and output shows it: the engine, the host
    (or socket folder, or service) and the database, with its table; never a user, a port
    or a password. `postgresql://u@h:5433/db?sslmode=require&table=t` → `postgresql://h/db
    ?table=t`; `postgresql:///db?host=/run/pg` → `postgresql:///run/pg/db`."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return url.partition("://")[0] + "://…"
    query = dict(_query(parts.query))
    host = host or query.get("host", "").split(",")[0]
    base = parts.path.lstrip("/").split(",")[0] or query.get("dbname", "")
    shown = f"{parts.scheme}://{host}/{base}"
    extra = [f"{k}={query[k]}" for k in ("service", "table") if query.get(k)]
    return shown + ("?" + "&".join(extra) if extra else "")


def _server(name: str, where: str, source) -> Location:
    if has_secret(where):
        raise _problem(_("--records {name}: a password in a connection string is refused "
                         "(it would show in process lists, logs and shell history)").format(
                         name=name),
                       _("keep it in PGPASSWORD or ~/.pgpass, or name a service=NAME of "
                         "~/.pg_service.conf; 'postgresql://?table=T' alone takes every "
                         "setting from the PG* variables"))
    parts = urlsplit(where)
    query = _query(parts.query)
    table = next((v for k, v in reversed(query) if k == "table"), source.table)
    # The user's own query string, less `table` (cchc's, not libpq's), kept as written:
    # re-encoding it would turn `host=/sockdir` into something libpq reads differently.
    rest = "&".join(seg for seg in parts.query.split("&")
                    if seg and unquote_plus(seg.partition("=")[0]).strip().lower() != "table")
    url = f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{rest}" if rest else "")
    shown = shown_url(f"{url}{'&' if rest else '?'}table={table}")
    return Location(name, f"{name}={shown}", url=url, table=table, engine="postgres",
                    user=parts.username)


class DuckDB:
    """Every file-based source as a DuckDB view; queries run embedded."""

    dialect = "duckdb"

    def __init__(self, locations: list[Location], sources=None) -> None:
        import duckdb
        self.error = duckdb.Error
        self.sources = sources or {}
        # Spill files in the system's temp folder, not a `.tmp` in the user's folder.
        spill = Path(tempfile.gettempdir()) / "cchc-duckdb"
        self.con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT,
                                          "temp_directory": str(spill)})
        # The session in UTC whatever the machine's TZ: an instant cast to a time without a
        # zone is then UTC, and local time is UTC + the source's offset (records/sql.py).
        self.con.execute("SET TimeZone = 'UTC'")
        # No progress bar of DuckDB's own on stderr (a cron log would fill with it): the
        # CLI's --verbose log lines say what is being counted.
        self.con.execute("SET enable_progress_bar = false")
        self.tables: dict[str, str] = {}
        for loc in locations:
            view = f"records_{loc.source}"
            files = [duckdb_literal(p) for p in loc.files]
            with rec06(self.error, "read", loc.source,
                       locate=partial(self._csv_error, loc=loc)):
                if FILE_KINDS[_suffix(loc.files[0])] == "parquet":
                    relation = self.con.read_parquet(files)
                else:
                    relation = self.con.read_csv(files, header=True,
                                                 **_csv_options(self.sources.get(loc.source)))
                relation.create_view(view)
            self.tables[loc.source] = view
        self.locations = {loc.source: loc for loc in locations}

    def check(self, source: str, spec: Source) -> None:
        """Every declared column is in the files (one REC06 each, as for a table), then one
        REC06 at file:row:column for the first value not of its declared type."""
        from .types import check_files
        loc = self.locations[source]
        missing_columns(source, loc.text.partition("=")[2], spec,
                        self.con.table(self.tables[source]).columns)
        options = _csv_options(spec)
        with self._rec06("read", source):
            check_files(self.con, loc, spec, lambda con, path: _read_one(con, path, options))

    def _csv_error(self, err: Exception, loc: Location) -> CchcError | None:
        """DuckDB's CSV reader names the line of a value it cannot convert, or of a row with
        too few or too many fields, anywhere in the file (past its type sample too): that
        line, as one positioned REC06; None for any other failure."""
        text = str(err)
        line = CSV_LINE.search(text)
        if line is None or FILE_KINDS.get(_suffix(loc.files[0])) != "csv":
            return None
        named = CSV_FILE.search(text)
        path = named.group(1).strip() if named else str(loc.files[0])
        spec = self.sources.get(loc.source)
        fields = CSV_FIELDS.search(text)
        if fields:
            return CchcError([Problem("REC06", _("expected {expected} fields, found {found}")
                                      .format(expected=fields.group(1), found=fields.group(2)),
                                      Position(path, int(line.group(1)), 1),
                                      _("fix the export: every row has every column"))])
        value, column = CSV_VALUE.search(text), CSV_COLUMN.search(text)
        if value is None or column is None:
            return None
        name = column.group(1)
        try:
            header = self.con.read_csv(path, header=True, all_varchar=True).columns
            col = header.index(name) + 1
        except (self.error, ValueError):
            col = 1
        declared = spec.columns.get(name) if spec is not None else None
        return CchcError([Problem(
            "REC06", _("'{value}' in column '{column}' is not a valid {type}").format(
                value=value.group(1), column=name,
                type=declared or value.group(2).lower()),
            Position(path, int(line.group(1)), col),
            _("fix the export, or declare the column's type as it is"))])

    def physical(self, source: str) -> dict[str, str | None]:
        """Each column's real type as the files have it (PHYSICAL's words)."""
        relation = self.con.table(self.tables[source])
        return {c: physical_kind(str(t)) for c, t in zip(relation.columns, relation.types,
                                                         strict=True)}

    def zoned(self, source: str, column: str) -> int:
        from .types import zoned_count
        return zoned_count(self, source, column)

    @staticmethod
    def id_key(text: exp.Expr) -> exp.Expr:
        """What the duplicate check groups a dossier id by (quality.duplicates): its 64-bit
        hash, grouped faster than the text itself (10 M ids: 1.0 s against 1.7 s)."""
        return exp.Anonymous(this="hash", expressions=[text])

    def groups(self, source: str, pairs: list[tuple[str, str]]) -> str:
        """A table of (member, grp) unit pairs for `source`'s queries; its name."""
        import polars as pl
        name = f"records_{source}_groups"
        with tempfile.TemporaryDirectory(prefix="cchc-") as folder:
            path = Path(folder) / "groups.parquet"
            pl.DataFrame(pairs, schema=["member", "grp"], orient="row").write_parquet(path)
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS "
                             f"SELECT * FROM read_parquet('{path}')")
        return name

    def _rec06(self, doing: Doing, source: str) -> AbstractContextManager[None]:
        """`rec06` for these files: a CSV value or short row DuckDB names the line of is
        one positioned REC06 (`_csv_error`)."""
        loc = self.locations.get(source)
        return rec06(self.error, doing, source,
                     locate=(lambda err: self._csv_error(err, loc)) if loc else None)

    def rows(self, source: str, query: exp.Expr) -> list[tuple[Any, ...]]:
        with self._rec06("count", source):
            return self.con.execute(query.sql(dialect=self.dialect)).fetchall()

    def frame(self, source: str, query: exp.Expr, count: int) -> pl.DataFrame:
        """The rows of a counting query (period, unit, `count` figures) as a polars frame
        of columns period, unit, v0, v1, … (floats), straight from DuckDB's columns."""
        import polars as pl
        with self._rec06("count", source):
            got = self.con.sql(query.sql(dialect=self.dialect)).pl()
        names = ["period", "unit", *(f"v{i}" for i in range(count))]
        return got.select(pl.col(old).cast(pl.String if i < 2 else pl.Float64).alias(new)
                          for i, (old, new) in enumerate(zip(got.columns, names, strict=True)))

    def close(self) -> None:
        self.con.close()


def physical_kind(name: str) -> str | None:
    """A column's real type, in the words the declared types are checked against: date,
    timestamp (no zone), timestamptz (an instant), text; None for any other."""
    name = name.lower()
    if "with time zone" in name or name in ("timestamptz", "timestamp_ltz", "timestamptype"):
        return "timestamptz"
    if name.startswith("timestamp"):
        return "timestamp"
    if name in ("date", "datetype"):
        return "date"
    if name in ("varchar", "text", "character varying", "character", "stringtype"):
        return "text"
    return None


def _read_one(con, path: Path, options: dict | None = None):
    """One file as DuckDB reads it into a view; Parquet with its row numbers."""
    if FILE_KINDS[_suffix(path)] == "parquet":
        return con.read_parquet(duckdb_literal(path), file_row_number=True)
    return con.read_csv(duckdb_literal(path), header=True, **(options or {}))


def _csv_options(spec) -> dict:
    """read_csv's options from a source: its null markers (`nulls:`)."""
    nulls = getattr(spec, "nulls", None)
    return {"na_values": list(nulls)} if nulls else {}


class Postgres:
    """Queries run inside a PostgreSQL server (psycopg). The password comes from the
    environment (PGPASSWORD), ~/.pgpass or a service file, as libpq reads them; never from
    the connection string (parse_location refuses it). A server that cannot be reached
    (down, refused, authentication, a timeout, a lost connection) is a REC11 problem (exit
    3: try again later); a running query is cancelled on the server when the run is
    interrupted (Ctrl-C, SIGTERM: see `cancel`)."""

    dialect = "postgres"

    def __init__(self, locations: list[Location], sources=None) -> None:
        try:
            import psycopg
        except ImportError:
            raise _problem(_("PostgreSQL records need the psycopg package: pip install "
                             "'cchc-rules[postgresql]'"),
                           "pip install 'cchc-rules[postgresql]'", code="REC06") from None
        self.error, self.unreachable = psycopg.Error, psycopg.OperationalError
        self.connections: dict[str, Any] = {}   # source -> psycopg.Connection
        self.tables: dict[str, str] = {}
        self.locations = {loc.source: loc for loc in locations}
        CANCELS.append(self.cancel)
        for loc in locations:
            # a PostgreSQL location always has both (_server makes it)
            url, table = cast(str, loc.url), cast(str, loc.table)
            try:
                with self._rec06("connect", loc.source, loc.text):
                    # Session in UTC: a timestamptz cast to timestamp is UTC, as in DuckDB.
                    # standard_conforming_strings on, whatever the server's default: sqlglot
                    # writes 'x\' as a string holding a backslash, not one escaping the quote.
                    self.connections[loc.source] = psycopg.connect(
                        url, autocommit=True,
                        options="-c TimeZone=UTC -c standard_conforming_strings=on")
            except CchcError:
                self.close()
                raise
            self.tables[loc.source] = table

    def _said(self, source: str, err: Exception) -> str:
        """The first line of a server's error, without the user's name or the connection
        string as given (a server names the role it refused)."""
        loc = self.locations[source]
        text = _first(err)
        if loc.url:
            text = text.replace(loc.url, loc.text.partition("=")[2])
        if loc.user:
            text = text.replace(f'"{loc.user}"', '"…"')
        return text

    def _rec06(self, doing: Doing, source: str, where: str = "") -> AbstractContextManager[None]:
        """`rec06` for this server: its errors' first lines without the user's name, and a
        server that cannot be reached is REC11 (exit 3), not REC06."""
        return rec06(self.error, doing, source, where, unreachable=self.unreachable,
                     said=lambda err: self._said(source, err))

    def check(self, source: str, spec: Source) -> None:
        """The table and every declared column exist: said so, by name, before counting
        (a type failure is traced to its column later, types.py)."""
        loc = self.locations[source]
        table_name = cast(str, loc.table)   # a PostgreSQL location always has one (_server)
        try:
            with self.connections[source].cursor() as cur:
                cur.execute(exp.select("*").from_(table(table_name)).limit(0)
                            .sql(dialect=self.dialect))
                have = [d.name for d in cur.description or ()]
        except self.error as err:
            import psycopg.errors as pg
            if not isinstance(err, pg.UndefinedTable | pg.InvalidSchemaName):
                with self._rec06("count", source):
                    raise
            raise _problem(_("records of '{source}': there is no table '{table}' in "
                             "{text}").format(source=source, table=table_name,
                                              text=loc.text.partition("=")[2]),
                           _("name the table with ?table=SCHEMA.TABLE, or under the "
                             "source's 'table:'"), code="REC06") from None
        missing_columns(source, table_name, spec, have)

    def physical(self, source: str) -> dict[str, str | None]:
        """Each column's type in the server's catalogue (PHYSICAL's words)."""
        *schema, name = self.tables[source].split(".")
        query = (exp.select("column_name", "data_type").from_(
            exp.Table(this=exp.to_identifier("columns"),
                      db=exp.to_identifier("information_schema")))
            .where(exp.and_(
                exp.EQ(this=exp.column("table_name"), expression=exp.Literal.string(name)),
                exp.EQ(this=exp.column("table_schema"), expression=exp.Literal.string(
                    schema[-1]) if schema else exp.Anonymous(this="current_schema")))))
        return {c: physical_kind(t) for c, t in self.rows(source, query)}

    def zoned(self, source: str, column: str) -> int:
        from .types import zoned_count
        return zoned_count(self, source, column)

    @staticmethod
    def id_key(text: exp.Expr) -> exp.Expr:
        """The id itself: PostgreSQL documents no 64-bit hash of a text to group by."""
        return text

    def groups(self, source: str, pairs: list[tuple[str, str]]) -> str:
        """A temporary table of (member, grp) unit pairs on `source`'s connection."""
        name = f"records_{source}_groups"
        with self._rec06("group", source), self.connections[source].cursor() as cur:
            cur.execute(f'CREATE TEMP TABLE "{name}" (member text, grp text)')
            with cur.copy(f'COPY "{name}" FROM STDIN') as copy:
                for pair in pairs:
                    copy.write_row(pair)
        return name

    def rows(self, source: str, query: exp.Expr) -> list[tuple[Any, ...]]:
        with self._rec06("count", source), self.connections[source].cursor() as cur:
            cur.execute(query.sql(dialect=self.dialect))
            return cur.fetchall()

    def frame(self, source: str, query: exp.Expr, count: int) -> pl.DataFrame:
        return rows_frame(self.rows(source, query), count)

    def cancel(self) -> None:
        """Ask the server to stop every running query of this engine (signal-safe: a new
        connection to the server, no lock of the busy one)."""
        for con in self.connections.values():
            with contextlib.suppress(Exception):
                con.cancel_safe(timeout=5)

    def close(self) -> None:
        if self.cancel in CANCELS:
            CANCELS.remove(self.cancel)
        for con in self.connections.values():
            con.close()


def missing_columns(source: str, table_name: str, spec, have: list[str]) -> None:
    """One REC06 per column declared under the source but not in its table or files."""
    missing = [c for c in spec.columns if c not in have]
    if missing:
        raise CchcError([Problem("REC06", _(
            "records of '{source}': table '{table}' has no column '{column}'").format(
            source=source, table=table_name, column=c), None,
            did_you_mean(c, have) or _("columns: {columns}").format(
                columns=", ".join(have))) for c in missing])


def _unreachable(message: str, hint: str | None = None) -> CchcError:
    """REC11: the data could not be reached (exit 3 — try again later, the input is fine)."""
    return Unreachable([Problem("REC11", message, None, hint)])


class Spark:
    """Every `spark:` source as a temporary view of a Spark session; queries run in Spark
    SQL. The session is the running one if any (spark-submit), else a local one
    (`CCHC_SPARK_MASTER`, default local[*]; `CCHC_SPARK_MEMORY`, default 1g); closing drops
    the views and leaves the session to whoever started it (the JVM ends with Python)."""

    dialect = "spark"

    def __init__(self, locations: list[Location], sources=None) -> None:
        try:
            from py4j.protocol import Py4JError
            from pyspark.errors import PySparkException
        except ImportError:
            raise _problem(_("Spark records need the pyspark package and a Java runtime: "
                             "pip install 'cchc-rules[spark]'"),
                           "pip install 'cchc-rules[spark]'", code="REC06") from None
        self.error = (PySparkException, Py4JError)
        with rec06((*self.error, OSError, RuntimeError), "start"):
            self.spark = spark_session()
        self.tables: dict[str, str] = {}
        self.where: dict[str, str] = {}
        self.schemas: dict[str, dict[str, str | None]] = {}
        for loc in locations:
            view = f"records_{loc.source}"
            files = [hadoop_literal(p) for p in loc.files]
            markers = [m for m in getattr((sources or {}).get(loc.source), "nulls", None)
                       or () if m]   # an empty field is null in Spark already
            if len(markers) > 1:
                raise _problem(_("records of '{source}': Spark reads one null marker besides "
                                 "the empty field, not {markers}").format(
                                 source=loc.source, markers=", ".join(markers)),
                               _("keep one in 'nulls:', or count the files with DuckDB"),
                               code="REC06")
            with rec06(self.error, "read", loc.source):
                reader = self.spark.read
                frame = (reader.parquet(*files)
                         if FILE_KINDS[_suffix(loc.files[0])] == "parquet"
                         else reader.csv(files, header=True, inferSchema=True,
                                         **({"nullValue": markers[0]} if markers else {})))
                frame.createOrReplaceTempView(view)
            self.tables[loc.source] = view
            self.where[loc.source] = loc.text.partition("=")[2]
            # Parquet says whether a time has a zone; a CSV read by Spark does not.
            self.schemas[loc.source] = {
                f.name: physical_kind(type(f.dataType).__name__)
                for f in frame.schema.fields} if FILE_KINDS[_suffix(loc.files[0])] == \
                "parquet" else {}

    def check(self, source: str, spec: Source) -> None:
        """Every declared column is in the files; a type failure is traced to its column
        after counting (types.py)."""
        missing_columns(source, self.where[source], spec,
                        self.spark.table(self.tables[source]).columns)

    def physical(self, source: str) -> dict[str, str | None]:
        """Each column's real type where the files say it (Parquet), PHYSICAL's words."""
        return self.schemas.get(source, {})

    def zoned(self, source: str, column: str) -> int:
        from .types import zoned_count
        return zoned_count(self, source, column)

    @staticmethod
    def id_key(text: exp.Expr) -> exp.Expr:
        """Spark's 64-bit hash of the id (xxhash64), as for DuckDB."""
        return exp.Anonymous(this="xxhash64", expressions=[text])

    def groups(self, source: str, pairs: list[tuple[str, str]]) -> str:
        """A temporary view of (member, grp) unit pairs; its name."""
        name = f"records_{source}_groups"
        self.spark.createDataFrame(pairs, "member string, grp string"
                                   ).createOrReplaceTempView(name)
        self.tables[f"{source} groups"] = name   # dropped with the others on close
        return name

    def rows(self, source: str, query: exp.Expr) -> list[tuple[Any, ...]]:
        with rec06(self.error, "count", source):
            return [tuple(r) for r in self.spark.sql(query.sql(dialect=self.dialect))
                    .collect()]

    def frame(self, source: str, query: exp.Expr, count: int) -> pl.DataFrame:
        return rows_frame(self.rows(source, query), count)

    def close(self) -> None:
        for view in self.tables.values():
            self.spark.catalog.dropTempView(view)


def rows_frame(rows: list[tuple[Any, ...]], count: int) -> pl.DataFrame:
    """A counting query's rows (period, unit, then `count` figures: ints, floats or
    Decimals) as columns period, unit, v0, v1, … of floats, converted by polars at once."""
    import polars as pl
    return pl.DataFrame(rows, schema={"period": pl.String, "unit": pl.String,
                                      **{f"v{i}": pl.Float64 for i in range(count)}},
                        orient="row", strict=False)


def spark_session():
    """The active Spark session, or a quiet local one: UTC session time (a timestamptz
    cast to timestamp is then UTC, as in DuckDB and PostgreSQL), no web UI, few shuffle
    partitions (the figures are small), logs off (errors come back as REC06)."""
    from pyspark.sql import SparkSession

    # pyspark logs each failed query as JSON on stderr before raising it
    logging.getLogger("SQLQueryContextLogger").disabled = True
    active = SparkSession.getActiveSession()
    if active is not None:
        active.conf.set("spark.sql.session.timeZone", "UTC")
        return active
    quiet = Path(tempfile.gettempdir()) / "cchc-spark-log4j2.properties"
    if not quiet.exists():
        quiet.write_text(QUIET_LOG4J, encoding="utf-8")
    options = f"-Dlog4j2.configurationFile=file:{quiet}"
    spark = (SparkSession.builder
             .master(os.environ.get("CCHC_SPARK_MASTER", "local[*]"))
             .appName("cchc-records")
             .config("spark.driver.memory", os.environ.get("CCHC_SPARK_MEMORY", "1g"))
             .config("spark.driver.extraJavaOptions", options)
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", "4")
             .getOrCreate())
    spark.sparkContext.setLogLevel("OFF")
    return spark


def _first(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
