"""Render stage: JUnit XML, a testcase per target × unit × period and per check."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from factory import HAM_TAN, ONLINE, report, run, target

from cchc_rules.render import FORMATS


def test_failures_skips_and_checks(tmp_path):
    cut = target("CUT", "cut_rate", ("2021", ">=", 10), levels=["province"])
    ev = run(tmp_path, [ONLINE, cut], [report("ham-tan", "2024-Q1", **HAM_TAN)],
             [{"id": "c", "assert": "received == received_online"}])
    root = ET.fromstring(FORMATS["junit"](ev))
    cases = root.findall(".//testcase")
    assert len(cases) == ev.results.height + ev.checks.height == 6
    assert root.get("failures") == "4"     # 2 off_track + 2 failed checks
    ham = {c.get("name"): c for c in root.find("testsuite[@name='ham-tan']")}
    failure = ham["TTHC-06 2024-Q1"].find("failure")
    assert failure.get("type") == "off_track" and "needed 2213" in failure.get("message")
    assert ham["CUT 2024-Q1"].find("skipped").get("message") == "not_applicable"
    assert ham["c 2024-Q1"].find("failure").get("type") == "fail"
    quiet = ET.fromstring(FORMATS["junit"](ev, fail_on=["not_met"]))
    assert quiet.get("failures") == "0"
