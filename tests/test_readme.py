"""Every `console` block of the README runs and prints what the README shows.

A block is a shell transcript: `$ cchc …` lines run through click's runner from the
repository root, `$ echo $?` prints the previous exit code, and the lines after a command
are its expected output (stdout and stderr, as a terminal shows them). A README that
drifts from the tool is a failing test.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def console_blocks() -> list[tuple[int, str]]:
    text = README.read_text(encoding="utf-8")
    return [(text[:m.start()].count("\n") + 1, m.group(1))
            for m in re.finditer(r"```console\n(.*?)```", text, re.S)]


def transcript(block: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs of one block."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"output before any command: {line!r}"
            steps[-1][1].append(line)
    return [(cmd, "\n".join(out)) for cmd, out in steps]


def test_readme_has_console_blocks():
    assert len(console_blocks()) >= 2


@pytest.mark.parametrize(("line", "block"), console_blocks(),
                         ids=lambda v: f"line{v}" if isinstance(v, int) else None)
def test_console_block_prints_what_readme_shows(line, block, monkeypatch):
    monkeypatch.chdir(ROOT)
    last_exit = None
    for command, expected in transcript(block):
        if command == "echo $?":
            assert last_exit is not None, f"README line {line}: echo $? before a command"
            shown = str(last_exit)
        else:
            argv = shlex.split(command)
            assert argv[0] == "cchc", f"README line {line}: only cchc commands are run: {command}"
            result = CliRunner().invoke(main, argv[1:])
            assert result.exception is None or isinstance(result.exception, SystemExit), \
                result.exception
            last_exit, shown = result.exit_code, result.output
        assert shown.rstrip() == expected.rstrip(), f"README line {line}: $ {command}"


def test_readme_example_files_are_shipped():
    text = README.read_text(encoding="utf-8")
    ruleset = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    assert len(ruleset.strip().splitlines()) <= 10
    assert (ROOT / "examples/readme/ham-tan-online.yaml").read_text(encoding="utf-8") == ruleset
