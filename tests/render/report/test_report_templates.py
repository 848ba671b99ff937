"""The template loader chain: user folder first, shipped templates as `default:`, sandbox."""
from __future__ import annotations

from pathlib import Path

import pytest

from cchc_rules.errors import CchcError
from cchc_rules.render.report import templates


def render(folder: Path | None, template: str, **context: object) -> str:
    return templates.render(templates.environment(folder), template, context)


def problem(folder: Path | None, template: str, **context: object):
    with pytest.raises(CchcError) as err:
        render(folder, template, **context)
    assert len(err.value.problems) == 1
    return err.value.problems[0]


def test_shipped_templates_are_found_in_the_repository() -> None:
    folder = templates.default_dir()
    assert (folder / templates.REPORT_TEMPLATE).is_file()
    assert (folder / "report.css").is_file() and (folder / "print.css").is_file()


def test_user_template_overrides_and_default_stays_reachable(tmp_path: Path) -> None:
    (tmp_path / "report.css").write_text("body { color: #123456; }")
    (tmp_path / "mine.j2").write_text(
        '{% extends "default:report.css" %}')
    assert render(tmp_path, "report.css") == "body { color: #123456; }"
    shipped = render(tmp_path, "default:report.css")
    assert "DejaVu Sans" in shipped
    assert render(tmp_path, "mine.j2") == shipped


def test_autoescape_is_on(tmp_path: Path) -> None:
    (tmp_path / "x.html.j2").write_text("<p>{{ name }}</p>")
    assert render(tmp_path, "x.html.j2", name="<script>alert(1)</script>") == \
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_sandbox_refuses_python_internals(tmp_path: Path) -> None:
    (tmp_path / "evil.j2").write_text("{{ name.__class__.__mro__[1].__subclasses__() }}")
    found = problem(tmp_path, "evil.j2", name="x")
    assert found.code == "RPT05"
    assert "unsafe" in found.message or "not safely" in found.message, found.message


def test_syntax_error_names_the_template_line(tmp_path: Path) -> None:
    (tmp_path / "bad.j2").write_text("<p>\n{% for x in %}\n")
    found = problem(tmp_path, "bad.j2")
    assert found.code == "RPT03"
    assert found.pos.line == 2 and found.pos.file.endswith("bad.j2"), found


def test_unknown_variable_suggests_the_near_field(tmp_path: Path) -> None:
    (tmp_path / "typo.j2").write_text("line one\n{{ rulset.title }}\n")
    found = problem(tmp_path, "typo.j2", ruleset={"title": "x"})
    assert found.code == "RPT05"
    assert found.hint == "did you mean 'ruleset'?"
    assert found.pos.file.endswith("typo.j2") and found.pos.line == 2, found


def test_missing_template_and_missing_folder(tmp_path: Path) -> None:
    assert problem(tmp_path, "nope.j2").code == "RPT04"
    with pytest.raises(CchcError) as err:
        templates.environment(tmp_path / "absent")
    assert err.value.problems[0].code == "RPT02"


def test_python_errors_inside_a_template_point_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "div.j2").write_text("a\nb\n{{ 1 // n }}\n")
    found = problem(tmp_path, "div.j2", n=0)
    assert found.code == "RPT05" and found.pos.line == 3, found
    assert "ZeroDivisionError" in found.message
