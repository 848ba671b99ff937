"""Draft stage: naming a target's metric from the shipped dictionary of indicators
(`rulesets/common/metrics-vn.yaml`) and from the ruleset a draft `--extends`: the longest
label or synonym found in the sentence, among metrics of a fitting unit.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..ruleset.loader import load_ruleset
from ..ruleset.schema import Metric
from .text import fold

_HERE = Path(__file__).resolve().parent
# a checkout keeps the dictionary with the shipped rulesets; a wheel beside this module
DICTIONARY = next((p for p in (_HERE.parents[1] / "rulesets/common/metrics-vn.yaml",
                               _HERE / "metrics-vn.yaml") if p.is_file()),
                  _HERE.parents[1] / "rulesets/common/metrics-vn.yaml")

# which metric units a value of each kind may be compared with
FITS = {"percent": ("percent", "score"), "rank": ("rank",), "days": ("days",),
        "count": ("count",), "change": ("count", "vnd", "days", "score", "percent")}


@dataclass(frozen=True)
class Known:
    id: str
    metric: Metric
    inherited: bool          # from the ruleset the draft extends: not written again
    names: tuple[str, ...]   # folded label and synonyms


class Dictionary:
    """Metrics a draft may name: those of the extended ruleset first, then the shipped ones."""

    def __init__(self, extends: Path | None = None, path: Path = DICTIONARY) -> None:
        self.entries: list[Known] = []
        if extends is not None:
            self._add(load_ruleset(extends).model.metrics, inherited=True)
        self._add(load_ruleset(path).model.metrics, inherited=False)

    def _add(self, metrics: dict[str, Metric], inherited: bool) -> None:
        have = {k.id: i for i, k in enumerate(self.entries)}
        for mid, metric in metrics.items():
            names = {fold(metric.label), *(fold(s) for s in metric.synonyms or ())}
            if mid in have:   # the extended ruleset's metric, known by the dictionary's names
                known = self.entries[have[mid]]
                if known.metric.unit == metric.unit:
                    self.entries[have[mid]] = Known(mid, known.metric, known.inherited,
                                                    tuple(dict.fromkeys((*known.names, *names))))
                continue
            self.entries.append(Known(mid, metric, inherited, tuple(n for n in names if n)))

    def get(self, mid: str) -> Known | None:
        return next((k for k in self.entries if k.id == mid), None)

    def find(self, text: str, kind: str) -> tuple[Known, str] | None:
        """The metric whose longest name occurs in `text` (whole words), among units that
        fit `kind`; an extended ruleset's metric wins a tie. None when no name occurs."""
        folded = f" {fold(text)} "
        best: tuple[int, int, Known, str] | None = None
        for order, known in enumerate(self.entries):
            if known.metric.unit not in FITS[kind]:
                continue
            for name in known.names:
                if f" {name} " in folded:
                    key = (len(name), -order)
                    if best is None or key > best[:2]:
                        best = (*key, known, name)
        return (best[2], best[3]) if best else None
