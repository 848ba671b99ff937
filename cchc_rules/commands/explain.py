"""`cchc explain RULESET --data FILE… --target T --unit U --period P`: why one result is what
it is — formula with values, sources, roll-up, milestone, trajectory, status reason. With
`--records NAME=LOCATION`, a figure counted from records shows its SQL and count."""
from __future__ import annotations

import click

from .evaluate import data_options, echo_warning, require_figures


@click.command()
@data_options(records=True)
@click.option("--target", required=True, metavar="ID", help="Target id.")
@click.option("--unit", required=True, metavar="ID", help="Unit id.")
@click.option("--period", required=True, metavar="P", help="Period, e.g. 2024-Q1.")
def command(ruleset, data, units_file, decimal_comma, lang, records, as_of, target, unit,
            period) -> None:
    """Explain the status of one TARGET for one UNIT and PERIOD (Vietnamese by default)."""
    from ..pipeline import Session
    from ..render.explain import explain
    require_figures(click.get_current_context(), data, records)
    session = Session()
    inputs = session.load(ruleset, data, units_file, decimal_comma, warn=echo_warning,
                          records=records, as_of=as_of, periods=[period])
    versions = session.versions(ruleset, inputs.ruleset)   # the plan in force by date
    click.echo(explain(inputs.ruleset, inputs.figures, target, unit, period, lang=lang,
                       versions=versions), nl=False)
