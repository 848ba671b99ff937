"""`cchc draft PLAN --output DRAFT.yaml`: a ruleset drafted from a plan document (.docx, a
text PDF, .txt), every target with its sentence, place and review notes; the report of what
was structured on stdout (table or JSON). Exit 0 drafted (also with no target found, said
as a warning), 2 the document or the options could not be used. See docs/draft.md.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from ..errors import CchcError, Position, Problem
from ..messages import _


@click.command()
@click.argument("plan", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The drafted ruleset (YAML) to write; an existing file is kept unless "
                   "--force.")
@click.option("--extends", "extends", type=click.Path(path_type=Path, dir_okay=False),
              help="A ruleset the draft extends: its metrics are reused by name and synonym.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help="The report of what was drafted: a table (default) or JSON.")
@click.option("--force", is_flag=True, help="Overwrite an existing --output file.")
def command(plan: Path, output: Path, extends: Path | None, fmt: str, force: bool) -> None:
    """Draft a ruleset from the plan document PLAN (.docx, .pdf with text, .txt)."""
    from ..draft.build import draft_file
    from ..draft.report import to_json, to_table
    from ..output import write_atomic
    if output.exists() and not force:
        raise CchcError.one("IO05", _("the file already exists; cchc draft does not overwrite "
                                      "it"), Position(str(output)),
                            _("give another --output, or add --force"))
    draft = draft_file(plan, output, extends)
    _check(draft.yaml, output)
    write_atomic(output, draft.yaml)
    for warning in draft.warnings:
        click.echo(warning.format(), err=True)
    if not draft.entries:
        click.echo(Problem("DRF05", _("no target sentence found: the draft has no targets"),
                           Position(str(plan)), severity="warning").format(), err=True)
    click.echo(to_json(draft, str(output)) if fmt == "json" else to_table(draft, str(output)),
               nl=False)


def _check(text: str, output: Path) -> None:
    """The draft must validate as it will be read: from a file beside `output` (so that a
    relative `extends` resolves), removed afterwards."""
    from ..ruleset.loader import load_ruleset
    folder = output.resolve().parent
    fd, name = tempfile.mkstemp(suffix=".yaml", prefix=".draft-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        load_ruleset(name)
    except CchcError as err:
        raise CchcError.one("INT01", _("internal error: the draft does not validate: "
                                       "{problem}").format(problem=err.problems[0].message),
                            Position(str(output))) from None
    finally:
        os.unlink(name)
