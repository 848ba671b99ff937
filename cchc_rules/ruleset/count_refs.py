"""A metric key that names a count metric and is allowed on metrics of one unit only.

Two keys have this shape: a rank's `of` (the field ranked, rank_metrics.py, SEM40) and a survey
rate's `sample` (its respondents, survey_metrics.py, SEM51). Both are checked by one rule: the
key sits on a metric of the right unit, and names a declared count metric.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..domain import MetricUnit
from ..errors import Position, Problem, did_you_mean
from ..messages import translate


@dataclass(frozen=True)
class CountReference:
    """One such key, with its code and its messages (marked N_, translated when used).

    Messages may name {metric}, {unit} and the key itself ({of}, {sample}).
    """
    code: str
    key: str
    on_unit: MetricUnit
    wrong_unit: str
    wrong_unit_hint: str
    unknown: str
    unknown_hint: str
    not_count: str
    not_count_hint: str


def count_reference_problems(ref: CountReference, name: str, metric: Any,
                             metrics: Mapping[str, Any],
                             at: Callable[..., Position]) -> list[Problem]:
    """The problems of metric `name`'s `ref.key` (none when it has no such key)."""
    value = getattr(metric, ref.key)
    if value is None:
        return []
    names = {"metric": name, ref.key: value}
    if metric.unit != ref.on_unit:
        return [Problem(ref.code, translate(ref.wrong_unit).format(unit=metric.unit, **names),
                        at(ref.key, key=True), translate(ref.wrong_unit_hint))]
    named = metrics.get(value)
    if named is None:
        counts = [m for m, spec in metrics.items() if spec.unit == MetricUnit.COUNT]
        return [Problem(ref.code, translate(ref.unknown).format(**names), at(ref.key),
                        did_you_mean(value, counts) or translate(ref.unknown_hint))]
    if named.unit != MetricUnit.COUNT:
        return [Problem(ref.code, translate(ref.not_count).format(unit=named.unit, **names),
                        at(ref.key), translate(ref.not_count_hint))]
    return []
