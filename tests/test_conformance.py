"""The shared conformance cases (../shared/conformance) against the installed `cchc`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT.parent / "shared" / "conformance" / "run"
CCHC = ROOT / ".venv" / "bin" / "cchc"


@pytest.mark.skipif(not RUNNER.exists() or not CCHC.exists(),
                    reason="no ../shared/conformance or no .venv/bin/cchc")
def test_every_conformance_case_passes():
    done = subprocess.run([sys.executable, str(RUNNER)], capture_output=True, text=True,
                          env={**os.environ, "CCHC": str(CCHC)}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 failed" in done.stdout
