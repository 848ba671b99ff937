"""Pipeline layer: ruleset → figures → evaluation → output, assembled in one place.

A `Session` is what the CLI, `cchc test`, the report and the Python API call. It caches each
loaded ruleset under the SHA-256 of the ruleset file and every `extends` parent, so a
long-running caller (a test run, a web server) loads a ruleset once and reloads it as soon
as any of its files changes. One session may be shared by threads; it changes no process-wide
state (the CLI alone pauses the garbage collector, see cli.py).
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .errors import CchcError
from .messages import N_, _, translate

if TYPE_CHECKING:  # the heavy modules (polars, WeasyPrint) load only when a step runs
    from .errors import Problem
    from .evaluation.result import Evaluation
    from .figures.data import Figures
    from .ruleset.loader import LoadedRuleset

LOG = logging.getLogger("cchc.pipeline")   # progress lines (the CLI's --verbose)


def _progress(message: str, **values: object) -> None:
    """One progress line, translated only when someone reads it: a run without --verbose
    need not read the catalogue (8 ms) for lines it drops."""
    if LOG.isEnabledFor(logging.INFO):
        LOG.info(translate(message).format(**values))
PathArg = str | PathLike
Step = Callable[[], None]            # called after each stage (a progress bar advances)
Warn = Callable[["Problem"], None]   # called once per warning, before evaluation starts


@dataclass(frozen=True)
class Inputs:
    """A loaded ruleset and the figures read for it."""

    ruleset: LoadedRuleset
    figures: Figures

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return (*self.ruleset.warnings, *self.figures.warnings)


@dataclass(frozen=True)
class _Cached:
    digest: str                 # of every file in ruleset.files, in order
    ruleset: LoadedRuleset


def digest(files: Iterable[Path]) -> str | None:
    """SHA-256 over each file's name and content; None when one cannot be read (or is not a
    regular file: read through files.read_capped, so a FIFO or a device never blocks)."""
    from .files import read_capped
    from .load import MAX_BYTES

    sha = hashlib.sha256()
    try:
        for path in files:
            sha.update(str(path).encode("utf-8") + b"\0")
            sha.update(hashlib.sha256(read_capped(path, MAX_BYTES)).digest())
    except CchcError:
        return None
    return sha.hexdigest()


def known_metrics(ruleset: LoadedRuleset) -> dict[str, str]:
    """Metric id -> metric unit: what `read_data` keeps and how it checks values."""
    return {mid: m.unit for mid, m in ruleset.model.metrics.items()}


def metric_labels(ruleset: LoadedRuleset) -> dict[str, str]:
    """Metric id -> label: a sheet's column may name a metric by its label."""
    return {mid: m.label for mid, m in ruleset.model.metrics.items()}


class Session:
    """Load, read, evaluate and render, with loaded rulesets cached by content hash."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rulesets: dict[Path, _Cached] = {}

    def load_ruleset(self, path: PathArg) -> LoadedRuleset:
        """The ruleset at `path` (and its parents), loaded once per content; CchcError when
        invalid (an invalid ruleset is not cached: the next call reports it again)."""
        from .ruleset.loader import load_ruleset

        key = Path(path).absolute()
        with self._lock:  # one load at a time: two threads never load the same file twice
            cached = self._rulesets.get(key)
            if cached is not None and digest(cached.ruleset.files) == cached.digest:
                return cached.ruleset
            before = digest([key])
            loaded = load_ruleset(Path(path))
            now = digest(loaded.files)
            # Edited while it was being read: serve it, but let the next call read it again.
            if now is not None and before == digest([key]):
                self._rulesets[key] = _Cached(now, loaded)
            else:
                self._rulesets.pop(key, None)
            return loaded

    def read_figures(self, paths: Sequence[PathArg], units_file: PathArg | None = None,
                     decimal_comma: bool = False,
                     known: Mapping[str, str] | None = None,
                     labels: Mapping[str, str] | None = None) -> Figures:
        """Figures from data files (never cached: they are the part that changes)."""
        from .figures.data import read_data
        return read_data([Path(p) for p in paths], units_file=units_file,
                         decimal_comma=decimal_comma, known_metrics=known,
                         metric_labels=labels)

    def load(self, ruleset_path: PathArg, data_paths: Sequence[PathArg],
             units_file: PathArg | None = None, decimal_comma: bool = False, *,
             step: Step | None = None, warn: Warn | None = None,
             records: Sequence[str] = (), as_of: datetime | None = None,
             periods: Iterable[str] | None = None, since: str | None = None,
             cache: PathArg | None = None) -> Inputs:
        """The ruleset, then the figures of its metrics; `warn` gets every warning of both.
        `records`: `NAME=LOCATION` texts (--records), figures counted from dossier records
        as of `as_of` (default now); a period not ended by then only if in `periods` or
        from `since` on; with either, only what they need is counted. `cache`: a file or
        folder keeping closed periods' counted figures (docs/records.md §8)."""
        _progress(N_("loading {path}"), path=ruleset_path)
        ruleset = self.load_ruleset(ruleset_path)
        known, labels = known_metrics(ruleset), metric_labels(ruleset)
        for version in self.versions(ruleset_path, ruleset)[:-1]:  # older plans' metrics too
            known = {**known_metrics(version.ruleset), **known}
            labels = {**metric_labels(version.ruleset), **labels}
        _call(step)
        _progress(N_("reading {files} data file(s)"), files=len(data_paths))
        figures = self.read_figures(data_paths, units_file, decimal_comma, known, labels)
        if records:
            figures = add_records(ruleset, figures, records, as_of, periods, since, cache)
        else:
            figures = warn_unfinished(figures, as_of)
        _call(step)
        inputs = Inputs(ruleset, figures)
        if warn is not None:
            for warning in inputs.warnings:
                warn(warning)
        return inputs

    def evaluate(self, ruleset_path: PathArg, data_paths: Sequence[PathArg],
                 units_file: PathArg | None = None, decimal_comma: bool = False, *,
                 step: Step | None = None, warn: Warn | None = None,
                 records: Sequence[str] = (), as_of: datetime | None = None,
                 since: str | None = None, cache: PathArg | None = None,
                 **filters: Iterable[str] | None) -> Evaluation:
        """Load, read and evaluate (filters: `periods`, `units`, `targets`; `since`: the
        periods starting on or after it too, see `load`)."""
        inputs = self.load(ruleset_path, data_paths, units_file, decimal_comma,
                           step=step, warn=warn, records=records, as_of=as_of,
                           periods=filters.get("periods"), since=since, cache=cache)
        if since is not None:
            filters["periods"] = [*(filters.get("periods") or ()),
                                  *periods_since(inputs.figures.values, since)]
        versions = self.versions(ruleset_path, inputs.ruleset)
        _progress(N_("evaluating {figures:,} figures"), figures=inputs.figures.values.height)
        if len(versions) > 1:
            from .evaluation.versions import evaluate_versions
            evaluation = evaluate_versions(versions, inputs.figures, **filters)
        else:
            evaluation = self.evaluate_inputs(inputs, **filters)
        if warn is not None:  # what evaluating found (DAT22), after the inputs' own warnings
            for warning in evaluation.found:
                warn(warning)
        _call(step)
        return evaluation

    def versions(self, path: PathArg, ruleset: LoadedRuleset) -> list:
        """The versions of a plan in force by date (ruleset/versions.py), oldest first; one
        when the ruleset neither `replaces` nor `amends` another."""
        if ruleset.model.replaces is None and ruleset.model.amends is None:
            return [ruleset]
        from .ruleset.versions import load_versions
        return load_versions(Path(path), self.load_ruleset)

    @staticmethod
    def evaluate_inputs(inputs: Inputs, **filters: Iterable[str] | None) -> Evaluation:
        from .evaluation.evaluator import evaluate
        return evaluate(inputs.ruleset, inputs.figures, **filters)

    @staticmethod
    def render(evaluation: Evaluation, fmt: str, out: BinaryIO, **options: Any
               ) -> list[Problem]:
        """Write format `fmt` of `evaluation` to the binary stream `out`; the warnings found
        while rendering (RPT10 for a PDF). Formats: table, json, csv, junit (options `lang`,
        `fail_on`, `color`) and the reports html, pdf (`lang`, `detail`, `template_dir`,
        `inputs`; a PDF also needs `output`, the path it is written to, for its fetch roots)."""
        if fmt == "html":
            from .render.html import render_html
            out.write(render_html(evaluation, **options).encode("utf-8"))
            return []
        if fmt == "pdf":
            from .render.pdf import render_pdf
            pdf, warnings = render_pdf(evaluation, options.pop("output"), **options)
            out.write(pdf)
            return warnings
        from .render import write
        write(fmt, evaluation, out, **options)
        return []


def periods_since(values, since: str) -> list[str]:
    """The periods of figures (`values`) starting on or after the start of `since`."""
    from .periods import is_period, parse_period
    first = parse_period(since).start
    return [p for p in values.get_column("period").unique().sort().to_list()
            if is_period(p) and parse_period(p).start >= first]


def add_records(ruleset: LoadedRuleset, figures: Figures, records: Sequence[str],
                as_of: datetime | None = None, periods: Iterable[str] | None = None,
                since: str | None = None, cache: PathArg | None = None) -> Figures:
    """`figures` plus those counted from dossier records (records/), as if reported, as of
    `as_of` (a period not ended by then only if in `periods`). A figure both reported and
    counted is an error (REC08): which one is right is not ours to guess. Without declared
    units, the records' units become units as reported ones do."""
    import polars as pl

    from .errors import Problem
    from .figures.data import COLUMNS, KEYS
    from .figures.data import Figures as FiguresType
    from .figures.records import count_figures, parse_location
    from .figures.units import Unit

    sources = ruleset.model.sources
    locations = [parse_location(text, sources) for text in records]
    declared = any(u.pos is not None for u in figures.units.values())
    from .periods import parse_period
    counted = count_figures(ruleset, locations, figures.units if declared else None,
                            as_of=as_of, asked=list(periods) if periods else None,
                            since=parse_period(since) if since is not None else None,
                            cache=Path(cache) if cache is not None else None)
    both = figures.values.join(counted.values, on=KEYS, how="semi")
    if both.height:
        first = both.row(0, named=True)
        raise CchcError([Problem(
            "REC08", _("{height} figure(s) are both reported and counted from records, e.g. "
                       "'{metric}' for {unit} in {period}").format(
                       height=both.height, metric=first['metric'], unit=first['unit'],
                       period=first['period']),
            None, _("drop the metric from the --data files or from --records"))])
    running = unfinished_reported(figures.values, as_of)
    if running:   # reported figures of a period not ended: flagged as counted ones are
        counted.info.in_progress.update(running)
        counted.warnings.append(Problem("REC12", _(
            "reported figures for {periods}, not ended as of the moment counted: in "
            "progress, not judged yet").format(periods=", ".join(running)),
            None, None, "warning"))
    units = dict(figures.units)
    if not declared:
        units.update({u: Unit(u, u) for u in counted.units if u not in units})
    values = pl.concat([figures.values.select(COLUMNS), counted.values.select(COLUMNS)])
    return FiguresType(values, units, [*figures.warnings, *counted.warnings],
                       figures.restated, records=counted.info,
                       level_titles=figures.level_titles)


def warn_unfinished(figures: Figures, as_of: datetime | None = None) -> Figures:
    """`figures` (reported only: a run without --records) with a REC12 warning naming the
    periods not ended as of `as_of` (default now), if any. Their results are judged on the
    figures as reported, as the spec judges any figure (a run with --records marks them in
    progress and leaves them unjudged: add_records)."""
    running = unfinished_reported(figures.values, as_of)
    if not running:
        return figures
    from .errors import Problem
    return dataclasses.replace(figures, warnings=[*figures.warnings, Problem("REC12", _(
        "reported figures for {periods}, not ended as of {as_of}: judged on the figures "
        "as reported").format(periods=", ".join(running), as_of=_shown_moment(as_of)),
        None, _("check that they are the whole period's, or set --as-of"), "warning")])


def _shown_moment(as_of: datetime | None) -> str:
    """The moment counted as of, in Vietnam time, to the minute."""
    from datetime import UTC

    from .periods import local_time
    return local_time(as_of or datetime.now(UTC), 7).isoformat(sep=" ", timespec="minutes")


def unfinished_reported(values, as_of: datetime | None) -> list[str]:
    """The periods of reported figures (`values`) not ended as of `as_of` (default now),
    in Vietnam time: the first moment after the period is later."""
    from datetime import UTC

    from .periods import local_time, moment_after, parse_period
    moment = local_time(as_of or datetime.now(UTC), 7)
    out = []
    for text in values.get_column("period").unique().sort().to_list():
        try:
            period = parse_period(text)
        except ValueError:
            continue
        if moment_after(period) > moment:
            out.append(text)
    return out


def _call(step: Step | None) -> None:
    if step is not None:
        step()


def evaluate_files(ruleset_path: PathArg, data_paths: Sequence[PathArg] = (),
                   units_file: PathArg | None = None, decimal_comma: bool = False, *,
                   records: Sequence[str] = (), warn: Warn | None = None,
                   periods: Iterable[str] | None = None, units: Iterable[str] | None = None,
                   targets: Iterable[str] | None = None, since: str | None = None,
                   cache: PathArg | None = None) -> Evaluation:
    """Load a ruleset and data files, then evaluate (filters: periods, units, targets).
    `records`: `NAME=LOCATION` texts, as --records (figures counted from dossier records;
    docs/records.md); `warn` gets every warning; `since`, `cache` as --since, --cache
    (docs/records.md §8). A fresh session per call: nothing stays cached between calls of
    this function but what `cache` keeps."""
    return Session().evaluate(ruleset_path, data_paths, units_file, decimal_comma,
                              records=records, warn=warn, periods=periods, units=units,
                              targets=targets, since=since, cache=cache)
