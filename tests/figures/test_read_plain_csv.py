"""The plain-CSV fast path (polars' reader) gives what the cell-by-cell reader gives:
the same figures, problems, warnings and places, line numbers included; files it cannot
take fall back to the cell-by-cell reader."""
from __future__ import annotations

import pytest

from cchc_rules.figures.readers import Batch, read_into
from cchc_rules.figures.readers import csv as csv_reader

KNOWN = {"received": "count", "resolved": "count", "rate": "percent"}
HEAD = "unit,period,received,resolved\n"
CASES = {
    "plain": HEAD + "a,2024-01,5,4\nb,2024-01,6,6\n",
    "crlf": HEAD.replace("\n", "\r\n") + "a,2024-01,5,4\r\nb,2024-02,,3\r\n",
    "no final newline": HEAD + "a,2024-01,5,4\nb,2024-01,6,6",
    "bad values": HEAD + "a,2024-01,-5,x\nb,2024-01,1.5,4\nc,2024-01,1.000,2\n",
    "unknown metric": "unit,period,received,nope\na,2024-01,5,4\n",
    "missing ids": HEAD + ",2024-01,5,4\na,,6,6\n,,,\n",
    "short rows": HEAD + "a,2024-01,5\nb,2024-01\n",
    "wide row, empty extras": HEAD + "a,2024-01,5,4,,\n",
    "wide row": HEAD + "a,2024-01,5,4,9\n",
    "first row short": HEAD + "a,2024-01\nb,2024-01,1,2\n",
    "repeated": HEAD + "a,2024-01,5,4\na,2024-01,6,4\n",
    "control character": HEAD + "a\x1b,2024-01,5,4\n",
    "semicolons, decimal comma": "unit;period;received;rate\na;2024-01;1.234;5,5\n",
    "tabs": "unit\tperiod\treceived\na\t2024-01\t7\n",
    "spaces": HEAD + " a , 2024-01 , 5 ,\n   \n",
    "title rows": "Báo cáo\n\nunit,period,received\na,2024-01,5\n",
    "blank line": HEAD + "a,2024-01,5,4\n\nb,2024-01,6,6\n",
    "quotes": HEAD + '"a",2024-01,"5",4\n',
    "lone CR": HEAD + "a,2024-01,5,4\rb,2024-01,6,6\n",
    "unnamed column": "unit,period,,received\na,2024-01,,5\n",
    "header only": HEAD,
    "long table": "unit,period,metric,value\na,2024-01,received,5\na,2024-01,zz,1\n",
    "labels": "Đơn vị,Kỳ báo cáo,Received\na,2024-01,5\n",
    "no unit column": "unt,period,received\na,2024-01,5\n",
}


def _read(path, fast: bool, monkeypatch, comma: bool) -> Batch:
    if not fast:
        monkeypatch.setattr(csv_reader, "_read_plain", lambda *args: False)
    batch = Batch(comma, KNOWN, {"received": "Received"})
    read_into(batch, path)
    batch.finish()
    monkeypatch.undo()
    return batch


@pytest.mark.parametrize("name", list(CASES))
def test_fast_path_reads_as_the_cell_reader(tmp_path, monkeypatch, name):
    path = tmp_path / "figures.csv"
    path.write_bytes(CASES[name].encode("utf-8"))
    comma = "decimal comma" in name
    fast, slow = (_read(path, f, monkeypatch, comma) for f in (True, False))
    assert fast.frame().equals(slow.frame())
    assert [p.format() for p in fast.problems] == [p.format() for p in slow.problems]
    assert [p.format() for p in fast.warnings] == [p.format() for p in slow.warnings]
    assert fast.places == slow.places


def test_plain_files_take_the_fast_path_and_others_do_not(tmp_path):
    taken = {}
    for name, text in CASES.items():
        taken[name] = csv_reader._read_plain(Batch(False, KNOWN), text.encode(), text, "f.csv")
    assert taken["plain"] and taken["crlf"] and taken["bad values"] and taken["missing ids"]
    assert not any(taken[n] for n in ("quotes", "blank line", "lone CR", "title rows",
                                      "wide row", "first row short", "unnamed column"))
