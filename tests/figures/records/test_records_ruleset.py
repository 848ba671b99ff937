"""`sources:` and `records:` in a ruleset: what `cchc validate` says about them, where."""
from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from cchc_rules.cli import main
from cchc_rules.ruleset.schema import json_schema

HEAD = """\
ruleset: r
title: T
sources:
  dossiers:
    table: dossiers
    unit: {unit}
    date: {date}
    columns: {{unit_id: text, received_at: timestamp, channel: text, fee: number}}
metrics:
  m:
    label: M
    unit: count
    records: {records}
"""


def validate(tmp_path, unit="unit_id", date="received_at", records="{source: dossiers, "
             "aggregate: count}", extra=""):
    path = tmp_path / "r.yaml"
    path.write_text(HEAD.format(unit=unit, date=date, records=records) + textwrap.dedent(extra),
                    encoding="utf-8")
    return CliRunner().invoke(main, ["validate", str(path)])


def test_a_valid_source_and_metric(tmp_path):
    res = validate(tmp_path, records="{source: dossiers, aggregate: sum, column: fee, "
                   "where: \"channel == 'online'\"}")
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("kwargs, where, words", [
    ({"unit": "unit"}, "r.yaml:6:11: error REC01", "did you mean 'unit_id'?"),
    ({"date": "channel"}, "r.yaml:7:11: error REC02", "'date' needs a date column"),
    ({"records": "{source: dosiers, aggregate: count}"}, "r.yaml:13:23: error REC03",
     "did you mean 'dossiers'?"),
    ({"records": "{source: dossiers, aggregate: sum}"}, "r.yaml:13:44: error REC04",
     "needs 'column'"),
    ({"records": "{source: dossiers, aggregate: sum, column: channel}"},
     "r.yaml:13:57: error REC02", "needs a number column"),
    ({"records": "{source: dossiers, aggregate: count, column: fee}"},
     "r.yaml:13:51: error REC04", "'column' is not used"),
    ({"records": "{source: dossiers, aggregate: mean_days, from: received_at, to: fee}"},
     "r.yaml:13:78: error REC02", "'to' needs a date column"),
    ({"records": "{source: dossiers, aggregate: count, where: \"chanel == 'x'\"}"},
     "r.yaml:13:59: error REC01", "did you mean 'channel'?"),
    ({"records": "{source: dossiers, aggregate: count, stock: true, date: received_at}"},
     "r.yaml:13:70: error REC04", "a stock has no 'date'"),
    ({"records": "{source: dossiers, aggregate: sums}"}, "r.yaml:13:44: error SCH04",
     "did you mean"),
])
def test_mistakes_are_reported_at_their_place(tmp_path, kwargs, where, words):
    res = validate(tmp_path, **kwargs)
    assert res.exit_code == 2
    assert any(where in line and words in line for line in res.output.splitlines()), \
        res.output


def test_a_column_type_typo_gets_a_suggestion(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(HEAD.format(unit="unit_id", date="received_at", records="{source: dossiers, "
                                "aggregate: count}").replace("fee: number", "fee: numbr"),
                    encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 2 and "SCH04 'column fee' must be one of text" in res.output
    assert "did you mean 'number'?" in res.output, res.output


def test_a_metric_cannot_have_both_a_formula_and_records(tmp_path):
    res = validate(tmp_path, records="{source: dossiers, aggregate: count}\n"
                   "    formula: 1 + 1")
    assert res.exit_code == 2 and "REC04" in res.output and "both a formula" in res.output


def test_the_json_schema_describes_sources_and_records():
    schema = json_schema()
    assert "sources" in schema["properties"]
    records = schema["definitions"]["Records"]["properties"]
    assert {"source", "aggregate", "where", "from", "to", "stock"} <= set(records)
    assert schema["definitions"]["Records"]["additionalProperties"] is False
