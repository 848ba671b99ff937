"""Render stage: the spec §4 JSON document."""
from __future__ import annotations

import json

from factory import HAM_TAN, ONLINE, report, run, target

from cchc_rules.render import FORMATS


def test_json_document_matches_spec_example(tmp_path):
    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", **HAM_TAN)],
             [{"id": "received-breakdown",
               "assert": "received == received_online + received_direct + carried_over"}],
             units=["ham-tan"])
    text = FORMATS["json"](ev)
    doc = json.loads(text)
    assert doc["ruleset"] == "test"
    assert doc["summary"]["off_track"] == 1 and doc["summary"]["met"] == 0
    assert doc["check_summary"] == {"pass": 1, "fail": 0, "no_data": 0}
    (r,) = doc["results"]
    assert (r["status"], r["threshold"], r["deadline"], r["needed"]) == \
        ("off_track", 50, "2025", 2213)
    assert round(r["actual"], 3) == 5.003 and round(r["expected"], 3) == 33.354
    assert round(r["gap"], 3) == -44.997
    assert doc["checks"] == [{"check": "received-breakdown", "unit": "ham-tan",
                              "period": "2024-Q1", "status": "pass", "left": 4917,
                              "right": 4917}]
    assert "Chỉ tiêu TTHC-06" in text           # UTF-8 as written, not \u escapes
    assert text == FORMATS["json"](ev)          # same input, same bytes
    assert list(doc) == sorted(doc)


def test_json_has_null_never_nan(tmp_path):
    ev = run(tmp_path, [target("T", "share", ("2025", ">=", 1))],
             [report("xa-moi", "2024", a=1, b=0), report("tay-ninh", "2024", a=1)])
    doc = json.loads(FORMATS["json"](ev))
    statuses = {r["unit"]: (r["status"], r["actual"]) for r in doc["results"]}
    assert statuses == {"xa-moi": ("invalid", None), "tay-ninh": ("no_data", None)}
    assert "NaN" not in FORMATS["json"](ev)


def test_empty_lists_are_valid_json(tmp_path):
    doc = json.loads(FORMATS["json"](run(tmp_path, [ONLINE], [])))
    assert doc["results"] == [] and doc["checks"] == []


def test_json_results_equal_the_record_model(tmp_path):
    defs = [ONLINE, target("R", "share", ("2025", "between", (6, 10))),
            target("L", "late_rate", ("2025", "<=", 5)),
            target("S", "staff", ("2025", "<=", -10), change="percent",
                   baseline={"period": "2021"})]
    ev = run(tmp_path, defs, [report("ham-tan", "2024-Q1", **HAM_TAN, a=5, b=100),
                              report("xa-moi", "2024", a=12, b=0, staff=90),
                              report("xa-moi", "2021", staff=100)],
             [{"id": "ab", "assert": "a <= b"}])
    doc = json.loads(FORMATS["json"](ev))
    assert doc["results"] == ev.records()
    assert doc["checks"] == ev.check_records()


def test_records_written_in_slices_stay_one_valid_array(tmp_path, monkeypatch):
    import cchc_rules.render.json as module
    reports = [report(u, p, a=i, b=10) for i, (u, p) in enumerate(
        [("xa-moi", "2024"), ("xa-moi", "2025"), ("tay-ninh", "2024")])]
    ev = run(tmp_path, [target("T", "share", ("2025", ">=", 50)), ONLINE], reports)
    for chunk in (1, 2, 5, 6, 7):
        monkeypatch.setattr(module, "CHUNK", chunk)
        assert json.loads(FORMATS["json"](ev))["results"] == ev.records()
