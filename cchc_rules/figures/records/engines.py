"""Where record queries run: DuckDB embedded over CSV/Parquet files, inside PostgreSQL, or
in Spark (pyspark; local mode unless a Spark session is already running, e.g. under
spark-submit on a cluster) for files that sit in a data lake (`NAME=spark:PATH`).

An engine runs the sqlglot trees of records/sql.py in its own dialect and returns rows; only
the per-unit, per-period figures come back from a server. Any failure of the engine (a file
it cannot read, text in a date column, a lost connection) becomes one REC06 problem naming
the source, never a traceback.
"""
from __future__ import annotations

import glob
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from sqlglot import exp

from ...errors import CchcError, Problem, did_you_mean
from ...messages import _

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
# DuckDB spills to disk past this, so big exports fit a small machine: the whole process
# (Python, polars, the figures) stays under 1 GB.
MEMORY_LIMIT = "600MB"


@dataclass(frozen=True)
class Location:
    """Where one source's records are: files (a glob) or a PostgreSQL table."""

    source: str
    text: str                       # as given, with any password removed (for messages)
    files: tuple[Path, ...] = ()
    url: str | None = None          # PostgreSQL conninfo URL without `table`
    table: str | None = None
    engine: str = "duckdb"          # duckdb | postgres | spark


def _problem(message: str, hint: str | None = None, code: str = "REC05") -> CchcError:
    return CchcError([Problem(code, message, None, hint)])


def parse_location(text: str, sources) -> Location:
    """`NAME=FILES` or `NAME=postgresql://host/db?table=T` (the --records option's value)."""
    name, sep, where = text.partition("=")
    name = name.strip()
    if not sep or not where.strip():
        raise _problem(_("--records '{hide}' is not NAME=LOCATION").format(hide=_hide(text)),
                       _("e.g. --records dossiers=exports/2025/*.parquet"))
    if name not in sources:
        raise _problem(_("--records names no source of the ruleset: '{name}'").format(name=name),
                       did_you_mean(name, sources) or _("sources: {sources}").format(
                                                        sources=", ".join(sorted(sources)))
                       if sources else _("the ruleset has no 'sources:'"))
    where = where.strip()
    if urlsplit(where).scheme in SERVER_SCHEMES:
        return _server(name, where, sources[name])
    engine = "duckdb"
    if where.startswith(SPARK_PREFIX):
        engine, where = "spark", where[len(SPARK_PREFIX):]
    files = tuple(Path(p) for p in sorted(glob.glob(os.path.expanduser(where))))
    if not files:
        raise _problem(_("--records {name}: no file matches '{where}'").format(
                         name=name, where=where), code="REC06")
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
    """`text` with the password of a URL in it replaced by ***."""
    parts = urlsplit(text.partition("=")[2].strip()) if "://" in text else None
    if parts is None or parts.password is None:
        return text
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
    return text.partition("=")[0] + "=" + urlunsplit(parts._replace(netloc=netloc))


def _server(name: str, where: str, source) -> Location:
    parts = urlsplit(where)
    if parts.password is not None:
        raise _problem(_("--records {name}: a password on the command line is refused").format(
                         name=name),
                       _("put it in PGPASSWORD or ~/.pgpass"))
    query = parse_qs(parts.query)
    table = query.pop("table", [source.table])[-1]
    rest = "&".join(f"{k}={v[-1]}" for k, v in query.items())
    url = urlunsplit(parts._replace(query=rest))
    return Location(name, f"{name}={url}?table={table}", url=url, table=table,
                    engine="postgres")


class DuckDB:
    """Every file-based source as a DuckDB view; queries run embedded."""

    dialect = "duckdb"

    def __init__(self, locations: list[Location]) -> None:
        import duckdb
        self.error = duckdb.Error
        # Spill files in the system's temp folder, not a `.tmp` in the user's folder.
        spill = Path(tempfile.gettempdir()) / "cchc-duckdb"
        self.con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT,
                                          "temp_directory": str(spill)})
        self.tables: dict[str, str] = {}
        for loc in locations:
            view = f"records_{loc.source}"
            files = [duckdb_literal(p) for p in loc.files]
            try:
                if FILE_KINDS[_suffix(loc.files[0])] == "parquet":
                    relation = self.con.read_parquet(files)
                else:
                    relation = self.con.read_csv(files, header=True)
                relation.create_view(view)
            except self.error as err:
                raise _problem(_("records of '{source}' cannot be read: {first}").format(
                                 source=loc.source, first=_first(err)),
                               code="REC06") from None
            self.tables[loc.source] = view
        self.locations = {loc.source: loc for loc in locations}

    def check(self, source: str, spec) -> None:
        """One REC06 at file:row:column for the first value not of its declared type."""
        from .types import check_files
        try:
            check_files(self.con, self.locations[source], spec, _read_one)
        except self.error as err:
            raise _problem(_("records of '{source}' cannot be read: {first}").format(
                source=source, first=_first(err)), code="REC06") from None

    @staticmethod
    def id_key(text: exp.Expression) -> exp.Expression:
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

    def _run(self, source: str, query: exp.Expression, fetch):
        try:
            return fetch(query.sql(dialect=self.dialect))
        except self.error as err:
            raise _problem(_("records of '{source}' cannot be counted: {first}").format(
                             source=source, first=_first(err)),
                           _("check the column types declared under the source"),
                           code="REC06") from None

    def rows(self, source: str, query: exp.Expression) -> list[tuple]:
        return self._run(source, query, lambda sql: self.con.execute(sql).fetchall())

    def frame(self, source: str, query: exp.Expression, count: int):
        """The rows of a counting query (period, unit, `count` figures) as a polars frame
        of columns period, unit, v0, v1, … (floats), straight from DuckDB's columns."""
        import polars as pl
        got = self._run(source, query, lambda sql: self.con.sql(sql).pl())
        names = ["period", "unit", *(f"v{i}" for i in range(count))]
        return got.select(pl.col(old).cast(pl.String if i < 2 else pl.Float64).alias(new)
                          for i, (old, new) in enumerate(zip(got.columns, names, strict=True)))

    def close(self) -> None:
        self.con.close()


def _read_one(con, path: Path):
    """One file as DuckDB reads it into a view; Parquet with its row numbers."""
    if FILE_KINDS[_suffix(path)] == "parquet":
        return con.read_parquet(duckdb_literal(path), file_row_number=True)
    return con.read_csv(duckdb_literal(path), header=True)


class Postgres:
    """Queries run inside a PostgreSQL server (psycopg); the password comes from the
    environment (PGPASSWORD) or ~/.pgpass, as libpq reads them."""

    dialect = "postgres"

    def __init__(self, locations: list[Location]) -> None:
        try:
            import psycopg
        except ImportError:
            raise _problem(_("PostgreSQL records need the psycopg package"),
                           _("pip install 'psycopg[binary]'"), code="REC06") from None
        self.error = psycopg.Error
        self.connections = {}
        self.tables: dict[str, str] = {}
        for loc in locations:
            try:
                # Session in UTC: a timestamptz cast to timestamp is then UTC, as in DuckDB.
                # standard_conforming_strings on, whatever the server's default: sqlglot
                # writes 'x\' as a string holding a backslash, not one escaping the quote.
                self.connections[loc.source] = psycopg.connect(
                    loc.url, autocommit=True,
                    options="-c TimeZone=UTC -c standard_conforming_strings=on")
            except self.error as err:
                raise _problem(_("records of '{source}': cannot connect to {text}: "
                                 "{first}").format(
                                 source=loc.source, text=loc.text,
                                 first=_first(err)), code="REC06") from None
            self.tables[loc.source] = loc.table

    def check(self, source: str, spec) -> None:
        """Nothing before counting: a failure is traced to its column (types.py)."""

    @staticmethod
    def id_key(text: exp.Expression) -> exp.Expression:
        """The id itself: PostgreSQL documents no 64-bit hash of a text to group by."""
        return text

    def groups(self, source: str, pairs: list[tuple[str, str]]) -> str:
        """A temporary table of (member, grp) unit pairs on `source`'s connection."""
        name = f"records_{source}_groups"
        try:
            with self.connections[source].cursor() as cur:
                cur.execute(f'CREATE TEMP TABLE "{name}" (member text, grp text)')
                with cur.copy(f'COPY "{name}" FROM STDIN') as copy:
                    for pair in pairs:
                        copy.write_row(pair)
        except self.error as err:
            raise _problem(_("records of '{source}' cannot be counted: {first}").format(
                source=source, first=_first(err)), code="REC06") from None
        return name

    def rows(self, source: str, query: exp.Expression) -> list[tuple]:
        try:
            with self.connections[source].cursor() as cur:
                cur.execute(query.sql(dialect=self.dialect))
                return cur.fetchall()
        except self.error as err:
            raise _problem(_("records of '{source}' cannot be counted: {first}").format(
                             source=source, first=_first(err)),
                           code="REC06") from None

    def frame(self, source: str, query: exp.Expression, count: int):
        return rows_frame(self.rows(source, query), count)

    def close(self) -> None:
        for con in self.connections.values():
            con.close()


class Spark:
    """Every `spark:` source as a temporary view of a Spark session; queries run in Spark
    SQL. The session is the running one if any (spark-submit), else a local one
    (`CCHC_SPARK_MASTER`, default local[*]; `CCHC_SPARK_MEMORY`, default 1g); closing drops
    the views and leaves the session to whoever started it (the JVM ends with Python)."""

    dialect = "spark"

    def __init__(self, locations: list[Location]) -> None:
        try:
            from py4j.protocol import Py4JError
            from pyspark.errors import PySparkException
        except ImportError:
            raise _problem(_("Spark records need the pyspark package and a Java runtime"),
                           "pip install 'cchc-rules[spark]'", code="REC06") from None
        self.error = (PySparkException, Py4JError)
        try:
            self.spark = spark_session()
        except (*self.error, OSError, RuntimeError) as err:
            raise _problem(_("Spark cannot start: {error}").format(error=_first(err)),
                           _("is Java 17 or later installed (java -version)?"),
                           code="REC06") from None
        self.tables: dict[str, str] = {}
        for loc in locations:
            view = f"records_{loc.source}"
            files = [hadoop_literal(p) for p in loc.files]
            try:
                reader = self.spark.read
                frame = (reader.parquet(*files)
                         if FILE_KINDS[_suffix(loc.files[0])] == "parquet"
                         else reader.csv(files, header=True, inferSchema=True))
                frame.createOrReplaceTempView(view)
            except self.error as err:
                raise _problem(_("records of '{source}' cannot be read: {first}").format(
                    source=loc.source, first=_first(err)), code="REC06") from None
            self.tables[loc.source] = view

    def check(self, source: str, spec) -> None:
        """Nothing before counting: a failure is traced to its column (types.py)."""

    @staticmethod
    def id_key(text: exp.Expression) -> exp.Expression:
        """Spark's 64-bit hash of the id (xxhash64), as for DuckDB."""
        return exp.Anonymous(this="xxhash64", expressions=[text])

    def groups(self, source: str, pairs: list[tuple[str, str]]) -> str:
        """A temporary view of (member, grp) unit pairs; its name."""
        name = f"records_{source}_groups"
        self.spark.createDataFrame(pairs, "member string, grp string"
                                   ).createOrReplaceTempView(name)
        self.tables[f"{source} groups"] = name   # dropped with the others on close
        return name

    def rows(self, source: str, query: exp.Expression) -> list[tuple]:
        try:
            return [tuple(r) for r in self.spark.sql(query.sql(dialect=self.dialect))
                    .collect()]
        except self.error as err:
            raise _problem(_("records of '{source}' cannot be counted: {first}").format(
                source=source, first=_first(err)),
                "check the column types declared under the source", code="REC06") from None

    def frame(self, source: str, query: exp.Expression, count: int):
        return rows_frame(self.rows(source, query), count)

    def close(self) -> None:
        for view in self.tables.values():
            self.spark.catalog.dropTempView(view)


def rows_frame(rows: list[tuple], count: int):
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
