"""`cchc evaluate RULESET --data FILE…`: figures against targets, in table, json, csv or junit.

Exit 0 when nothing failed, 1 when a status in `--fail-on` occurred (spec §4), 2 bad input.
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import BinaryIO, cast

import click

from ..cli import EXIT_FAIL, EXIT_OK, PROBLEMS, say
from ..domain import DEFAULT_FAIL_ON, FAIL_ON_CHOICES
from ..errors import CchcError, Problem, did_you_mean
from ..messages import LANGS, _
from ..render import choices
from . import OUTPUT

LONG_INPUT = 5_000_000  # bytes of data files above which a terminal gets a progress bar


def parse_fail_on(text: str) -> tuple[str, ...]:
    """`--fail-on not_met,off_track` → statuses; unknown words are an error."""
    words = tuple(w.strip() for w in text.split(",") if w.strip())
    problems = [Problem("EVL04", _("unknown status '{w}' in --fail-on").format(w=w), None,
                        did_you_mean(w, FAIL_ON_CHOICES)
                        or _("choose from {FAIL_ON_CHOICES}").format(
                             FAIL_ON_CHOICES=', '.join(FAIL_ON_CHOICES)))
                for w in words if w not in FAIL_ON_CHOICES]
    if problems:
        raise CchcError(problems)
    return words


def data_options(func=None, *, records: bool = False):
    """The options every command reading figures shares (evaluate, explain). With
    `records`, --data is optional and --records NAME=LOCATION is offered beside it (one of
    the two is then required: see `require_figures`)."""
    if func is None:
        return lambda f: data_options(f, records=records)
    extra = (click.option(
        "--records", "records", multiple=True, metavar="NAME=LOCATION",
        help="Count figures from dossier records: NAME=exports/*.parquet (or .csv), "
        "NAME=postgresql://host/db?table=T, or NAME=spark:PATH (repeatable; "
        "docs/records.md)."), click.option(
        "--as-of", "as_of", metavar="MOMENT", callback=_as_of,
        help="Count records as of this moment (default now): 2025-12-31 (the end of that "
        "day), 2025-12-31T17:00 (Vietnam time) or with an offset, 2025-12-31T10:00Z."),
    ) if records else ()
    for option in reversed((
        click.argument("ruleset", type=click.Path(path_type=Path, dir_okay=False)),
        click.option("--data", "data", multiple=True, required=not records, metavar="FILE",
                     type=click.Path(path_type=Path, dir_okay=False),
                     help="Reported figures: YAML, JSON, CSV or XLSX (repeatable)."),
        click.option("--units", "units_file", metavar="FILE",
                     type=click.Path(path_type=Path, dir_okay=False),
                     help="Units: ids, names, levels, parents."),
        click.option("--decimal-comma", is_flag=True,
                     help="Numbers in text are written 4.917,5 (Vietnamese style)."),
        click.option("--lang", type=click.Choice(LANGS), default="vi",
                     show_default=True, help="Language of the fixed words."),
        *extra,
    )):
        func = option(func)
    return func


def incremental_options(func):
    """--since and --cache: count only what some periods need, keep closed periods' figures
    (docs/records.md §8). Shared by evaluate, report and figures."""
    func = click.option(
        "--cache", "cache", metavar="PATH", type=click.Path(path_type=Path),
        help="Keep the figures of closed periods counted from records in this Parquet file "
        "(or a file in this folder) and reuse them while the ruleset and their records are "
        "unchanged.")(func)
    return click.option(
        "--since", "since", metavar="P", callback=_since,
        help="The results of every period starting on or after P (e.g. 2026-10); records "
        "are counted only for what those need.")(func)


def _since(ctx, param, text: str | None) -> str | None:
    """--since: a period's canonical text; EVL01 when the text is not a period."""
    if text is None:
        return None
    from ..periods import canonical, is_period
    if not is_period(canonical(text.strip())):
        raise CchcError([Problem("EVL01", _("--since '{text}' is not a period").format(
            text=text), None, _("e.g. --since 2026-10, --since 2026-Q3 or --since 2026"))])
    return canonical(text.strip())


def _as_of(ctx, param, text: str | None):
    """--as-of: an ISO date (the end of that day), date and time (local time unless it has
    an offset); never after now."""
    if text is None:
        return None
    from datetime import UTC, date, datetime

    from ..periods import local_time, midnight_after
    try:
        # the end of that day (of 9999-12-31: datetime.max, after now all the same)
        moment = midnight_after(date.fromisoformat(text.strip()))
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise CchcError([Problem("REC05", _("--as-of '{text}' is not a date or a moment")
                                     .format(text=text), None,
                                     _("e.g. --as-of 2025-12-31 or 2025-12-31T17:00"))]
                            ) from None
    now = datetime.now(UTC)
    later = moment > (now if moment.tzinfo is not None else local_time(now, 7))
    if later:
        raise CchcError([Problem("REC05", _("--as-of '{text}' is after now").format(
            text=text), None, _("count as of a moment that has come"))])
    # Records are counted in local time a day either side of UTC: an as-of moment before
    # the second day of year 1 has no day before it to count, nor a moment in UTC.
    try:
        local = local_time(moment, 7)
    except OverflowError:  # before year 1 in UTC
        local = datetime.min
    if local < datetime(1, 1, 2):
        raise CchcError([Problem("REC05", _(
            "--as-of '{text}' is before 0001-01-02, the first moment records are counted "
            "as of").format(text=text), None, _("count as of a later moment"))])
    return moment


def load(ruleset: Path, data: tuple[Path, ...], units_file: Path | None,
         decimal_comma: bool):
    """Ruleset and figures through the pipeline; every warning goes to stderr."""
    from ..pipeline import Session
    return Session().load(ruleset, data, units_file, decimal_comma, warn=echo_warning)


def echo_warning(warning: Problem) -> None:
    say(warning)


def _progress(data: tuple[Path, ...]):
    """A progress bar on stderr, only for a terminal and a long run."""
    size = sum(p.stat().st_size for p in data if p.is_file())
    if not sys.stderr.isatty() or size < LONG_INPUT or PROBLEMS.verbosity != 0:
        return None
    return click.progressbar(length=4, label="cchc evaluate", file=sys.stderr)


def require_figures(ctx: click.Context, data, records) -> None:
    """--data is required unless --records gives the figures (the same error as before)."""
    if not data and not records:
        param = next(p for p in ctx.command.params if p.name == "data")
        raise click.MissingParameter(ctx=ctx, param=param)


@click.command()
@data_options(records=True)
@click.option("--period", "periods", multiple=True, metavar="P", help="Only this period.")
@click.option("--unit", "units", multiple=True, metavar="ID", help="Only this unit.")
@click.option("--target", "targets", multiple=True, metavar="ID", help="Only this target.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(choices("evaluate")))
@click.option("--output", type=OUTPUT, metavar="FILE",
              help="Write here (atomically) instead of stdout.")
@click.option("--what", type=click.Choice(["results", "scores", "groups", "rankings"]),
              default="results", show_default=True,
              help="With --format csv, parquet or arrow: the rows to write (scores and ranks:"
              " spec §7).")
@click.option("--fail-on", default=",".join(DEFAULT_FAIL_ON), show_default=True,
              help="Statuses that make the run exit 1; 'fail' is a failed check.")
@click.option("--show-not-applicable", is_flag=True,
              help="The table lists not applicable results too (hidden by default, counted;"
              " JSON, CSV and the others always hold every result).")
@incremental_options
@click.pass_context
def command(ctx: click.Context, ruleset, data, units_file, decimal_comma, lang, records,
            as_of, periods, units, targets, fmt, output, what, fail_on,
            show_not_applicable, since, cache) -> None:
    """Evaluate reported figures against the targets of RULESET."""
    from ..output import atomic_open
    from ..pipeline import Session
    require_figures(ctx, data, records)
    failing = parse_fail_on(fail_on)
    session = Session()
    bar = _progress(data)
    step = (lambda: bar.update(1)) if bar is not None else None
    with bar if bar is not None else contextlib.nullcontext():
        evaluation = session.evaluate(ruleset, data, units_file, decimal_comma, step=step,
                                      warn=echo_warning, records=records, as_of=as_of,
                                      since=since, cache=cache, periods=periods or None,
                                      units=units or None, targets=targets or None)
        options = {"lang": lang, "fail_on": failing,
                   "show_not_applicable": show_not_applicable}
        if fmt in ("csv", "parquet", "arrow") and what != "results":
            options["what"] = what
        if output is not None:
            with atomic_open(output, "wb") as out:
                session.render(evaluation, fmt, cast(BinaryIO, out), **options)   # "wb"
        else:
            sys.stdout.flush()
            session.render(evaluation, fmt, sys.stdout.buffer, color=sys.stdout.isatty(),
                           **options)
            sys.stdout.buffer.flush()
        if step is not None:
            step()
    ctx.exit(EXIT_FAIL if evaluation.failed(failing) else EXIT_OK)
