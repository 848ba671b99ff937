"""Render stage: one list of output formats (render.OUTPUTS). The commands' `--format`
choices come from it, every writer it names exists, and the docs list the same formats in
the same order: README's commands table, docs/evaluate.md, docs/report.md, docs/scoring.md."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from cchc_rules.render import _WRITERS, FORMATS, OUTPUTS, choices

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ("evaluate", "report", "rank")


def _flat(path: str) -> str:
    """The page with every run of white space one space (a synopsis may wrap)."""
    return re.sub(r"\s+", " ", (ROOT / path).read_text(encoding="utf-8"))


def test_the_registry_lists_each_command_s_formats_in_order():
    assert choices("evaluate") == ["table", "json", "csv", "junit", "parquet", "arrow"]
    assert choices("report") == ["html", "pdf"]
    assert choices("rank") == ["table", "csv", "json", "xlsx"]
    assert {o.command for o in OUTPUTS} == set(COMMANDS)
    assert len({(o.name, o.command) for o in OUTPUTS}) == len(OUTPUTS)


@pytest.mark.parametrize("command", COMMANDS)
def test_the_cli_offers_the_registry_s_formats(command):
    cli = importlib.import_module(f"cchc_rules.commands.{command}").command
    option = next(p for p in cli.params if p.name == "fmt")
    assert list(option.type.choices) == choices(command)


def test_every_writer_named_exists_and_evaluate_s_formats_all_write():
    for output in OUTPUTS:
        for place in (output.text, output.stream):
            if place is not None:
                assert callable(FORMATS[output.name] if place is output.text
                                else _WRITERS[output.name]), output
    assert set(_WRITERS) == set(choices("evaluate"))
    assert list(FORMATS) == ["table", "json", "csv", "junit"]


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_commands_table_lists_the_registry_s_formats(command):
    rows = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
            if line.startswith(f"| `cchc {command} ")]
    assert len(rows) == 1, rows
    found = re.search(r"--format ([a-z|\\]+)", rows[0])
    assert found is not None, rows[0]
    assert found.group(1).split("\\|") == choices(command)


@pytest.mark.parametrize(("page", "command"), [
    ("docs/evaluate.md", "evaluate"), ("docs/report.md", "report"),
    ("docs/scoring.md", "rank"),
])
def test_each_command_s_page_lists_the_registry_s_formats(page, command):
    listed = re.findall(r"--format ([a-z]+(?:\|[a-z]+)+)", _flat(page))
    assert choices(command) in [names.split("|") for names in listed], listed


def test_evaluate_page_options_table_names_every_format_in_order():
    [row] = [line for line in (ROOT / "docs/evaluate.md").read_text(encoding="utf-8")
             .splitlines() if line.startswith("| `--format` |")]
    named = re.findall(r"`([a-z]+)`", row.split("|")[2])
    assert named == choices("evaluate")
