"""Render stage: JUnit XML for CI dashboards (`--format junit`).

One testsuite per unit, one testcase per target × period and per check × period; a testcase
fails when its status is in `fail_on`, and `not_applicable`/`no_data` are skipped otherwise.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..domain import DEFAULT_FAIL_ON, UNRATED
from ..present import number
from ..result import Evaluation


def _case(classname: str, name: str, status: str, detail: str, failing: bool) -> str:
    head = f"    <testcase classname={quoteattr(classname)} name={quoteattr(name)}"
    if failing:
        return (f"{head}>\n      <failure type={quoteattr(status)} message={quoteattr(detail)}>"
                f"{escape(detail)}</failure>\n    </testcase>")
    if status in UNRATED:
        return f"{head}>\n      <skipped message={quoteattr(status)}/>\n    </testcase>"
    return f"{head}/>"


def _result_detail(r: dict[str, Any]) -> str:
    text = f"{r['status']}: {r['title']}; actual {r['actual']}, {r['op']} {r['threshold']} " \
           f"by {r['deadline']}"
    if r["expected"] is not None:
        text += f", trajectory {r['expected']}"
    if r["needed"] is not None:
        text += f", needed {r['needed']}"
    return text


def render(evaluation: Evaluation, *, fail_on: Iterable[str] = DEFAULT_FAIL_ON,
           **_options: Any) -> str:
    wanted = set(fail_on)
    ruleset = evaluation.ruleset.model.ruleset
    suites: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for r in evaluation.records():
        failing = r["status"] in wanted
        suites[r["unit"]].append((_case(f"{ruleset}.{r['unit']}",
                                        f"{r['target']} {r['period']}", r["status"],
                                        _result_detail(r), failing), failing))
    for c in evaluation.check_records():
        failing = c["status"] in wanted
        detail = f"{c['status']}: left {number(c['left'])}, right {number(c['right'])}"
        suites[c["unit"]].append((_case(f"{ruleset}.{c['unit']}.checks",
                                         f"{c['check']} {c['period']}", c["status"], detail,
                                         failing), failing))
    total = sum(len(cases) for cases in suites.values())
    failures = sum(f for cases in suites.values() for _, f in cases)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f"<testsuites name={quoteattr(ruleset)} tests=\"{total}\" "
             f"failures=\"{failures}\">"]
    for unit in sorted(suites):
        cases = suites[unit]
        lines.append(f"  <testsuite name={quoteattr(unit)} tests=\"{len(cases)}\" "
                     f"failures=\"{sum(f for _, f in cases)}\">")
        lines.extend(case for case, _ in cases)
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"
