"""`cchc form RULESET --units FILE --period P… --output form.xlsx`: a data-entry workbook.

One row per unit × period and one column per reported metric; `cchc evaluate` reads the
filled-in form back unchanged. With `--scoring`, one self-assessment workbook per unit (the
province's CCHC index, issue 26); with `--appraisal --from FOLDER`, one appraisal workbook
per unit from the self-assessments returned into FOLDER. Exit 0 written, 1 some returned
self-assessment was refused, 2 bad input or output.
"""
from __future__ import annotations

from pathlib import Path

import click

from ..messages import _


@click.command()
@click.argument("ruleset", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--units", "units_file", required=True, metavar="FILE",
              type=click.Path(path_type=Path, dir_okay=False),
              help="Units who fill it in: a units file, or a data file that declares units.")
@click.option("--period", "periods", multiple=True, required=True, metavar="P",
              help="Reporting period, e.g. 2024-Q1 (repeatable; one with --scoring).")
@click.option("--output", required=True, metavar="FILE|FOLDER",
              type=click.Path(path_type=Path),
              help="The .xlsx to write; with --scoring or --appraisal a folder gets one "
                   "workbook per unit.")
@click.option("--scoring", is_flag=True,
              help="Self-assessment workbooks of the ruleset's scoring, one per unit.")
@click.option("--appraisal", is_flag=True,
              help="Appraisal workbooks from the self-assessments returned into --from.")
@click.option("--from", "returned", metavar="FOLDER", type=click.Path(path_type=Path),
              help="With --appraisal: the folder of returned self-assessment workbooks.")
@click.option("--unit", "only", multiple=True, metavar="ID",
              help="With --scoring: only this unit (repeatable).")
def command(ruleset: Path, units_file: Path, periods: tuple[str, ...], output: Path,
            scoring: bool, appraisal: bool, returned: Path | None, only: tuple[str, ...]
            ) -> None:
    """Write an Excel data-entry form for the metrics of RULESET, or (--scoring,
    --appraisal) the workbooks of its index."""
    from ..figures.forms import form_units, parse_periods, write_form
    from ..output import atomic_open
    from ..pipeline import Session

    loaded = Session().load_ruleset(ruleset)
    for warning in loaded.warnings:
        click.echo(warning.format(), err=True)
    wanted = parse_periods(periods)
    units = form_units(units_file)
    if scoring or appraisal:
        from .collect import index_books
        click.get_current_context().exit(
            index_books(loaded, units, wanted, output, appraisal, returned, only))
    with atomic_open(output, "wb") as out:
        notes = write_form(loaded, units, wanted, out, str(ruleset))
    for note in notes:
        click.echo(_("note: {note}").format(note=note), err=True)
    click.echo(_("wrote {output} ({units} units × {periods} periods)").format(
        output=output, units=len(units), periods=len(wanted)))
