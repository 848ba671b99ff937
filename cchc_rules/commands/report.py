"""`cchc report RULESET --data FILE… --format html|pdf --output FILE`: the render stage's edge.

Exit 0 when the report was written, 2 on bad input (spec §4); the report's findings
themselves never change the exit code.
"""
from __future__ import annotations

from pathlib import Path

import click

from ..render.i18n import LANGS

DETAILS = ("auto", "full", "summary")


@click.command()
@click.argument("ruleset", type=click.Path(path_type=Path))
@click.option("--data", "data", multiple=True, required=True, type=click.Path(path_type=Path),
              help="Reported figures (YAML, JSON, CSV); repeatable.")
@click.option("--units", type=click.Path(path_type=Path), help="Units file.")
@click.option("--decimal-comma", is_flag=True, help="Read 4.917,5 style numbers in CSV.")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), required=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True)
@click.option("--lang", type=click.Choice(LANGS), default="vi", show_default=True)
@click.option("--templates", "template_dir", type=click.Path(path_type=Path),
              help="Folder whose templates override the shipped ones "
                   "(the shipped ones stay reachable as default:NAME).")
@click.option("--detail", type=click.Choice(DETAILS), default="auto", show_default=True,
              help="full: every row; summary: bounded lists; auto: summary above 5,000 results.")
def command(ruleset: Path, data: tuple[Path, ...], units: Path | None, decimal_comma: bool,
            fmt: str, output: Path, lang: str, template_dir: Path | None, detail: str) -> None:
    """Render a compliance report of RULESET against the reported figures."""
    from ..data import read_data
    from ..evaluate import evaluate
    from ..output import write_atomic
    from ..ruleset import load_ruleset

    loaded = load_ruleset(ruleset)
    evaluation = evaluate(loaded, read_data(list(data), units_file=units,
                                            decimal_comma=decimal_comma))
    inputs = [("data", p) for p in data] + ([("units", units)] if units else [])
    options = {"lang": lang, "detail": detail, "template_dir": template_dir, "inputs": inputs}
    if fmt == "html":
        from ..render.html import render_html
        write_atomic(output, render_html(evaluation, **options).encode("utf-8"))
    else:
        from ..render.pdf import render_pdf
        pdf, warnings = render_pdf(evaluation, output, **options)
        for warning in warnings:
            click.echo(warning.format(), err=True)
        write_atomic(output, pdf)
    click.echo(f"wrote {output}", err=True)
