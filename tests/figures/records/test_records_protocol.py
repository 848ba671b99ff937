"""Records engines: one interface (protocol.Engine) and one place, engines.rec06, where an
engine's own error becomes a REC06 problem naming the source (docs/records.md)."""
from __future__ import annotations

import inspect

import pytest

from cchc_rules.errors import CchcError
from cchc_rules.figures.records.engines import DuckDB, Postgres, Spark, rec06
from cchc_rules.figures.records.protocol import Engine

METHODS = ("check", "physical", "id_key", "groups", "rows", "frame", "close")


def test_the_protocol_has_the_seven_methods_every_engine_shares():
    declared = {name for name, _ in inspect.getmembers(Engine, inspect.isfunction)
                if not name.startswith("_")}
    assert declared == set(METHODS)
    for engine in (DuckDB, Postgres, Spark):
        assert engine.dialect in ("duckdb", "postgres", "spark")
        for name in METHODS:
            ours = inspect.signature(getattr(engine, name))
            theirs = inspect.signature(getattr(Engine, name))
            # id_key is a staticmethod on the engines: compare without `self`
            assert [p for p in ours.parameters if p != "self"] == \
                [p for p in theirs.parameters if p != "self"], (engine, name)


@pytest.mark.parametrize(("doing", "message", "hint"), [
    ("read", "records of 'dossiers' cannot be read: no such file", None),
    ("connect", "records of 'dossiers': cannot connect to dossiers=postgresql://db/x: "
                "no such file", None),
    ("group", "records of 'dossiers' cannot be counted: no such file", None),
    ("count", "records of 'dossiers' cannot be counted: no such file",
     "check the column types declared under the source"),
    ("start", "Spark cannot start: no such file",
     "is Java 17 or later installed (java -version)?"),
])
def test_an_engine_error_becomes_one_rec06_with_its_first_line(doing, message, hint):
    with pytest.raises(CchcError) as caught, \
            rec06(OSError, doing, "dossiers", "dossiers=postgresql://db/x"):
        raise OSError("no such file\n  at line 2 of the engine's trace")
    [problem] = caught.value.problems
    assert (problem.code, problem.message, problem.hint) == ("REC06", message, hint)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_other_errors_pass_through_untouched():
    with pytest.raises(KeyError), rec06(OSError, "count", "dossiers"):
        raise KeyError("not the engine's")


def test_a_duckdb_query_error_is_rec06_naming_the_source(tmp_path):
    import duckdb
    from sqlglot import exp

    engine = DuckDB([])
    try:
        with pytest.raises(CchcError) as caught:
            engine.rows("dossiers", exp.select("x").from_("no_such_table"))
    finally:
        engine.close()
    [problem] = caught.value.problems
    assert problem.code == "REC06" and problem.hint == \
        "check the column types declared under the source"
    assert problem.message.startswith("records of 'dossiers' cannot be counted: ")
    assert "no_such_table" in problem.message and issubclass(engine.error, duckdb.Error)
