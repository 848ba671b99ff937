"""`cchc init DIR`: a starter ruleset, its units, figures, tests, schema and a README.

The files are copied from `cchc_rules/starter/`; together they validate, evaluate and pass
their own `cchc test`. Nothing is overwritten: an existing file is IO05 and nothing is
written. Exit 0 written, 2 refused.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import CchcError, Position, Problem
from ..messages import _

STARTER = Path(__file__).resolve().parent.parent / "starter"
SCHEMA = "ruleset.schema.json"


def starter_files() -> dict[str, str]:
    """File name -> text of everything `cchc init` writes."""
    from ..ruleset.schema import json_schema
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(STARTER.iterdir())
             if p.suffix in (".yaml", ".md")}
    files[SCHEMA] = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    return files


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
def command(folder: Path) -> None:
    """Write a starter ruleset, units, figures and tests into FOLDER (created if needed)."""
    files = starter_files()
    taken = [folder / name for name in files if (folder / name).exists()]
    if taken:
        raise CchcError([Problem("IO05", _("the file already exists; cchc init does not "
                                           "overwrite"), Position(str(path)),
                                 _("choose an empty folder, or move the file away"))
                         for path in taken])
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        with open(folder / name, "x", encoding="utf-8") as out:  # "x": never overwrite
            out.write(text)
    click.echo(_("wrote {n} files in {folder}: {files}").format(
        n=len(files), folder=folder, files=", ".join(files)))
    click.echo(_("next: cd {folder} && cchc test .").format(folder=folder))
