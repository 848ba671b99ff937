"""Test stage: `*.test.yaml` ruleset tests, shared by `cchc test` and the project's pytest suite.

A test file names a ruleset and holds cases: figures (inline, or `data:` files) and the
statuses, values and check outcomes the evaluation must give. See docs/test.md.
"""
from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from .domain import CHECK_STATUSES, STATUSES
from .errors import CchcError, Position, Problem, did_you_mean
from .files import read_capped
from .load import MAX_BYTES, Doc, load_yaml
from .messages import _
from .periods import canonical
from .pipeline import Inputs, Session

TARGET_FIELDS = ("actual", "expected", "gap", "threshold", "needed", "deadline",
                 "baseline_period", "baseline_value", "origin", "reason", "covers", "field",
                 "base_field", "share", "base_share")
# target fields compared as text (the rest as numbers, within the tolerance)
_TARGET_TEXT = ("status", "deadline", "baseline_period", "origin", "reason", "covers")
CHECK_FIELDS = ("left", "right")
PATTERNS = ("*.test.yaml", "*.test.yml")
Outcome = Literal["pass", "fail", "error", "skip"]


def _text(value: Any) -> Any:
    """Periods and ids written bare (2024) arrive as numbers; they are names, not amounts."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Expectation(_Model):
    """One expected row: a target result, a check outcome, or a metric's value."""

    target: str | None = None
    check: str | None = None
    metric: str | None = None
    unit: str
    period: str
    status: str | None = None
    actual: float | None = None
    expected: float | None = None
    gap: float | None = None
    threshold: float | tuple[float, float] | None = None
    needed: float | None = None
    deadline: str | None = None
    left: float | None = None
    right: float | None = None
    value: float | None = None
    # spec v3 and §6: the base, where the figure comes from, why not applicable, part of the
    # period, ranks over fields of different sizes
    baseline_period: str | None = None
    baseline_value: float | None = None
    origin: str | None = None
    reason: str | None = None
    covers: str | None = None
    field: float | None = None
    base_field: float | None = None
    share: float | None = None
    base_share: float | None = None
    # Scoring (spec §7): an indicator's, a group's or the unit's ranking row.
    indicator: str | None = None
    group: str | None = None
    ranking: Literal[True] | None = None
    points: float | None = None
    max: float | None = None
    index: float | None = None
    band: str | None = None
    rank: int | None = None
    of: int | None = None
    previous_index: float | None = None
    rank_change: int | None = None
    inherited_from: str | None = None        # an inherited indicator's ancestor
    self_assessed_points: float | None = None  # điểm tự đánh giá (with `self_assessed`)
    difference: float | None = None          # points − self_assessed_points
    tolerance: float | None = Field(default=None, ge=0)

    _names = field_validator("unit", "period", "deadline", "target", "check", "metric",
                             "indicator", "group", "band", "inherited_from",
                             "baseline_period", "covers", mode="before")(_text)
    # "Quý I/2024" in a test file means 2024-Q1, as everywhere periods are read
    _periods = field_validator("period", "deadline", "baseline_period", "covers",
                               mode="after")(lambda v: canonical(v) if v else v)

    def kind(self) -> str:
        return next((k for k in SUBJECTS if getattr(self, k) is not None), "metric")

    def problems(self) -> list[tuple[tuple, str, str | None]]:
        """What the schema cannot say: exactly one subject, fields that fit it."""
        subjects = [k for k in SUBJECTS if getattr(self, k) is not None]
        if len(subjects) != 1:
            return [((), _("an expectation names exactly one of 'target', 'check' or 'metric' "
                           "(with scoring: 'indicator', 'group' or 'ranking')"),
                     _("got {subjects}").format(subjects=", ".join(subjects) or "-"))]
        allowed = {"target": ("status", *TARGET_FIELDS), "check": ("status", *CHECK_FIELDS),
                   "metric": ("value",), **SCORE_FIELDS}[subjects[0]]
        out: list[tuple[tuple, str, str | None]] = [
            ((name,), _("'{name}' does not apply to a {kind} expectation").format(
                name=name, kind=subjects[0]),
             _("use {fields}").format(fields=", ".join(allowed)))
            for name in self.model_fields_set
            if name not in (*allowed, "unit", "period", "tolerance", subjects[0])]
        choices = STATUSES if self.target else CHECK_STATUSES
        if self.status is not None and self.status not in choices:
            out.append((("status",), _("unknown {kind} status '{status}'").format(
                            kind=subjects[0], status=self.status),
                        did_you_mean(self.status, choices) or _("one of {choices}").format(
                            choices=", ".join(choices))))
        if not (self.model_fields_set - {"unit", "period", "tolerance", subjects[0]}):
            out.append(((), _("an expectation must expect something"),
                        _("add 'status' or a value") if self.metric is None else _("add 'value'")))
        return out


SUBJECTS = ("target", "check", "metric", "indicator", "group", "ranking")
_APPRAISAL = ("self_assessed_points", "difference")
SCORE_FIELDS = {"indicator": ("value", "points", "max", "inherited_from", *_APPRAISAL),
                "group": ("points", "max", *_APPRAISAL),
                "ranking": ("points", "max", "index", "band", "rank", "of", "previous_index",
                            "rank_change", *_APPRAISAL)}
_TEXT_FIELDS = ("band", "inherited_from")
_SCORE_LISTS = {"indicator": "scores", "group": "groups", "ranking": "rankings"}


class CaseModel(_Model):
    name: str
    description: str | None = None
    skip: str | None = None
    data: str | list[str] | None = None
    units: list[Any] | None = None
    reports: list[Any] | None = None
    # dossier rows by record source (`sources:`), counted as --records counts an export
    records: dict[str, list[dict[str, Any]]] | None = None
    # read as `cchc evaluate --units FILE --decimal-comma` reads them (None: the file's own)
    units_file: str | None = None
    decimal_comma: bool | None = None
    tolerance: float | None = Field(default=None, ge=0)
    summary: dict[str, int] | None = None
    expect: list[Expectation] = Field(min_length=1)


class TestFileModel(_Model):
    __test__ = False  # a name pytest would otherwise try to collect

    ruleset: str | None = None
    tolerance: float = Field(default=0.001, ge=0)
    # every case's data read as `cchc evaluate --units FILE --decimal-comma` reads it
    units_file: str | None = None
    decimal_comma: bool = False
    cases: list[CaseModel] = Field(min_length=1)


@dataclass(frozen=True)
class Case:
    index: int
    model: CaseModel
    pos: Position

    @property
    def name(self) -> str:
        return self.model.name


@dataclass(frozen=True)
class TestFile:
    __test__ = False  # a name pytest would otherwise try to collect

    path: Path
    ruleset: Path
    tolerance: float
    cases: tuple[Case, ...]
    doc: Doc
    units_file: str | None = None
    decimal_comma: bool = False


@dataclass
class CaseResult:
    file: TestFile
    case: Case
    status: Outcome
    problems: list[Problem] = field(default_factory=list)

    def describe(self) -> str:
        """`FAIL file:line name` and one indented line per problem."""
        head = f"{self.status.upper()} {self.case.pos} {self.case.name}"
        if self.status == "skip" and self.case.model.skip:
            head += f" ({self.case.model.skip})"
        return "\n".join([head, *("    " + p.format() for p in self.problems)])


# ---- loading -------------------------------------------------------------------------------

def find_test_files(paths: Iterable[str | Path]) -> list[Path]:
    """Each PATH as given when it is a file, else every `*.test.yaml` below it (sorted)."""
    found: list[Path] = []
    missing = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted({p for pattern in PATTERNS for p in path.rglob(pattern)}))
        else:
            missing.append(Problem("IO01", _("no such file or folder"), Position(str(path))))
    if missing:
        raise CchcError(missing)
    return list(dict.fromkeys(found))


def collect(paths: Iterable[str | Path]) -> list[TestFile]:
    """Load every test file under `paths`; one CchcError with the problems of all of them."""
    files, problems = [], []
    for path in find_test_files(paths):
        try:
            files.append(load_test_file(path))
        except CchcError as err:
            problems.extend(err.problems)
    if problems:
        raise CchcError(problems)
    return files


def load_test_file(path: str | Path) -> TestFile:
    """One test file, validated; CchcError with every problem and its position."""
    path = Path(path)
    doc = load_yaml(path)
    if isinstance(doc.data, dict) and {"metrics", "targets"} & set(doc.data):
        raise CchcError.one("TST08", _("this is a ruleset, not a test file"), doc.pos(),
                            _("give its tests, e.g. {tests_of}").format(tests_of=_tests_of(path)))
    try:
        model = TestFileModel.model_validate(doc.data)
    except ValidationError as err:
        raise CchcError(sorted({_schema_problem(e, doc) for e in err.errors()},
                               key=_where)) from None
    problems = []
    for i, case in enumerate(model.cases):
        for j, expectation in enumerate(case.expect):
            for loc, message, hint in expectation.problems():
                at = ("cases", i, "expect", j, *loc)
                problems.append(Problem("TST03", message, doc.pos(at, key=bool(loc)), hint))
        problems.extend(_data_problems(path, doc, i, case))
    ruleset = path.parent / model.ruleset if model.ruleset else _default_ruleset(path)
    if not ruleset.is_file():
        where = doc.pos(("ruleset",)) if model.ruleset else Position(str(path), 1, 1)
        problems.append(Problem("TST04", _("ruleset '{ruleset}' not found").format(
                                           ruleset=ruleset), where,
                                None if model.ruleset else _("name it with 'ruleset: FILE'")))
    if problems:
        raise CchcError(sorted(problems, key=_where))
    cases = tuple(Case(i, c, doc.pos(("cases", i))) for i, c in enumerate(model.cases))
    return TestFile(path, ruleset, model.tolerance, cases, doc, model.units_file,
                    model.decimal_comma)


def _tests_of(ruleset: Path) -> Path:
    return ruleset.with_name(ruleset.name.removesuffix(".yaml") + ".test.yaml")


def _default_ruleset(path: Path) -> Path:
    stem = path.name
    for suffix in (".test.yaml", ".test.yml"):
        if stem.endswith(suffix):
            return path.with_name(stem[: -len(suffix)] + ".yaml")
    return path.with_suffix(".ruleset.yaml")


def _data_problems(path: Path, doc: Doc, i: int, case: CaseModel) -> list[Problem]:
    problems = []
    if case.units_file is not None and not (path.parent / case.units_file).is_file():
        problems.append(Problem("TST05", _("data file '{name}' not found").format(
                                           name=case.units_file),
                                doc.pos(("cases", i, "units_file")),
                                _("paths are relative to the test file")))
    for j, name in enumerate(_data_paths(case)):
        if not (path.parent / name).is_file():
            at = ("cases", i, "data") if isinstance(case.data, str) else ("cases", i, "data", j)
            problems.append(Problem("TST05", _("data file '{name}' not found").format(
                                               name=name), doc.pos(at),
                                    _("paths are relative to the test file")))
    if case.data is None and case.reports is None and case.records is None \
            and case.skip is None:
        problems.append(Problem("TST06", _("a case needs figures: 'reports:', 'data:' or "
                                           "'records:'"), doc.pos(("cases", i))))
    return problems


def _data_paths(case: CaseModel) -> list[str]:
    if case.data is None:
        return []
    return [case.data] if isinstance(case.data, str) else list(case.data)


def _schema_problem(error: ErrorDetails, doc: Doc) -> Problem:
    loc, kind = tuple(error["loc"]), error["type"]
    loc = tuple(s for s in loc if s not in ("str", "float", "tuple[float, float]", "list[str]"))
    if kind == "extra_forbidden":
        keys = _keys_for(loc[:-1])
        return Problem("TST01", _("unknown key '{loc}'").format(
                                  loc=loc[-1]), doc.pos(loc, key=True),
                       did_you_mean(str(loc[-1]), keys) or _("known keys: {keys}").format(
                                                             keys=", ".join(keys)))
    if kind == "missing":
        return Problem("TST02", _("missing required key '{loc}'").format(
                                  loc=loc[-1]), doc.pos(loc[:-1]))
    name = next((s for s in reversed(loc) if isinstance(s, str)), "test file")
    if kind == "too_short":
        return Problem("TST03", _("'{name}' must not be empty").format(name=name), doc.pos(loc))
    return Problem("TST03", f"'{name}': {error['msg']}, got {error.get('input')!r}"[:300],
                   doc.pos(loc))


def _keys_for(loc: tuple) -> list[str]:
    named = [s for s in loc if isinstance(s, str)]
    models: dict[tuple[str, ...], type[BaseModel]] = {
        (): TestFileModel, ("cases",): CaseModel, ("cases", "expect"): Expectation}
    model = models.get(tuple(named), TestFileModel)
    return list(model.model_fields)


def _where(problem: Problem) -> tuple:
    pos = problem.pos or Position("")
    return (pos.file, pos.line, pos.col, problem.code, problem.message)


# ---- running -------------------------------------------------------------------------------

def select(files: Iterable[TestFile], pattern: str | None = None) -> Iterator[tuple[TestFile,
                                                                                   Case]]:
    """Every (file, case) whose name matches `pattern` (re.search), in file order."""
    wanted = re.compile(pattern) if pattern else None
    for test_file in files:
        for case in test_file.cases:
            if wanted is None or wanted.search(case.name):
                yield test_file, case


@dataclass(frozen=True)
class Reading:
    """How the command line asks every case's data to be read, as `cchc evaluate` would:
    `--units FILE` and `--decimal-comma` (a case or test file may say so itself)."""

    units_file: Path | None = None
    decimal_comma: bool = False


def run(files: Iterable[TestFile], pattern: str | None = None,
        session: Session | None = None, reading: Reading = Reading()) -> list[CaseResult]:
    """Every selected case; one session, so each ruleset is loaded once for all its cases."""
    session = session if session is not None else Session()
    return [run_case(f, c, session, reading) for f, c in select(files, pattern)]


def run_case(test_file: TestFile, case: Case, session: Session | None = None,
             reading: Reading = Reading()) -> CaseResult:
    """Evaluate one case and compare; a ruleset or data problem makes it an ERROR."""
    if case.model.skip is not None:
        return CaseResult(test_file, case, "skip")
    try:
        evaluation, warnings = _evaluate(test_file, case,
                                         session if session is not None else Session(),
                                         reading)
    except CchcError as err:
        return CaseResult(test_file, case, "error", list(err.problems))
    failures = compare(test_file, case, evaluation)
    # A misspelt metric only warns when read; beside a failure it explains the failure.
    return CaseResult(test_file, case, "fail", failures + warnings) if failures else \
        CaseResult(test_file, case, "pass")


def _evaluate(test_file: TestFile, case: Case, session: Session, reading: Reading = Reading()):
    """The case's data read and evaluated through the pipeline call `cchc evaluate` makes
    (Session.load: the same readers, the ruleset's metric labels as column names, the units
    file, --decimal-comma), then its figures' warnings placed in the test file."""
    base = test_file.path.parent
    paths = [base / p for p in _data_paths(case.model)]
    units_name = case.model.units_file or test_file.units_file
    units_file = base / units_name if units_name else reading.units_file
    decimal_comma = case.model.decimal_comma if case.model.decimal_comma is not None \
        else test_file.decimal_comma or reading.decimal_comma
    with tempfile.TemporaryDirectory(prefix="cchc-test-") as tmp:
        inline = _inline_figures(test_file, case, Path(tmp))
        try:
            inputs = session.load(test_file.ruleset, [*paths, *inline], units_file,
                                  decimal_comma)
        except CchcError as err:
            raise CchcError([_relocate(p, inline, test_file, case)
                             for p in err.problems]) from None
        figures = inputs.figures
        if case.model.records:
            figures = _with_records(inputs.ruleset, figures, test_file, case, Path(tmp))
        warnings = [_relocate(p, inline, test_file, case) for p in figures.warnings]
    return session.evaluate_inputs(Inputs(inputs.ruleset, figures)), warnings


def _with_records(ruleset, figures, test_file: TestFile, case: Case, tmp: Path):
    """`figures` plus those counted from the case's inline dossier rows: each source's rows
    as a CSV file (a date as YYYY-MM-DD, a missing or empty value as an empty cell), counted
    by the same engine as `--records NAME=FILE.csv`. A problem without a place is put at
    the case's `records:` key."""
    import csv

    from .pipeline import add_records
    where = test_file.doc.pos(("cases", case.index, "records"), key=True)
    texts: list[str] = []
    for source, rows in (case.model.records or {}).items():
        columns = list(dict.fromkeys(k for row in rows for k in row))
        path = tmp / f"records-{len(texts)}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            writer.writerows([_cell(row.get(c)) for c in columns] for row in rows)
        texts.append(f"{source}={path}")
    try:
        return add_records(ruleset, figures, texts)
    except CchcError as err:
        raise CchcError([p if p.pos is not None and not p.pos.file.startswith(str(tmp))
                         else Problem(p.code, p.message.replace(str(tmp) + "/", ""), where,
                                      p.hint, p.severity)
                         for p in err.problems]) from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat(sep=" ") if hasattr(value, "hour") else \
        value.isoformat() if hasattr(value, "isoformat") else str(value)


def _inline_figures(test_file: TestFile, case: Case, tmp: Path) -> list[Path]:
    """The case's `units:`/`reports:` as a data file that keeps their lines: every other
    line is blanked and the block is dedented, so a problem maps back to the test file."""
    keys = [k for k in ("units", "reports") if getattr(case.model, k) is not None]
    if not keys:
        return []
    lines = read_capped(test_file.path, MAX_BYTES).decode("utf-8").splitlines()
    # The block ends where the next key of this case, the next case or a top-level key starts.
    starts = sorted({p.line for k, p in test_file.doc.key_positions.items()
                     if len(k) == 1 or (len(k) == 3 and k[:2] == ("cases", case.index))}
                    | {c.pos.line for c in test_file.cases if c.index > case.index})
    kept = [""] * len(lines)
    for key in keys:
        at = test_file.doc.pos(("cases", case.index, key), key=True)
        end = next((s for s in starts if s > at.line), len(lines) + 1)
        indent = at.col - 1
        if lines[at.line - 1][:indent].strip(" -"):
            raise CchcError.one("TST07", _("write '{key}:' on its own line (block style)").format(
                                           key=key), at)
        for n in range(at.line, end):
            text = lines[n - 1]
            kept[n - 1] = text[indent:] if not text[:indent].strip(" -") else ""
    out = tmp / "inline.yaml"
    out.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return [out]


def _relocate(problem: Problem, inline: list[Path], test_file: TestFile, case: Case) -> Problem:
    """A problem in the inline data file, moved back to its line and column in the test file."""
    pos = problem.pos
    if pos is None or not inline or pos.file != str(inline[0]):
        return problem
    key = "reports" if case.model.reports is not None else "units"
    indent = test_file.doc.pos(("cases", case.index, key), key=True).col - 1
    where = Position(str(test_file.path), pos.line, pos.col + indent if pos.col else 0)
    return Problem(problem.code, problem.message, where, problem.hint, problem.severity)


# ---- comparing -----------------------------------------------------------------------------

def compare(test_file: TestFile, case: Case, evaluation) -> list[Problem]:
    """Every expectation the evaluation does not meet, at the expectation's line."""
    results = {(r["target"], r["unit"], r["period"]): r for r in evaluation.records()}
    checks = {(r["check"], r["unit"], r["period"]): r for r in evaluation.check_records()}
    values = {(m, u, p): v for u, p, m, v in
              evaluation.values.select("unit", "period", "metric", "value").iter_rows()}
    default = case.model.tolerance if case.model.tolerance is not None else test_file.tolerance
    scored = _scored(evaluation)
    failures = []
    for j, want in enumerate(case.model.expect):
        pos = test_file.doc.pos(("cases", case.index, "expect", j))
        tol = want.tolerance if want.tolerance is not None else default
        if want.kind() in SCORE_FIELDS:
            failures += [Problem("TST10", message, pos)
                         for message in _score_mismatches(want, scored, tol)]
            continue
        for message in _mismatches(want, results, checks, values, tol):
            failures.append(Problem("TST10", message, pos))
    failures.extend(_summary_mismatches(test_file, case, evaluation))
    return failures


def _mismatches(want: Expectation, results: dict, checks: dict, values: dict,
                tol: float) -> list[str]:
    kind = want.kind()
    name = getattr(want, kind)
    label = _("{kind} {name} for {unit} in {period}").format(
        kind=kind, name=name, unit=want.unit, period=want.period)
    if kind == "metric":
        if (name, want.unit, want.period) not in values:
            return [_("{label}: no value").format(label=label)]
        got = values[(name, want.unit, want.period)]
        return [] if _close(got, want.value, tol) else [
            _("{label}: value {got}, test wants {want}").format(
                label=label, got=_show(got), want=_show(want.value))]
    table = results if kind == "target" else checks
    row = table.get((name, want.unit, want.period))
    if row is None:
        return [_("{label}: no result").format(label=label)]
    fields = ("status", *(TARGET_FIELDS if kind == "target" else CHECK_FIELDS))
    out = []
    for key in fields:
        if key not in want.model_fields_set:
            continue
        expected, got = getattr(want, key), row.get(key)
        same = got == expected if key in _TARGET_TEXT else _close(got, expected, tol)
        if not same:
            extra = _(" (actual {actual})").format(actual=_show(row.get("actual"))) \
                if key == "status" and kind == "target" else ""
            out.append(_("{label}: {key} {got}, test wants {want}").format(
                label=label, key=key, got=_show(got), want=_show(expected)) + extra)
    return out


def _scored(evaluation) -> dict[tuple, dict]:
    """The §7 rows by (kind, name, unit, period); empty without scoring."""
    scores = evaluation.scores()
    if scores is None:
        return {}
    rows: dict[tuple, dict] = {}
    for kind, name in _SCORE_LISTS.items():
        for row in getattr(scores, name).iter_rows(named=True):
            subject = True if kind == "ranking" else row[kind if kind == "group" else "indicator"]
            rows[(kind, subject, row["unit"], row["period"])] = row
    return rows


def _score_mismatches(want: Expectation, scored: dict, tol: float) -> list[str]:
    kind = want.kind()
    name = getattr(want, kind)
    label = _("{kind} {name} for {unit} in {period}").format(
        kind=kind, name=name, unit=want.unit, period=want.period) if kind != "ranking" \
        else _("ranking of {unit} in {period}").format(unit=want.unit, period=want.period)
    row = scored.get((kind, name, want.unit, want.period))
    if row is None:
        return [_("{label}: not scored (does the ruleset have this in its scoring?)").format(
            label=label)]
    out = []
    for key in SCORE_FIELDS[kind]:
        if key in want.model_fields_set:
            expected, got = getattr(want, key), row.get(key)
            same = got == expected if key in _TEXT_FIELDS else _close(got, expected, tol)
            if key == "band" and not same:   # a band's title (v3) names it as well
                same = row.get("band_title") == expected
            if not same:
                out.append(_("{label}: {key} {got}, expected {want}").format(
                    label=label, key=key, got=_show(got), want=_show(expected)))
    return out


def _summary_mismatches(test_file: TestFile, case: Case, evaluation) -> list[Problem]:
    if not case.model.summary:
        return []
    counts = {**evaluation.summary(), **{f"check_{k}": v
                                         for k, v in evaluation.check_summary().items()}}
    pos = test_file.doc.pos(("cases", case.index, "summary"))
    return [Problem("TST11", _("summary: {key} is {get}, test wants {want}").format(
                               key=key, get=counts.get(key, 0), want=want), pos,
                    did_you_mean(key, counts) if key not in counts else None)
            for key, want in case.model.summary.items() if counts.get(key, 0) != want]


def _close(got: Any, want: Any, tol: float) -> bool:
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, tuple | list):
        return isinstance(got, tuple | list) and len(got) == len(want) and all(
            _close(g, w, tol) for g, w in zip(got, want, strict=True))
    if isinstance(got, tuple | list):
        return False
    return abs(float(got) - float(want)) <= tol


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def counts(results: Iterable[CaseResult]) -> dict[str, int]:
    out = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    key = {"pass": "passed", "fail": "failed", "error": "errors", "skip": "skipped"}
    for result in results:
        out[key[result.status]] += 1
    return out
