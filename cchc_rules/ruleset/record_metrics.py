"""Validate stage: the `sources:` of a ruleset and the metrics counted from them.

Every column a source or a metric names must be declared in the source's `columns`, with a
type that fits its use (REC01, REC02); a metric's source must exist (REC03) and its keys must
fit its aggregate (REC04). Conditions are parsed here once (expr/condition.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import CchcError, Position, Problem, did_you_mean
from ..expr.ast import Node
from ..expr.condition import COLUMN_TYPES, parse_condition
from ..messages import _

Place = Any  # a callable (key path below the entry) -> Position


def _column(problems: list[Problem], columns: Mapping[str, str], name: str, pos: Position,
            want: tuple[str, ...], use: str) -> None:
    if name not in columns:
        problems.append(Problem("REC01", _("unknown column '{name}'").format(name=name), pos,
                                did_you_mean(name, columns)
                                or _("declare it under the source's 'columns'")))
    elif COLUMN_TYPES[columns[name]] not in want:
        problems.append(Problem("REC02", _("{use} needs a {want} column; '{name}' is "
                                           "{columns}").format(
                                           use=use, want=' or '.join(want), name=name,
                                           columns=columns[name]), pos))


def check_source(source, at) -> list[Problem]:
    """The unit, date (and id, due, resolved) columns of one source are declared; the dates
    are dates."""
    problems: list[Problem] = []
    _column(problems, source.columns, source.unit, at("unit"), ("text", "number"), "'unit'")
    _column(problems, source.columns, source.date, at("date"), ("date",), "'date'")
    if source.id is not None:
        _column(problems, source.columns, source.id, at("id"), ("text", "number"), "'id'")
    for key in ("due", "resolved"):
        if getattr(source, key) is not None:
            _column(problems, source.columns, getattr(source, key), at(key), ("date",),
                    f"'{key}'")
    return problems


def check_metric(metric_id: str, metric, sources: Mapping[str, Any], at
                 ) -> tuple[Node | None, list[Problem]]:
    """The parsed `where` of a metric counted from records (None without one) and every
    problem of its `records:` entry. `at(*keys)` places a key below the metric."""
    spec = metric.records
    problems: list[Problem] = []
    if metric.formula is not None:
        problems.append(Problem("REC04", _("metric '{metric_id}' has both a formula and "
                                           "records").format(
                                           metric_id=metric_id), at("records", key=True),
                                _("a metric is either counted from records or derived")))
    source = sources.get(spec.source)
    if source is None:
        problems.append(Problem("REC03", _("unknown record source '{source}'").format(
                                           source=spec.source),
                                at("records", "source"), did_you_mean(spec.source, sources)
                                or _("declare it under 'sources:'")))
        return None, problems
    columns = source.columns
    needs = {"sum": ("column",), "count_distinct": ("column",), "mean_days": ("from", "to"),
             "count": ()}[spec.aggregate]
    given = {"column": spec.column, "from": spec.from_, "to": spec.to}
    for key, value in given.items():
        if key in needs and value is None:
            problems.append(Problem("REC04", _("'aggregate: {aggregate}' needs '{key}'").format(
                                               aggregate=spec.aggregate, key=key),
                                    at("records", "aggregate")))
        elif key not in needs and value is not None:
            problems.append(Problem("REC04", _("'{key}' is not used by 'aggregate: "
                                               "{aggregate}'").format(key=key,
                                                                     aggregate=spec.aggregate),
                                    at("records", key, key=True)))
    if spec.column is not None and "column" in needs:
        want = ("number",) if spec.aggregate == "sum" else tuple(set(COLUMN_TYPES.values()))
        _column(problems, columns, spec.column, at("records", "column"), want,
                f"'aggregate: {spec.aggregate}'")
    for key, name in (("from", spec.from_), ("to", spec.to), ("date", spec.date)):
        if name is not None and (key == "date" or key in needs):
            _column(problems, columns, name, at("records", key), ("date",), f"'{key}'")
    if spec.stock and spec.date is not None:
        problems.append(Problem("REC04", _("a stock has no 'date': it is counted at each period's "
                                           "end through its 'where'"), at("records", "date")))
    node = None
    if spec.where is not None:
        try:
            node = parse_condition(spec.where, columns, at("records", "where"))
        except CchcError as err:
            problems += err.problems
    return node, problems
