"""Evaluation stage: a checked ruleset × figures → one status per target × unit × period.

`evaluator.evaluate` runs these steps in order (sqlglot's optimizer lists its rules the
same way):

    1. derive.timeroll     figures for longer periods from shorter ones
    2. derive.rollup       parents' figures from their children
    3. selection           the asked periods, units and targets (why none, EVL10)
    4. wide                one row per (unit, period), derived metrics, origins
    5. derive.territory    baselines restated on the period's territory
    6. status_plan         the status rules, run wide by `wide.py` with `trajectory.py`
    7. checks              a ruleset's `checks` on the same rows
    8. result.Evaluation   the record model every output reads

The folder is `evaluation/`, not `evaluate/`, so that `cchc_rules.evaluate` stays the
public function.
"""
