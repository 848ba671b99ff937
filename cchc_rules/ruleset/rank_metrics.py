"""Ranks as figures: metrics of unit `rank` (a published place, 1 = best) and their field.

A plan writes "PAR Index in the top 20 of 63" or "up 5 places on 2024" about a rank the
Ministry publishes. The figure is a whole number from 1 (domain.MetricUnit.RANK); `of` names
the count metric holding how many units were ranked (63 provinces before 1 July 2025, 34
after), so the field can change from one period to the next. Each `of` adds the data check
`rank <= of` (id `<rank>.of`), so a rank past the field is caught like any check.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain import MetricUnit
from ..messages import N_
from .count_refs import CountReference


def field_check_id(metric: str) -> str:
    """The id of the implied check `metric <= of`."""
    return f"{metric}.of"


def field_checks(metrics: Mapping[str, Any]) -> dict[str, str]:
    """check id -> assert text, one per rank metric that names its field (`of`)."""
    return {field_check_id(m): f"{m} <= {spec.of}" for m, spec in metrics.items()
            if spec.unit == MetricUnit.RANK and spec.of is not None and spec.of in metrics
            and metrics[spec.of].unit == MetricUnit.COUNT}


RANK_FIELD = CountReference(
    "SEM40", "of", MetricUnit.RANK,
    N_("'of' is only for rank metrics; '{metric}' is a {unit}"),
    N_("remove of, or set unit: rank"),
    N_("unknown metric '{of}' as the field of rank '{metric}'"),
    N_("declare a count metric for the number of units ranked"),
    N_("the field of rank '{metric}' must be a count; '{of}' is a {unit}"),
    N_("name the count metric of units ranked (e.g. 63)"))
"""`of` goes only on a rank metric and names a count metric (SEM40)."""
