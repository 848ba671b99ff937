"""Render stage: the documented model every report template receives.

Built from an `Evaluation` by `report_data.build_context`; numbers arrive already
formatted for the report's language, charts as inline SVG markup.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StatusInfo(_Model):
    """One of the eight statuses, in report order."""

    key: str = Field(description="Status id as in `cchc evaluate` output, e.g. `off_track`.")
    label: str = Field(description="Status name in the report language.")
    symbol: str = Field(description="A glyph shown beside the name so colour is never alone.")


class RulesetInfo(_Model):
    """The cover's facts about the ruleset."""

    id: str = Field(description="The ruleset id (`ruleset:` key).")
    title: str = Field(description="The ruleset title, as written.")
    issuer: str | None = Field(description="The issuing body, as written; None if not given.")
    source: str | None = Field(description="The source document, as written; None if not given.")


class PeriodInfo(_Model):
    """A reporting period covered by the results."""

    text: str = Field(description="The period as written in the data, e.g. `2024-Q1`.")
    start: str = Field(description="Its first day, formatted for the language.")
    end: str = Field(description="Its last day, formatted for the language.")


class AreaRow(_Model):
    """Status counts of the results of one reform area."""

    key: str = Field(description="Area id, one of the six in the ruleset format.")
    label: str = Field(description="Area name in the report language.")
    targets: int = Field(description="How many targets of the ruleset belong to the area.")
    counts: dict[str, int] = Field(description="Results per status key (absent = 0).")
    total: int = Field(description="All results of the area.")


class UnitRow(_Model):
    """A unit's place in the ranking (`cchc_rules.score.share_met.rank_units`), latest period."""

    rank: int = Field(description="1 = best; equal scores share the best rank and the next "
                                  "rank skips (1, 2, 2, 4).")
    id: str = Field(description="Unit id.")
    name: str = Field(description="Unit name as written in the units list (id if unnamed).")
    level: str | None = Field(description="Unit level in the report language (levels other "
                                          "than province, district, commune as written).")
    period: str = Field(description="The latest period the ranking uses for this unit.")
    score: float = Field(description="Weighted share (0-100) of applicable targets met or "
                                     "on track.")
    score_text: str = Field(description="`score` formatted as a percentage.")
    counts: dict[str, int] = Field(description="Results per status key in that period.")


class GroupPoints(_Model):
    """A unit's points in one group of indicators (spec §7), formatted with two decimals."""

    group: str = Field(description="Group id (`scoring.groups`), or '' for indicators "
                                   "without a group.")
    title: str = Field(description="Group title, as written.")
    points: str = Field(description="Points earned in the group.")
    max: str = Field(description="The group's maximum (excluded indicators left out).")


class ScoreRow(_Model):
    """A unit's place in one ranking by points (`scoring.score`), formatted."""

    rank: int = Field(description="1 = best; indices within 0.005 share a rank, the next "
                                  "skips (1, 2, 2, 4).")
    of: int = Field(description="How many units this ranking places.")
    unit: str = Field(description="Unit id.")
    name: str = Field(description="Unit name.")
    points: str = Field(description="Total points, two decimals.")
    max: str = Field(description="Total maximum points (excluded indicators left out).")
    index: str = Field(description="points / max × scale, two decimals.")
    band: str | None = Field(description="The band id (first whose `min` ≤ index), or None.")
    band_title: str | None = Field(None, description="The band's title when the ruleset gives "
                                   "one, else its id; None without a band.")
    band_class: str = Field(description="CSS class of the band: `band-0` for the highest band "
                                        "of the ruleset, `band-1` the next …, `band-none`.")
    previous_index: str = Field(description="The index of the previous period of the same "
                                            "kind, or a dash.")
    index_change: str = Field(description="Index minus previous index, signed, or ''.")
    change: str = Field(description="Rank change as an arrow and words ('▲ tăng 2 bậc'), or "
                                    "why there is none.")
    change_class: Literal["up", "down", "same", "none"] = Field(
        description="Direction of the rank change, for styling.")
    groups: list[GroupPoints] = Field(description="Points per group, ruleset order.")
    bonus: str | None = Field(None, description="Bonus points added to the total (spec §7 "
                              "v3), two decimals with '+' ('0,00' when none); None when the "
                              "ruleset has no bonus or penalty indicator.")
    penalty: str | None = Field(None, description="Penalty points taken off the total, two "
                                "decimals with '−' ('0,00' when none); None when the ruleset "
                                "has no bonus or penalty indicator.")


class IndicatorLine(_Model):
    """One indicator's points for every unit of a ranking (the columns of the table)."""

    id: str = Field(description="Indicator id, e.g. `2.1`.")
    title: str = Field(description="Indicator title, as written.")
    group: str = Field(description="Title of its group, or ''.")
    max: str = Field(description="The indicator's maximum points.")
    points: list[str] = Field(description="Points per unit, in the ranking's row order; a "
                                          "dash where the indicator is excluded.")


class ScoreCohort(_Model):
    """One ranking: the units of one level scored for one period, never mixed with another."""

    period: str = Field(description="The period every unit of this ranking is scored for.")
    level: str | None = Field(description="The units' level in the report language, or None.")
    heading: str = Field(description="`Kỳ 2025 · cấp tỉnh`: period and level as a heading.")
    rows: list[ScoreRow] = Field(description="Units by rank (the top and bottom only in "
                                             "summary).")
    rows_total: int = Field(description="Units ranked in all.")
    bars_svg: str = Field(description="Inline SVG: a bar per unit shown, split by group, "
                                      "points against max.")
    indicators: list[IndicatorLine] = Field(description="Per indicator, the points of every "
                                                        "unit shown.")


class BandInfo(_Model):
    """A band of the ruleset, as its legend shows it."""

    id: str = Field(description="Band id, e.g. `A`.")
    min: str = Field(description="Lowest index of the band.")
    band_class: str = Field(description="CSS class, as in `ScoreRow.band_class`.")


class CoverIndex(_Model):
    """The cover's index line for one level: its latest ranking, best units first."""

    heading: str = Field(description="Period and level, e.g. `Kỳ 2025 · cấp tỉnh`.")
    entries: list[str] = Field(description="`Name: 87,41 (B), hạng 1/3` for the first units.")
    more: int = Field(description="Units of that ranking not named on the cover.")


class LostPoints(_Model):
    """An indicator where a unit lost points, on its scorecard."""

    id: str = Field(description="Indicator id.")
    title: str = Field(description="Indicator title as written in the ruleset.")
    points: str = Field(description="Points earned, two decimals (a dash when not scored).")
    max: str = Field(description="The indicator's maximum, two decimals.")
    lost: str = Field(description="Points not earned (max − points), two decimals.")


class Scorecard(_Model):
    """One unit's scorecard in its latest ranked period (evaluation/view.py `scorecards`)."""

    unit: str = Field(description="Unit id.")
    name: str = Field(description="Unit name.")
    level: str | None = Field(description="Unit level in the report language.")
    period: str = Field(description="The period of the scorecard: the unit's latest ranked.")
    points: str = Field(description="Total points, two decimals.")
    max: str = Field(description="Total maximum points, two decimals.")
    index: str = Field(description="points / max × scale, two decimals.")
    band: str | None = Field(description="The band's title (its id when it has none), or None.")
    band_class: str = Field(description="CSS class of the band, as on ScoreRow.")
    rank: int = Field(description="The unit's rank at its level in the period.")
    of: int = Field(description="How many units that ranking places.")
    change: str = Field(description="Rank change as an arrow and words, or why there is none.")
    change_class: Literal["up", "down", "same", "none"] = Field(
        description="Direction of the rank change, for styling.")
    lost: list[LostPoints] = Field(description="The indicators where the unit lost the most "
                                               "points, most first (at most five).")


class ScoreReport(_Model):
    """The scoring section (spec §7), present only when the ruleset has `scoring`."""

    note: str = Field(description="How the index is computed and ranked, in the language.")
    bands: list[BandInfo] = Field(description="The ruleset's bands, highest first.")
    cohorts: list[ScoreCohort] = Field(description="One ranking per level and period, "
                                                   "levels in the format's order, newest "
                                                   "period first (summary: each unit's latest "
                                                   "period only).")
    unranked: int = Field(description="Unit × period pairs with no scoreable indicator.")
    cover: list[CoverIndex] = Field(description="Per level, the latest ranking for the cover.")
    cards: list[Scorecard] = Field(default_factory=list, description="A scorecard per ranked "
                                   "unit (its latest ranked period), by level then rank; the "
                                   "best and worst only in summary.")
    cards_total: int = Field(0, description="Ranked units in all (scorecards available).")


class ResultRow(_Model):
    """One result (target × unit × period), formatted."""

    unit: str = Field(description="Unit id.")
    unit_name: str = Field(description="Unit name.")
    period: str = Field(description="Period as written.")
    status: str = Field(description="Status key.")
    status_label: str = Field(description="Status name in the report language.")
    actual: str = Field(description="The compared quantity, formatted in the metric's unit; "
                                    "a survey figure with its 95% margin, '87,00% ± 3,30'.")
    note: str = Field("", description="Why a result is not applicable when the unit declared "
                                      "the criterion n/a (spec §7 v3); empty otherwise.")
    threshold: str = Field(description="The milestone in force, e.g. `≥ 50,00%`.")
    expected: str = Field(description="The trajectory's value for the period, or a dash.")
    gap: str = Field(description="Actual minus threshold, signed.")
    needed: str = Field(description="How much the ratio's numerator (e.g. dossiers) must "
                                    "change, denominator held, to meet; signed; or a dash.")
    deadline: str = Field(description="The milestone's deadline: period and last day.")
    ended: bool = Field(False, description="Pending, but the unit ended before the deadline: "
                                           "shown as ended, never as not yet due.")
    restated: bool = Field(False, description="Its origin is `restated`: the baseline was "
                                              "restated on the unit's present territory.")
    territory: str = Field("", description="The territory the result was compared on, in "
                                           "words (spec §6), e.g. a baseline restated on "
                                           "the merged province; empty when no unit changed.")


class TrendPoint(_Model):
    """One value of a trend line, as text (the chart's text equivalent)."""

    period: str = Field(description="Period as written.")
    actual: str = Field(description="Formatted actual value, or a dash.")
    span: str = Field("", description="The period's first and last day, formatted: where "
                                      "the chart places it on its time axis.")


class TrendSeries(_Model):
    """A unit's values of one target across periods."""

    unit_name: str = Field(description="Unit name.")
    points: list[TrendPoint] = Field(description="Values in period order.")
    unit: str = Field("", description="Unit id (to mark a unit that ended).")


class TargetSection(_Model):
    """Everything the report says about one target."""

    id: str = Field(description="Target id, e.g. `TTHC-06`.")
    title: str = Field(description="Target title, as written.")
    area: str = Field(description="Area id.")
    area_label: str = Field(description="Area name in the report language.")
    metric: str = Field(description="Metric id.")
    metric_label: str = Field(description="Metric label, as written.")
    source: str | None = Field(description="Where the target is stated (citation), as written.")
    milestones: list[str] = Field(description="Each milestone as text, e.g. `≥ 50% — 2025`.")
    counts: dict[str, int] = Field(description="Results per status key.")
    rows: list[ResultRow] = Field(description="The rated results shown (no data and not "
                                              "applicable are only counted): all in full "
                                              "detail, the worst of the latest period in "
                                              "summary.")
    rows_total: int = Field(description="How many rated results the target has in all.")
    bullet_svg: str = Field(description="Inline SVG: actual, threshold and trajectory per unit "
                                        "shown, latest period.")
    trend_svg: str = Field(description="Inline SVG trend across periods; empty with one period.")
    trend: list[TrendSeries] = Field(description="The trend chart's data as text.")
    ended: int = Field(0, description="Pending results of units that ended before the "
                                      "deadline, shown as ended (counted in `counts` as "
                                      "pending).")
    direction: Literal["higher", "lower"] | None = Field(
        None, description="Which way is better: `lower` for a `<=`/`<` milestone, `higher` "
                          "for `>=`/`>`, None for `between`/`==`.")
    trend_note: str = Field("", description="How the trend chart is read: its time axis, "
                                            "which way is better, the units that ended.")


class WorstTarget(_Model):
    """A target ranked by the share of its results that fail."""

    id: str = Field(description="Target id.")
    title: str = Field(description="Target title.")
    area_label: str = Field(description="Area name in the report language.")
    failing: int = Field(description="Results not met, off track or invalid.")
    total: int = Field(description="Results that are applicable.")
    share_text: str = Field(description="failing / total as a percentage.")


class CheckRow(_Model):
    """A data check that failed for one unit and period."""

    check: str = Field(description="Check id.")
    title: str = Field(description="Check title, or its assertion when untitled.")
    unit: str = Field(description="Unit id.")
    unit_name: str = Field(description="Unit name.")
    period: str = Field(description="Period as written.")
    left: str = Field(description="Value of the assertion's left side.")
    right: str = Field(description="Value of the assertion's right side.")
    text: str = Field("", description="The assertion with the figures put in, e.g. "
                      "'abs(5 - 0) <= 0,01 → 5 <= 0,01'.")
    sources: list[str] = Field(description="Sources (and files) of the figures for that unit "
                                           "and period.")


class MissingRow(_Model):
    """A metric and period whose results lack data: the units and targets hit, and the
    figures to report."""

    metric: str = Field(description="Metric id of the targets without data.")
    label: str = Field(description="Metric label, as written (the id if unlabelled).")
    period: str = Field(description="Period as written.")
    units: list[str] = Field(description="Ids of the units without data, at most 30.")
    unit_names: list[str] = Field(description="Their names, in the same order.")
    units_total: int = Field(description="Units without data in all.")
    targets: list[str] = Field(description="Ids of the targets without data there.")
    missing: list[str] = Field(description="Labels of the reported figures those targets need "
                                           "and some of those units lack.")
    sources: list[str] = Field(description="Sources of the figures those units did report.")


class EndedUnit(_Model):
    """A unit that ended (`valid_to`), e.g. a province merged into another on 2025-07-01."""

    id: str = Field(description="Unit id.")
    name: str = Field(description="Unit name.")
    last_day: str = Field(description="Its last day (`valid_to`), formatted.")
    successors: list[str] = Field(description="Names of the unit(s) that took it over.")
    note: str = Field(description="The mark shown beside its name, e.g. 'đã giải thể: đến "
                                  "30/06/2025, sáp nhập vào Tỉnh Tuyên Quang'.")


class IgnoredRow(_Model):
    """Figures ignored because the period lies wholly outside the unit's validity (UNT12)."""

    unit: str = Field(description="Unit id (empty if it could not be told).")
    unit_name: str = Field(description="Unit name.")
    period: str = Field(description="Period as written.")
    where: str = Field(description="Data file and line of its first figure.")
    reason: str = Field(description="The unit's validity, in words.")


class DeclaredRow(_Model):
    """A criterion a unit declared `n/a` (spec §7 v3): dropped from its points and maximum."""

    unit: str = Field(description="Unit id.")
    unit_name: str = Field(description="Unit name.")
    period: str = Field(description="Period as written.")
    metric: str = Field(description="Metric id.")
    label: str = Field(description="Metric label, or its id.")
    where: str = Field(description="File, line and column where the unit wrote n/a.")


class FigureRow(_Model):
    """A reported figure, with where it came from."""

    unit: str = Field(description="Unit id.")
    unit_name: str = Field(description="Unit name.")
    period: str = Field(description="Period as written.")
    metric: str = Field(description="Metric id.")
    label: str = Field(description="Metric label, as written (the id if unknown).")
    value: str = Field(description="Value, formatted in the metric's unit.")
    source: str | None = Field(description="The report's stated source, as written.")
    where: str = Field(description="Data file and line, e.g. `ham-tan.yaml:7`.")


class InputFile(_Model):
    """An input file and its SHA-256, so a printed report can be traced."""

    role: Literal["ruleset", "data", "units"] = Field(description="What the file was used as.")
    path: str = Field(description="The path as given on the command line.")
    sha256: str = Field(description="Hex SHA-256 of the file's bytes.")


class AppraisalRow(_Model):
    """One row of the self-assessed / appraised table (latest scored period): an indicator
    with a self-assessed figure, or a unit's total (render/scores.appraisal_context)."""

    unit: str = Field(description="Unit id.")
    name: str = Field(description="Unit name.")
    period: str = Field(description="The period scored.")
    indicator: str = Field(description="Indicator id ('' on a total row).")
    title: str = Field(description="Indicator title ('' on a total row).")
    total: bool = Field(description="The unit's total over every indicator.")
    self_assessed: str = Field(description="Self-assessed points (điểm tự đánh giá), text.")
    appraised: str = Field(description="Appraised points that count (điểm thẩm định), text.")
    max: str = Field(description="Maximum points, text.")
    difference: str = Field(description="Appraised − self-assessed, signed text.")
    lower: bool = Field(description="The appraisal took points off.")


class RecordSourceRow(_Model):
    """A source of dossier records (`--records`) in the data-quality section (records.md §6)."""

    source: str = Field(description="The source's name under `sources:`.")
    location: str = Field(description="Where its records were read (no password).")
    engine: str = Field(description="duckdb, postgres or spark.")
    rows: str = Field(description="Records read, formatted.")
    dates: str = Field(description="First – last day of the source's `date`, formatted.")
    no_unit: str = Field(description="Records without a unit, formatted.")
    unknown_units: list[str] = Field(description="`unit: rows (did you mean …?)` per "
                                     "undeclared unit; counted in no figure.")
    bad_dates: list[str] = Field(description="`kind: rows` per kind of missing or "
                                 "inconsistent date; counted in no figure.")
    duplicates: str | None = Field(description="Dossier ids seen twice or more, or None.")


class NotReportedGroup(_Model):
    """Per period and level, the units that sent nothing (evaluation/view.py)."""

    period: str = Field(description="Period as written.")
    level: str | None = Field(description="Level in the report language.")
    units: list[str] = Field(description="Unit ids, sorted (the first 50 in summary).")
    names: list[str] = Field(description="Their names, row for row with `units`.")
    total: int = Field(description="Such units in all for this period and level.")


class ReportContext(_Model):
    """The whole template context; `report.html.j2` receives its fields as variables."""

    lang: Literal["vi", "en"] = Field(description="Report language.")
    output: Literal["html", "pdf"] = Field(description="What the HTML is rendered for.")
    t: dict[str, str] = Field(description="The report's words in its language, by key "
                                          "(see cchc_rules/render/i18n.py).")
    tool: str = Field(description="Tool name and version, for the footer.")
    ruleset: RulesetInfo = Field(description="Cover facts about the ruleset.")
    periods: list[PeriodInfo] = Field(description="Periods covered, in time order.")
    in_progress: list[str] = Field(default_factory=list, description="Periods not ended as "
                                   "of the moment counted (REC12): marked * wherever shown, "
                                   "with a legend; their results are not judged yet.")
    unit_count: int = Field(description="Units with results.")
    unit_names: list[str] = Field(description="Names of units covered (at most 30); † after "
                                               "the name of a unit that ended.")
    detail: Literal["full", "summary"] = Field(description="Full detail, or the bounded "
                                                           "summary edition for large inputs.")
    detail_note: str | None = Field(description="Why this is a summary edition, or None.")
    statuses: list[StatusInfo] = Field(description="The eight statuses, best first.")
    statuses_used: list[StatusInfo] = Field(description="The statuses that occur in this "
                                                        "report: the count tables' columns.")
    totals: dict[str, int] = Field(description="All results per status key.")
    total: int = Field(description="All results.")
    status_chart_svg: str = Field(description="Inline SVG: one stacked bar of all results.")
    areas: list[AreaRow] = Field(description="The six reform areas, in the format's order.")
    area_chart_svg: str = Field(description="Inline SVG: stacked status bars per area.")
    units: list[UnitRow] = Field(description="Unit ranking (best first; the top and bottom "
                                             "only in summary).")
    units_total: int = Field(description="Units in the ranking in all.")
    scores: ScoreReport | None = Field(None, description="Points and ranking (spec §7); "
                                       "None when the ruleset has no `scoring`.")
    worst: list[WorstTarget] = Field(description="Targets with the largest failing share.")
    targets: list[TargetSection] = Field(description="One section per target, ruleset order.")
    failed_checks: list[CheckRow] = Field(description="Failed data checks shown.")
    failed_checks_total: int = Field(description="Failed data checks in all.")
    missing: list[MissingRow] = Field(description="Metrics and periods with results "
                                                  "lacking data (bounded in summary).")
    missing_groups: int = Field(description="Metrics × periods lacking data in all.")
    missing_total: int = Field(description="Results without data in all.")
    ended: dict[str, EndedUnit] = Field(default_factory=dict, description="Units shown that "
                                        "ended, by id: marked wherever they appear.")
    ended_pending: int = Field(0, description="Pending results shown as ended in all.")
    ignored: list[IgnoredRow] = Field(default_factory=list, description="Figures ignored "
                                      "outside a unit's validity (bounded in summary).")
    ignored_total: int = Field(0, description="Such ignored (unit, period) groups in all.")
    declared: list[DeclaredRow] = Field(default_factory=list, description="Criteria units "
                                        "declared n/a (spec §7 v3), in the order read; "
                                        "bounded in summary mode.")
    declared_total: int = Field(0, description="Such declared (unit, period, metric) in all.")
    territory_changes: bool = Field(False, description="Some unit ended or took another "
                                    "over: results show the territory compared on.")
    warnings: list[str] = Field(default_factory=list, description="Warnings about the figures "
                                "(file:line, code, message), bounded in summary.")
    warnings_total: int = Field(0, description="Warnings about the figures in all.")
    figures: list[FigureRow] = Field(description="Reported figures listed in the appendix.")
    figures_total: int = Field(description="Reported figures in all.")
    inputs: list[InputFile] = Field(description="Input files with their SHA-256.")
    appraisal: list[AppraisalRow] = Field(
        default_factory=list, description="Self-assessed and appraised points per indicator "
        "and in total, latest scored period (rulesets with `self_assessed`); else empty.")

    hidden_not_applicable: int = Field(0, description="Not applicable results left out of "
                                       "every list and count (0 when shown or none).")
    hidden_periods: list[str] = Field(default_factory=list, description="Internal periods "
                                      "(made only to compare with) left out.")
    not_reported: list[NotReportedGroup] = Field(default_factory=list, description="Units "
                                                 "that sent nothing, per period and level.")
    versions: list[str] = Field(
        default_factory=list, description="Plans in force by date (a ruleset that replaces "
        "or amends another): one line per version with its days in force and the periods it "
        "judged, then what each later version dropped, changed or added; empty for one plan.")
    record_sources: list[RecordSourceRow] = Field(
        default_factory=list, description="Sources of dossier records, with their quality.")
