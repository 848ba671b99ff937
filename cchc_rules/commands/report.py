"""`cchc report RULESET --data FILE… --format html|pdf --output FILE`: the render stage's edge.

Exit 0 when the report was written, 2 on bad input (spec §4); with `--fail-on STATUSES` the
exit is graded as `cchc evaluate`'s (1 when a listed status occurred, the report still
written). `--period` keeps only those periods' results, as in evaluate. Figures are read
exactly as `cchc evaluate` reads them.
"""
from __future__ import annotations

import io
from pathlib import Path

import click

from ..cli import EXIT_FAIL, EXIT_OK
from ..messages import _
from ..render import choices
from . import OUTPUT
from .evaluate import (
    data_options,
    echo_warning,
    incremental_options,
    parse_fail_on,
    require_figures,
)

DETAILS = ("auto", "full", "summary")


@click.command()
@data_options(records=True)
@click.option("--format", "fmt", type=click.Choice(choices("report")), required=True)
@click.option("--output", "-o", type=OUTPUT,
              required=True, metavar="FILE", help="Where to write (atomically).")
@click.option("--templates", "template_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="Folder whose templates override the shipped ones "
                   "(the shipped ones stay reachable as default:NAME).")
@click.option("--detail", type=click.Choice(DETAILS), default="auto", show_default=True,
              help="full: every row; summary: bounded lists; auto: summary above 5,000 results "
                   "(above 200 in a PDF).")
@click.option("--show-not-applicable", is_flag=True,
              help="List not applicable results too (left out and counted by default).")
@click.option("--period", "periods", multiple=True, metavar="P",
              help="Only this period's results (repeatable).")
@click.option("--fail-on", default=None, metavar="STATUSES",
              help="Exit 1 when one of these statuses occurred, as evaluate "
                   "(e.g. not_met,off_track,invalid,fail); without it the exit is 0.")
@incremental_options
def command(ruleset: Path, data: tuple[Path, ...], units_file: Path | None,
            decimal_comma: bool, lang: str, records: tuple[str, ...], as_of, fmt: str,
            output: Path, template_dir: Path | None, detail: str,
            show_not_applicable: bool, periods: tuple[str, ...],
            fail_on: str | None, since: str | None, cache: Path | None) -> None:
    """Render a compliance report of RULESET against the reported figures."""
    from ..output import write_atomic
    from ..pipeline import Session

    ctx = click.get_current_context()
    require_figures(ctx, data, records)
    failing = parse_fail_on(fail_on) if fail_on is not None else ()
    session = Session()
    evaluation = session.evaluate(ruleset, data, units_file, decimal_comma, warn=echo_warning,
                                  records=records, periods=periods or None,
                                  as_of=as_of, since=since, cache=cache)
    from ..evaluation.view import for_readers
    evaluation = for_readers(evaluation, show_not_applicable=show_not_applicable)
    inputs = [("data", p) for p in data] + ([("units", units_file)] if units_file else [])
    options = {"lang": lang, "detail": detail, "template_dir": template_dir, "inputs": inputs}
    if fmt == "pdf":
        options["output"] = output
    rendered = io.BytesIO()  # all of it first: a template error leaves no file behind
    for warning in session.render(evaluation, fmt, rendered, **options):
        echo_warning(warning)
    write_atomic(output, rendered.getvalue())
    click.echo(_("wrote {output}").format(output=output), err=True)
    ctx.exit(EXIT_FAIL if failing and evaluation.failed(failing) else EXIT_OK)
