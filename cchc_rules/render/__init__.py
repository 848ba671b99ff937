"""Render stage: every output format, each a function of one `Evaluation`.

`OUTPUTS` is the one list of output formats: which command offers each (`cchc evaluate`,
`report`, `rank`) and where its writer lives; the commands' `--format` choices are
`choices(command)`, and a test holds the docs' format lists to it.
`FORMATS[name](evaluation, lang=..., fail_on=..., color=...)` returns the whole text;
`write(name, evaluation, out, ...)` sends it to a binary stream, straight from polars for
json and csv (national runs). html.py and pdf.py (reports) build on the same record model.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from ..evaluation.result import Evaluation


@dataclass(frozen=True)
class Output:
    """One output format of one command. `text`: the module and function giving the whole
    text (`FORMATS`); `stream`: the module and function writing it to a binary stream
    (`write`). A report (html, pdf) is rendered by pipeline.Session.render and a ranking
    (rank) by render/scores.py, so theirs are None."""

    name: str
    command: str
    text: tuple[str, str] | None = None
    stream: tuple[str, str] | None = None


# In the order `--help` and the docs list them.
OUTPUTS: tuple[Output, ...] = (
    Output("table", "evaluate", text=("table", "render"), stream=("table", "write")),
    Output("json", "evaluate", text=("json", "render"), stream=("json", "write")),
    Output("csv", "evaluate", text=("csv", "render"), stream=("csv", "write")),
    Output("junit", "evaluate", text=("junit", "render"), stream=("junit", "write")),
    Output("parquet", "evaluate", stream=("columnar", "write_parquet")),
    Output("arrow", "evaluate", stream=("columnar", "write_arrow")),
    Output("html", "report"),
    Output("pdf", "report"),
    Output("table", "rank"),
    Output("csv", "rank"),
    Output("json", "rank"),
    Output("xlsx", "rank"),
)


def choices(command: str) -> list[str]:
    """The `--format` choices of `command`, in order."""
    return [o.name for o in OUTPUTS if o.command == command]


class _Lazy(Mapping[str, Callable]):
    """Format name -> function, its module imported on first use: a CSV run does not pay
    for the table, JUnit or JSON writers' imports."""

    def __init__(self, places: dict[str, tuple[str, str]]) -> None:
        self.places = places

    def __getitem__(self, name: str) -> Callable:
        module, function = self.places[name]
        return getattr(import_module(f"{__name__}.{module}"), function)

    def __iter__(self) -> Iterator[str]:
        return iter(self.places)

    def __len__(self) -> int:
        return len(self.places)


FORMATS = _Lazy({o.name: o.text for o in OUTPUTS if o.text is not None})
_WRITERS = _Lazy({o.name: o.stream for o in OUTPUTS if o.stream is not None})


def write(name: str, evaluation: Evaluation, out: BinaryIO, **options: Any) -> None:
    """Format `name` of `evaluation`, UTF-8, to the binary stream `out`."""
    if name in _WRITERS:
        _WRITERS[name](evaluation, out, **options)
    else:
        out.write(FORMATS[name](evaluation, **options).encode("utf-8"))
