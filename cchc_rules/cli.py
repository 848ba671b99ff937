"""The `cchc` command line: a thin click group; library errors become exit codes only here.

Exit codes: 0 ran clean, 1 ran and found failures, 2 could not run (bad input, usage).
Each command lives in `cchc_rules/commands/<name>.py` as `command` and is imported
only when it runs, so `cchc validate` does not pay for polars or WeasyPrint.
"""
from __future__ import annotations

import gc
import importlib
import sys

import click

from . import __version__
from .errors import CchcError

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

COMMANDS: dict[str, str] = {
    "validate": "Check rulesets: schema, formulas, cycles, ids.",
    "schema": "Print the JSON Schema of the ruleset format.",
    "evaluate": "Evaluate reported figures against a ruleset.",
    "explain": "Show why one target has its status for one unit and period.",
    "report": "Render a compliance report (HTML or PDF).",
    "test": "Run ruleset tests (*.test.yaml).",
}


def print_problems(err: CchcError) -> None:
    for problem in err.problems:
        click.echo(problem.format(), err=True)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"cchc_rules.commands.{name}")
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl(list(COMMANDS.items()))

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CchcError as err:
            print_problems(err)
            ctx.exit(EXIT_ERROR)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except OSError as err:
            name = getattr(err, "filename", None)
            where = f"{name}: " if name else ""
            click.echo(f"{where}error IO01 {err.strerror or err}", err=True)
            ctx.exit(EXIT_ERROR)
        except Exception as err:  # the last line of defence: never a traceback
            click.echo(f"error INT01 internal error: {type(err).__name__}: {err} "
                       "[please report this with the input that caused it]", err=True)
            ctx.exit(EXIT_ERROR)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cchc")
def main() -> None:
    """cchc — check administrative-reform (CCHC) targets against reported figures."""


def run() -> None:
    """Console entry point; click's usage errors already exit with 2."""
    # Reading figures creates millions of small objects that all stay alive; the cyclic
    # collector would rescan them again and again (3-4x the reading time). A one-shot
    # process can skip it; the library itself never touches gc (threads share it).
    gc.disable()
    try:
        main(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(EXIT_ERROR)
