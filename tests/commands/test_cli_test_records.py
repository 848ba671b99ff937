"""`cchc test` with dossier rows inline (`records:`), so a metric's `where:` is tested, and
`--output FILE` for the JUnit XML a CI job keeps (issue 24)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from factory import cchc

RULESET = """\
ruleset: online-records
title: Hồ sơ trực tuyến đếm từ hồ sơ
sources:
  dossiers:
    table: dossiers
    unit: unit_id
    date: received_at
    periods: [quarter]
    columns: {dossier_id: text, unit_id: text, received_at: timestamp, channel: text}
metrics:
  received: {label: Hồ sơ tiếp nhận, unit: count,
             records: {source: dossiers, aggregate: count}}
  received_online:
    label: Hồ sơ trực tuyến
    unit: count
    records: {source: dossiers, aggregate: count, where: "channel == 'online'"}
  online_rate: {label: Tỷ lệ trực tuyến, unit: percent,
                formula: received_online / received * 100}
targets:
  - id: TTHC-06
    title: Tỷ lệ hồ sơ trực tuyến
    area: digital_government
    metric: online_rate
    milestones: [{by: "2024-Q1", op: ">=", value: 50}]
"""

# Hàm Tân, Q1/2024 in miniature (seed 001's shape: few online, most direct)
TESTS = """\
ruleset: online.yaml
cases:
  - name: where-counts-only-online
    records:
      dossiers:
        - {dossier_id: HS-1, unit_id: ham-tan, received_at: 2024-01-05 08:00, channel: online}
        - {dossier_id: HS-2, unit_id: ham-tan, received_at: 2024-02-11 09:30, channel: direct}
        - {dossier_id: HS-3, unit_id: ham-tan, received_at: 2024-03-20 14:10, channel: postal}
        - {dossier_id: HS-4, unit_id: ham-tan, received_at: 2024-03-28 10:00, channel: online}
    expect:
      - {metric: received, unit: ham-tan, period: 2024-Q1, value: 4}
      - {metric: received_online, unit: ham-tan, period: 2024-Q1, value: 2}
      - {target: TTHC-06, unit: ham-tan, period: 2024-Q1, status: met, actual: 50}
  - name: a-wrong-expectation-fails
    records:
      dossiers:
        - {dossier_id: HS-9, unit_id: ham-tan, received_at: 2024-01-05 08:00, channel: direct}
    expect:
      - {target: TTHC-06, unit: ham-tan, period: 2024-Q1, status: met}
"""


@pytest.fixture
def suite(tmp_path):
    (tmp_path / "online.yaml").write_text(RULESET, encoding="utf-8")
    path = tmp_path / "online.test.yaml"
    path.write_text(TESTS, encoding="utf-8")
    return path


def _run(*args):
    result = cchc(*args)
    return result.exit_code, result.stdout, result.stderr


def test_inline_records_test_a_where_condition(suite):
    code, out, err = _run("test", suite, "--run", "where-counts", "--lang", "en")
    assert code == 0, out + err
    assert out.startswith("PASS ") and "1 passed, 0 failed" in out


def test_a_failing_case_on_records_says_what_and_junit_goes_to_the_file(suite, tmp_path):
    target = tmp_path / "junit.xml"
    code, out, _err = _run("test", suite, "--output", target, "--lang", "en")
    assert code == 1
    assert "FAIL " in out and "status not_met, test wants met" in out, out
    root = ET.fromstring(target.read_text(encoding="utf-8"))
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    failed = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
    assert failed == ["a-wrong-expectation-fails"]


def test_an_unknown_source_in_a_case_is_an_error_at_its_records_key(suite):
    suite.write_text(TESTS.replace("      dossiers:\n        - {dossier_id: HS-9",
                                   "      dosiers:\n        - {dossier_id: HS-9"),
                     encoding="utf-8")
    code, out, _err = _run("test", suite, "--lang", "en")
    assert code == 2, out
    assert f"{suite}:15:5: error REC05" in out and "did you mean 'dossiers'?" in out, out
