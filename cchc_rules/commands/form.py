"""`cchc form RULESET --units FILE --period P… --output form.xlsx`: a data-entry workbook.

One row per unit × period and one column per reported metric; `cchc evaluate` reads the
filled-in form back unchanged. Exit 0 written, 2 bad input or output.
"""
from __future__ import annotations

from pathlib import Path

import click

from ..cli import say
from ..messages import _


@click.command()
@click.argument("ruleset", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--units", "units_file", required=True, metavar="FILE",
              type=click.Path(path_type=Path, dir_okay=False),
              help="Units who fill it in: a units file, or a data file that declares units.")
@click.option("--period", "periods", multiple=True, required=True, metavar="P",
              help="Reporting period, e.g. 2024-Q1 (repeatable).")
@click.option("--output", required=True, metavar="FILE",
              type=click.Path(path_type=Path, dir_okay=False), help="The .xlsx to write.")
def command(ruleset: Path, units_file: Path, periods: tuple[str, ...], output: Path) -> None:
    """Write an Excel data-entry form for the metrics of RULESET."""
    from ..figures.forms import form_units, parse_periods, write_form
    from ..output import atomic_open
    from ..pipeline import Session

    loaded = Session().load_ruleset(ruleset)
    for warning in loaded.warnings:
        say(warning)
    wanted = parse_periods(periods)
    units = form_units(units_file)
    with atomic_open(output, "wb") as out:
        notes = write_form(loaded, units, wanted, out, str(ruleset))
    for note in notes:
        click.echo(_("note: {note}").format(note=note), err=True)
    click.echo(_("wrote {output} ({units} units × {periods} periods)").format(
        output=output, units=len(units), periods=len(wanted)))
