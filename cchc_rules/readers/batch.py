"""Data stage: the figures every reader adds to, column by column, with what went wrong.

Readers place each cell (file, line, col) and hand over the raw value; parsing, the
negative-count rule and unknown metrics are decided here once for every format.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from ..errors import CchcError, Position, Problem, did_you_mean
from ..units import Unit
from .numbers import BadValue, parse_value

NON_NEGATIVE = frozenset({"count", "vnd"})
SCHEMA = {"unit": pl.String, "period": pl.String, "metric": pl.String, "value": pl.Float64,
          "file": pl.String, "line": pl.Int64, "col": pl.Int64, "source": pl.String}


@dataclass
class Batch:
    decimal_comma: bool = False
    known_metrics: Mapping[str, str] | None = None
    columns: dict[str, list] = field(default_factory=lambda: {k: [] for k in SCHEMA})
    units: list[Unit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unknown_metrics: dict[str, Position] = field(default_factory=dict)

    def error(self, code: str, message: str, pos: Position | None,
              hint: str | None = None) -> None:
        self.problems.append(Problem(code, message, pos, hint))

    def warn(self, code: str, message: str, pos: Position | None,
             hint: str | None = None) -> None:
        self.warnings.append(Problem(code, message, pos, hint, "warning"))

    def absorb(self, err: CchcError) -> None:
        """Keep a reader's own error and go on with the next file, so all problems show."""
        for problem in err.problems:
            (self.warnings if problem.severity == "warning" else self.problems).append(problem)

    def add(self, unit: str, period: str, metric: str, raw: object, file: str, line: int,
            col: int = 0, source: str | None = None) -> None:
        """One reported cell; an empty one is a missing figure and adds nothing."""
        known = self.known_metrics
        if known is not None and metric not in known:
            self.unknown_metrics.setdefault(metric, Position(file, line, col))
            return
        try:
            value = parse_value(raw, self.decimal_comma)
        except BadValue as bad:
            self.error(bad.code, f"'{metric}' for {unit} in {period}: {bad.message}",
                       Position(file, line, col), bad.hint)
            return
        if value is None:
            return
        if value < 0 and known is not None and known[metric] in NON_NEGATIVE:
            self.error("DAT04", f"'{metric}' for {unit} in {period} is {shown(value)}, but a "
                       f"{known[metric]} cannot be negative", Position(file, line, col),
                       "check the sign; a decrease is reported as a smaller figure")
            return
        for key, item in zip(SCHEMA, (unit, period, metric, value, file, line, col, source),
                             strict=True):
            self.columns[key].append(item)

    def finish(self) -> None:
        """Turn the unknown metrics seen into one warning each, at their first place."""
        known = list(self.known_metrics or ())
        for metric, pos in self.unknown_metrics.items():
            self.warn("DAT20", f"metric '{metric}' is not in the ruleset; its figures are "
                      "ignored", pos, did_you_mean(metric, known))

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.columns, schema=SCHEMA)


def shown(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def cell_text(raw: object) -> str | None:
    """An identifier cell (unit, period, metric, source) as text; Excel's whole-number floats
    lose their '.0'. None when empty; ValueError for anything else."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw.strip() or None
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not text")
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    raise ValueError(f"{raw!r} is not text")
