"""Render stage: every output format, each a function of one `Evaluation`.

`FORMATS[name](evaluation, lang=..., fail_on=..., color=...)` returns the whole text;
`write(name, evaluation, out, ...)` sends it to a binary stream, straight from polars for
json and csv (national runs). html.py and pdf.py (reports) build on the same record model.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from importlib import import_module
from typing import Any, BinaryIO


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


FORMATS = _Lazy({"table": ("table", "render"), "json": ("json", "render"),
                 "csv": ("csv", "render"), "junit": ("junit", "render")})
_WRITERS = _Lazy({"table": ("table", "write"), "json": ("json", "write"),
                  "csv": ("csv", "write"), "junit": ("junit", "write"),
                  "parquet": ("columnar", "write_parquet"), "arrow": ("columnar", "write_arrow")})


def write(name: str, evaluation, out: BinaryIO, **options: Any) -> None:
    """Format `name` of `evaluation`, UTF-8, to the binary stream `out`."""
    if name in _WRITERS:
        _WRITERS[name](evaluation, out, **options)
    else:
        out.write(FORMATS[name](evaluation, **options).encode("utf-8"))
