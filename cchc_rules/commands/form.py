"""`cchc form RULESET --units FILE --period P… --output form.xlsx`: a data-entry workbook.

One row per unit × period and one column per reported metric; `cchc evaluate` reads the
filled-in form back unchanged. With `--scoring`, one self-assessment workbook per unit (the
province's CCHC index, issue 26); with `--appraisal --from FOLDER`, one appraisal workbook
per unit from the self-assessments returned into FOLDER. Exit 0 written, 1 some returned
self-assessment was refused, 2 bad input or output.
"""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, cast

import click

from ..cli import say
from ..messages import _


@click.command()
@click.argument("ruleset", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--units", "units_file", required=True, metavar="FILE",
              type=click.Path(path_type=Path, dir_okay=False),
              help="Units who fill it in: a units file, or a data file that declares units.")
@click.option("--period", "periods", multiple=True, required=True, metavar="P",
              help="Reporting period, e.g. 2024-Q1 (repeatable; one with --scoring).")
@click.option("--level", "levels", multiple=True, metavar="L",
              help="Only units of this level (repeatable).")
@click.option("--unit", "unit_ids", multiple=True, metavar="ID",
              help="Only this unit (repeatable; with --scoring too).")
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
def command(ruleset: Path, units_file: Path, periods: tuple[str, ...], levels: tuple[str, ...],
            unit_ids: tuple[str, ...], output: Path, scoring: bool, appraisal: bool,
            returned: Path | None) -> None:
    """Write an Excel data-entry form for the metrics of RULESET: a row per unit and period
    it existed in, the metrics its level reports; or (--scoring, --appraisal) the workbooks
    of its index."""
    from ..figures.forms import form_rows, form_units, parse_periods, pick_units, write_form
    from ..output import atomic_open
    from ..pipeline import Session

    loaded = Session().load_ruleset(ruleset)
    for warning in loaded.warnings:
        say(warning)
    wanted = parse_periods(periods)
    if scoring or appraisal:
        from .collect import index_books
        click.get_current_context().exit(index_books(
            loaded, form_units(units_file), wanted, output, appraisal, returned, unit_ids))
    units = pick_units(form_units(units_file), levels, unit_ids)
    with atomic_open(output, "wb") as out:
        notes = write_form(loaded, units, wanted, cast(BinaryIO, out), str(ruleset))  # "wb"
    for note in notes:
        click.echo(_("note: {note}").format(note=note), err=True)
    rows = len(form_rows(units, wanted)[0])
    click.echo(_("wrote {output} ({units} units × {periods} periods)").format(
        output=output, units=len(units), periods=len(wanted))
        + (_(", {rows} rows").format(rows=rows) if rows != len(units) * len(wanted) else ""))
