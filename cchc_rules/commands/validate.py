"""`cchc validate RULESET...`: check rulesets (schema, formulas, cycles, ids) without data.

Problems go to stderr one per line; `ok <file>` to stdout for each valid file; exit 0 or 2.
A directory stands for every ruleset under it (`*.yaml`, `*.yml`, not `*.test.yaml`); in it,
`units-*.yaml` files are lists of units (`--units`), checked as such (docs/validate.md).
"""
from __future__ import annotations

from pathlib import Path

import click

from ..cli import EXIT_ERROR, print_problems, say
from ..errors import CchcError, escape_controls
from ..messages import _
from ..pipeline import Session


@click.command()
@click.argument("rulesets", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def command(ctx: click.Context, rulesets: tuple[Path, ...]) -> None:
    """Check RULESET files (or every ruleset in a directory): schema, formulas, dependency
    cycles, ids, extends, and the chain of plans a ruleset replaces or amends."""
    paths = [p for given in rulesets for p in expand(given)]
    failed = 0
    session = Session()
    for path in paths:
        if is_units_file(path):
            failed += not _check_units(path)
            continue
        try:
            loaded = session.load_ruleset(path)
            versions = session.versions(path, loaded)   # replaces/amends: the whole chain
        except CchcError as err:
            print_problems(err)
            failed += 1
            continue
        for warning in loaded.warnings:
            say(warning)
        model = loaded.model
        qualitative = f", {len(loaded.qualitative)} qualitative" if loaded.qualitative else ""
        click.echo(escape_controls(f"ok {path} ({len(model.metrics)} metrics, "
                                   f"{len(model.checks)} checks, {len(model.targets)} targets"
                                   f"{qualitative}{_chain(versions)})"))
    if failed:
        click.echo(_("{failed} of {n} ruleset(s) invalid").format(failed=failed, n=len(paths)),
                   err=True)
        ctx.exit(EXIT_ERROR)


def _chain(versions: list) -> str:
    """', version 2 of 2 in force from 2025-08-02' for a plan that replaces another."""
    if len(versions) < 2:
        return ""
    return _(", version {n} of {n} in force from {start}").format(
        n=len(versions), start=versions[-1].start)


def is_units_file(path: Path) -> bool:
    return path.name.startswith("units-") and path.suffix in (".yaml", ".yml")


def _check_units(path: Path) -> bool:
    """A units file (a shipped crosswalk): read and checked as `--units` would be."""
    from ..figures.readers import Batch, read_into
    from ..figures.units import collect_units
    batch = Batch()
    read_into(batch, path, units=True)
    units, problems = collect_units(batch.units)
    problems = batch.problems + problems
    for warning in batch.warnings:
        say(warning)
    if problems:
        print_problems(CchcError(problems))
        return False
    click.echo(escape_controls(f"ok {path} ({len(units)} units)"))
    return True


def expand(path: Path) -> list[Path]:
    """A file as itself; a directory as every ruleset and units file under it, sorted."""
    if not path.is_dir():
        return [path]
    found = sorted(p for pattern in ("*.yaml", "*.yml") for p in path.rglob(pattern)
                   if not p.name.endswith((".test.yaml", ".test.yml")))
    return found or [path]
