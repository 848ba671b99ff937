"""Render stage: charts as inline SVG strings, no JavaScript.

Every chart carries <title>/<desc> (and aria-labelledby) as its text equivalent,
and status is shown by pattern and label as well as colour, so grey print reads.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from markupsafe import escape

from ...domain import STATUSES, SYMBOLS, Status, better
from ...periods import parse_period
from ...present import Formatter


class Style(NamedTuple):
    """How a status is drawn, so that it reads in colour and in grey print alike."""

    fill: str        # background colour
    ink: str         # line colour of the pattern
    pattern: str     # pattern path in a 6×6 tile, "" for a plain fill
    dark: bool       # the fill is dark: a count written on it is white


STYLE: dict[str, Style] = {   # by Status, a StrEnum: its members are the words
    Status.MET: Style("#1b7837", "#1b7837", "", True),
    Status.ON_TRACK: Style("#a6dba0", "#1b7837", "M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2", False),
    Status.PENDING: Style("#e0e0e0", "#555555", "M2,2 h1 v1 h-1 z M5,5 h1 v1 h-1 z", False),
    Status.OFF_TRACK: Style("#fdb863", "#8c510a", "M0,0 l6,6 M6,0 l-6,6", False),
    Status.NOT_MET: Style("#b2182b", "#ffffff", "M0,3 h6 M3,0 v6", True),
    Status.INVALID: Style("#762a83", "#ffffff", "M0,1.5 h6 M0,4.5 h6", True),
    Status.NO_DATA: Style("#ffffff", "#777777", "M1,1 h1 v1 h-1 z M4,4 h1 v1 h-1 z", False),
    Status.NOT_APPLICABLE: Style("#f4f4f4", "#bbbbbb", "", False),
}
# A status added to domain.py without a style would break the first chart that shows it.
if set(STYLE) != set(Status):
    raise RuntimeError("render/charts.py STYLE must have exactly one style per domain.Status; "
                       f"differs on {sorted(set(STYLE) ^ set(Status))}")
_MARKERS = ("M-4,-4 h8 v8 h-8 z", "M0,-5 L5,4 L-5,4 z", "M0,-5 L5,0 L0,5 L-5,0 z",
            "M-4,-4 L4,4 M-4,4 L4,-4", "M-5,0 h10 M0,-5 v10")
_DASHES = ("", "6 3", "2 2", "8 3 2 3", "4 4")
WIDTH = 640


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _esc(text: str) -> str:
    # XML 1.0 has no place for C0 control characters, even escaped; labels are free text.
    return str(escape(_CONTROL.sub("", text)))


def chart_id(*parts: object) -> str:
    """An id usable in SVG and HTML from free-form parts (target ids may hold anything)."""
    return "c-" + "-".join(re.sub(r"[^A-Za-z0-9_-]", "_", str(p)) for p in parts)


def _fill(uid: str, status: str) -> str:
    style = STYLE[status]
    return f"url(#{uid}-{status})" if style.pattern else style.fill


def _defs(uid: str, statuses: Sequence[str]) -> str:
    out = []
    for status in statuses:
        bg, fg, path, _ = STYLE[status]
        if path:
            out.append(f'<pattern id="{uid}-{status}" patternUnits="userSpaceOnUse" width="6" '
                       f'height="6"><rect width="6" height="6" fill="{bg}"/><path d="{path}" '
                       f'stroke="{fg}" fill="{fg}" stroke-width="1.2"/></pattern>')
    return f"<defs>{''.join(out)}</defs>" if out else ""


def _svg(uid: str, height: float, title: str, desc: str, body: str, defs: str = "") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{uid}" '
            f'viewBox="0 0 {WIDTH} {height:g}" width="{WIDTH}" height="{height:g}" role="img" '
            f'aria-labelledby="{uid}-title {uid}-desc" font-family="DejaVu Sans, sans-serif" '
            f'font-size="11"><title id="{uid}-title">{_esc(title)}</title>'
            f'<desc id="{uid}-desc">{_esc(desc)}</desc>{defs}{body}</svg>')


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>'
            f"{_esc(text)}</text>")


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def legend(uid: str, y: float, items: Sequence[tuple[str, str]], labels: dict[str, str]) -> str:
    """Swatches with their names: items are (status, fill) pairs."""
    out, x = [], 10.0
    for status, fill in items:
        label = f"{SYMBOLS[status]} {labels[status]}"
        out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="12" fill="{fill}" '
                   f'stroke="#333" stroke-width="0.5"/>')
        out.append(_text(x + 16, y + 1, label))
        x += 30 + 6.5 * len(label)
        if x > WIDTH - 120:
            x, y = 10.0, y + 16
    return "".join(out)


@dataclass(frozen=True)
class BulletRow:
    label: str
    status: str
    actual: float | None
    threshold: float | None
    threshold_high: float | None
    expected: float | None


def _domain(values: Sequence[float | None]) -> tuple[float, float]:
    known = [v for v in values if v is not None and v == v]
    lo, hi = min([0.0, *known]), max([0.0, *known])
    if hi - lo < 1e-12:
        hi = lo + 1
    return lo, hi + (hi - lo) * 0.08


def bullet(uid: str, rows: Sequence[BulletRow], metric_unit: str | None, fmt: Formatter,
           words: dict[str, str], title: str, *, direction: str | None = None) -> str:
    """One bar per unit: actual (patterned by status), threshold tick, trajectory diamond;
    `direction` ("lower"/"higher") writes which way is better beside the key."""
    lo, hi = _domain([v for r in rows for v in (r.actual, r.threshold, r.threshold_high,
                                                r.expected)])
    left, right, row_h = 190.0, WIDTH - 20.0, 30.0

    def x(v: float) -> float:  # a lower-is-better unit (rank) has its best end on the right
        return left + (v - lo if better(metric_unit) > 0 else hi - v) / (hi - lo) * (right - left)

    body, descs = [], []
    for i, r in enumerate(rows):
        y = 10 + i * row_h
        body.append(_text(left - 8, y + 14, _clip(r.label, 28), "end"))
        body.append(f'<rect x="{left}" y="{y + 2}" width="{right - left:.1f}" height="20" '
                    f'fill="#f2f2f2"/>')
        if r.threshold is not None and r.threshold_high is not None:
            body.append(f'<rect x="{x(r.threshold):.1f}" y="{y + 2}" '
                        f'width="{x(r.threshold_high) - x(r.threshold):.1f}" height="20" '
                        f'fill="#d0d0d0"/>')
        if r.actual is not None and r.actual == r.actual:
            x0, x1 = sorted((x(0.0), x(r.actual)))
            body.append(f'<rect x="{x0:.1f}" y="{y + 7}" width="{max(x1 - x0, 1):.1f}" '
                        f'height="10" fill="{_fill(uid, r.status)}" stroke="#222" '
                        f'stroke-width="0.6"/>')
        for edge in (r.threshold, r.threshold_high):
            if edge is not None:
                body.append(f'<line x1="{x(edge):.1f}" x2="{x(edge):.1f}" y1="{y}" '
                            f'y2="{y + 24}" stroke="#000" stroke-width="2.5"/>')
        if r.expected is not None:
            body.append(f'<path transform="translate({x(r.expected):.1f},{y + 12})" '
                        f'd="M0,-6 L5,0 L0,6 L-5,0 z" fill="#fff" stroke="#000" '
                        f'stroke-width="1.2"/>')
        descs.append(words["bullet_desc"].format(
            unit=r.label, actual=fmt.value(r.actual, metric_unit),
            threshold=fmt.value(r.threshold, metric_unit),
            expected=fmt.value(r.expected, metric_unit)))
    axis_y = 14 + len(rows) * row_h
    body.append(f'<line x1="{left}" x2="{right}" y1="{axis_y - 2}" y2="{axis_y - 2}" '
                f'stroke="#666"/>')
    for v in (lo, (lo + hi) / 2, hi):
        body.append(_text(x(v), axis_y + 10, fmt.value(v, metric_unit), "middle"))
    key_y = axis_y + 30
    body.append(f'<rect x="10" y="{key_y - 9}" width="18" height="10" fill="#555"/>'
                + _text(32, key_y, words["actual"])
                + f'<line x1="120" x2="120" y1="{key_y - 11}" y2="{key_y + 3}" stroke="#000" '
                  f'stroke-width="2.5"/>' + _text(127, key_y, words["threshold"])
                + f'<path transform="translate(240,{key_y - 4})" d="M0,-6 L5,0 L0,6 L-5,0 z" '
                  f'fill="#fff" stroke="#000"/>' + _text(250, key_y, words["expected"]))
    if direction:
        body.append(_text(380, key_y, words[f"direction.{direction}"],
                          extra=' font-weight="bold"'))
        descs.append(words[f"direction.{direction}"] + ".")
    return _svg(uid, key_y + 10, title, " ".join(descs), "".join(body),
                _defs(uid, sorted({r.status for r in rows})))


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[float | None]


def _time_spans(periods: Sequence[str]) -> tuple[list[tuple[float, float]], bool]:
    """Each period as (first day, day after its last) in day numbers, and whether they are
    real dates; text that is no period falls back to equal steps."""
    try:
        spans = [parse_period(p) for p in periods]
    except ValueError:
        return [(float(i), float(i + 1)) for i in range(len(periods))], False
    return [(float(p.start.toordinal()), float(p.end.toordinal() + 1)) for p in spans], True


def mixed_spans(periods: Sequence[str]) -> bool:
    """The periods differ in length (a month and a year, say): each point then gets a bar
    spanning its period. Months differ by 3 days at most, quarters and years by less."""
    spans, dated = _time_spans(periods)
    lengths = [b - a for a, b in spans]
    return dated and max(lengths) - min(lengths) > 3


def _kept_labels(xs: Sequence[float], texts: Sequence[str]) -> list[int]:
    """Indexes of the period labels that fit side by side (the last one always shown)."""
    kept: list[int] = []
    def width(i: int) -> float:
        return 6.2 * len(texts[i]) + 8

    for i, x in enumerate(xs):
        if not kept or x - xs[kept[-1]] >= (width(i) + width(kept[-1])) / 2:
            kept.append(i)
        elif i == len(xs) - 1:
            kept[-1] = i
    return kept


def trend(uid: str, periods: Sequence[str], series: Sequence[Series],
          thresholds: Sequence[float | None], metric_unit: str | None, fmt: Formatter,
          words: dict[str, str], title: str, *, direction: str | None = None,
          events: Sequence[tuple[date, str]] = ()) -> str:
    """A line per unit across periods placed on a real time axis (a point at the middle of
    its period; a bar through it spans the period when kinds are mixed), marker shape and
    dash tell units apart, threshold dotted. `direction` ("lower"/"higher") says which way
    is better; `events` (day, text) draw a dashed vertical line, e.g. a merger."""
    lo, hi = _domain([v for s in series for v in s.points] + list(thresholds))
    left, right, top, bottom = 70.0, WIDTH - 150.0, 32.0, 210.0
    spans, dated = _time_spans(periods)
    t0, t1 = min(a for a, _ in spans), max(b for _, b in spans)

    def xt(day: float) -> float:
        return left + (day - t0) / (t1 - t0) * (right - left)

    def y(v: float) -> float:  # a lower-is-better unit (rank): first place at the top
        return bottom - (v - lo if better(metric_unit) > 0 else hi - v) / (hi - lo) * (bottom - top)

    xs = [xt((a + b) / 2) for a, b in spans]
    mixed = mixed_spans(periods)
    body = []
    if dated and date.fromordinal(int(t1)).year - date.fromordinal(int(t0)).year <= 40:
        first = date.fromordinal(int(t0)).year + 1
        for year in range(first, date.fromordinal(int(t1) - 1).year + 1):
            gx = xt(date(year, 1, 1).toordinal())
            body.append(f'<line x1="{gx:.1f}" x2="{gx:.1f}" y1="{top}" y2="{bottom}" '
                        'stroke="#dddddd" stroke-width="0.8"/>')
    body += [f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="#666"/>',
             f'<line x1="{left}" x2="{left}" y1="{top}" y2="{bottom}" stroke="#666"/>']
    for v in (lo, (lo + hi) / 2, hi):
        body.append(_text(left - 6, y(v) + 4, fmt.value(v, metric_unit), "end"))
    if direction:
        body.append(_text(8, 14, words[f"direction.{direction}"], extra=' font-weight="bold"'))
    for i in _kept_labels(xs, periods):
        body.append(f'<line x1="{xs[i]:.1f}" x2="{xs[i]:.1f}" y1="{bottom}" '
                    f'y2="{bottom + 3}" stroke="#666"/>')
        body.append(_text(xs[i], bottom + 14, periods[i], "middle"))
    shown_events = [(day, text) for day, text in events if dated and t0 < day.toordinal() < t1]
    for day, text in shown_events:
        ex = xt(day.toordinal())
        body.append(f'<line x1="{ex:.1f}" x2="{ex:.1f}" y1="{top - 6}" y2="{bottom}" '
                    'stroke="#333" stroke-width="1.2" stroke-dasharray="5 3"/>')
        late = ex > (left + right) / 2   # the label goes on the side with room
        body.append(_text(ex - 3 if late else ex + 3, top - 9,
                          _clip(f"{fmt.date(day)}: {text}", 48), "end" if late else "start",
                          ' font-size="9"'))
    limit = [(xs[i], y(v)) for i, v in enumerate(thresholds) if v is not None]
    if limit:
        body.append('<polyline fill="none" stroke="#000" stroke-width="1.5" '
                    'stroke-dasharray="1 3" points="'
                    + " ".join(f"{a:.1f},{b:.1f}" for a, b in limit) + '"/>')
    descs: list[str] = []
    ends: list[tuple[float, int, str]] = []   # (y, marker or -1 for the threshold, label)
    if limit:
        ends.append((limit[-1][1] + 4, -1, words["threshold"]))
    for k, s in enumerate(series):
        drawn = [(i, v) for i, v in enumerate(s.points) if v is not None and v == v]
        known = [i for i, _ in drawn]
        pts = [(xs[i], y(v)) for i, v in drawn]
        dash = _DASHES[k % len(_DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if pts:
            if mixed:
                body.extend(f'<line x1="{xt(spans[i][0]):.1f}" x2="{xt(spans[i][1]):.1f}" '
                            f'y1="{b:.1f}" y2="{b:.1f}" stroke="#888" stroke-width="1"/>'
                            for i, (_, b) in zip(known, pts, strict=True))
            body.append(f'<polyline fill="none" stroke="#222" stroke-width="1.6"{dash_attr} '
                        'points="' + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts) + '"/>')
            body.extend(f'<path transform="translate({a:.1f},{b:.1f})" '
                        f'd="{_MARKERS[k % len(_MARKERS)]}" fill="#fff" stroke="#222"/>'
                        for a, b in pts)
            ends.append((pts[-1][1] + 4, k, s.label))
        descs.append(words["trend_desc"].format(unit=s.label, points=", ".join(
            f"{p} {fmt.value(v, metric_unit)}" for p, v in zip(periods, s.points, strict=True))))
    if direction:
        descs.append(words[f"direction.{direction}"] + ".")
    if shown_events:
        descs.append(words["trend_events"].format(events="; ".join(
            f"{fmt.date(day)}: {text}" for day, text in shown_events)))
    last = -1e9
    for end_y, k, label in sorted(ends):
        last = max(end_y, last + 12)  # lines ending together get their labels stacked
        if k < 0:
            body.append(_text(right + 6, last, label))
            continue
        body.append(f'<path transform="translate({right + 10:.1f},{last - 4:.1f})" '
                    f'd="{_MARKERS[k % len(_MARKERS)]}" fill="#fff" stroke="#222"/>')
        body.append(_text(right + 18, last, _clip(label, 20)))
    return _svg(uid, max(bottom + 26, last + 8), title, " ".join(descs), "".join(body))


def stacked(uid: str, rows: Sequence[tuple[str, dict[str, int]]], words: dict[str, str],
            title: str) -> str:
    """One 100% bar per row (area or total), a patterned segment per status with its count."""
    labels = {s: words[f"status.{s}"] for s in STATUSES}
    left, right, row_h = 200.0, WIDTH - 50.0, 26.0
    used = [s for s in STATUSES if any(c.get(s) for _, c in rows)]
    body, descs = [], []
    for i, (label, counts) in enumerate(rows):
        y = 8 + i * row_h
        total = sum(counts.get(s, 0) for s in STATUSES)
        body.append(_text(left - 8, y + 13, _clip(label, 30), "end"))
        body.append(_text(right + 6, y + 13, str(total)))
        x = left
        for status in STATUSES:
            n = counts.get(status, 0)
            if not n:
                continue
            w = (right - left) * n / total
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="18" '
                        f'fill="{_fill(uid, status)}" stroke="#222" stroke-width="0.5"/>')
            if w >= 26:
                body.append(_text(x + w / 2, y + 13, f"{SYMBOLS[status]}{n}", "middle",
                                  ' fill="#fff"' if STYLE[status].dark else ""))
            x += w
        if total:
            descs.append(words["area_desc"].format(area=label, counts=", ".join(
                f"{labels[s]} {counts[s]}" for s in STATUSES if counts.get(s))))
        else:
            body.append(_text(left + 4, y + 13, words["no_targets"], extra=' fill="#666"'))
            descs.append(words["area_desc"].format(area=label, counts=words["no_targets"]))
    key_y = 8 + len(rows) * row_h + 16
    body.append(legend(uid, key_y, [(s, _fill(uid, s)) for s in used], labels))
    lines = 1 + int(sum(30 + 6.5 * len(labels[s]) for s in used) // (WIDTH - 130))
    return _svg(uid, key_y + 16 * lines, title, " ".join(descs), "".join(body),
                _defs(uid, used))
