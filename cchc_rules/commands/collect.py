"""`cchc collect RULESET FOLDER --units FILE --period P --output figures.csv`: the returned
self-assessment and appraisal workbooks of a province's CCHC index (issue 26) → one long
figures file with provenance per value (file, sheet, cell, SHA-256), and with `--evidence`
one row per criterion with the evidence, explanations and comments.

Every refused workbook, conflict and cell problem is a positioned line; the units that sent
nothing are listed. Exit 0 every expected unit's workbook was used, 1 some were refused, in
conflict or missing (the figures of the others are still written), 2 could not run.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..messages import _


@click.command()
@click.argument("ruleset", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--units", "units_file", required=True, metavar="FILE",
              type=click.Path(path_type=Path, dir_okay=False),
              help="The units scored: a units file, or a data file that declares units.")
@click.option("--period", required=True, metavar="P", help="The period scored, e.g. 2025.")
@click.option("--output", required=True, metavar="FILE",
              type=click.Path(path_type=Path, dir_okay=False),
              help="The figures to write: long CSV (unit, period, metric, value, source).")
@click.option("--evidence", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write one row per criterion: points, evidence, explanation, "
                   "comment, where read.")
def command(ruleset: Path, folder: Path, units_file: Path, period: str, output: Path,
            evidence: Path | None) -> None:
    """Collect a folder of returned scoring workbooks into figures."""
    from ..figures.collect import (
        EVIDENCE_FIELDS,
        FIGURE_FIELDS,
        csv_text,
        evidence_rows,
        figure_rows,
    )
    from ..figures.forms import form_units, parse_periods
    from ..output import atomic_open
    from ..pipeline import Session

    loaded = Session().load_ruleset(ruleset)
    (wanted,) = parse_periods([period])
    units = form_units(units_file)
    found, code = _collected(loaded, units, wanted, folder)
    rows = figure_rows(found)
    with atomic_open(output, "w") as out:
        out.write(csv_text(rows, FIGURE_FIELDS))
    if evidence is not None:
        with atomic_open(evidence, "w") as out:
            out.write(csv_text(evidence_rows(found), EVIDENCE_FIELDS))
    click.echo(_("wrote {output}: {figures} figures from {used} of {expected} units' "
                 "workbooks").format(output=output, figures=len(rows), used=len(found.used),
                                     expected=len(found.expected)))
    click.get_current_context().exit(code)


def _collected(ruleset: Any, units: dict, period: Any, folder: Path) -> tuple[Any, int]:
    """Collect, print every problem, what was refused and who sent nothing; the exit code."""
    from ..cli import EXIT_FAIL, EXIT_OK
    from ..figures.collect import collect

    found = collect(folder, ruleset, units, period)
    for problem in found.problems:
        click.echo(problem.format(), err=True)
    for again, first in found.duplicates:
        click.echo(_("note: {again} is the same file as {first} (same SHA-256); used once")
                   .format(again=again.path.name, first=first.path.name), err=True)
    refused = sorted({b.path.name for b in found.refused})
    if refused:
        click.echo(_("refused {n} workbook(s): {files}").format(
            n=len(refused), files=", ".join(refused)), err=True)
    if found.missing:
        click.echo(_("{n} unit(s) sent nothing: {units}").format(
            n=len(found.missing), units=", ".join(found.missing)), err=True)
    clean = not refused and not found.conflicts and not found.missing
    return found, EXIT_OK if clean else EXIT_FAIL


def index_books(ruleset: Any, units: dict, periods: list, output: Path, appraisal: bool,
                returned: Path | None, only: tuple[str, ...]) -> int:
    """`cchc form --scoring|--appraisal`: write the workbooks; the exit code."""
    from ..cli import EXIT_OK
    from ..errors import CchcError, did_you_mean
    from ..figures.scoring_book import APPRAISAL, SELF, write_books

    if len(periods) != 1:
        raise CchcError.one("USG03", _("the index is scored for one period; {n} given").format(
            n=len(periods)), hint=_("give one --period, e.g. --period 2025"))
    if ruleset.model.scoring is None:
        raise CchcError.one("EVL05", _("ruleset '{ruleset}' has no scoring").format(
            ruleset=ruleset.model.ruleset), hint=_("add a scoring block (spec §7, "
                                                  "docs/scoring.md)"))
    unknown = [u for u in only if u not in units]
    if unknown:
        raise CchcError([CchcError.one("EVL02", _("unknown unit '{unit}'").format(unit=u),
                                       hint=did_you_mean(u, units)).problems[0]
                         for u in unknown])
    chosen = {u: units[u] for u in only} if only else units
    code, selfs = EXIT_OK, None
    if appraisal:
        if returned is None:
            raise CchcError.one("USG03", _("--appraisal needs --from FOLDER, the returned "
                                           "self-assessments"))
        found, code = _collected(ruleset, chosen, periods[0], returned)
        selfs = {u: {e.indicator.id: (e.self_points, e.evidence, e.link, e.explanation)
                     for e in b.entries} for u, b in found.used.items() if b.kind == SELF}
    written = write_books(ruleset, chosen, periods[0], output,
                          APPRAISAL if appraisal else SELF, selfs)
    for _unit, path, n in written:
        click.echo(_("wrote {path} ({n} criteria)").format(path=path, n=n))
    return code
