"""Render stage: an `Evaluation` turned into the report's `ReportContext`.

Counting and ranking run as polars aggregations over the whole results frame; only
the bounded set of rows a report shows is formatted in Python, so a national
input (1.6 M results) stays fast. `--detail summary` bounds every list.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ...domain import AREAS, BY_SEVERITY, FAILING, STATUSES, SYMBOLS, UNRATED
from ...evaluation.survey import with_margins
from ...evaluation.versions import version_lines
from ...evaluation.view import for_readers
from ...files import sha256_file
from ...periods import parse_period, period_key
from ...present import RANGE_DASH, Formatter, compared_unit, threshold_text
from ...score.share_met import rank_units, status_counts
from ...version import __version__
from ..checktext import check_texts
from ..i18n import check_lang, words
from . import charts
from . import score_section as score_report
from .context import (
    AreaRow,
    CheckRow,
    DeclaredRow,
    FigureRow,
    InputFile,
    PeriodInfo,
    ReportContext,
    ResultRow,
    RulesetInfo,
    StatusInfo,
    TargetSection,
    TrendPoint,
    TrendSeries,
    UnitRow,
    WorstTarget,
)
from .missing import missing_rows, not_reported_groups
from .over_time import UnitTimes, direction
from .records_quality import record_rows

AUTO_FULL_MAX = 5_000      # results above which `auto` detail becomes the summary edition
SUMMARY_ROWS = 5           # worst results shown (and charted) per target in the summary
RANK_EDGE = 25             # best and worst units shown in the summary ranking
SUMMARY_LIST = 50          # failed checks / missing-data units in the summary edition
SUMMARY_FIGURES = 500      # the appendix is listed in the summary edition only up to this
CHART_UNITS = 12           # bars in a bullet chart
TREND_UNITS = 6            # lines in a trend chart
COVER_UNITS = 30
WORST = 10

_SEVERITY = {s: i for i, s in enumerate(BY_SEVERITY)}


def _counts(counted: pl.DataFrame, key: str) -> dict[str, dict[str, int]]:
    """{key value: {status: n}} from a frame of (…, status, len) rows."""
    out: dict[str, dict[str, int]] = {}
    for value, status, n in counted.select(key, "status", "len").iter_rows():
        by_status = out.setdefault(value, {})
        by_status[status] = by_status.get(status, 0) + n
    return out


def _streamed(query: pl.LazyFrame) -> pl.DataFrame:
    """`query` (an aggregation or a filter over the whole results frame) run by the
    streaming engine, a batch of rows at a time: in memory, a group-by on a text key over
    the national 1.6 M rows costs about 300 MB at peak (bench/FINDINGS.md, textout)."""
    return query.collect(engine="streaming")


def distinct(frame: pl.DataFrame, column: str) -> set[str]:
    """The distinct values of a text column of a national-size frame, streamed."""
    return set(_streamed(frame.lazy().select(pl.col(column).unique()))[column].to_list())


def _latest_rows(rows: pl.LazyFrame, by: str) -> pl.DataFrame:
    """The rows (with `_r`, the row index, and `_pi`) of the latest period per `by`, in
    row order: the maximum per `by` by a streamed group-by, then a join on the few rows of
    the latest periods, not a window over the national 1.6 M rows (300 MB at peak)."""
    last = _streamed(rows.group_by(by).agg(pl.col("_pi").max()))
    if not last.height:
        return _streamed(rows.head(0))
    recent = _streamed(rows.filter(pl.col("_pi") >= last["_pi"].min())).sort("_r")
    return recent.join(last, on=[by, "_pi"], how="semi", maintain_order="left")


def _sum(counted: pl.DataFrame, key: str) -> dict[str, int]:
    return dict(counted.group_by(key).agg(pl.col("len").sum()).rows())


def _declared_rows(b: Any) -> dict[str, Any]:
    """`declared` and `declared_total` of the context: what units declared n/a (spec §7
    v3), with where they wrote it, as read (bounded in summary mode)."""
    found = b.ev.figures.declared
    metrics = b.model.metrics
    shown = found.head(SUMMARY_LIST) if b.detail == "summary" else found
    rows = [DeclaredRow(unit=r["unit"], unit_name=b.name(r["unit"]), period=r["period"],
                        metric=r["metric"],
                        label=(metrics[r["metric"]].label if r["metric"] in metrics
                               and metrics[r["metric"]].label else r["metric"]),
                        where=f"{r['file']}:{r['line']}:{r['col']}")
            for r in shown.iter_rows(named=True)]
    return {"declared": rows, "declared_total": found.height}



class ReportBuilder:
    """The results frame with period order, severity and |gap| columns, and the sections."""

    def __init__(self, ev: Any, lang: str, detail: str) -> None:
        self.ev, self.model = ev, ev.ruleset.model
        self.fmt, self.t = Formatter(lang), words(lang)
        self.names = {uid: u.name for uid, u in ev.figures.units.items()}
        results = ev.compact_results()
        found = distinct(results, "period") | distinct(ev.figures.values, "period")
        self.periods = sorted(found, key=period_key)
        order = {p: i for i, p in enumerate(self.periods)}
        self.res = results.with_columns(
            pl.col("period").replace_strict(order, return_dtype=pl.Int32).alias("_pi"),
            pl.col("status").replace_strict(_SEVERITY, return_dtype=pl.Int8).alias("_sev"),
            pl.col("gap").abs().fill_nan(None).alias("_agap"))
        self.order = order
        self.times = UnitTimes(ev.figures.units, self.names, self.fmt, self.t)
        # spec §6: on which territory each result was compared (row for row with results),
        # shown only when some unit's territory changed: else neither the trace (a national
        # run's 1.6 M rows of explanations) nor these columns are built at all.
        if self.times.changes:
            trace = ev.trace if ev.trace is not None and "territory" in ev.trace.columns \
                else None
            self.res = self.res.with_columns(
                trace["territory"] if trace is not None else pl.lit(None, pl.String).alias(
                    "territory"),
                trace["territory_changed"] if trace is not None else pl.lit(None, pl.String)
                .alias("territory_changed"))
        self.res = self._v3_columns(ev, self.res)
        if detail == "auto":
            detail = "full" if self.res.height <= AUTO_FULL_MAX else "summary"
        self.detail = detail

    @staticmethod
    def _v3_columns(ev: Any, res: pl.DataFrame) -> pl.DataFrame:
        """Spec §7 v3, row for row with the results: `margin` of a survey figure (absent
        when the ruleset has none) and `_declared`, true where the unit declared the
        criterion `n/a` (absent when no unit declared one)."""
        res = with_margins(ev, res)
        if ev.declared is not None and ev.declared.height and ev.trace is not None:
            res = res.with_columns(
                (ev.trace["reason"].cast(pl.String) == "declared").alias("_declared"))
        return res

    def name(self, unit: str) -> str:
        return self.names.get(unit) or unit

    def level_label(self, level: str | None) -> str | None:
        """A level as the units file titles it (`levels:`); else the three levels of the
        format translated; other levels as written."""
        titles = getattr(self.ev.figures, "level_titles", None) or {}
        if level in titles:
            return titles[level]
        return self.t.get(f"level.{level}", level) if level else None

    def unit_of(self, target: Any) -> str | None:
        return compared_unit(target, self.model.metrics)

    def deadline_text(self, deadline: str | None) -> str:
        if not deadline:
            return "—"
        return f"{deadline} ({self.fmt.date(parse_period(deadline).end)})"

    def margin_text(self, margin: float | None) -> str:
        """' ± 3,30' beside a survey figure (spec §7 v3), as the table writes it."""
        if margin is None:
            return ""
        from ..scores import two_decimals
        return f" ± {two_decimals(self.fmt, margin)}"

    def result_row(self, row: dict[str, Any], unit: str | None) -> ResultRow:
        v = self.fmt
        return ResultRow(
            unit=row["unit"], unit_name=self.name(row["unit"]),
            period=self.t["part_of_period"].format(period=row["period"], covers=row["covers"])
            if row.get("covers") else row["period"],   # v3 §6: part of the period
            status=row["status"], status_label=self.t[f"status.{row['status']}"],
            actual=v.value(row["actual"], unit) + self.margin_text(row.get("margin")),
            note=self.t["declared_note"] if row.get("_declared") else "",
            threshold=threshold_text(row["op"], row["threshold"], row["threshold_high"], unit,
                                     v, style=RANGE_DASH),
            expected=v.value(row["expected"], unit), gap=v.signed(row["gap"], unit),
            needed=v.needed(row["needed"]), deadline=self.deadline_text(row["deadline"]),
            ended=self.times.is_ended_pending(row["unit"], row["status"], row["deadline"]),
            restated=row["origin"] == "restated",
            territory=self.times.compared_on(row["unit"], row["period"], row["territory"],
                                             row["territory_changed"])
            if self.times.changes else "")

    # -- sections -------------------------------------------------------------------------

    def units(self) -> tuple[list[UnitRow], int]:
        """The ranking by the share of targets met, per period and level: only for a ruleset
        without scoring (a scored one is ranked by points, score_section.py)."""
        if self.model.scoring is not None:
            return [], 0
        # Ranking each unit's latest results ranks all (rank_units keeps those only).
        ranked = rank_units(_latest_rows(self.res.lazy().with_row_index("_r").select(
            "_r", "unit", "period", "level", "status", "weight", "_pi"), "unit")
            .drop("_r", "_pi"))
        total = ranked.height
        if self.detail == "summary" and total > 2 * RANK_EDGE:
            ranked = pl.concat([ranked.head(RANK_EDGE), ranked.tail(RANK_EDGE)])
        level = {uid: u.level for uid, u in self.ev.figures.units.items()}
        return [UnitRow(rank=r["rank"], id=r["unit"], name=self.name(r["unit"]),
                        level=self.level_label(level.get(r["unit"])), period=r["period"],
                        score=r["score"],
                        score_text=self.fmt.percent(r["score"], 1),
                        counts=status_counts(r))
                for r in ranked.iter_rows(named=True)], total

    def target_rows(self) -> dict[str, pl.DataFrame]:
        # Results without a number (no data, not applicable) are counted, not listed: the
        # data-quality section lists what is missing once per unit and period.
        # The rows are picked on their keys and then gathered: filtering the whole frame
        # would copy a national run's million rated rows, every column, to keep 200.
        keys = self.res.lazy().with_row_index("_r").select(
            "_r", "target", "unit", "status", "_pi", "_sev", "_agap") \
            .filter(~pl.col("status").is_in(list(UNRATED)))
        if self.detail == "full":
            picked = _streamed(keys).sort(["target", "unit", "_pi"])
        else:   # each target's rated rows of its latest period with rated rows
            picked = (_latest_rows(keys, "target")
                      .sort(["_sev", "_agap", "unit"], descending=[False, True, False],
                            nulls_last=True)
                      .group_by("target", maintain_order=True).head(SUMMARY_ROWS))
        shown = self.res[picked["_r"]]
        return {k[0]: f for k, f in shown.partition_by("target", as_dict=True).items()}

    def latest(self, rows: pl.DataFrame) -> pl.DataFrame:
        """A target's shown rows of its latest period, worst first: the charts' units."""
        latest = rows.filter(pl.col("_pi") == pl.col("_pi").max())
        return latest.sort(["_sev", "_agap", "unit"], descending=[False, True, False],
                           nulls_last=True)

    def trend_units(self, latest: dict[str, pl.DataFrame]) -> dict[str, list[str]]:
        """The units each trend chart draws: the latest period's, worst first; in full detail
        then every other unit with a value (a unit that ended keeps its history), worst in
        its own latest period first; each followed by the units that ended into it."""
        valid = pl.col("actual").is_not_null() & pl.col("actual").is_not_nan()
        others: dict[str, list[str]] = {}
        if self.detail == "full":   # at most AUTO_FULL_MAX rows, or asked for
            own = (self.res.filter(valid).sort("_pi").group_by("target", "unit").last()
                   .sort(["target", "_sev", "_agap", "unit"],
                         descending=[False, False, True, False], nulls_last=True))
            others = {k[0]: f["unit"].to_list()
                      for k, f in own.partition_by("target", as_dict=True).items()}
        ended = list(self.times.graph.successors)
        has = {k[0]: set(f["unit"].to_list()) for k, f in self.res.select(
            "target", "unit", "actual").filter(pl.col("unit").is_in(ended) & valid)
            .select("target", "unit").partition_by("target", as_dict=True).items()}
        out: dict[str, list[str]] = {}
        for tid in set(latest) | set(others):
            order = latest[tid]["unit"].to_list() if tid in latest else []
            seen = set(order)
            order += [u for u in others.get(tid, []) if u not in seen]
            picked: list[str] = []
            for unit in order:
                picked += [u for u in self.times.with_predecessors([unit], has.get(tid, set()))
                           if u not in picked]
                if len(picked) >= TREND_UNITS:
                    break
            out[tid] = picked
        return out

    def trend_frames(self, units: dict[str, list[str]]) -> dict[str, pl.DataFrame]:
        """Every period of the units each trend chart draws, in one pass over the results."""
        pairs = [(tid, u) for tid, us in units.items() for u in us]
        wanted = pl.DataFrame(pairs, schema={"target": pl.String, "unit": pl.String},
                              orient="row")
        # The few charted units' rows picked by two plain masks first: a join on two text
        # keys over the national 1.6 M rows would encode every row's keys.
        found = self.res.filter(pl.col("target").is_in(wanted["target"].unique().implode()),
                                pl.col("unit").is_in(wanted["unit"].unique().implode())) \
            .join(wanted, on=["target", "unit"], how="semi", maintain_order="left")
        return {k[0]: f for k, f in found.partition_by("target", as_dict=True).items()}

    def target(self, target: Any, rows: pl.DataFrame, latest: pl.DataFrame,
               trend_frame: pl.DataFrame | None, trend_units: list[str],
               counts: dict[str, int], total: int, index: int, ended: int = 0
               ) -> TargetSection:
        unit = self.unit_of(target)
        metric = self.model.metrics.get(target.metric)
        bars = [charts.BulletRow(self.marked_name(r["unit"]), r["status"], r["actual"],
                                 r["threshold"], r["threshold_high"], r["expected"])
                for r in latest.filter(pl.col("actual").is_not_nan())
                .head(CHART_UNITS if self.detail == "full" else SUMMARY_ROWS)
                .iter_rows(named=True)]
        title = f"{target.id} — {target.title}"
        bullet = (charts.bullet(charts.chart_id(index, target.id, "bullet"), bars, unit,
                                self.fmt, self.t, title, direction=direction(target))
                  if bars else "")
        trend_svg, trend, trend_note = self.trend(target, trend_frame, trend_units, unit,
                                                  index, title)
        milestones = [f"{self._milestone_text(m, unit)} — {self.deadline_text(m.by)}"
                      for m in target.milestones]
        return TargetSection(
            id=target.id, title=target.title, area=target.area,
            area_label=self.t[f"area.{target.area}"], metric=target.metric,
            metric_label=metric.label if metric else target.metric, source=target.source,
            milestones=milestones, counts=counts,
            rows=[self.result_row(r, unit) for r in rows.iter_rows(named=True)],
            rows_total=total, bullet_svg=bullet, trend_svg=trend_svg, trend=trend,
            ended=ended, direction=direction(target), trend_note=trend_note)

    def ended_pending(self) -> dict[str, int]:
        """Per target, the pending results of units that ended before the deadline."""
        ended = [u for u in distinct(self.res, "unit") if self.times.last_day(u)]
        if not ended:
            return {}
        out: dict[str, int] = {}
        for tid, unit, deadline in self.res.filter(
                (pl.col("status") == "pending") & pl.col("unit").is_in(ended)).select(
                "target", "unit", "deadline").iter_rows():
            if self.times.is_ended_pending(unit, "pending", deadline):
                out[tid] = out.get(tid, 0) + 1
        return out

    def marked_name(self, unit: str) -> str:
        """A name in a chart or a list of names: a unit that ended carries † (a note says
        what it means)."""
        return self.name(unit) + (" †" if self.times.last_day(unit) else "")

    def _milestone_text(self, m: Any, unit: str | None) -> str:
        low, high = m.value if isinstance(m.value, (list, tuple)) else (m.value, None)
        return threshold_text(m.op, low, high, unit, self.fmt, style=RANGE_DASH)

    def trend(self, target: Any, frame: pl.DataFrame | None, units: list[str],
              unit: str | None, index: int, title: str
              ) -> tuple[str, list[TrendSeries], str]:
        """The trend chart over every period in which a charted unit has a value, placed by
        the periods' dates, and its text equivalent and reading note."""
        if frame is None:
            return "", [], ""
        valid = frame.filter(pl.col("actual").is_not_null() & pl.col("actual").is_not_nan())
        pis = sorted(set(valid["_pi"].to_list()))
        if len(pis) < 2:
            return "", [], ""
        periods = [self.periods[i] for i in pis]
        values: dict[tuple[str, int], Any] = {(u, p): a for u, p, a in valid.select(
            "unit", "_pi", "actual").iter_rows()}
        limit_of: dict[int, Any] = {}
        for p, th in frame.select("_pi", "threshold").drop_nulls().iter_rows():
            limit_of.setdefault(p, th)
        units = [u for u in units if any((u, p) in values for p in pis)]
        series = [charts.Series(self.marked_name(u), [values.get((u, p)) for p in pis])
                  for u in units]
        limits = [limit_of.get(p) for p in pis]
        if target.milestones and target.milestones[-1].op == "between":
            limits = [None for _ in pis]
        better = direction(target)
        events = self.times.events(units)
        svg = charts.trend(charts.chart_id(index, target.id, "trend"), periods, series, limits,
                           unit, self.fmt, self.t, f"{title} — {self.t['trend']}",
                           direction=better, events=events)
        spans = [parse_period(p) for p in periods]
        text = [TrendSeries(unit=u, unit_name=self.name(u), points=[
            TrendPoint(period=p, actual=self.fmt.value(v, unit),
                       span=f"{self.fmt.date(d.start)} – {self.fmt.date(d.end)}")
            for p, v, d in zip(periods, s.points, spans, strict=True)])
            for u, s in zip(units, series, strict=True)]
        note = [self.t["trend_axis"]]
        if charts.mixed_spans(periods):
            note.append(self.t["trend_spans"])
        if better:
            note.append(self.t[f"direction.{better}"] + ".")
        note += [f"† {e.name}: {e.note}." for u in units if (e := self.times.ended(u))]
        return svg, text, " ".join(note)

    def worst(self) -> list[WorstTarget]:
        latest = _latest_rows(self.res.lazy().with_row_index("_r").select(
            "_r", "target", "status", "_pi"), "target")
        agg = (latest.group_by("target").agg(
            pl.col("status").is_in(list(FAILING)).sum().alias("failing"),
            (pl.col("status") != "not_applicable").sum().alias("total"))
            .filter(pl.col("failing") > 0)
            .with_columns((pl.col("failing") / pl.col("total") * 100).alias("share"))
            .sort(["share", "failing", "target"], descending=[True, True, False]).head(WORST))
        by_id = {t.id: t for t in self.model.targets}
        return [WorstTarget(id=r["target"], title=by_id[r["target"]].title if r["target"] in
                            by_id else r["target"],
                            area_label=self.t[f"area.{by_id[r['target']].area}"]
                            if r["target"] in by_id else "",
                            failing=r["failing"], total=r["total"],
                            share_text=self.fmt.percent(r["share"], 1))
                for r in agg.iter_rows(named=True)]

    def sources(self, keys: pl.DataFrame) -> dict[tuple[str, str], list[str]]:
        vals = self.ev.figures.values.join(keys, on=["unit", "period"], how="semi")
        out: dict[tuple[str, str], set[str]] = {}
        for unit, period, source, file in vals.select(
                "unit", "period", "source", "file").unique().iter_rows():
            label = f"{source} ({Path(file).name})" if source else Path(file).name
            out.setdefault((unit, period), set()).add(label)
        return {k: sorted(v) for k, v in out.items()}

    def _bounded(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.head(SUMMARY_LIST) if self.detail == "summary" else frame

    def failed_checks(self) -> tuple[list[CheckRow], int]:
        failed = self.ev.checks.filter(pl.col("status") == "fail")
        order = self.order
        shown = self._bounded(failed.with_columns(
            pl.col("period").replace_strict(order, default=0, return_dtype=pl.Int32)
            .alias("_pi")).sort(["check", "unit", "_pi"]))
        titles = {c.id: c.title or c.assert_ for c in self.model.checks}
        srcs = self.sources(shown.select("unit", "period"))
        rows = list(shown.iter_rows(named=True))
        texts = check_texts(self.ev, rows, self.fmt.number)
        return [CheckRow(check=r["check"], title=titles.get(r["check"], r["check"]),
                         unit=r["unit"], unit_name=self.name(r["unit"]), period=r["period"],
                         left=self.fmt.number(r["left"]), right=self.fmt.number(r["right"]),
                         text=text, sources=srcs.get((r["unit"], r["period"]), []))
                for r, text in zip(rows, texts, strict=True)], failed.height

    def figures(self) -> tuple[list[FigureRow], int]:
        values = self.ev.figures.values
        if self.detail == "summary" and values.height > SUMMARY_FIGURES:
            return [], values.height
        shown = values.with_columns(pl.col("period").replace_strict(
            self.order, default=0, return_dtype=pl.Int32).alias("_pi")).sort(
            ["unit", "_pi", "source", "metric"], nulls_last=True)  # one group per source
        metrics = self.model.metrics
        return [FigureRow(unit=r["unit"], unit_name=self.name(r["unit"]), period=r["period"],
                          metric=r["metric"],
                          label=metrics[r["metric"]].label if r["metric"] in metrics
                          else r["metric"],
                          value=self.fmt.value(r["value"], metrics[r["metric"]].unit
                                               if r["metric"] in metrics else None),
                          source=r["source"], where=f"{Path(r['file']).name}:{r['line']}")
                for r in shown.iter_rows(named=True)], values.height


def build_context(ev: Any, *, lang: str = "vi", output: str = "html", detail: str = "auto",
                  inputs: Iterable[tuple[str, Path]] = (),
                  show_not_applicable: bool = False) -> ReportContext:
    """The template context for `ev` (an `Evaluation`); `inputs` are (role, path) pairs.
    The report reads a reader's view (evaluation/view.py): not applicable results (unless
    `show_not_applicable`) and internal periods left out and counted."""
    check_lang(lang)
    if getattr(ev, "hidden", None) is None:
        ev = for_readers(ev, show_not_applicable=show_not_applicable)
    b = ReportBuilder(ev, lang, detail)
    t, fmt, res, model = b.t, b.fmt, b.res, b.model
    # One pass over the results for every count the report shows.
    # Streamed: in memory, a group_by over three text keys of the national 1.6 M rows
    # costs about 400 MB more at peak (bench/FINDINGS.md, item 6).
    counted = _streamed(res.lazy().group_by("target", "area", "status").agg(
        pl.len().alias("len")))
    totals = _sum(counted, "status")
    area_counts, target_counts = _counts(counted, "area"), _counts(counted, "target")
    target_totals = _sum(counted.filter(~pl.col("status").is_in(list(UNRATED))), "target")
    area_rows = [AreaRow(key=a, label=t[f"area.{a}"],
                         targets=sum(1 for x in model.targets if x.area == a),
                         counts=area_counts.get(a, {}),
                         total=sum(area_counts.get(a, {}).values())) for a in AREAS]
    statuses = [StatusInfo(key=s, label=t[f"status.{s}"], symbol=SYMBOLS[s])
                for s in STATUSES]
    units, units_total = b.units()
    rows = b.target_rows()
    latest = {tid: b.latest(f) for tid, f in rows.items()}
    trend_units = b.trend_units(latest)
    trend_frames = b.trend_frames(trend_units)
    empty = res.clear()
    checks, checks_total = b.failed_checks()
    missing, missing_groups, missing_total = missing_rows(b)
    figures, figures_total = b.figures()
    # Warnings that did not stop the run (a reported rate its own inputs contradict, figures
    # of unknown metrics …): a leader reads the report, not stderr.
    ignored, other_warnings = b.times.ignored(list(ev.warnings))   # UNT12: a table of its own
    warnings = [w.format() for w in other_warnings]
    ended_pending = b.ended_pending()
    shown_warnings = warnings[:SUMMARY_LIST] if b.detail == "summary" else warnings
    unit_ids = sorted(distinct(res, "unit") or distinct(ev.figures.values, "unit"))
    rule_files: Sequence[Path] = ev.ruleset.files
    files = [("ruleset", p) for p in rule_files] + list(inputs)
    from ..scores import appraisal_context
    appraisal = appraisal_context(ev.scores(), {u: b.name(u) for u in ev.figures.units},
                                  {i.id: i.title for i in model.scoring.indicators}, lang) \
        if model.scoring is not None else []
    return ReportContext(
        appraisal=appraisal,
        lang=lang, output=output, t=t, tool=f"cchc-rules {__version__}",
        ruleset=RulesetInfo(id=model.ruleset, title=model.title, issuer=model.issuer,
                            source=model.source),
        periods=[PeriodInfo(text=p, start=fmt.date(parse_period(p).start),
                            end=fmt.date(parse_period(p).end)) for p in b.periods],
        in_progress=ev.in_progress,
        unit_count=len(unit_ids),
        unit_names=sorted(b.marked_name(u) for u in unit_ids)[:COVER_UNITS],  # † ended
        detail=b.detail,
        detail_note=t["summary_mode"].format(rows=fmt.number(res.height, 0))
        if b.detail == "summary" else None,
        statuses=statuses,
        statuses_used=[s for s in statuses if totals.get(s.key)] or statuses[:1],
        totals=totals, total=res.height,
        status_chart_svg=charts.stacked("c-status", [(t["total"], totals)], t, t["by_status"]),
        areas=area_rows,
        area_chart_svg=charts.stacked("c-areas", [(a.label, a.counts) for a in area_rows], t,
                                      t["by_area"]),
        units=units, units_total=units_total, worst=b.worst(),
        targets=[b.target(x, rows.get(x.id, empty), latest.get(x.id, empty),
                          trend_frames.get(x.id), trend_units.get(x.id, []),
                          target_counts.get(x.id, {}), target_totals.get(x.id, 0), i,
                          ended_pending.get(x.id, 0))
                 for i, x in enumerate(model.targets)],
        failed_checks=checks, failed_checks_total=checks_total,
        missing=missing, missing_groups=missing_groups, missing_total=missing_total,
        ended=b.times.ended_units(set(unit_ids) | set(ev.figures.values["unit"].unique())
                                  | {r.unit for r in ignored}),
        ended_pending=sum(ended_pending.values()),
        ignored=ignored[:SUMMARY_LIST] if b.detail == "summary" else ignored,
        ignored_total=len(ignored), **_declared_rows(b), territory_changes=b.times.changes,
        warnings=shown_warnings, warnings_total=len(warnings),
        figures=figures, figures_total=figures_total,
        inputs=[InputFile(role=role, path=str(p), sha256=sha256_file(Path(p)))
                for role, p in files],
        scores=score_report.build(ev, fmt, t, b.name, b.level_label, b.detail, RANK_EDGE),
        hidden_not_applicable=ev.hidden.not_applicable,
        hidden_periods=list(ev.hidden.internal_periods),
        not_reported=not_reported_groups(ev, b),
        record_sources=record_rows(ev.figures.records, t, fmt),
        versions=[line.strip() for line in version_lines(ev, t)[1:]])
