"""The records condition language (`where`): what it reads, what it refuses with a position,
and that no user text ever becomes SQL: hostile column names and quotes stay data."""
from __future__ import annotations

from datetime import date

import duckdb
import pytest
from sqlglot import exp

from cchc_rules.errors import CchcError, Position
from cchc_rules.expr.ast import In, IsNull, Logic, Not, Text
from cchc_rules.expr.condition import parse_condition
from cchc_rules.figures.records.sql import condition, metric_query
from cchc_rules.periods import parse_period
from cchc_rules.ruleset.schema import Records, Source

COLUMNS = {"received_at": "timestamp", "due_at": "date", "resolved_at": "date",
           "channel": "text", "fee": "number", "paid": "boolean", "unit_id": "text"}
AT = Position("plan.yaml", 12, 14)


def problems(text: str) -> list[str]:
    with pytest.raises(CchcError) as err:
        parse_condition(text, COLUMNS, AT)
    return [p.format() for p in err.value.problems]


def test_the_stock_condition_of_the_issue_parses_to_the_ast():
    node = parse_condition("received_at <= period_end and (resolved_at is null or "
                           "resolved_at > period_end) and due_at < period_end", COLUMNS)
    assert isinstance(node, Logic) and node.op == "and"
    assert isinstance(node.left.right, Logic) and node.left.right.op == "or"
    assert isinstance(node.left.right.left, IsNull)


@pytest.mark.parametrize("text", [
    "channel in ['online', 'post']", "not paid", "paid == true", "fee * 2 >= 10000",
    "resolved_at is not null", "received_at >= '2025-01-01'", "channel not in ['x']",
    "min(fee, 5) > 1 OR channel != 'direct'", "NOT (fee > 0 AND paid)",
])
def test_accepted_conditions(text):
    assert parse_condition(text, COLUMNS) is not None


def test_in_and_not_in():
    node = parse_condition("channel not in ['a', \"b\"]", COLUMNS)
    assert isinstance(node, Not) and isinstance(node.operand, In)
    assert node.operand.items == (Text("a"), Text("b"))


@pytest.mark.parametrize("text, code, col, words", [
    ("chanel == 'online'", "REC01", 14, "did you mean 'channel'?"),
    ("fee > 0 and recieved_at is null", "REC01", 26, "did you mean 'received_at'?"),
    ("received_at > 5", "REC02", 28, "compares date with number"),
    ("received_at > '31/03/2025'", "REC02", 28, "is not a date"),
    ("channel + 1 > 2", "REC02", 14, "arithmetic needs numbers"),
    ("fee + 1", "REC02", 18, "must be true or false"),
    ("fee > 1 and 2", "REC02", 26, "join conditions"),
    ("fee > 1 > 0", "FRM01", 22, "chained"),
    ("fee is nul", "FRM01", 21, "expected 'null'"),
    ("fee == null", "FRM01", 21, "'null' only follows 'is'"),
    ("channel in 'a'", "FRM01", 25, "expected '['"),
    ("channel == 'x'; drop table dossiers", "FRM02", 28, "';' is not allowed"),
    ("channel == 'open", "FRM01", 25, "never closed"),
    ("fee > 1 fee", "FRM01", 22, "unexpected 'fee'"),
    ("paid < true", "REC02", 14, "does not order"),
])
def test_refused_conditions_point_at_the_place(text, code, col, words):
    found = problems(text)
    assert any(f"plan.yaml:12:{col}: error {code}" in p and words in p for p in found), found


def test_empty_condition():
    assert "FRM06" in problems("  ")[0]


def run(where: str, rows: list[tuple], columns=COLUMNS, unit="unit_id") -> dict:
    """Count rows of a DuckDB table (built from Python values, never from text) by the
    query generated for `where` over January 2025."""
    con = duckdb.connect()
    names = list(columns)
    types = {"timestamp": "TIMESTAMP", "date": "DATE", "text": "VARCHAR", "number": "DOUBLE",
             "boolean": "BOOLEAN"}
    create = exp.Create(this=exp.Schema(
        this=exp.to_table("t"), expressions=[exp.ColumnDef(
            this=exp.to_identifier(n, quoted=True), kind=exp.DataType.build(types[columns[n]]))
            for n in names]), kind="TABLE")
    con.execute(create.sql("duckdb"))
    con.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(names))})", rows)
    source = Source(table="t", unit=unit, date="received_at", columns=columns)
    spec = Records(source="s", aggregate="count", where=where)
    query = metric_query(source, spec, parse_condition(where, columns), "t",
                         [parse_period("2025-01")])
    return {u: n for _, u, n in con.execute(query.sql("duckdb")).fetchall()}


def row(channel="online", unit="u1", fee=1.0):
    return (date(2025, 1, 5), date(2025, 1, 9), None, channel, fee, False, unit)


def test_a_quote_in_a_text_literal_stays_a_literal():
    rows = [row("it's"), row("it"), row("x' OR '1'='1")]
    assert run("channel == \"it's\"", rows) == {"u1": 1}
    assert run("channel == \"x' OR '1'='1\"", rows) == {"u1": 1}
    assert run("channel in [\"it's\", 'it']", rows) == {"u1": 2}


def test_a_hostile_column_name_is_quoted_as_an_identifier():
    columns = {**COLUMNS, "x; drop table t; --": "text"}
    columns.pop("unit_id")
    rows = [row(unit="a"), row(unit="b"), row(unit="a")]
    assert run("fee > 0", rows, columns, unit="x; drop table t; --") == {"a": 2, "b": 1}


def test_dates_in_text_become_typed_date_literals():
    node = parse_condition("due_at >= '2025-01-09'", COLUMNS)
    tree = condition(node, COLUMNS)
    literal = tree.expression
    assert isinstance(literal, exp.Cast) and literal.to.this == exp.DataType.Type.DATE
    assert run("due_at >= '2025-01-09'", [row(), row()]) == {"u1": 2}
    assert run("due_at > '2025-01-09'", [row(), row()]) == {}
