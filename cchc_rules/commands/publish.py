"""`cchc publish RULESET --data FIGURES… --units FILE [--evidence FILE] [--period P]
--format html|pdf|xlsx --output FILE`: the publication edition of a province's CCHC index
(issue 26) — the annex of the UBND's decision: per track the ranking with bands, points per
area and the change on last year (give last year's figures as another --data); per unit the
criteria where points were lost, self against appraised, with the appraiser's comment.

Exit 0 written, 2 bad input (the findings never change the exit code, as `cchc report`).
"""
from __future__ import annotations

import io
from pathlib import Path

import click

from ..messages import _
from . import OUTPUT
from .evaluate import data_options, echo_warning


@click.command()
@data_options
@click.option("--evidence", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False),
              help="Evidence, explanations and comments: the file cchc collect --evidence "
                   "wrote.")
@click.option("--period", metavar="P", help="The year published (default: the latest).")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "xlsx"]), required=True)
@click.option("--output", "-o", type=OUTPUT, required=True, metavar="FILE",
              help="Where to write (atomically).")
def command(ruleset: Path, data: tuple[Path, ...], units_file: Path | None,
            decimal_comma: bool, lang: str, evidence: Path | None, period: str | None,
            fmt: str, output: Path) -> None:
    """Publish the index of RULESET: the annex of the decision, HTML, PDF or xlsx."""
    from ..output import write_atomic
    from ..pipeline import Session
    from ..render.annex import annex_html, annex_xlsx, build_annex, read_evidence

    evaluation = Session().evaluate(ruleset, data, units_file, decimal_comma,
                                    warn=echo_warning)
    notes = read_evidence(evidence) if evidence is not None else None
    annex = build_annex(evaluation, lang, period, notes)
    rendered = io.BytesIO()   # all of it first: a failure leaves no file behind
    if fmt == "xlsx":
        annex_xlsx(annex, rendered)
    elif fmt == "html":
        rendered.write(annex_html(annex).encode("utf-8"))
    else:
        from ..render.pdf import html_to_pdf
        pdf, warnings = html_to_pdf(annex_html(annex), output)
        for warning in warnings:
            echo_warning(warning)
        rendered.write(pdf)
    write_atomic(output, rendered.getvalue())
    click.echo(_("wrote {output}").format(output=output), err=True)
