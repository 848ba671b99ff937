"""How `cchc` ends (issue 28): once the run is over the process exits without taking the
interpreter apart (a national run's teardown took 0.09–0.15 s), but only after the exit
functions ran and the output streams were flushed; the usual exit when a thread still runs
or the code is not a number."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from click.testing import CliRunner

from cchc_rules import cli

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "rulesets/tuyen-quang/cchc-2021-2030.yaml"
DATA = ROOT / "examples/demo/ha-giang-2020.yaml"
CHILD = """
import atexit, sys
class Kept:   # freed only if the interpreter is taken apart
    def __del__(self):
        sys.stderr.write("freed\\n")
kept = Kept()
atexit.register(lambda: sys.stderr.write("exit functions ran\\n"))
from cchc_rules.cli import run
sys.argv[0] = "cchc"
run()
"""
ARGS = ["evaluate", str(RULESET), "--data", str(DATA), "--format", "csv"]


def test_the_run_ends_with_its_output_whole_and_exit_functions_run_without_teardown():
    done = subprocess.run([sys.executable, "-c", CHILD, *ARGS], capture_output=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    alone = CliRunner().invoke(cli.main, ARGS)
    assert done.returncode == alone.exit_code and alone.exit_code in (0, 1)
    assert done.stdout == alone.stdout_bytes and done.stdout.count(b"\n") > 10
    assert done.stderr.decode().splitlines()[-1] == "exit functions ran"
    assert b"freed" not in done.stderr


def test_the_usual_exit_when_a_thread_still_runs_or_the_code_is_not_a_number(monkeypatch):
    exits: list[int] = []
    monkeypatch.setattr(cli.os, "_exit", exits.append)
    monkeypatch.setattr(cli.atexit, "_run_exitfuncs", lambda: None)
    release = threading.Event()
    running = threading.Thread(target=release.wait)
    running.start()
    try:
        cli._leave(SystemExit(1))
    finally:
        release.set()
        running.join()
    cli._leave(SystemExit("a message"))
    assert exits == []
    cli._leave(SystemExit(None))
    cli._leave(SystemExit(2))
    assert exits == [0, 2]
