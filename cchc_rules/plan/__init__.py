"""The row plan: a small backend-neutral language for "one value per row" rules.

    nodes.py   the plan's nodes, the value rules every generator follows, the one tolerance
    fold.py    a plan folded on what is constant for one target (fewer columns to compute)
    polars.py  a plan as polars expressions, and the tolerant comparison polars code uses
    rows.py    a plan evaluated on one Python row: the reference the generators are tested
               against

The status rules (`evaluation/status_plan.py`) and the formulas' columnar form
(`expr/columnar.py`) are written in it. It imports nothing else of cchc_rules.
"""
