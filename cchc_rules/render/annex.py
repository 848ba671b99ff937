"""Render stage: the publication edition of a province's CCHC index (issue 26) — the annex
of the UBND's decision, as HTML/PDF and as a wide xlsx.

Built from the §7 lists the engine scored (`Evaluation.scores()`), never recomputed: per
track (unit level), the ranking with bands, points per area, bonus, penalty, index and the
change on last year; per unit, a scorecard of every criterion where points were lost (below
its max, or appraised below the unit's own points, or a penalty taken), self against
appraised, with the appraiser's comment and the evidence from `cchc collect --evidence` —
the list a unit's improvement plan starts from.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import CchcError, Position
from ..messages import _
from ..periods import period_key
from ..present import Formatter
from .i18n import words
from .scores import two_decimals

EVIDENCE_KEYS = ("unit", "period", "indicator", "evidence", "comment", "explanation")


@dataclass
class Area:
    id: str
    title: str


@dataclass
class TrackRow:
    rank: str
    unit: str
    name: str
    areas: list[str]
    bonus: str
    penalty: str
    points: str
    max: str
    index: str
    band: str
    previous: str
    change: str
    raw: dict[str, Any] = field(default_factory=dict)   # unrounded, for the xlsx


@dataclass
class Track:
    level: str
    label: str
    areas: list[Area]
    rows: list[TrackRow]
    indicators: list[Any]     # the criteria this track is scored on (xlsx columns)


@dataclass
class Lost:
    id: str
    title: str
    area: str
    max: str
    self_points: str
    points: str
    lost: str
    comment: str
    evidence: str
    kind: str


@dataclass
class Card:
    unit: str
    name: str
    track: str
    rank: str
    index: str
    band: str
    lost: list[Lost]
    lost_total: str


@dataclass
class Annex:
    title: str
    issuer: str
    source: str
    period: str
    previous: str | None
    tracks: list[Track]
    cards: list[Card]
    t: dict[str, str]
    lang: str
    # unrounded points of (unit, "ind" | "area", id) for the xlsx; group → parent
    points: dict[tuple[str, str, str], float | None] = field(default_factory=dict)
    parents: dict[str, str | None] = field(default_factory=dict)


def read_evidence(path: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    """The evidence file `cchc collect --evidence` wrote, by (unit, period, indicator)."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [k for k in EVIDENCE_KEYS if k not in (reader.fieldnames or [])]
        if missing:
            raise CchcError.one("DAT50", _("the evidence file lacks the columns {columns}")
                                .format(columns=", ".join(missing)), Position(str(path), 1),
                                _("give the file cchc collect --evidence wrote"))
        return {(r["unit"], r["period"], r["indicator"]): r for r in reader}


def build_annex(ev: Any, lang: str = "vi", period: str | None = None,
                evidence: dict[tuple[str, str, str], dict[str, str]] | None = None) -> Annex:
    """The annex of `ev` (an Evaluation whose ruleset has scoring) for `period` (default:
    the latest scored)."""
    scoring = ev.ruleset.model.scoring
    if scoring is None:
        raise CchcError.one("EVL05", _("ruleset '{ruleset}' has no scoring").format(
            ruleset=ev.ruleset.model.ruleset), hint=_("add a scoring block (spec §7, "
                                                     "docs/scoring.md)"))
    fmt, t = Formatter(lang), words(lang)
    frames = ev.scores()
    periods = sorted(frames.rankings["period"].unique().to_list(), key=period_key)
    if not periods:
        raise CchcError.one("EVL10", _("no unit has figures to score"), None,
                            _("collect the returned workbooks first (cchc collect)"))
    if period is None:
        period = periods[-1]
    elif period not in periods:
        from ..errors import did_you_mean
        raise CchcError.one("EVL01", _("no unit was scored for period '{period}'").format(
            period=period), hint=did_you_mean(period, periods) or ", ".join(periods))
    names = {u.id: u.name for u in ev.figures.units.values()}
    levels = {u.id: u.level for u in ev.figures.units.values()}
    two = lambda v: two_decimals(fmt, v)  # noqa: E731
    bands = {b.id: (getattr(b, "title", None) or b.id) for b in scoring.bands}
    tops = [g for g in scoring.groups if g.parent is None]
    ranks = frames.rankings.filter(pl.col("period") == period)
    groups = frames.groups.filter(pl.col("period") == period)
    area_points = {(u, str(g)): (p, m) for u, g, p, m in groups.select(
        "unit", pl.col("group").cast(pl.String), "points", "max").iter_rows()}
    tracks: list[Track] = []
    from ..ruleset.criteria import indicator_levels
    ind_levels = indicator_levels(scoring)
    for (level,), part in ranks.sort("level", "rank", "unit", nulls_last=True) \
            .partition_by("level", as_dict=True, maintain_order=True).items():
        units = part["unit"].to_list()
        areas = [Area(g.id, g.title) for g in tops
                 if any(area_points.get((u, g.id), (0, 0))[1] for u in units)]
        rows = []
        for r in part.iter_rows(named=True):
            prev, change = r["previous_index"], None
            if prev is not None and r["index"] is not None:
                change = r["index"] - prev
            rows.append(TrackRow(
                rank=f"{r['rank']}/{r['of']}" if r["rank"] is not None else "—",
                unit=r["unit"], name=names.get(r["unit"], r["unit"]),
                areas=[two(area_points.get((r["unit"], a.id), (None, None))[0])
                       for a in areas],
                bonus=two(r.get("bonus", 0.0)), penalty=two(r.get("penalty", 0.0)),
                points=two(r["points"]), max=two(r["max"]), index=two(r["index"]),
                band=bands.get(r["band"], r["band"] or "—"), previous=two(prev),
                change=("+" if change and change > 0 else "") + two(change)
                if change is not None else "—", raw=r))
        indicators = [i for i, lv in zip(scoring.indicators, ind_levels, strict=True)
                      if lv is None or level is None or level in lv]
        label = t.get(f"level.{level}", level) if level else "—"
        tracks.append(Track(level or "", label, areas, rows, indicators))
    cards = _cards(ev, frames, period, ranks, names, levels, evidence or {}, t, two, bands)
    model = ev.ruleset.model
    previous = next((p for p in reversed(periods) if period_key(p) < period_key(period)),
                    None)
    points: dict[tuple[str, str, str], float | None] = {
        (u, "ind", ind): p for u, ind, p in frames.scores.filter(pl.col("period") == period)
        .select("unit", pl.col("indicator").cast(pl.String), "points").iter_rows()}
    points |= {(u, "area", g): p for (u, g), (p, _m) in area_points.items()}
    return Annex(title=model.title, issuer=model.issuer or "", source=model.source or "",
                 period=period, previous=previous, tracks=tracks, cards=cards, t=t,
                 lang=lang, points=points, parents={g.id: g.parent for g in scoring.groups})


def _cards(ev: Any, frames: Any, period: str, ranks: pl.DataFrame, names: dict,
           levels: dict, evidence: dict, t: dict, two: Any, bands: dict) -> list[Card]:
    """Per ranked unit, the criteria where it lost points, in ruleset order."""
    scoring = ev.ruleset.model.scoring
    titles = {i.id: i for i in scoring.indicators}
    group_titles = {g.id: g.title for g in scoring.groups}
    scores = frames.scores.filter((pl.col("period") == period) & pl.col("max").is_not_null())
    has_self = "self_assessed_points" in scores.columns
    kind_of = {i.id: i.kind for i in scoring.indicators}
    lost_by_unit: dict[str, list[Lost]] = {}
    totals: dict[str, float] = {}
    for r in scores.iter_rows(named=True):
        ind = str(r["indicator"])
        kind = kind_of.get(ind, "score")
        mine = r["self_assessed_points"] if has_self else None
        if kind == "penalty":
            lost = r["points"] or 0.0
        elif kind == "bonus":
            continue
        else:
            lost = r["max"] - (r["points"] or 0.0)
        below_self = mine is not None and r["points"] is not None and r["points"] < mine
        if lost <= 1e-9 and not below_self:
            continue
        note = evidence.get((r["unit"], period, ind), {})
        lost_by_unit.setdefault(r["unit"], []).append(Lost(
            id=ind, title=titles[ind].title if ind in titles else ind,
            area=group_titles.get(titles[ind].group or "", "") if ind in titles else "",
            max=two(r["max"]), self_points=two(mine), points=two(r["points"]),
            lost=two(lost), comment=note.get("comment", ""),
            evidence="; ".join(x for x in (note.get("evidence", ""),
                                           note.get("explanation", "")) if x),
            kind=t.get(f"score.{kind}", kind) if kind != "score" else ""))
        totals[r["unit"]] = totals.get(r["unit"], 0.0) + lost
    cards = []
    for r in ranks.sort("level", "rank", "unit", nulls_last=True).iter_rows(named=True):
        level = r["level"]
        cards.append(Card(
            unit=r["unit"], name=names.get(r["unit"], r["unit"]),
            track=t.get(f"level.{level}", level) if level else "—",
            rank=f"{r['rank']}/{r['of']}" if r["rank"] is not None else "—",
            index=two(r["index"]), band=bands.get(r["band"], r["band"] or "—"),
            lost=lost_by_unit.get(r["unit"], []), lost_total=two(totals.get(r["unit"], 0.0))))
    return cards


def annex_html(annex: Annex) -> str:
    """The annex as one self-contained HTML document (the PDF is printed from it)."""
    from .report import templates
    env = templates.environment(None)
    return templates.render(env, "annex.html.j2", {"a": annex, "t": annex.t})


def annex_xlsx(annex: Annex, out: Any) -> None:
    """The annex as a wide workbook: one sheet per track, a row per unit, a column per
    criterion then each area's subtotal, bonus, penalty, total, max, index, band, rank and
    the change on last year; numbers unrounded, shown with two decimals."""
    import xlsxwriter

    t = annex.t
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1,
                            "bg_color": "#DDEBF7"})
    num = book.add_format({"num_format": "0.00", "border": 1})
    whole = book.add_format({"num_format": "0", "border": 1})
    text = book.add_format({"border": 1})
    bold = book.add_format({"bold": True, "font_size": 13})
    for track in annex.tracks:
        sheet = book.add_worksheet(_sheet_name(track.label, book))
        sheet.write(0, 0, f"{annex.title} — {t['annex.period']} {annex.period} — "
                          f"{track.label}", bold)
        columns: list[tuple[str, Any]] = [(t["annex.rank"], "rank"), (t["annex.unit_id"],
                                          "unit"), (t["unit"], "name")]
        for area in track.areas:
            for ind in track.indicators:
                if _area_of(ind, area.id, annex) and ind.kind == "score":
                    columns.append((f"{ind.id} {ind.title}", ("ind", ind.id)))
            columns.append((f"{t['annex.area']} {area.id}: {area.title}", ("area", area.id)))
        for ind in track.indicators:
            if ind.kind == "score" and not any(_area_of(ind, a.id, annex)
                                               for a in track.areas):
                columns.append((f"{ind.id} {ind.title}", ("ind", ind.id)))
        columns += [(t["score.bonus"], "bonus"), (t["score.penalty"], "penalty"),
                    (t["annex.points"], "points"), (t["annex.max"], "max"),
                    (t["annex.index"], "index"), (t["annex.band"], "band"),
                    (t["annex.previous"], "previous_index"), (t["annex.change"], "change")]
        for j, (label, _key) in enumerate(columns):
            sheet.write(2, j, label, head)
        for i, row in enumerate(track.rows):
            r = 3 + i
            raw = row.raw
            for j, (_label, key) in enumerate(columns):
                value: Any
                if isinstance(key, tuple):
                    value = annex.points.get((row.unit, key[0], key[1]))
                elif key == "rank":
                    value = raw["rank"]
                elif key == "name":
                    value = row.name
                elif key == "band":
                    value = row.band
                elif key == "change":
                    prev, now = raw.get("previous_index"), raw.get("index")
                    value = now - prev if prev is not None and now is not None else None
                else:
                    value = raw.get(key)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(r, j, value, whole if key == "rank" else num)
                elif value is None:
                    sheet.write_blank(r, j, None, text)
                else:
                    sheet.write_string(r, j, str(value), text)
        sheet.set_row(2, 60)
        sheet.set_column(0, 1, 10)
        sheet.set_column(2, 2, 28)
        sheet.set_column(3, len(columns), 12)
        sheet.freeze_panes(3, 3)
    book.close()


def _area_of(ind: Any, area: str, annex: Annex) -> bool:
    parents = annex.parents
    group, seen = ind.group, 0
    while group is not None and seen < 64:
        if group == area:
            return True
        group, seen = parents.get(group), seen + 1
    return False


def _sheet_name(label: str, book: Any) -> str:
    name = "".join(c for c in label if c not in "[]:*?/\\")[:31] or "Sheet"
    taken = {s.name for s in book.worksheets()}
    base, n = name, 2
    while name in taken:
        name, n = f"{base[:28]} {n}", n + 1
    return name
