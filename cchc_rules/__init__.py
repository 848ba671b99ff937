"""cchc-rules: declarative rulesets for Vietnam's administrative-reform targets.

Public API: `load_ruleset`, `read_data`, `evaluate`, `evaluate_files`.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "evaluate", "evaluate_files", "load_ruleset", "read_data"]


def __getattr__(name: str):  # lazy, so `import cchc_rules` stays cheap
    if name == "load_ruleset":
        from .ruleset import load_ruleset
        return load_ruleset
    if name == "read_data":
        from .data import read_data
        return read_data
    if name == "evaluate":
        from .evaluate import evaluate
        return evaluate
    if name == "evaluate_files":
        from .evaluate import evaluate_files
        return evaluate_files
    raise AttributeError(name)
