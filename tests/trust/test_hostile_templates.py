"""Hostile user templates (issue 15, items 1, 8 and 10): no escape through symlinks, no
recursion traceback, and no template spends minutes or gigabytes; each is one RPT line."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import write_inputs

from cchc_rules.cli import main
from cchc_rules.errors import CchcError
from cchc_rules.render.report import sandbox, templates


def problem(folder: Path, template: str, **context: object):
    started = time.monotonic()
    with pytest.raises(CchcError) as err:
        templates.render(templates.environment(folder), template, context)
    assert time.monotonic() - started < 10, "a refused template must stop within seconds"
    assert len(err.value.problems) == 1
    return err.value.problems[0]


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_include_through_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0 SECRET", encoding="utf-8")
    folder = write(tmp_path / "t", "x.j2", "{% include 'p' %}")
    os.symlink(secret, folder / "p")
    found = problem(folder, "x.j2")
    assert found.code == "RPT06" and "outside" in found.message, found
    assert "SECRET" not in found.format()


def test_symlinked_template_folder_and_symlinks_inside_it_still_work(tmp_path: Path) -> None:
    real = write(tmp_path / "real", "body.j2", "inside")
    write(real, "x.j2", "{% include 'alias.j2' %}")
    os.symlink(real / "body.j2", real / "alias.j2")
    os.symlink(real, tmp_path / "link")
    assert templates.render(templates.environment(tmp_path / "link"), "x.j2", {}) == "inside"


def test_cli_report_with_an_escaping_include_exits_2(tmp_path: Path) -> None:
    ruleset, data = write_inputs(tmp_path / "in")
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-LINE", encoding="utf-8")
    folder = write(tmp_path / "t", templates.REPORT_TEMPLATE, "{% include 'p' %}")
    os.symlink(secret, folder / "p")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(ruleset), "--data", str(data), "--format",
                                       "html", "--templates", str(folder), "--output", str(out)])
    assert result.exit_code == 2, result.output
    assert "RPT06" in result.output and "SECRET-LINE" not in result.output
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize("text", [
    "{% extends 'x.j2' %}",
    "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
    "{% include 'x.j2' %}",
])
def test_recursive_templates_give_an_rpt_line(tmp_path: Path, text: str) -> None:
    found = problem(write(tmp_path / "t", "x.j2", text), "x.j2")
    assert found.code == "RPT07" and "recursion" in found.message, found


@pytest.mark.parametrize("text, says", [
    ("{{ 9 ** (9 ** 9) }}", "power"),
    ("{{ 2 ** 100000 }}", "power"),
    ("{{ ('a' * 10**10)|length }}", "repetition"),
    ("{{ ([1] * 10**9)|length }}", "repetition"),
    ("{% for i in range(10**9) %}{% endfor %}", "range"),
    ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
     "ranges"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
     "{% endfor %}{{ ns.s|length }}", "100,000"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
     "{% endfor %}{{ ns.s|length }}", "100,000"),
    ("{% set ns = namespace(n=3) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}"
     "{% endfor %}{{ ns.n }}", "product"),
    ("{{ 'a'|center(10**10) }}", "filter"),
    ("{{ 'a'.center(10**10) }}", "string method"),
    ("{{ '{:>9999999999}'.format(1) }}", "string method"),
    ("{{ '%9999999999d' % 1 }}", "format width"),
    ("{{ '%9999999999d'|format(1) }}", "filter"),
])
def test_expensive_templates_are_refused_quickly(tmp_path: Path, text: str, says: str) -> None:
    found = problem(write(tmp_path / "t", "x.j2", text), "x.j2")
    assert found.code == "RPT07" and says in found.message, found
    assert found.pos.file.endswith("x.j2"), found


def test_rendering_has_a_deadline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A loop that calls nothing the sandbox intercepts: only the deadline stops it.
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.5)
    text = "{% for a in rows %}{% for b in rows %}{% for c in rows %}x{% endfor %}" \
           "{% endfor %}{% endfor %}"
    found = problem(write(tmp_path / "t", "x.j2", text), "x.j2", rows=list(range(2000)))
    assert found.code == "RPT07" and "longer than 0.5 s" in found.message, found


def test_ordinary_arithmetic_and_ranges_still_work(tmp_path: Path) -> None:
    text = "{{ 2 ** 10 }} {{ 'ab' * 3 }} {{ range(3)|list }} {{ 'x' ~ 1 }} {{ 7 % 3 }} " \
           "{{ '%05.1f'|format(3.14159) }} {{ 'a'|center(5) }}|{{ [1] + [2] }}"
    out = templates.render(templates.environment(write(tmp_path / "t", "x.j2", text)),
                           "x.j2", {})
    assert out == "1024 ababab [0, 1, 2] x1 1 003.1   a  |[1, 2]"
