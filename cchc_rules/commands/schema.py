"""`cchc schema`: print the JSON Schema (draft 7) of the ruleset format for editors and CI."""
from __future__ import annotations

import json

import click

from ..ruleset.schema import json_schema


@click.command()
def command() -> None:
    """Print the JSON Schema of the ruleset format (draft 7, for the YAML language server)."""
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))
