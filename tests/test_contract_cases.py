"""The project's own contract cases (tests/conformance) through the shared conformance runner.

Cases the engine does not pass yet live in tests/conformance-pending and are not run here.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "conformance"
RUNNER = ROOT.parent / "shared" / "conformance" / "run"
CCHC = Path(sys.executable).with_name("cchc")
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expect.yaml").exists())

needs_tool = pytest.mark.skipif(not RUNNER.exists() or not CCHC.exists(),
                                reason="no ../shared/conformance runner or no cchc beside python")


def _run_case(name: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RUNNER), str(CASES / name)], capture_output=True,
                          text=True, env={**os.environ, "CCHC": str(CCHC)}, timeout=300)


@cache
def _all_runs() -> dict[str, subprocess.CompletedProcess]:
    # Each case starts a fresh cchc (about 3 s of start-up); run them side by side.
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(NAMES, pool.map(_run_case, NAMES), strict=True))


@needs_tool
@pytest.mark.parametrize("name", NAMES)
def test_contract_case(name):
    done = _all_runs()[name]
    assert done.returncode == 0, done.stdout + done.stderr


def _run_in(tmp_path: Path, name: str) -> tuple[Path, subprocess.CompletedProcess]:
    work = tmp_path / name
    shutil.copytree(CASES / name, work)
    args = yaml.safe_load((work / "expect.yaml").read_text(encoding="utf-8"))["args"]
    return work, subprocess.run([str(CCHC), *map(str, args)], cwd=work, capture_output=True,
                                text=True, timeout=120)


@needs_tool
def test_evaluate_output_file_holds_the_json(tmp_path):
    work, done = _run_in(tmp_path, "evaluate-output-file")
    assert done.returncode == 1, done.stderr
    doc = json.loads((work / "out.json").read_text(encoding="utf-8"))
    assert doc["summary"]["off_track"] == 1, doc["summary"]
    assert '"results"' not in done.stdout, done.stdout[:300]


@needs_tool
def test_report_writes_the_html_file(tmp_path):
    work, done = _run_in(tmp_path, "report-html-exit-0")
    assert done.returncode == 0, done.stderr
    html = (work / "r.html").read_text(encoding="utf-8")
    assert "<html" in html.lower() and "ONLINE-50" in html, html[:300]
