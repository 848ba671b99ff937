"""The shared conformance cases (../shared/conformance/cases) through the shared runner,
against the installed `cchc`.

Outside this workplace there is no ../shared: the test is skipped with one line saying so.
The same ground is covered by the project's own cases: the four shared cases are copied
into tests/conformance and run in-process by test_contract_cases.py.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "conformance"
RUNNER = SHARED / "run"
CCHC = Path(sys.executable).with_name("cchc")
SKIPPED = ("skipped the shared conformance cases: ../shared/conformance not found "
           "(tests/conformance covers the same ground)")


@pytest.mark.slow
@pytest.mark.skipif(not RUNNER.exists(), reason=SKIPPED)
@pytest.mark.skipif(not CCHC.exists(), reason=f"no installed cchc at {CCHC}")
def test_every_conformance_case_passes():
    done = subprocess.run([sys.executable, str(RUNNER)], capture_output=True, text=True,
                          env={**os.environ, "CCHC": str(CCHC)}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 failed" in done.stdout


def test_the_shared_cases_have_copies_in_tests_conformance():
    if not (SHARED / "cases").is_dir():
        pytest.skip(SKIPPED)
    ours = ROOT / "tests" / "conformance"
    for case in (SHARED / "cases").iterdir():
        for path in case.iterdir():
            copy = ours / case.name / path.name
            assert copy.exists() and copy.read_bytes() == path.read_bytes(), copy


# The spec v3 cases that pass (the Makefile's V3_PASSING), copied into tests/conformance.
V3_PASSING = ("before-baseline", "merger-quarter-restated")


def test_the_v3_cases_have_copies_in_tests_conformance():
    if not (SHARED / "v3").is_dir():
        pytest.skip(SKIPPED)
    ours = ROOT / "tests" / "conformance"
    for name in V3_PASSING:
        for path in (SHARED / "v3" / name).iterdir():
            copy = ours / name / path.name
            assert copy.exists() and copy.read_bytes() == path.read_bytes(), copy
