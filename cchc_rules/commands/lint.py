"""`cchc lint RULESET…`: style findings on valid rulesets (docs/lint.md); a directory stands
for every ruleset under it, as for `cchc validate`.

One warning line per finding on stderr (`file:line:col: warning LNT01 …`), or a JSON list on
stdout with `--format json`; `ok <file>` for a clean ruleset. Exit 0 clean, 1 findings,
2 a ruleset that does not validate.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..cli import EXIT_ERROR, EXIT_FAIL, print_problems, say
from ..errors import CchcError, escape_controls
from .validate import expand, is_units_file


@click.command()
@click.argument("rulesets", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", default="text", show_default=True,
              type=click.Choice(["text", "json"]))
@click.pass_context
def command(ctx: click.Context, rulesets: tuple[Path, ...], fmt: str) -> None:
    """Report what validates in RULESET but is probably not what the plan meant."""
    from ..pipeline import Session
    from ..ruleset.lint import lint

    session = Session()
    findings, invalid = [], 0
    # a directory stands for every ruleset under it, as for validate (units files have no
    # style to lint)
    paths = [p for given in rulesets for p in expand(given) if not is_units_file(p)]
    for path in paths:
        try:
            loaded = session.load_ruleset(path)
        except CchcError as err:
            print_problems(err)
            invalid += 1
            continue
        found = lint(loaded)
        findings += found
        if fmt == "text":
            for problem in found:
                say(problem)
            if not found:
                click.echo(escape_controls(f"ok {path}"))
    if fmt == "json":
        click.echo(json.dumps([{"code": p.code, "message": p.message,
                                "file": p.pos.file if p.pos else None,
                                "line": p.pos.line if p.pos else None,
                                "col": p.pos.col if p.pos else None, "hint": p.hint}
                               for p in findings], ensure_ascii=False, indent=2))
    if invalid:
        ctx.exit(EXIT_ERROR)
    if findings:
        ctx.exit(EXIT_FAIL)
