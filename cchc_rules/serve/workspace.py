"""The files `cchc serve` watches, evaluated through one pipeline Session.

A refresh that fails keeps the last good evaluation: the page shows the new problems in a
banner above results that were right a moment ago. Every refresh gets a new version number,
which is what the open pages compare to know they are stale.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CchcError, Problem

# An upload (one unit's form or CSV file) is a few kB; ten MB is generous. The upload
# handler refuses larger bodies and the upload page says the limit.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

if TYPE_CHECKING:
    from ..evaluation.result import Evaluation


@dataclass(frozen=True)
class Snapshot:
    """What the pages show: the last good evaluation and the problems of the latest try."""

    version: int
    evaluation: Evaluation | None          # the last one that succeeded, or None yet
    problems: tuple[Problem, ...] = ()     # why the latest refresh failed; () when it did not
    seconds: float = 0.0                   # how long the latest refresh took
    warnings: tuple[Problem, ...] = field(default=())
    cpu: float = 0.0                       # the process's CPU seconds during that refresh

    @property
    def ok(self) -> bool:
        return not self.problems


class Workspace:
    """A ruleset, its data files and units file, and their latest evaluation."""

    def __init__(self, ruleset: Path, data: Sequence[Path], units: Path | None = None,
                 decimal_comma: bool = False, lang: str = "vi",
                 evidence: Path | None = None) -> None:
        from ..pipeline import Session

        self.ruleset, self.data, self.units = Path(ruleset), tuple(map(Path, data)), units
        # the index's evidence, explanations and comments (cchc collect --evidence)
        self.evidence = Path(evidence) if evidence is not None else None
        self.decimal_comma, self.lang = decimal_comma, lang
        self.session = Session()
        self._lock = threading.Lock()          # one refresh at a time
        self._parents: tuple[Path, ...] = ()   # the ruleset's `extends` files, last seen
        self.snapshot = Snapshot(0, None)
        self.seen: tuple = ()                  # the watched files' signature as last evaluated

    def watched(self) -> tuple[Path, ...]:
        """Every file whose change means a new evaluation, the ruleset's parents included
        (as of the last load that got that far)."""
        files = [self.ruleset, *self._parents, *self.data]
        if self.units is not None:
            files.append(self.units)
        if self.evidence is not None:
            files.append(self.evidence)
        return tuple(dict.fromkeys(files))

    def refresh(self) -> Snapshot:
        """Evaluate the files as they are now; the new snapshot (problems kept as data)."""
        from ..messages import set_language
        from .watcher import signature

        set_language(self.lang)
        with self._lock:
            start, cpu = time.perf_counter(), time.process_time()
            last = self.snapshot
            self.seen = signature(self.watched())
            try:
                ruleset = self.session.load_ruleset(self.ruleset)
                chain = self.session.versions(self.ruleset, ruleset)   # replaces/amends
                self._parents = tuple(ruleset.files[1:]) + tuple(
                    v.path for v in chain[:-1] if hasattr(v, "path"))
                evaluation = self.session.evaluate(self.ruleset, self.data, self.units,
                                                   self.decimal_comma)
            except CchcError as err:
                self.snapshot = Snapshot(last.version + 1, last.evaluation,
                                         tuple(err.problems), time.perf_counter() - start,
                                         last.warnings, time.process_time() - cpu)
            else:
                self.snapshot = Snapshot(last.version + 1, evaluation, (),
                                         time.perf_counter() - start,
                                         tuple(evaluation.warnings), time.process_time() - cpu)
            if len(self.watched()) != len(self.seen):  # parents found (or lost) by this load
                self.seen = signature(self.watched())
            return self.snapshot
