"""Render stage: the report's own words in vi and en (number formatting: `present.py`).

Ruleset labels (titles, metric labels, unit names) are shown as written; only the
report's fixed vocabulary (status names, the six reform areas, headings) is translated.
"""
from __future__ import annotations

from ..domain import Area, Level, Status
from ..errors import CchcError, did_you_mean
from ..messages import _
from ..present import Formatter

__all__ = ["LANGS", "Formatter", "check_lang", "in_lang", "words"]

_WORDS = Words(
    W_("status.met", "Met"),
    W_("status.not_met", "Not met"),
    W_("status.on_track", "On track"),
    W_("status.off_track", "Off track"),
    W_("status.pending", "Pending"),
    W_("status.no_data", "No data"),
    W_("status.invalid", "Invalid"),
    W_("status.not_applicable", "Not applicable"),
    W_("area.institutions", "Institutions"),
    W_("area.procedures", "Administrative procedures"),
    W_("area.organization", "Organization"),
    W_("area.civil_service", "Civil service"),
    W_("area.public_finance", "Public finance"),
    W_("area.digital_government", "Digital government"),
    W_("level.province", "province"),
    W_("level.district", "district"),
    W_("level.commune", "commune"),
    W_("report", "Administrative reform targets: compliance report"),
    W_("issuer", "Issued by"),
    W_("source", "Source document"),
    W_("ruleset", "Ruleset"),
    W_("periods", "Reporting periods"),
    W_("units", "Units"),
    W_("unit", "Unit"),
    W_("level", "Level"),
    W_("contents", "Contents"),
    W_("summary", "Summary"),
    W_("by_status", "By status"),
    W_("by_area", "By reform area"),
    W_("by_unit", "Unit ranking"),
    W_("appraisal.heading", "Self-assessed and appraised points"),
    W_("appraisal.note",
       "The appraised points count; difference = appraised − self-assessed (negative: the "
       "appraisal took points off)."),
    W_("appraisal.self", "Self-assessed"),
    W_("appraisal.appraised", "Appraised"),
    W_("appraisal.difference", "Difference"),
    W_("appraisal.indicator", "Indicator"),
    W_("appraisal.max", "Max"),
    W_("appraisal.total", "Total"),
    W_("targets", "Targets"),
    W_("target", "Target"),
    W_("area", "Area"),
    W_("metric", "Metric"),
    W_("period", "Period"),
    W_("actual", "Actual"),
    W_("threshold", "Threshold"),
    W_("expected", "Trajectory"),
    W_("gap", "Gap"),
    W_("needed", "Change needed"),
    W_("needed_note",
       "Change needed: how much the ratio's numerator (e.g. dossiers) must rise (+) or fall "
       "(−), the denominator held, to meet the milestone; ratio metrics only."),
    W_("deadline", "Deadline"),
    W_("baseline", "Baseline"),
    W_("status", "Status"),
    W_("count", "Count"),
    W_("total", "Total"),
    W_("rank", "Rank"),
    W_("score", "Score"),
    W_("score_note",
       "Score = weighted share of applicable targets that are Met or On track, latest period."),
    W_("data_quality", "Data quality"),
    W_("failed_checks", "Failed data checks"),
    W_("missing_data", "Missing data"),
    W_("data_warnings", "Warnings about the figures"),
    W_("missing_results", "{n} results lack data, by metric and period:"),
    W_("unrated", "Not listed: {n} results without data or not applicable (see Data quality)."),
    W_("missing_inputs", "Missing figures"),
    W_("check", "Check"),
    W_("check.pass", "pass"),
    W_("check.fail", "fail"),
    W_("check.no_data", "no data"),
    W_("quiet_rows", "{status} ({n} results): {targets}"),
    W_("left", "Left side"),
    W_("right", "Right side"),
    W_("sources", "Sources"),
    W_("none_found", "None."),
    W_("appendix", "Appendix: reported figures"),
    W_("value", "Value"),
    W_("file", "File"),
    W_("trend", "Trend across periods"),
    W_("ended", "Ended"),
    W_("ended_title",
       "ended: the unit was dissolved before the deadline, the result will never be due"),
    W_("ended.merged", "dissolved: existed until {day}, merged into {successor}"),
    W_("ended.split", "dissolved: existed until {day}, split among {successor}"),
    W_("ended.plain", "dissolved: existed until {day}"),
    W_("ended_units", "Dissolved units"),
    W_("ended_note",
       "{n} pending results of units dissolved before the deadline are shown as Ended."),
    W_("territory", "Compared on"),
    W_("territory.restated",
       "compared on the territory of the new {unit} (including {members}) from {since}"),
    W_("territory.new", "territory of the new {unit} (including {members}) from {since}"),
    W_("territory.old", "territory of the former {unit} (before {since})"),
    W_("territory.until", "territory of {unit} (until {day})"),
    W_("territory.changed", "territory changed on {day}: a restated figure is needed"),
    W_("territory.same", "unchanged"),
    W_("territory_note",
       "Compared on: the baseline of a unit that took others over is restated on its present "
       "territory (the merged units' figures added up)."),
    W_("better", "Better"),
    W_("direction.lower", "↓ lower is better"),
    W_("direction.higher", "↑ higher is better"),
    W_("trend_axis",
       "The time axis follows real dates: each point sits at the middle of its period."),
    W_("trend_spans", "Periods differ in length: the bar through each point spans its period."),
    W_("trend_events", "Mergers (dashed vertical line): {events}."),
    W_("span", "First – last day"),
    W_("units_lacking", "Units lacking"),
    W_("and_more", "and {n} more units"),
    W_("ignored_figures", "Figures ignored: outside the unit's validity"),
    W_("ignored_note",
       "These figures were not used: report them for the unit in force then (its successor), or "
       "fix the period."),
    W_("ignored.until", "the unit exists only until {end}"),
    W_("ignored.from", "the unit exists only from {start}"),
    W_("ignored.between", "the unit exists only from {start} until {end}"),
    W_("reason", "Reason"),
    W_("where", "Where"),
    W_("failing", "Failing"),
    W_("worst_note",
       "Failing: not met, off track or invalid, out of the applicable results in the target's "
       "latest period."),
    W_("worst", "Worst-performing targets"),
    W_("shown_of", "Showing {shown} of {total} rows."),
    W_("summary_mode",
       "Summary edition: large input ({rows} results). Run with --detail full for every row."),
    W_("appendix_omitted", "{rows} figures are not listed in the summary edition."),
    W_("generated_by", "Generated by"),
    W_("inputs", "Inputs (SHA-256)"),
    W_("page", "Page"),
    W_("chart", "Chart"),
    W_("legend", "Legend"),
    W_("bullet_desc", "{unit}: actual {actual}, threshold {threshold}, trajectory {expected}."),
    W_("trend_desc", "{unit}: {points}."),
    W_("area_desc", "{area}: {counts}."),
    W_("no_targets", "no targets"),
    W_("not_available", "—"),
    W_("score.section", "Points and ranking"),
    W_("score.cover", "Index (points)"),
    W_("score.cover_entry", "{name}: {index} ({band}), rank {rank} of {of}"),
    W_("score.cover_more", "and {n} more units"),
    W_("score.note",
       "Index = points / maximum points × {scale}. Units are ranked only against units of the "
       "same level and period; an indicator without data is left out of the maximum."),
    W_("score.cohort", "Period {period} · {level}"),
    W_("score.points", "Points"),
    W_("score.max", "Max"),
    W_("score.index", "Index"),
    W_("score.band", "Band"),
    W_("score.previous", "Previous index"),
    W_("score.change", "Change since the previous period"),
    W_("score.index_change", "index {diff}"),
    W_("score.no_previous", "no previous period"),
    W_("score.other_cohort", "previous period ranked other units: ranks not compared"),
    W_("score.bars", "Points by group"),
    W_("score.bars_desc", "{unit}: {points} of {max} points; {groups}."),
    W_("score.group_desc", "{group} {points}/{max}"),
    W_("score.lost", "Points not earned"),
    W_("score.by_indicator", "Points per indicator"),
    W_("score.indicator", "Indicator"),
    W_("score.group", "Group"),
    W_("score.excluded", "— : not scored (no data or not applicable), left out of the maximum."),
    W_("score.unranked", "{n} unit × period pairs had no scoreable indicator and are not ranked."),
    W_("score.band_text", "Band {band}"),
    W_("score.other_group", "Other indicators"),
    W_("score.bands", "Bands on the index"),
    W_("record_sources", "Dossier record sources"),
    W_("record_source", "Source"),
    W_("record_rows", "Records"),
    W_("record_dates", "First – last day"),
    W_("record_no_unit", "Without a unit"),
    W_("record_unknown_units", "Undeclared units"),
    W_("record_bad_dates", "Missing or inconsistent dates"),
    W_("record_duplicates", "Duplicate dossier ids"),
    W_("record_note",
       "Records without a unit, of an undeclared unit, or with a missing or inconsistent date "
       "count in no figure; every copy of a duplicate id counts."),
    W_("record_did_you_mean", "did you mean {id}?"),
    W_("date.no_date", "no date"),
    W_("date.due_before_date", "due before received"),
    W_("date.resolved_before_date", "resolved before received"),
    W_("date.resolved_in_future", "resolved in the future"),
    W_("record_duplicates_text",
       "{ids} ids ({rows} records, {differing} with different contents): {examples}"),
)
# Every status, area and level has its words; a new one in domain.py fails here, at import.
_UNWORDED = [key for key in [f"status.{s}" for s in Status] + [f"area.{a}" for a in Area]
             + [f"level.{lv}" for lv in Level]
             if key not in _WORDS]
if _UNWORDED:
    raise RuntimeError(f"render/i18n.py has no words for {', '.join(_UNWORDED)}")


def in_lang(table: dict[str, tuple[str, str]], lang: str) -> dict[str, str]:
    """A table of key -> (vi, en) words in `lang`."""
    index = LANGS.index(lang)
    return {key: pair[index] for key, pair in table.items()}


def words(lang: str) -> dict[str, str]:
    """Every report word in `lang`; templates see it as `t`."""
    return in_lang(_WORDS, lang)


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise CchcError.one("RPT01", _("unknown report language '{lang}'; expected vi or "
                                       "en").format(
                                       lang=lang),
                            hint=did_you_mean(lang, LANGS))
    return lang
