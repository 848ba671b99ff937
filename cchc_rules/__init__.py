"""cchc-rules: declarative rulesets for Vietnam's administrative-reform targets.

Public API: `load_ruleset`, `read_data`, `evaluate`, `evaluate_files`, `Session`.
"""
from __future__ import annotations

from .version import __version__

__all__ = ["Session", "__version__", "evaluate", "evaluate_files", "load_ruleset", "read_data"]


def __getattr__(name: str):  # lazy, so `import cchc_rules` stays cheap (no polars)
    if name == "load_ruleset":
        from .ruleset.loader import load_ruleset
        return load_ruleset
    if name == "read_data":
        from .figures.data import read_data
        return read_data
    if name == "evaluate":
        from .evaluation.evaluator import evaluate
        return evaluate
    if name in ("evaluate_files", "Session"):
        from . import pipeline
        return getattr(pipeline, name)
    raise AttributeError(name)
