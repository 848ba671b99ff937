"""`cchc test PATH…`: run the `*.test.yaml` ruleset tests under each PATH (a file or a folder).

Exit 0 every case passed, 1 a case failed or no case ran, 2 a test file, ruleset or data file
could not be read (bad test files are refused before anything runs).
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import click

from ..cli import EXIT_ERROR, EXIT_FAIL, EXIT_OK
from ..messages import _
from ..testing import CaseResult, Reading, collect, counts, run
from . import OUTPUT


def _pattern(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as err:
            raise click.BadParameter(f"not a regular expression: {err}") from None
    return value


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--run", "pattern", metavar="REGEX", callback=_pattern,
              help="Only cases whose name matches REGEX (searched anywhere in the name).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit"]), default="text",
              show_default=True, help="Output format.")
@click.option("--output", type=OUTPUT, metavar="FILE",
              help="Also write the results as JUnit XML here (atomically), for CI; "
                   "stdout keeps --format.")
@click.option("--units", "units_file", metavar="FILE", type=click.Path(path_type=Path),
              help="Units file for every case, as `cchc evaluate --units` (a case's own "
                   "`units_file` wins).")
@click.option("--decimal-comma", is_flag=True,
              help="Numbers in text are written 4.917,5 (Vietnamese style), as `cchc "
                   "evaluate --decimal-comma` reads them.")
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], pattern: str | None, fmt: str,
            output: Path | None, units_file: Path | None, decimal_comma: bool) -> None:
    """Run ruleset tests (*.test.yaml) and print PASS / FAIL / ERROR / SKIP per case."""
    files = collect(paths)
    results = run(files, pattern, reading=Reading(units_file, decimal_comma))
    if output is not None:
        from ..output import write_atomic
        write_atomic(output, render_junit(results).encode("utf-8"))
    click.echo(RENDER[fmt](results), nl=False)
    tally = counts(results)
    if tally["errors"]:
        ctx.exit(EXIT_ERROR)
    ran = tally["passed"] + tally["failed"]
    if tally["failed"] or not ran:
        if not ran and fmt == "text":
            ran_none = _("no test ran matching --run {pattern!r}") if pattern \
                else _("no test ran")
            click.echo(ran_none.format(pattern=pattern), err=True)
        ctx.exit(EXIT_FAIL)
    ctx.exit(EXIT_OK)


def render_text(results: list[CaseResult]) -> str:
    lines = [r.describe() for r in results]
    tally = counts(results)
    lines.append(f"{tally['passed']} passed, {tally['failed']} failed")
    if tally["errors"] or tally["skipped"]:
        lines.append(f"{tally['errors']} errors, {tally['skipped']} skipped")
    return "\n".join(lines) + "\n"


def render_json(results: list[CaseResult]) -> str:
    cases = [{"file": str(r.file.path), "line": r.case.pos.line, "name": r.case.name,
              "status": r.status, "skip": r.case.model.skip,
              "problems": [{"file": p.pos.file if p.pos else None,
                            "line": p.pos.line if p.pos else None,
                            "code": p.code, "message": p.message, "hint": p.hint}
                           for p in r.problems]}
             for r in results]
    return json.dumps({"cases": cases, "summary": counts(results)}, ensure_ascii=False,
                      indent=2) + "\n"


def render_junit(results: list[CaseResult]) -> str:
    """One testsuite per test file, one testcase per case."""
    by_file: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        by_file[str(result.file.path)].append(result)
    tally = counts(results)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="cchc test" tests="{len(results)}" failures="{tally["failed"]}" '
           f'errors="{tally["errors"]}" skipped="{tally["skipped"]}">']
    for file, group in by_file.items():
        t = counts(group)
        out.append(f'  <testsuite name={quoteattr(file)} tests="{len(group)}" '
                   f'failures="{t["failed"]}" errors="{t["errors"]}" skipped="{t["skipped"]}">')
        out.extend(_junit_case(file, r) for r in group)
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def _junit_case(file: str, result: CaseResult) -> str:
    head = (f"    <testcase classname={quoteattr(file)} name={quoteattr(result.case.name)} "
            f'file={quoteattr(file)} line="{result.case.pos.line}"')
    detail = "\n".join(p.format() for p in result.problems)
    first = result.problems[0].message if result.problems else ""
    tag = {"fail": "failure", "error": "error"}.get(result.status)
    if tag:
        return (f"{head}>\n      <{tag} message={quoteattr(first)}>{escape(detail)}</{tag}>\n"
                "    </testcase>")
    if result.status == "skip":
        return f"{head}>\n      <skipped message={quoteattr(result.case.model.skip or '')}/>\n" \
               "    </testcase>"
    return f"{head}/>"


RENDER = {"text": render_text, "json": render_json, "junit": render_junit}
