"""Ranks as figures: metrics of unit `rank` (a published place, 1 = best) and their field.

A plan writes "PAR Index in the top 20 of 63" or "up 5 places on 2024" about a rank the
Ministry publishes. The figure is a whole number from 1 (domain.MetricUnit.RANK); `of` names
the count metric holding how many units were ranked (63 provinces before 1 July 2025, 34
after), so the field can change from one period to the next. Each `of` adds the data check
`rank <= of` (id `<rank>.of`), so a rank past the field is caught like any check.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..domain import MetricUnit
from ..errors import Position, Problem, did_you_mean
from ..messages import _


def field_check_id(metric: str) -> str:
    """The id of the implied check `metric <= of`."""
    return f"{metric}.of"


def field_checks(metrics: Mapping[str, Any]) -> dict[str, str]:
    """check id -> assert text, one per rank metric that names its field (`of`)."""
    return {field_check_id(m): f"{m} <= {spec.of}" for m, spec in metrics.items()
            if spec.unit == MetricUnit.RANK and spec.of is not None and spec.of in metrics
            and metrics[spec.of].unit == MetricUnit.COUNT}


def rank_problems(name: str, metric: Any, metrics: Mapping[str, Any],
                  at: Callable[..., Position]) -> list[Problem]:
    """`of` goes only on a rank metric and names a count metric (SEM40)."""
    if metric.of is None:
        return []
    if metric.unit != MetricUnit.RANK:
        return [Problem("SEM40", _("'of' is only for rank metrics; '{metric}' is a {unit}")
                        .format(metric=name, unit=metric.unit), at("of", key=True),
                        _("remove of, or set unit: rank"))]
    field = metrics.get(metric.of)
    if field is None:
        counts = [m for m, spec in metrics.items() if spec.unit == MetricUnit.COUNT]
        return [Problem("SEM40", _("unknown metric '{of}' as the field of rank '{metric}'")
                        .format(of=metric.of, metric=name), at("of"),
                        did_you_mean(metric.of, counts)
                        or _("declare a count metric for the number of units ranked"))]
    if field.unit != MetricUnit.COUNT:
        return [Problem("SEM40", _("the field of rank '{metric}' must be a count; '{of}' is a "
                                   "{unit}").format(metric=name, of=metric.of, unit=field.unit),
                        at("of"), _("name the count metric of units ranked (e.g. 63)"))]
    return []
