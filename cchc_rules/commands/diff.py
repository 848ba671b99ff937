"""`cchc diff PREVIOUS CURRENT`: what changed between two runs (docs/diff.md).

Two results documents (`cchc evaluate --format json`): per unit and target, the status
changes (worse first), the figures that changed, new and vanished results, as a table,
JSON or Markdown (render/digest.py). Exit 0 nothing got worse, 1 something got worse,
2 bad input. Two ruleset YAML files: target by target, what the newer plan changed
(ruleset/changes.py), exit 0; a ruleset beside a results file is DIF02.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..cli import EXIT_FAIL, EXIT_OK
from ..errors import CchcError, Position, Problem
from ..messages import _
from . import OUTPUT

RULESET_SUFFIXES = (".yaml", ".yml")
MAX_RESULTS_BYTES = 2_000_000_000   # a national year's results JSON is ~1 GB


@click.command()
@click.argument("previous", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("current", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json", "markdown"]))
@click.option("--previous-period", metavar="P",
              help="Compare PREVIOUS's results for period P … (with --period)")
@click.option("--period", metavar="Q", help="… with CURRENT's results for period Q.")
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N",
              help="Items shown per section (table, markdown; 0 all). "
                   "Default: all in a table, 20 in Markdown.")
@click.option("--output", type=OUTPUT, metavar="FILE",
              help="Write here (atomically) instead of stdout.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the fixed words.")
@click.pass_context
def command(ctx: click.Context, previous: Path, current: Path, fmt: str,
            previous_period: str | None, period: str | None, limit: int | None,
            output: Path | None, lang: str) -> None:
    """Show what changed from the PREVIOUS results (JSON) to the CURRENT ones."""
    from ..output import atomic_open
    from ..render.digest import RENDERERS, compare, results_of, to_json

    yaml = [p.suffix.lower() in RULESET_SUFFIXES for p in (previous, current)]
    if all(yaml):
        ctx.exit(_rulesets(previous, current, fmt, output, lang))
    if any(yaml):
        raise CchcError.one("DIF02", _("cannot compare a ruleset with a results file"),
                            hint=_("give two rulesets (.yaml), or two results files "
                                   "written by cchc evaluate --format json"))
    if (previous_period is None) != (period is None):
        raise CchcError.one("DIF01", _("--previous-period and --period go together"),
                            hint=_("e.g. --previous-period 2026-10 --period 2026-11"))
    old = results_of(_read(previous), str(previous))
    new = results_of(_read(current), str(current))
    digest = compare(old, new, names=(str(previous), str(current)),
                     periods=(previous_period, period)
                     if previous_period is not None and period is not None else None)
    if fmt == "json":
        text = to_json(digest)
    else:
        shown = limit if limit is not None else (20 if fmt == "markdown" else 0)
        text = RENDERERS[fmt](digest, lang, shown)
    with atomic_open(output or "-", "w") as out:
        out.write(text)
    ctx.exit(EXIT_FAIL if digest.got_worse else EXIT_OK)


def _read(path: Path):
    from ..files import read_capped
    data = read_capped(path, MAX_RESULTS_BYTES)
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as err:
        line, col = getattr(err, "lineno", 0), getattr(err, "colno", 0)
        raise CchcError([Problem("DIF01", _("not JSON: {reason}").format(
            reason=getattr(err, "msg", str(err))), Position(str(path), line, col),
            _("write it with: cchc evaluate … --format json"))]) from None


def _rulesets(previous: Path, current: Path, fmt: str, output: Path | None,
              lang: str) -> int:
    """Two rulesets (plans): target by target, what the newer one changed — as a table or
    JSON (Markdown: the table's lines)."""
    from ..output import atomic_open
    from ..ruleset import load_ruleset
    from ..ruleset.changes import compare, to_json, to_table
    changes = compare(load_ruleset(previous), load_ruleset(current))
    text = to_json(changes) if fmt == "json" else to_table(changes, lang)
    with atomic_open(output or "-", "w") as out:
        out.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK
