"""`cchc report RULESET --data FILE… --format html|pdf --output FILE`: the render stage's edge.

Exit 0 when the report was written, 2 on bad input (spec §4); the report's findings
themselves never change the exit code. Figures are read exactly as `cchc evaluate` reads them.
"""
from __future__ import annotations

import io
from pathlib import Path

import click

from ..messages import _
from . import OUTPUT
from .evaluate import data_options, echo_warning, require_figures

DETAILS = ("auto", "full", "summary")


@click.command()
@data_options(records=True)
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), required=True)
@click.option("--output", "-o", type=OUTPUT,
              required=True, metavar="FILE", help="Where to write (atomically).")
@click.option("--templates", "template_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="Folder whose templates override the shipped ones "
                   "(the shipped ones stay reachable as default:NAME).")
@click.option("--detail", type=click.Choice(DETAILS), default="auto", show_default=True,
              help="full: every row; summary: bounded lists; auto: summary above 5,000 results "
                   "(above 200 in a PDF).")
def command(ruleset: Path, data: tuple[Path, ...], units_file: Path | None,
            decimal_comma: bool, lang: str, records: tuple[str, ...], as_of, fmt: str,
            output: Path,
            template_dir: Path | None, detail: str) -> None:
    """Render a compliance report of RULESET against the reported figures."""
    from ..output import write_atomic
    from ..pipeline import Session

    require_figures(click.get_current_context(), data, records)
    session = Session()
    evaluation = session.evaluate(ruleset, data, units_file, decimal_comma, warn=echo_warning,
                                  records=records, as_of=as_of)
    inputs = [("data", p) for p in data] + ([("units", units_file)] if units_file else [])
    options = {"lang": lang, "detail": detail, "template_dir": template_dir, "inputs": inputs}
    if fmt == "pdf":
        options["output"] = output
    rendered = io.BytesIO()  # all of it first: a template error leaves no file behind
    for warning in session.render(evaluation, fmt, rendered, **options):
        echo_warning(warning)
    write_atomic(output, rendered.getvalue())
    click.echo(_("wrote {output}").format(output=output), err=True)
