"""The records engines' one interface (DuckDB, PostgreSQL and Spark in engines.py): what
counting (records/__init__.py), the data-quality pass (quality.py) and the type checks
(types.py) ask of an engine. An engine's own failures become REC06 in one place, engines.rec06.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import polars as pl
    from sqlglot import exp

    from ...ruleset.schema import Source


class Engine(Protocol):
    """What counting asks of a records engine (DuckDB, Postgres, Spark): each is built from
    its sources' Locations, names each source's table in `tables`, runs sqlglot trees in its
    `dialect`, and lets its own failures (`error`) reach the user only through
    engines.rec06."""

    dialect: str
    tables: dict[str, str]                 # source -> the table or view its queries read

    @property
    def error(self) -> type[Exception] | tuple[type[Exception], ...]:
        """The engine's own exception classes: what engines.rec06 turns into REC06."""

    def check(self, source: str, spec: Source) -> None:
        """Raise one REC06 for the first value not of its declared type (when the engine
        can find it before counting)."""

    def physical(self, source: str) -> dict[str, str | None]:
        """Each column's real type: date, timestamp, timestamptz, text, or None."""

    def id_key(self, text: exp.Expr) -> exp.Expr:
        """What the duplicate check groups a dossier id by."""

    def groups(self, source: str, pairs: list[tuple[str, str]]) -> str:
        """A table of (member, grp) unit pairs for `source`'s queries; its name."""

    def rows(self, source: str, query: exp.Expr) -> list[tuple[Any, ...]]:
        """The rows of `query` on `source`."""

    def frame(self, source: str, query: exp.Expr, count: int) -> pl.DataFrame:
        """A counting query's rows as columns period, unit, v0 … v{count-1} (floats)."""

    def close(self) -> None:
        """Release the connections and views."""
