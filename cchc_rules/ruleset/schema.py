"""Validate stage: pydantic v2 models of the ruleset file (spec §1), strict about types and keys.

Pydantic errors become `Problem`s at the file position of the offending key or value.
No `from __future__ import annotations` here: the models' annotations are objects when the
classes are made, so pydantic need not compile and evaluate 103 strings at start-up (2 ms).
"""

import datetime
import math
import re
import types
from typing import Annotated, Any, Literal, TypeAlias, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from ..domain import (
    AREAS,
    CHANGES,
    FALLBACKS,
    INDICATOR_KINDS,
    METRIC_UNITS,
    NEAR_OPS,
    OPS,
    RELATIVE_PERIODS,
    AreaLiteral,
    ChangeLiteral,
    FallbackLiteral,
    IndicatorKindLiteral,
    MetricUnitLiteral,
    OpLiteral,
    OverTimeLiteral,
)
from ..errors import Problem, did_you_mean
from ..expr.condition import COLUMN_TYPES
from ..expr.tokens import KEYWORDS
from ..load import Doc
from ..messages import N_, _, translate
from ..periods import KINDS, parse_period
from ..periods import RANGE_PATTERN as PERIOD

RULESET_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"
METRIC_ID = r"^[A-Za-z_][A-Za-z0-9_]*$"
ENTRY_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(code: str, message: str, value: Any) -> PydanticCustomError:
    return PydanticCustomError(code, message + _(", got {got}"), {"got": _show(value)})


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail("SCH01", _("must be text"), value)
    if not value.strip():
        raise _fail("SCH07", _("must not be empty"), value)
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail("SCH01", _("must be a number"), value)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise _fail("SCH01", _("must be a finite number"), value)
    return number


def _number_or_pair(value: Any) -> float | tuple[float, float]:
    if isinstance(value, list):
        if len(value) != 2:
            raise _fail("SCH01", _("must be a number or a pair [low, high]"), value)
        return (_threshold(value[0]), _threshold(value[1]))
    return _threshold(value)


# Bounds of the scoring section (docs/security.md): points and their totals stay finite (a
# sum of 1e308 twice is infinite, and an index of it NaN) and steps are scored in bounded
# time; each refused with SCH10 at its place.
MAX_POINTS = 1e9        # max, points, by_status, scale, |band min|
MAX_THRESHOLD = 1e15    # |full_at|, |zero_at|, |step value|: figures compared, not summed
MAX_STEPS = 100         # steps of one indicator
MAX_BANDS = 100         # bands of the index
MAX_INDICATORS = 1000   # indicators of the scoring (Decision 766 has 40 or so)


def _bounded(limit: float):
    def check(value: Any) -> float:
        number = _number(value)
        if abs(number) > limit:
            raise _fail("SCH10", _("must be between -{limit} and {limit}").format(
                                   limit=f"{limit:,.0f}"), value)
        return number
    return check


_points, _threshold = _bounded(MAX_POINTS), _bounded(MAX_THRESHOLD)


def _at_most(limit: int, message: str):
    """A list of at most `limit` entries, refused (SCH10) before any entry is validated."""
    def check(value: Any) -> Any:
        if isinstance(value, list) and len(value) > limit:
            raise PydanticCustomError("SCH10", translate(message),
                                      {"n": f"{len(value):,}", "limit": limit})
        return value
    return check


_few_steps = _at_most(MAX_STEPS, N_("has {n} steps; the limit is {limit}"))
_few_bands = _at_most(MAX_BANDS, N_("has {n} bands; the limit is {limit}"))
_few_indicators = _at_most(MAX_INDICATORS, N_("has {n} indicators; the limit is {limit}"))


def _period(value: Any) -> str:
    # YAML reads an unquoted `by: 2025` as a number; a whole year means the same
    # period as "2025", and the data reader accepts it too, so take it.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    try:
        return parse_period(_text(value)).text
    except ValueError as err:
        raise PydanticCustomError("SCH06", ": " + str(err)) from None


def _baseline_period(value: Any) -> str:
    """A period, or a relative one (relative.py): same_last_year, previous."""
    if isinstance(value, str) and value.strip() in RELATIVE_PERIODS:
        return value.strip()
    try:
        return _period(value)
    except PydanticCustomError:
        near = did_you_mean(value.strip().replace("-", "_").lower(), RELATIVE_PERIODS) \
            if isinstance(value, str) and not any(c.isdigit() for c in value) else None
        if near is None:
            raise
        raise PydanticCustomError("SCH06", _(": {text} is neither a period nor one of {choices}"),
                                  {"text": repr(value), "choices": ", ".join(RELATIVE_PERIODS),
                                   "hint": near}) from None


def _matching(pattern: str, what: str, refused: frozenset[str] = frozenset()):
    regex = re.compile(pattern)

    def check(value: Any) -> str:
        text = _text(value)
        if not regex.match(text) or text in refused:
            raise _fail("SCH05", _("must be {what}").format(what=translate(what)), value)
        return text
    return BeforeValidator(check)


Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "minLength": 1})]


def _date(value: Any) -> str:
    text = _text(value).strip()
    try:
        return datetime.date.fromisoformat(text).isoformat() if len(text) == 10 else \
            _bad_date(value)
    except ValueError:
        return _bad_date(value)


def _bad_date(value: Any) -> str:
    raise _fail("SCH09", _("must be a date YYYY-MM-DD"), value)


Date = Annotated[str, BeforeValidator(_date), WithJsonSchema(
    {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"})]
Number = Annotated[float, BeforeValidator(_number)]
Points = Annotated[float, BeforeValidator(_points),
                   WithJsonSchema({"type": "number", "minimum": -MAX_POINTS,
                                   "maximum": MAX_POINTS})]
Threshold = Annotated[float, BeforeValidator(_threshold),
                      WithJsonSchema({"type": "number", "minimum": -MAX_THRESHOLD,
                                      "maximum": MAX_THRESHOLD})]
Period = Annotated[str, BeforeValidator(_period), WithJsonSchema({"anyOf": [
    {"type": "string", "pattern": PERIOD},
    {"type": "integer", "minimum": 1000, "maximum": 9999}]})]
BaselinePeriod = Annotated[str, BeforeValidator(_baseline_period), WithJsonSchema({"anyOf": [
    {"type": "string", "pattern": PERIOD}, {"enum": list(RELATIVE_PERIODS)},
    {"type": "integer", "minimum": 1000, "maximum": 9999}]})]
RulesetId = Annotated[str, _matching(RULESET_ID, N_("lowercase letters, digits and '-'")),
                      Field(json_schema_extra={"pattern": RULESET_ID})]
MetricId = Annotated[str, _matching(METRIC_ID, N_("an id of ASCII letters, digits and '_' "
                                       "(not a Python keyword)"), KEYWORDS),
                     Field(json_schema_extra={"pattern": METRIC_ID})]
ZONE = r"^(UTC|UTC[+-][0-9]{1,2}|[+-][0-9]{2}:00)$"   # a source's `timezone:`
ZoneText = Annotated[str, _matching(ZONE, N_("UTC, UTC+7 or +07:00")),
                     Field(json_schema_extra={"pattern": ZONE})]
EntryId = Annotated[str, _matching(ENTRY_ID, N_("an id of letters, digits, '.', '_' and '-'")),
                    Field(json_schema_extra={"pattern": ENTRY_ID})]



def _no_items() -> list:
    """A new empty list: the lists' `default_factory`. Not `list` itself: pydantic reads a
    factory's signature, and a builtin's is parsed from text by tokenize, whose first use
    compiles a regex of 5 ms (start-up, issue 28)."""
    return []

class _Model(BaseModel):
    # Keys are read by their YAML names only (`assert`, never `assert_`). Validators are
    # built on first use: a run validates a Ruleset (which builds what it nests once, in
    # one schema) and seldom a model alone, so the 14 classes' own validators were mostly
    # built for nothing (3–4 ms of each start, bench/FINDINGS.md, issue 28).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# Literals built from the tables they check against, as domain.py's are: a Literal of a
# tuple is one pydantic reads, but not a type mypy can (so Any to it).
COLUMN_TYPE: TypeAlias = Literal[tuple(COLUMN_TYPES)]  # type: ignore[valid-type]
PERIOD_KIND = Literal[KINDS]  # type: ignore[valid-type]
AGGREGATES = ("count", "sum", "count_distinct", "mean_days")
AGGREGATE = Literal[AGGREGATES]  # type: ignore[valid-type]


class Source(_Model):
    """Một bảng hồ sơ / A table of dossier records the figures are counted from."""

    table: Text = Field(description="Tên bảng / Table name in a database (a file given with "
                        "--records NAME=FILE needs none, but names it here too).",
                        examples=["dossiers"])
    unit: Text = Field(description="Cột mã đơn vị / Column holding the unit id.")
    date: Text = Field(description="Cột ngày xếp hồ sơ vào kỳ / Date column that places a "
                       "record in a period, e.g. received_at.")
    columns: dict[str, COLUMN_TYPE] = Field(
        min_length=1, description="Các cột và kiểu / Declared columns and their types: text, "
        "integer, number, date, timestamp (local time), timestamptz (an instant), boolean. "
        "Only these can be used.")
    periods: list[PERIOD_KIND] = Field(
        default_factory=lambda: ["month"], min_length=1,
        description="Kỳ tính / Period kinds counted straight from the records, default "
        "[month]; add quarter, half, year to count longer periods directly.")
    utc_offset: int = Field(
        7, ge=-12, le=14, description="Múi giờ / Hours ahead of UTC where periods are cut "
        "(default 7, Vietnam): a timestamptz instant is moved to this local time first.")
    id: Text | None = Field(None, description="Cột mã hồ sơ / Dossier-id column: the same "
                            "id twice is reported in the data-quality section.")
    due: Text | None = Field(None, description="Cột hạn giải quyết / Due-date column: a due "
                             "date before the `date` is an inconsistent record.")
    resolved: Text | None = Field(None, description="Cột ngày giải quyết / Resolved-date "
                                  "column: before the `date` or in the future is inconsistent.")
    earliest: datetime.date | None = Field(
        None, description="Ngày sớm nhất hợp lý / The first plausible day of a date in the "
        "records; earlier ones are left out and counted (default: 1 January of the year "
        "before the ruleset's earliest baseline, or 2000 without one).")
    latest: datetime.date | None = Field(
        None, description="Ngày muộn nhất hợp lý / The last plausible day of a date in the "
        "records (default: a year after the run).")
    timezone: ZoneText | None = Field(
        None, description="Múi giờ của cột timestamp / The zone `timestamp` columns (times "
        "without a zone) are written in: UTC, UTC+7 or +07:00 (default: the local time of "
        "`utc_offset`, Vietnam).")
    nulls: list[str] | None = Field(
        None, description="Giá trị trống / Texts that mean a missing value in a CSV export, "
        "e.g. [\"NULL\", \"\"] (default: an empty field only).")
    description: Text | None = Field(None, description="Ghi chú / Free-text note.")


class Records(_Model):
    """Cách đếm chỉ số từ hồ sơ / How a raw metric is counted from a record source."""

    source: Text = Field(description="Tên nguồn / Source name under `sources:`.")
    aggregate: AGGREGATE = Field(
        description="Phép đếm / count (rows), sum (of `column`), count_distinct (of "
        "`column`), mean_days (mean of `to` − `from` in days).")
    column: Text | None = Field(None, description="Cột / Column for sum and count_distinct.")
    from_: Text | None = Field(None, alias="from", description="Ngày bắt đầu / mean_days: "
                               "the earlier date column, e.g. received_at.")
    to: Text | None = Field(None, description="Ngày kết thúc / mean_days: the later date "
                            "column, e.g. resolved_at.")
    where: Text | None = Field(
        None, description="Điều kiện / Condition over the columns: == != < <= > >=, and or "
        "not, is null, in [...], 'text', period_start, period_end.",
        examples=["resolved_at is not null and resolved_at <= due_at"])
    date: Text | None = Field(None, description="Cột ngày riêng / Date column placing the "
                              "record in a period for this metric (default: the source's).")
    stock: bool = Field(False, description="Số tồn / A stock counted at each period's end: "
                        "no date column places the record; `where` uses period_end.")


class Metric(_Model):
    """Một chỉ số: số liệu báo cáo (không có công thức) hoặc chỉ số tính ra từ công thức.
    A metric: a reported figure (no formula) or one derived by its formula."""

    label: Text = Field(description="Tên chỉ số / Display name, e.g. 'Tổng số hồ sơ tiếp nhận'.")
    unit: MetricUnitLiteral = Field(
        description="Đơn vị / Unit: count, percent (0–100), ratio, score, days, vnd, rank "
        "(a place from 1, lower is better).")
    of: MetricId | None = Field(
        None, description="Trên tổng số / With unit rank: the count metric holding the size "
        "of the field ranked (63 provinces before 2025, 34 after); adds the check rank ≤ of.",
        examples=["provinces_ranked"])
    formula: Text | None = Field(
        None, description="Công thức / Formula over other metric ids: numbers, + - * /, "
        "parentheses, min(..), max(..), abs(..). Absent for a reported figure.",
        examples=["received_online / received * 100"])
    over_time: OverTimeLiteral | None = Field(
        None, description="Cộng dồn theo thời gian / How a raw figure adds up over time (spec "
        "§5): sum (a flow), first or last (a stock at the start or end of the period). Absent: "
        "never derived across periods. Not for formula, percent or ratio metrics.")
    description: Text | None = Field(None, description="Ghi chú / Free-text note.")
    # spec §7 v3: a survey figure and its sample
    sample: MetricId | None = Field(
        None, description="Cỡ mẫu / With unit percent: the count metric holding the sample "
        "size the figure was measured on (a survey); each result then carries the 95% margin "
        "of error in percentage points.", examples=["respondents"])
    display_only: bool = Field(
        False, description="Chỉ để hiển thị / Kept for display (forms, reports, extending "
        "rulesets): no target, check or formula of this ruleset needs it, and `cchc lint` "
        "does not warn about it (LNT04).")
    records: Records | None = Field(
        None, description="Đếm từ hồ sơ / Count this raw metric from a record source "
        "(see docs/records.md) instead of reading it from reports.")
    synonyms: list[Text] | None = Field(
        None, description="Tên gọi khác / Other ways plans write this indicator, used by "
        "`cchc draft` to name the metric of a target sentence (docs/draft.md); an extension "
        "of the spec.", examples=[["tỷ lệ hồ sơ trực tuyến", "hồ sơ nộp trực tuyến"]])


class Check(_Model):
    """Một đẳng thức số liệu phải thoả mãn / An identity the reported figures must satisfy."""

    id: EntryId = Field(description="Mã kiểm tra / Check id, unique in the ruleset.")
    assert_: Text = Field(alias="assert", description="Điều kiện / One comparison: "
                          "== != < <= > >= between two formulas.",
                          examples=["received == received_online + received_direct + "
                                    "carried_over"])
    title: Text | None = Field(None, description="Mô tả / What the check means.")
    tolerance: Number | None = Field(
        None, ge=0, description="Dung sai tuyệt đối / Absolute tolerance: the two sides may "
        "differ by this much (e.g. 0.01 for figures published to two decimals); an "
        "extension of the spec.", examples=[0.01])


class Baseline(_Model):
    """Mốc gốc của lộ trình / Where the trajectory starts."""

    period: BaselinePeriod = Field(
        description="Kỳ gốc / Baseline period: \"2021\", \"2021-H1\", \"2021-Q1\", \"2021-03\", "
        "a range \"2021-01/2021-09\", or relative to each result's period: same_last_year "
        "(cùng kỳ năm trước) or previous (kỳ trước).")
    value: Number | None = Field(None, description="Giá trị gốc / Baseline value; read from "
                                 "the reported figures when omitted.")


class Milestone(_Model):
    """Một mốc: đến hết kỳ `by`, chỉ số phải thoả `op value` / By the end of `by`, `op value`."""

    by: Period = Field(description="Hạn / Deadline period; \"2025\" means by the end of 2025.")
    op: OpLiteral = Field(
        description="Phép so sánh / Comparison; `between` takes value: [low, high].")
    value: Annotated[float | tuple[float, float], BeforeValidator(_number_or_pair)] = Field(
        description="Ngưỡng / Threshold: a number, or [low, high] (both included) for between.")
    every_period_from: Period | None = Field(
        None, description="Duy trì / Must hold in every period from this one on (\"2024\": "
        "each period starting in 2024 or later is met or not_met, with no trajectory), up to "
        "the next milestone.")


class Target(_Model):
    """Một chỉ tiêu của kế hoạch / One target of the plan."""

    id: EntryId = Field(description="Mã chỉ tiêu / Target id, unique, e.g. 'TTHC-06'.")
    title: Text = Field(description="Tên chỉ tiêu / Target as the plan words it.")
    area: AreaLiteral = Field(
        description="Lĩnh vực CCHC / Reform area: institutions (thể chế), procedures (TTHC), "
        "organization (tổ chức bộ máy), civil_service (công vụ), public_finance (tài chính "
        "công), digital_government (chính phủ điện tử, chính phủ số).")
    metric: MetricId | None = Field(
        None, description="Chỉ số được đánh giá / Metric id the target compares; required "
        "unless the target is `qualitative`.")
    levels: list[Text] | None = Field(
        None, min_length=1, description="Cấp áp dụng / Unit levels the target applies to, "
        "e.g. [province, district]; every level when omitted.")
    baseline: Baseline | None = Field(None, description="Mốc gốc / Baseline period and value.")
    milestones: list[Milestone] = Field(
        description="Các mốc theo thời gian / Milestones, in order of `by`; at least one, "
        "`[]` only on a `qualitative` target.")
    change: ChangeLiteral | None = Field(
        None, description="So với kỳ gốc / Compare the change against the baseline: percent "
        "((actual − base) / base × 100) or absolute (actual − base).")
    source: Text | None = Field(None, description="Căn cứ / Where the plan states the target.")
    weight: Number = Field(1.0, ge=0, description="Trọng số / Weight in summaries, default 1.")
    every_period_from: Period | None = Field(
        None, description="Duy trì / Every milestone must hold in every period from this one "
        "on (as `every_period_from` on each milestone that has none of its own).")
    qualitative: bool = Field(
        False, description="Chỉ tiêu định tính / A target the plan states without a figure: "
        "kept for the record, with no milestones, and never evaluated (docs/draft.md).")
    quote: Text | None = Field(
        None, description="Nguyên văn / The sentence of the plan as written (set by `cchc "
        "draft`, with `source` naming its page or paragraph).")
    review: list[Text] | None = Field(
        None, description="Cần xem lại / What a drafter assumed or did not understand, one "
        "note each, for the planner to check and then remove (docs/draft.md).")

    @model_validator(mode="after")
    def _milestones_or_qualitative(self) -> "Target":
        if self.qualitative and self.milestones:
            raise PydanticCustomError("SCH08", _("a qualitative target has no milestones"))
        if not self.qualitative and self.metric is None:
            raise PydanticCustomError("SCH03", _("missing required key 'metric'"))
        if not self.qualitative and not self.milestones:
            raise PydanticCustomError("SCH07", _("'milestones' must not be empty (a target "
                                                 "without one is marked qualitative: true)"))
        return self

    @property
    def metric_id(self) -> str:
        """The metric of a target that is evaluated: every target but a qualitative one has
        one (the validator above), and the loader keeps qualitative targets apart."""
        if self.metric is None:
            raise ValueError(f"the qualitative target {self.id} is never evaluated")
        return self.metric


class Band(_Model):
    """Một hạng / A band on the index: the first whose `min` is at most the index."""

    id: EntryId = Field(description="Mã hạng / Band id, e.g. 'A'.")
    title: Text | None = Field(None, description="Tên hạng / The band's name, shown instead of "
                               "its id (v3), e.g. 'Xuất sắc'.")
    min: Points = Field(description="Chỉ số tối thiểu / Lowest index in the band.")


class ScoreGroup(_Model):
    """Một nhóm tiêu chí / A group of indicators (e.g. 'Tiến độ, kết quả giải quyết')."""

    id: EntryId = Field(description="Mã nhóm / Group id, unique.")
    title: Text = Field(description="Tên nhóm / Group title.")
    # criteria sets as provinces write them (issue 26): areas → criteria → sub-criteria
    parent: EntryId | None = Field(
        None, description="Nhóm cha / The group this one is part of (a criterion in its "
        "area, a sub-criterion in its criterion); its points and max add to the parent's.")
    max: Number | None = Field(
        None, gt=0, description="Điểm tối đa của nhóm / The group's maximum as a cap, where "
        "the plan says so: its points are at most this, and so is its max.")
    levels: list[Text] | None = Field(
        None, min_length=1, description="Khối / The unit levels (tracks: department, "
        "commune …) whose units are scored on this group; every indicator and group in it "
        "inherits them. Default: every level.")


class Step(_Model):
    """Một bậc điểm / One step: its points when `op value` holds for the value."""

    op: OpLiteral = Field(description="Phép so sánh / Comparison; `between` takes [low, high].")
    value: Annotated[float | tuple[float, float], BeforeValidator(_number_or_pair)] = Field(
        description="Ngưỡng / Threshold: a number, or [low, high] for between.")
    points: Points = Field(ge=0, description="Điểm / Points when the condition holds.")


class Indicator(_Model):
    """Một tiêu chí chấm điểm / One scored indicator: `max` and exactly one rule (full_at,
    steps, by_status with target, or as_points)."""

    id: EntryId = Field(description="Mã tiêu chí / Indicator id, unique, e.g. '2.1'.")
    title: Text = Field(description="Tên tiêu chí / Indicator title.")
    group: EntryId | None = Field(None, description="Nhóm / Group id from scoring.groups.")
    metric: MetricId | None = Field(None, description="Chỉ số được chấm / Metric scored.")
    target: EntryId | None = Field(None, description="Chỉ tiêu / Target whose status is "
                                   "scored (with by_status).")
    max: Points = Field(gt=0, description="Điểm tối đa / Maximum points, above 0.")
    full_at: Threshold | None = Field(None, description="Đạt điểm tối đa tại / Value giving full "
                                   "points: points = max × clamp((v − zero_at) / (full_at − "
                                   "zero_at), 0, 1).")
    zero_at: Threshold | None = Field(None, description="Không điểm tại / Value giving 0 points "
                                   "(default 0); with full_at.")
    steps: Annotated[list[Step], BeforeValidator(_few_steps)] | None = Field(
        None, min_length=1, max_length=MAX_STEPS, description="Bậc điểm / The points "
                                     "of the first step whose condition holds; none → 0.")
    by_status: dict[str, Points] | None = Field(
        None, description="Điểm theo trạng thái / Points by the target's status; a status "
        "not listed → 0, not_applicable → excluded.")
    as_points: bool | None = Field(None, description="Giá trị là điểm / The value is the "
                                   "points, clamped to 0–max.")
    when_no_data: FallbackLiteral | None = Field(
        None, description="Khi thiếu số liệu / A missing input is worth: zero, full or "
        "exclude (default exclude).")
    when_invalid: FallbackLiteral | None = Field(
        None, description="Khi không tính được / An input that gives no number (division by "
        "zero) is worth: zero (default), full or exclude.")
    inherit: Text | None = Field(
        None, description="Lấy điểm của cấp trên / Take the points of the unit's ancestor at "
        "this level (e.g. province: Decision 766's transparency items are scored for the "
        "province and copied to each commune); a unit of that level scores itself.",
        examples=["province"])
    self_assessed: MetricId | None = Field(
        None, description="Điểm tự đánh giá / The metric holding the unit's own figure, "
        "scored by the same rule and shown beside the points that count (the appraised "
        "`metric`, điểm thẩm định), with the difference.", examples=["plan_self"])
    # spec §7 v3: bonus and penalty points
    kind: IndicatorKindLiteral = Field(
        "score", description="Loại / score (default: counts in points and max), bonus (điểm "
        "thưởng: added to the points, not to max) or penalty (điểm trừ: subtracted, not in "
        "max); a bonus or penalty belongs to no group.")
    # criteria sets as provinces write them (issue 26)
    levels: list[Text] | None = Field(
        None, min_length=1, description="Khối / The unit levels (tracks) scored on this "
        "indicator; another level's unit has it excluded (points and max null). Default: its "
        "group's levels, else every level.")
    manual: bool | None = Field(
        None, description="Chấm bằng điểm / A manual criterion: the figure is the points a "
        "person gives (self-assessment, appraisal), clamped to 0–max like as_points; a "
        "figure above max or below 0 is clamped with a warning.")
    guide: Text | None = Field(
        None, description="Cách chấm / The scoring rule in words, as the criteria set writes "
        "it (shown in the self-assessment workbook); default: said from the rule.")


class Scoring(_Model):
    """Chấm điểm và xếp hạng / Points and ranking (PAR Index, Decision 766)."""

    scale: Points = Field(100.0, gt=0, description="Thang điểm / index = points / max × "
                          "scale; default 100.")
    bands: Annotated[list[Band], BeforeValidator(_few_bands)] = Field(
        default_factory=_no_items, max_length=MAX_BANDS, description="Xếp loại / Bands on the "
                              "index, highest `min` first.")
    groups: list[ScoreGroup] = Field(default_factory=_no_items, description="Nhóm tiêu chí / "
                                     "Groups of indicators.")
    indicators: Annotated[list[Indicator], BeforeValidator(_few_indicators)] = Field(
        min_length=1, max_length=MAX_INDICATORS, description="Tiêu chí / Indicators.")


class Ruleset(_Model):
    """Bộ chỉ tiêu CCHC / A CCHC ruleset (cchc-rules format v1)."""

    ruleset: RulesetId = Field(description="Mã bộ chỉ tiêu / Ruleset id: lowercase letters, "
                               "digits and '-'.", examples=["tuyen-quang-cchc-2021-2030"])
    title: Text = Field(description="Tên văn bản / Title of the plan.")
    issuer: Text | None = Field(None, description="Cơ quan ban hành / Issuing body.")
    source: Text | None = Field(None, description="Văn bản gốc / Source document.")
    extends: list[Text] = Field(
        default_factory=_no_items, description="Kế thừa / Parent rulesets, paths relative to this "
        "file; a child entry with the same id replaces the parent's.")
    metrics: dict[MetricId, Metric] = Field(
        default_factory=dict, description="Chỉ số / Metrics by id (ASCII letters, digits, '_').")
    sources: dict[MetricId, Source] = Field(
        default_factory=dict, description="Nguồn hồ sơ / Record sources by name (tables of "
        "dossiers the `records:` metrics are counted from).")
    checks: list[Check] = Field(
        default_factory=_no_items,
        description="Kiểm tra số liệu / Identities the data must satisfy.")
    targets: list[Target] = Field(default_factory=_no_items, description="Chỉ tiêu / Targets.")
    scoring: Scoring | None = Field(None, description="Chấm điểm / Points and ranking (§7).")
    replaces: Text | None = Field(
        None, description="Thay thế / The ruleset (a path relative to this file) this one "
        "replaces from `in_force_from`: results of periods ending earlier are judged by it, "
        "later ones by this one (docs/ruleset-format.md, plans in force by date).")
    amends: Text | None = Field(
        None, description="Sửa đổi, bổ sung / The ruleset this one amends from "
        "`in_force_from`: this file's entries are added to or replace the amended one's.")
    in_force_from: Date | None = Field(
        None, description="Có hiệu lực từ / The first day this version is in force, "
        "YYYY-MM-DD.", examples=["2025-08-02"])


CHOICES = {"unit": METRIC_UNITS, "area": AREAS, "op": OPS, "change": CHANGES,
            "when_no_data": FALLBACKS, "when_invalid": FALLBACKS, "kind": INDICATOR_KINDS,
            "aggregate": AGGREGATES, "periods": KINDS}


def dotted(loc: tuple) -> str:
    """A key path as planners read it: `targets[0].milestones[1]`."""
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else str(step)
    return text


def _inner(annotation: Any) -> tuple[type[BaseModel] | None, int]:
    """The model inside a field's type and how many list/dict layers wrap it."""
    depth = 0
    while True:
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        elif origin in (list, dict):
            annotation, depth = get_args(annotation)[-1], depth + 1
        elif origin is Annotated:
            annotation = get_args(annotation)[0]
        else:
            break
    model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
        else None
    return model, depth


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model a pydantic `loc` points into (for "did you mean" among its keys)."""
    model: type[BaseModel] | None = Ruleset
    skip = 0
    for step in loc:
        if skip:
            skip -= 1
            continue
        fields = {f.alias or name: f for name, f in model.model_fields.items()} if model else {}
        if step not in fields:
            return None
        model, skip = _inner(fields[step].annotation)
    return None if skip else model


def keys_of(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _field_name(loc: tuple) -> str:
    if loc and loc[-1] == "[key]":
        return "metric id"
    names = [s for s in loc if isinstance(s, str) and s != "[key]"]
    return names[-1] if names else "ruleset file"


def _split_scalar_hint(doc: Doc, loc: tuple) -> str | None:
    """`{label: Điểm (tối đa 61,5), unit: score}`: YAML cuts the unquoted label at the comma
    and `5)` becomes a key without a value. Such a key sits on the line of the text before
    it (no two keys of a block mapping can), so the hint says to quote that text."""
    mapping = doc.data
    for step in loc[:-1]:
        try:
            mapping = mapping[step]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(mapping, dict) or mapping.get(loc[-1], "") is not None:
        return None
    keys = list(mapping)
    at = keys.index(loc[-1])
    if at == 0 or not isinstance(mapping[keys[at - 1]], str):
        return None
    before, text = keys[at - 1], mapping[keys[at - 1]]
    start, tail = doc.pos((*loc[:-1], before)), doc.key_positions.get(loc)
    if tail is None or not start.line or (start.line, start.file) != (tail.line, tail.file):
        return None
    gap = tail.col - start.col - len(text)  # the comma and the spaces after it
    whole = f"{text},{' ' * (gap - 1)}{loc[-1]}" if gap in (1, 2) else f"{text}, …"
    return _('quote the label: {key}: "{text}"').format(key=before, text=whole)


def problem_from_error(error: ErrorDetails, doc: Doc) -> Problem:
    """One pydantic error as a Problem at the file position of its `loc`."""
    loc, kind, value = tuple(error["loc"]), error["type"], error.get("input")
    name = _field_name(loc)
    if kind.startswith("SCH") and loc and isinstance(loc[-1], int):
        return Problem(kind, error["msg"], doc.pos(loc), (error.get("ctx") or {}).get("hint"))
    if kind.startswith("SCH"):
        sep = "" if error["msg"].startswith(":") else " "
        return Problem(kind, f"'{name}'{sep}{error['msg']}", doc.pos(loc),
                       (error.get("ctx") or {}).get("hint"))
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        hint = did_you_mean(str(loc[-1]), keys_of(model)) if model else None
        hint = hint or _split_scalar_hint(doc, loc)
        if model and not hint:
            hint = _("known keys: {keys}").format(keys=", ".join(keys_of(model)))
        return Problem("SCH02", _("unknown key '{loc}'").format(
                                  loc=loc[-1]), doc.pos(loc, key=True), hint)
    if kind == "missing":
        where = loc[:-1]
        return Problem("SCH03", _("missing required key '{loc}'").format(
                                  loc=loc[-1]), doc.pos(where),
                       _("in {where}").format(where=dotted(where)) if where else None)
    if kind == "literal_error":
        choices = CHOICES.get(name, ())
        if not choices and loc[:1] == ("sources",) and "columns" in loc:
            choices, name = tuple(COLUMN_TYPES), f"column {name}"
        hint = None
        if isinstance(value, str):
            near = NEAR_OPS.get(value.strip())
            hint = _("did you mean '{name}'?").format(name=near) if near \
                else did_you_mean(value, choices)
        return Problem("SCH04", _("'{name}' must be one of {choices}, got {value}").format(
                                  name=name, choices=', '.join(choices),
                                  value=_show(value)), doc.pos(loc), hint)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return Problem("SCH01", _("'{name}' must be a mapping (key: value), got {value}").format(
                                  name=name, value=_show(value)),
                       doc.pos(loc))
    if kind == "list_type":
        return Problem("SCH01", _("'{name}' must be a list, got {value}").format(
                                  name=name, value=_show(value)), doc.pos(loc))
    if kind == "greater_than_equal":
        return Problem("SCH07", _("'{name}' must be at least {ge}, got {value}").format(
                                  name=name, ge=_show(error['ctx']['ge']),
                                  value=_show(value)), doc.pos(loc))
    if kind == "greater_than":
        return Problem("SCH07", _("'{name}' must be above {gt}, got {value}").format(
                                  name=name, gt=_show(error['ctx']['gt']),
                                  value=_show(value)), doc.pos(loc))
    if kind == "too_short":
        return Problem("SCH07", _("'{name}' must not be empty").format(name=name), doc.pos(loc))
    return Problem("SCH07", _("'{name}': {msg}").format(name=name, msg=error['msg']), doc.pos(loc))


def validate_doc(doc: Doc) -> tuple[Ruleset | None, list[Problem]]:
    """The ruleset model of one loaded file, or every schema problem found in it."""
    try:
        model = Ruleset.model_validate(doc.data)
    except ValidationError as err:
        problems = [problem_from_error(e, doc) for e in err.errors()]
        return None, sorted(set(problems), key=lambda p: (*p.place, p.code))
    from .scoring_check import scoring_problems  # the rules pydantic cannot say
    problems = scoring_problems(model.scoring, doc)
    return (None, problems) if problems else (model, [])


def _draft7(node: Any) -> Any:
    """Rewrite pydantic's 2020-12 output with draft-7 keywords (the YAML language server's)."""
    if isinstance(node, list):
        return [_draft7(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _draft7(value) for key, value in node.items()}
    if "prefixItems" in out:
        out["items"] = out.pop("prefixItems")
        out["additionalItems"] = False
    if "patternProperties" in out:
        out.setdefault("additionalProperties", False)
    if "$ref" in out and len(out) > 1:  # draft 7 ignores keywords beside $ref
        out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
    return out


def json_schema() -> dict:
    """The ruleset format as a draft-7 JSON Schema, generated from the models above."""
    raw = Ruleset.model_json_schema(by_alias=True, ref_template="#/definitions/{model}")
    definitions = raw.pop("$defs")
    milestone = definitions["Milestone"]
    milestone["if"] = {"properties": {"op": {"const": "between"}}, "required": ["op"]}
    milestone["then"] = {"properties": {"value": {"type": "array"}}}
    milestone["else"] = {"properties": {"value": {"type": "number"}}}
    # Exactly one scoring rule (spec §7); by_status goes with a target, the others a metric.
    definitions["Indicator"]["oneOf"] = [
        {"required": ["full_at", "metric"]}, {"required": ["steps", "metric"]},
        {"required": ["by_status", "target"]},
        {"required": ["as_points", "metric"], "properties": {"as_points": {"const": True}}},
        {"required": ["manual", "metric"], "properties": {"manual": {"const": True}}}]
    # spec §7 v3: a bonus or penalty indicator belongs to no group
    definitions["Indicator"]["if"] = {"properties": {"kind": {"enum": ["bonus", "penalty"]}},
                                      "required": ["kind"]}
    definitions["Indicator"]["then"] = {"not": {"required": ["group"]}}
    head = {"$schema": "http://json-schema.org/draft-07/schema#"}
    return _draft7({**head, **raw, "definitions": definitions})
