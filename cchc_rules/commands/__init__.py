"""One module per command, each exporting `command`; shared option types live here."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import CchcError
from ..messages import _


class OutputFile(click.Path):
    """`--output FILE`: a file name (`-` is stdout). An empty name is one IO04 line, not
    click's '.' (which would then be reported as a folder)."""

    name = "file"

    def __init__(self) -> None:
        super().__init__(path_type=Path, dir_okay=False)

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value.strip():
            raise CchcError.one("IO04", _("the output file name is empty"),
                                hint=_("give a file name, or - for standard output"))
        return super().convert(value, param, ctx)


OUTPUT = OutputFile()
