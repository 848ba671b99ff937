"""Survey figures (spec §7 v3): a percent metric measured on a sample names its size.

`satisfied_rate: {unit: percent, sample: respondents}`: each result on the rate then carries
the 95% margin of error (evaluation/survey.py). `sample` goes only on a percent metric and
names a count metric (SEM51).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..domain import MetricUnit
from ..errors import Position, Problem, did_you_mean
from ..messages import _


def sample_problems(name: str, metric: Any, metrics: Mapping[str, Any],
                    at: Callable[..., Position]) -> list[Problem]:
    """`sample` goes only on a percent metric and names a count metric (SEM51)."""
    if metric.sample is None:
        return []
    if metric.unit != MetricUnit.PERCENT:
        return [Problem("SEM51", _("'sample' is only for percent metrics; '{metric}' is a "
                                   "{unit}").format(metric=name, unit=metric.unit),
                        at("sample", key=True), _("remove sample, or set unit: percent"))]
    size = metrics.get(metric.sample)
    if size is None:
        counts = [m for m, spec in metrics.items() if spec.unit == MetricUnit.COUNT]
        return [Problem("SEM51", _("unknown metric '{sample}' as the sample of '{metric}'")
                        .format(sample=metric.sample, metric=name), at("sample"),
                        did_you_mean(metric.sample, counts)
                        or _("declare a count metric for the number of respondents"))]
    if size.unit != MetricUnit.COUNT:
        return [Problem("SEM51", _("the sample of '{metric}' must be a count; '{sample}' is a "
                                   "{unit}").format(metric=name, sample=metric.sample,
                                                    unit=size.unit),
                        at("sample"), _("name the count metric of respondents"))]
    return []
