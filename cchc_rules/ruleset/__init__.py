"""Ruleset stage: a ruleset file and its `extends` parents → one checked `LoadedRuleset`.

    schema.py          pydantic models of the file (spec §1): strict keys and types
    scoring_check.py   the rules of a `scoring` block its models cannot say (spec §7)
    record_metrics.py  metrics counted from records: sources, columns, conditions
    rank_metrics.py    metrics of unit `rank` and the field they are a place in
    loader.py          merge `extends`, parse formulas, order them, semantic checks (SEM)
    lint.py            style findings on a valid ruleset (`cchc lint`)

Nothing here reads figures or evaluates anything.
"""
from __future__ import annotations

from .loader import LoadedRuleset, load_ruleset

__all__ = ["LoadedRuleset", "load_ruleset"]
