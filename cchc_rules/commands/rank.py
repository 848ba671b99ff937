"""`cchc rank RULESET --data FILE…`: the spec §7 ranking by points, as table, csv, json or xlsx.

Every period is scored (so `previous_index` and `rank_change` see the period before), then
`--period` and `--level` keep what is shown. Exit 0, or 2 for bad input or a ruleset
without `scoring`.
"""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import click

from ..cli import EXIT_OK
from ..errors import CchcError, Problem, did_you_mean
from ..messages import _, noun
from ..periods import canonical
from ..render import choices
from .evaluate import data_options, echo_warning


def words_of(lang: str) -> dict[str, str]:
    from ..render.i18n import words
    return words(lang)


@click.command()
@data_options
@click.option("--period", "periods", multiple=True, metavar="P", help="Only this period.")
@click.option("--level", "levels", multiple=True, metavar="L",
              help="Only units of this level (province, district, commune, …).")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(choices("rank")))
@click.option("--what", type=click.Choice(["rankings", "scores", "groups"]),
              default="rankings", show_default=True, help="With --format csv: the rows.")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Write here (atomically) instead of stdout; needed for xlsx.")
@click.pass_context
def command(ctx: click.Context, ruleset, data, units_file, decimal_comma, lang, periods,
            levels, fmt, what, output) -> None:
    """Rank units by the points of RULESET's scoring, per period and level."""
    from ..output import atomic_open
    from ..pipeline import Session
    from ..render import scores as render

    if fmt == "xlsx" and output is None:
        raise click.UsageError(_("--format xlsx writes a workbook: give --output FILE.xlsx"))
    session = Session()
    evaluation = session.evaluate(ruleset, data, units_file, decimal_comma, warn=echo_warning)
    model = evaluation.ruleset.model
    if model.scoring is None:
        raise CchcError([Problem("EVL05", _("ruleset '{ruleset}' has no scoring").format(
                                            ruleset=model.ruleset), None,
                                 _("add a scoring block (spec §7, docs/scoring.md)"))])
    _check_asked(evaluation.scores().rankings, periods, levels)
    # what a person reads (table, xlsx) leaves out internal periods and units with nothing
    # scored (evaluation/view.py); JSON and CSV keep every row
    hidden = None
    if fmt in ("table", "xlsx"):
        from ..evaluation.view import for_readers
        evaluation.asked = periods or None   # a period asked for is shown, internal or not
        evaluation = for_readers(evaluation)
        hidden = evaluation.hidden
    scores = evaluation.scores()
    periods = tuple(canonical(p) for p in periods)   # "Quý I/2024" as 2024-Q1
    _check_asked(scores.rankings, periods, levels)
    picked = type(scores)(*(render.pick(getattr(scores, name), list(periods), list(levels))
                            for name in render.WHAT))
    if levels or hidden is not None:  # scores and groups carry no level: keep the units
        # the rankings kept
        kept = picked.rankings.select("unit", "period")
        picked = type(scores)(picked.scores.join(kept, on=["unit", "period"], how="semi"),
                              picked.groups.join(kept, on=["unit", "period"], how="semi"),
                              picked.rankings)
    names = {uid: u.name for uid, u in evaluation.figures.units.items()}
    titles = {i.id: i.title for i in model.scoring.indicators}
    buffer = io.BytesIO()
    if fmt == "xlsx":
        from ..render.i18n import words
        level_text = {k[6:]: v for k, v in words(lang).items() if k.startswith("level.")}
        render.write_xlsx(picked, buffer, names, titles, lang, model.scoring, level_text)
    elif fmt == "csv":
        render.csv_frame(picked, what, titles).write_csv(buffer)
    elif fmt == "json":
        buffer.write(_json(picked, model.ruleset).encode("utf-8"))
    else:
        lines = render.ranking_text(picked.rankings, names, lang,
                                    evaluation.figures.level_titles)
        appraisal = render.appraisal_text(picked, names, titles, lang)
        if hidden is not None and hidden.unscored and picked.rankings.height:
            lines.append("  " + words_of(lang)["unscored"].format(n=hidden.unscored))
        text = "\n".join([*lines, *(["", *appraisal] if appraisal else [])]) + "\n"
        buffer.write(text.encode("utf-8"))
    if output is not None:
        with atomic_open(output, "wb") as out:
            out.write(buffer.getvalue())
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(buffer.getvalue())
        sys.stdout.buffer.flush()
    ctx.exit(EXIT_OK)


def _check_asked(rankings, periods, levels) -> None:
    problems = []
    for kind, code, asked, column in (("period", "EVL01", periods, "period"),
                                      ("level", "EVL06", levels, "level")):
        known = sorted(v for v in rankings[column].unique().to_list() if v is not None)
        problems += [Problem(code, _("no scored units for {kind} '{name}'").format(
                                     kind=noun(kind), name=name), None,
                             did_you_mean(name, known) or _("known: {known}").format(
                                                            known=', '.join(known[:10])))
                     for name in dict.fromkeys(asked) if name not in known]
    if problems:
        raise CchcError(problems)


def _json(scores, ruleset_id: str) -> str:
    """{"groups", "rankings", "ruleset", "scores"}: keys sorted, one record per line, with the
    numbers rule of evaluate's JSON."""
    from ..present import numbers

    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)

    doc: dict = {"ruleset": dumps(ruleset_id)}
    for name in ("scores", "groups", "rankings"):
        frame = getattr(scores, name)
        if name == "scores" and frame["status"].null_count() == frame.height:
            frame = frame.drop("status")
        columns = {c: numbers(frame[c]) if frame[c].dtype.is_numeric() else frame[c].to_list()
                   for c in frame.columns}
        rows = [dumps(dict(zip(columns, row, strict=True)))
                for row in zip(*columns.values(), strict=True)]
        doc[name] = "[\n    " + ",\n    ".join(rows) + "\n  ]" if rows else "[]"
    return "{\n" + ",\n".join(f"  {dumps(k)}: {doc[k]}" for k in sorted(doc)) + "\n}\n"
