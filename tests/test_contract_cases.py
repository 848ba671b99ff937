"""The project's own contract cases (tests/conformance), one test per case, run in-process
through click's CliRunner with the shared runner's expect.yaml semantics (contract_runner).

Two smoke tests run the installed `cchc` as a real subprocess on two cases, so the console
entry point, exit codes and files written are covered end to end. Cases the engine does not
pass yet live in tests/conformance-pending and are not run here.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from contract_runner import run_case

CASES = Path(__file__).resolve().parent / "conformance"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expect.yaml").exists())
CCHC = Path(sys.executable).with_name("cchc")


def _param(name: str):
    """A case; those writing a PDF are `slow` (WeasyPrint takes seconds)."""
    args = yaml.safe_load((CASES / name / "expect.yaml").read_text(encoding="utf-8"))["args"]
    return pytest.param(name, id=name, marks=[pytest.mark.slow] if "pdf" in args else [])


@pytest.mark.parametrize("name", [_param(n) for n in NAMES])
def test_contract_case(name, tmp_path):
    problems = run_case(CASES / name, tmp_path)
    assert not problems, "\n".join(problems)


def _run_installed(tmp_path: Path, name: str) -> tuple[Path, subprocess.CompletedProcess]:
    work = tmp_path / name
    shutil.copytree(CASES / name, work)
    args = yaml.safe_load((work / "expect.yaml").read_text(encoding="utf-8"))["args"]
    return work, subprocess.run([str(CCHC), *map(str, args)], cwd=work, capture_output=True,
                                text=True, timeout=120)


needs_cchc = pytest.mark.skipif(not CCHC.exists(), reason=f"no installed cchc at {CCHC}")


@needs_cchc
def test_installed_cchc_writes_the_json_output_file(tmp_path):
    work, done = _run_installed(tmp_path, "evaluate-output-file")
    assert done.returncode == 1, done.stderr
    doc = json.loads((work / "out.json").read_text(encoding="utf-8"))
    assert doc["summary"]["off_track"] == 1, doc["summary"]
    assert '"results"' not in done.stdout, done.stdout[:300]


@needs_cchc
def test_installed_cchc_reports_a_positioned_error_and_exits_2(tmp_path):
    _, done = _run_installed(tmp_path, "validate-unknown-metric")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "ruleset.yaml:" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_the_runner_reports_every_broken_expectation(tmp_path):
    case = tmp_path / "cases" / "spec-example"
    shutil.copytree(CASES / "spec-example", case)
    spec = yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))
    spec.update(exit=0, summary={"met": 1}, stderr_has=["nowhere"], absent=["data.yaml"],
                no_results=[{"target": "TTHC-06", "unit": "ham-tan"}])
    spec["results"][0]["actual"] = 5.1
    (case / "expect.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    problems = run_case(case, tmp_path / "work")
    assert [p.split(" ")[0] for p in problems] == [
        "exit", "stderr", "data.yaml", "results:", "results:", "summary"], problems
