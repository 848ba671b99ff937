"""Figures stage: a folder of returned self-assessment and appraisal workbooks → one set of
figures with provenance per value (issue 26).

Files are read in name order, whatever their senders renamed them to: each workbook names
its own unit and period. Per unit, an appraisal workbook is used over a self-assessment (it
carries the self points); two different workbooks of the same kind for one unit are a
conflict naming both files (DAT46), and neither is used; the same file sent twice (same
SHA-256) is used once and said. A refused workbook (another ruleset, an edited structure,
a bad cell) is not used, and its unit is listed. Units expected in the period that sent
nothing are listed. Every value carries where it was read: file, sheet, cell and the file's
SHA-256.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CchcError, Position, Problem
from ..messages import _
from ..periods import Period
from .scoring_book import APPRAISAL, SELF, book_rows
from .scoring_read import NA, Returned, exists_in, read_book
from .units import Unit

SUFFIXES = (".xlsx", ".xlsm")
FIGURE_FIELDS = ("unit", "period", "metric", "value", "source")
EVIDENCE_FIELDS = ("unit", "period", "indicator", "title", "self_points", "points",
                   "evidence", "link", "explanation", "comment", "file", "sheet", "cell",
                   "sha256")


@dataclass
class Collected:
    """What a folder of returned workbooks gave."""

    books: list[Returned] = field(default_factory=list)      # every workbook, name order
    used: dict[str, Returned] = field(default_factory=dict)  # unit → the workbook used
    duplicates: list[tuple[Returned, Returned]] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)        # units that should send one
    missing: list[str] = field(default_factory=list)         # expected, sent nothing

    @property
    def problems(self) -> list[Problem]:
        return [p for b in self.books for p in b.problems] + self.conflicts

    @property
    def refused(self) -> list[Returned]:
        return [b for b in self.books if b.refused]


def collect(folder: Path, ruleset: Any, units: dict[str, Unit], period: Period,
            today: dt.date | None = None) -> Collected:
    """Read every workbook in `folder` (not below it) for `period`."""
    if not folder.is_dir():
        raise CchcError.one("IO01", _("{folder} is not a folder").format(folder=folder),
                            Position(str(folder)), _("give the folder the workbooks were saved "
                                                     "in"))
    today = today or dt.date.today()
    out = Collected()
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES
                       and not p.name.startswith("~$")):
        try:
            out.books.append(read_book(path, ruleset, units, period, today))
        except CchcError as err:   # not a regular file, unreadable: its problems, placed
            book = Returned(path, "")
            book.problems += err.problems
            out.books.append(book)
    scoring = ruleset.model.scoring
    out.expected = [u.id for u in units.values() if exists_in(u, period)
                    and any(r.scored for r in book_rows(scoring, u.level))]
    by_unit: dict[tuple[str, str], list[Returned]] = {}
    for book in out.books:
        if not book.refused:
            by_unit.setdefault((book.unit, book.kind), []).append(book)
    chosen: dict[str, Returned] = {}
    conflicted: set[str] = set()
    for (unit, _kind), books in by_unit.items():
        first = books[0]
        for other in books[1:]:
            if other.sha256 == first.sha256:
                out.duplicates.append((other, first))
                continue
            conflicted.add(unit)
            out.conflicts.append(Problem(
                "DAT46", _("two different workbooks for unit '{unit}': {first} and {other}")
                .format(unit=unit, first=first.path.name, other=other.path.name),
                Position(str(other.path)),
                _("keep the one the unit means; neither is used until then")))
        if unit in conflicted:
            continue
        if unit not in chosen or first.kind == APPRAISAL:
            chosen[unit] = first
    out.used = {u: b for u, b in chosen.items() if u not in conflicted}
    sent = {b.unit for b in out.books if b.unit}
    out.missing = [u for u in out.expected if u not in sent]
    return out


def _value(points: float | str | None) -> str | None:
    if points is None:
        return None
    if points == NA:
        return NA
    return f"{points:g}" if isinstance(points, float) else str(points)


def figure_rows(found: Collected) -> list[dict[str, str]]:
    """The long figures (unit, period, metric, value, source), units in id order. An
    appraisal gives the appraised points to the criterion's metric and the self points to
    its `self_assessed` metric; a self-assessment gives its points to `self_assessed`, or
    to the metric when the criterion has none."""
    rows = []
    for unit in sorted(found.used):
        book = found.used[unit]
        where = f"{book.path.name}!{book.sheet}!"
        for e in book.entries:
            ind = e.indicator
            pairs = [(ind.metric, e.points, e.cell)] if book.kind == APPRAISAL else []
            if ind.self_assessed is not None or book.kind == SELF:
                pairs.append((ind.self_assessed or ind.metric, e.self_points, e.self_cell))
            for metric, points, cell in pairs:
                value = _value(points)
                if value is not None:
                    rows.append({"unit": unit, "period": book.period, "metric": metric,
                                 "value": value,
                                 "source": f"{where}{cell} sha256:{book.sha256}"})
    return rows


def evidence_rows(found: Collected) -> list[dict[str, str]]:
    """Per criterion of every workbook used: self and appraised points, evidence,
    explanation, comment, and where they were read."""
    rows = []
    for unit in sorted(found.used):
        book = found.used[unit]
        for e in book.entries:
            rows.append({
                "unit": unit, "period": book.period, "indicator": e.indicator.id,
                "title": e.indicator.title, "self_points": _value(e.self_points) or "",
                "points": _value(e.points) or "" if book.kind == APPRAISAL else "",
                "evidence": e.evidence, "link": e.link, "explanation": e.explanation,
                "comment": e.comment, "file": book.path.name, "sheet": book.sheet,
                "cell": e.cell, "sha256": book.sha256})
    return rows


def csv_text(rows: list[dict[str, str]], fields: tuple[str, ...]) -> str:
    """Rows as CSV; a text cell that a spreadsheet would run as a formula is guarded."""
    from ..present import FORMULA_STARTS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "'" + v if k not in ("value", "self_points", "points")
                         and v.startswith(FORMULA_STARTS) else v for k, v in row.items()})
    return out.getvalue()
