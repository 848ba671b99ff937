"""Render stage, scoring part: the report's points and ranking section (spec §7).

Reads the engine's frames (`Evaluation.scores()`: scores, groups, rankings) and only chooses
and formats what the report shows. Ranks, ties, previous index and rank change are the
engine's; which period a unit's latest ranking is comes from `ranking.latest_results`. A
ranking table holds the units of one level scored for one period, never a mix of periods.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from ...domain import LEVELS
from ...evaluation.view import band_title, scorecards
from ...present import Formatter
from ...score.share_met import latest_results, period_order
from .. import scores as score_text
from . import charts, score_charts
from .context import (
    BandInfo,
    CoverIndex,
    GroupPoints,
    IndicatorLine,
    LostPoints,
    Scorecard,
    ScoreCohort,
    ScoreReport,
    ScoreRow,
)

COVER_NAMES = 3   # units named per level on the cover


class _Section:
    def __init__(self, ev: Any, fmt: Formatter, t: dict[str, str],
                 name: Callable[[str], str], level_label: Callable[[str | None], str | None],
                 detail: str, edge: int) -> None:
        self.ev, self.fmt, self.t = ev, fmt, t
        self.name, self.level_label, self.detail, self.edge = name, level_label, detail, edge
        self.scoring = ev.ruleset.model.scoring
        self.frames = ev.scores()
        self.band_rank = {b.id: k for k, b in enumerate(self.scoring.bands)}
        # the bars' segments are the top groups (areas); a nested group's points are in
        # its area's already (issue 26)
        self.all_group_titles = {g.id: g.title for g in self.scoring.groups}
        self.group_titles = {g.id: g.title for g in self.scoring.groups if g.parent is None}
        self.ungrouped = any(i.group is None and i.kind == "score"
                             for i in self.scoring.indicators)
        self.band_title = {b.id: b.title or b.id for b in self.scoring.bands}   # v3
        self.change_words = score_text.words(fmt.lang)

    def two(self, value: float | None) -> str:
        return score_text._two(self.fmt, value)

    def signed(self, value: float) -> str:
        text = self.two(abs(value))
        return text if text.strip("0,.") == "" else ("+" if value > 0 else "−") + text

    def cohorts(self, ranked: pl.DataFrame) -> list[tuple[str | None, str]]:
        """(level, period) of every ranking shown: levels in the format's order (others by
        name), newest period first; the summary edition keeps each unit's latest period."""
        if self.detail == "summary":
            ranked = latest_results(ranked)
        pairs = ranked.select("level", "period").unique().rows()
        order = period_order([p for _, p in pairs])

        def level_key(level: str | None) -> tuple[int, str]:
            if level is None:
                return (len(LEVELS) + 1, "")
            return (LEVELS.index(level), "") if level in LEVELS else (len(LEVELS), level)

        return sorted(pairs, key=lambda lp: (level_key(lp[0]), -order[lp[1]]))

    def row(self, r: dict[str, Any], groups: list[GroupPoints]) -> ScoreRow:
        change, direction = self.change(r)
        previous = r["previous_index"]
        return ScoreRow(
            rank=r["rank"], of=r["of"], unit=r["unit"], name=self.name(r["unit"]),
            points=self.two(r["points"]), max=self.two(r["max"]), index=self.two(r["index"]),
            band=r["band"], band_title=band_title(self.scoring, r["band"]),
            band_class=f"band-{self.band_rank[r['band']]}" if r["band"] in self.band_rank
            else "band-none",
            previous_index=self.two(previous),
            index_change=self.t["score.index_change"].format(
                diff=self.signed(r["index"] - previous)) if previous is not None else "",
            change=change, change_class=direction, groups=groups,
            **({"bonus": score_text.adjustment_text(self.fmt, r["bonus"], "+"),
                "penalty": score_text.adjustment_text(self.fmt, r["penalty"], "−")}
               if "bonus" in r else {}))

    def change(self, r: dict[str, Any]) -> tuple[str, str]:
        """Arrow and words for the rank change; without one, why (never an arrow alone)."""
        moved = r["rank_change"]
        if moved is None:
            key = "score.no_previous" if r["previous_index"] is None else "score.other_cohort"
            return self.t[key], "none"
        text = score_text.change_text(moved, self.change_words)
        return text, "up" if moved > 0 else "down" if moved < 0 else "same"

    def cohort(self, index: int, level: str | None, period: str,
               ranked: pl.DataFrame) -> ScoreCohort:
        part = ranked.filter((pl.col("period") == period)
                             & pl.col("level").eq_missing(pl.lit(level, pl.String)))
        total = part.height
        part = part.sort("rank", "unit")
        if self.detail == "summary" and total > 2 * self.edge:
            part = pl.concat([part.head(self.edge), part.tail(self.edge)])
        keys = part.select("unit", "period")
        # One period's rows first (a cheap filter), then the few units shown: a join over a
        # national run's 1.6 M score rows costs about half a second per ranking.
        group_rows = self.frames.groups.filter(pl.col("period") == period) \
            .join(keys, on=["unit", "period"], how="semi")
        groups: dict[str, dict[str, tuple[float | None, float | None]]] = {}
        for unit, group, points, top in group_rows.select(
                "unit", pl.col("group").cast(pl.String), "points", "max").iter_rows():
            groups.setdefault(unit, {})[group] = (points, top)
        rows, bars = [], []
        for r in part.iter_rows(named=True):
            mine = groups.get(r["unit"], {})
            segments = [score_charts.Segment(title, *(v or 0.0 for v in mine.get(g, (0, 0))))
                        for g, title in self.group_titles.items()]
            # bonus and penalty are outside every group and every bar (spec §7 v3)
            net = r["points"] - r.get("bonus", 0.0) + r.get("penalty", 0.0)
            rest = (net - sum(s.points for s in segments),
                    r["max"] - sum(s.max for s in segments))
            if self.ungrouped:  # indicators without a group: one more segment
                segments.append(score_charts.Segment(self.t["score.other_group"], *rest))
            rows.append(self.row(r, [GroupPoints(group=g, title=s.title,
                                                 points=self.two(s.points if s.max else None),
                                                 max=self.two(s.max or None))
                                     for g, s in zip([*self.group_titles, ""], segments,
                                                     strict=False)]))
            bars.append(score_charts.UnitBar(self.name(r["unit"]), r["points"], r["max"],
                                             segments))
        level_text = self.level_label(level)
        heading = self.t["score.cohort"].format(period=period, level=level_text or "—")
        titles = [s.title for s in bars[0].segments] if bars else []
        svg = score_charts.group_bars(charts.chart_id(index, period, level or "", "points"),
                                      bars, titles, self.two, self.t,
                                      f"{self.t['score.bars']} — {heading}")
        return ScoreCohort(period=period, level=level_text, heading=heading, rows=rows,
                           rows_total=total, bars_svg=svg,
                           indicators=self.indicators(period, keys))

    def indicators(self, period: str, keys: pl.DataFrame) -> list[IndicatorLine]:
        """Per indicator (ruleset order), the points of the units in `keys` (all of
        `period`), in their order."""
        wanted = keys.with_row_index("_row")
        found = self.frames.scores.filter(pl.col("period") == period) \
            .join(wanted, on=["unit", "period"], how="inner")
        points: dict[tuple[str, int], str] = {
            (ind, row): self.two(p) for ind, row, p in found.select(
                pl.col("indicator").cast(pl.String), "_row", "points").iter_rows()}
        return [IndicatorLine(id=i.id, title=i.title,
                              group=self.all_group_titles.get(i.group or "", "")
                              if i.kind == "score" else self.t[f"score.{i.kind}"],
                              max=self.two(float(i.max)),
                              points=[points.get((i.id, row), self.two(None))
                                      for row in range(keys.height)])
                for i in self.scoring.indicators]

    def cover(self, cohorts: list[ScoreCohort], pairs: list[tuple[str | None, str]]
              ) -> list[CoverIndex]:
        """The first (newest) ranking of each level, its best units named."""
        out, seen = [], set()
        for cohort, (level, _) in zip(cohorts, pairs, strict=True):
            if level in seen:
                continue
            seen.add(level)
            named = cohort.rows[:COVER_NAMES]
            out.append(CoverIndex(heading=cohort.heading, entries=[
                self.t["score.cover_entry"].format(name=r.name, index=r.index,
                                                   band=r.band or "—", rank=r.rank, of=r.of)
                for r in named], more=cohort.rows_total - len(named)))
        return out


    def cards(self, ranked: pl.DataFrame) -> tuple[list[Scorecard], int]:
        """A scorecard per ranked unit, in its latest ranked period: by level (the format's
        order), then rank; the best and worst `edge` of each level in summary."""
        latest = latest_results(ranked)
        order = {level: k for k, (level, _) in enumerate(self.cohorts(latest))}
        latest = latest.with_columns(pl.col("level").replace_strict(
            order, default=len(order), return_dtype=pl.Int32).alias("_l")).sort(
            "_l", "rank", "unit")
        total = latest.height
        if self.detail == "summary":
            latest = pl.concat([part.head(self.edge) if part.height <= 2 * self.edge else
                                pl.concat([part.head(self.edge), part.tail(self.edge)])
                                for _, part in latest.group_by("_l", maintain_order=True)])
        return [self.card(scorecards(self.ev, unit)[0]) for unit in latest["unit"].to_list()], \
            total

    def card(self, card: Any) -> Scorecard:
        """A view.Scorecard, formatted."""
        titles = {i.id: i.title for i in self.scoring.indicators}
        change, direction = self.change({"rank_change": card.rank_change,
                                         "previous_index": card.previous_index})
        return Scorecard(
            unit=card.unit, name=self.name(card.unit), level=self.level_label(card.level),
            period=card.period, points=self.two(card.points), max=self.two(card.max),
            index=self.two(card.index), band=card.band_title,
            band_class=f"band-{self.band_rank[card.band]}" if card.band in self.band_rank
            else "band-none", rank=card.rank, of=card.of, change=change,
            change_class=direction,
            lost=[LostPoints(id=x.indicator, title=titles.get(x.indicator, ""),
                             points=self.two(x.points), max=self.two(x.max),
                             lost=self.two(x.lost)) for x in card.lost])


def unit_card(ev: Any, fmt: Formatter, t: dict[str, str], name: Callable[[str], str],
              level_label: Callable[[str | None], str | None], unit: str,
              period: str | None) -> Scorecard | None:
    """One unit's scorecard for `period` (its latest ranked period when not ranked then),
    without building the rest of the section (the web app's unit page); None when the
    ruleset has no scoring or the unit was never ranked."""
    if ev.ruleset.model.scoring is None:
        return None
    cards = scorecards(ev, unit)
    if not cards:
        return None
    chosen = next((c for c in cards if c.period == period), cards[0])
    return _Section(ev, fmt, t, name, level_label, "full", 0).card(chosen)


def build(ev: Any, fmt: Formatter, t: dict[str, str], name: Callable[[str], str],
          level_label: Callable[[str | None], str | None], detail: str,
          edge: int) -> ScoreReport | None:
    """The scoring section of the report, or None when the ruleset has no `scoring`."""
    if ev.ruleset.model.scoring is None:
        return None
    s = _Section(ev, fmt, t, name, level_label, detail, edge)
    rankings = s.frames.rankings
    ranked = rankings.filter(pl.col("rank").is_not_null())
    pairs = s.cohorts(ranked)
    cohorts = [s.cohort(i, level, period, ranked) for i, (level, period) in enumerate(pairs)]
    bands = [BandInfo(id=b.title or b.id, min=s.two(float(b.min)), band_class=f"band-{k}")
             for k, b in enumerate(s.scoring.bands)]
    scale = fmt.number(float(s.scoring.scale), 2)
    hidden = getattr(ev, "hidden", None)
    cards, cards_total = s.cards(ranked)
    return ScoreReport(note=t["score.note"].format(scale=scale), bands=bands, cohorts=cohorts,
                       unranked=rankings.height - ranked.height
                       + (hidden.unscored if hidden is not None else 0),
                       cover=s.cover(cohorts, pairs), cards=cards, cards_total=cards_total)
