"""Survey figures (spec §7 v3): a percent metric measured on a sample names its size.

`satisfied_rate: {unit: percent, sample: respondents}`: each result on the rate then carries
the 95% margin of error (evaluation/survey.py). `sample` goes only on a percent metric and
names a count metric (SEM51).
"""
from __future__ import annotations

from ..domain import MetricUnit
from ..messages import N_
from .count_refs import CountReference

SURVEY_SAMPLE = CountReference(
    "SEM51", "sample", MetricUnit.PERCENT,
    N_("'sample' is only for percent metrics; '{metric}' is a {unit}"),
    N_("remove sample, or set unit: percent"),
    N_("unknown metric '{sample}' as the sample of '{metric}'"),
    N_("declare a count metric for the number of respondents"),
    N_("the sample of '{metric}' must be a count; '{sample}' is a {unit}"),
    N_("name the count metric of respondents"))
"""`sample` goes only on a percent metric and names a count metric (SEM51)."""
