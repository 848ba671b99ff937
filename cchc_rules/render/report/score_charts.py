"""Render stage, scoring part: a bar per unit split by group, points against max, as SVG.

Like charts.py: no JavaScript, a <title>/<desc> text equivalent, and every group drawn with
its own pattern and named in the legend, so the bars read in grey print too.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .charts import WIDTH, _clip, _svg, _text


class GroupStyle(NamedTuple):
    fill: str
    ink: str
    pattern: str   # path in a 6×6 tile, "" for a plain fill
    dark: bool     # a number written on the fill is white


# Fill lightness and pattern both differ from one group to the next (colour is never alone).
GROUP_STYLES = (
    GroupStyle("#2b5c8a", "#2b5c8a", "", True),
    GroupStyle("#9ecae1", "#08306b", "M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2", False),
    GroupStyle("#fdd49e", "#7f2704", "M2,2 h1.5 v1.5 h-1.5 z M5,5 h1 v1 h-1 z", False),
    GroupStyle("#74c476", "#00441b", "M0,0 l6,6 M6,0 l-6,6", False),
    GroupStyle("#dadaeb", "#3f007d", "M0,1.5 h6 M0,4.5 h6", False),
    GroupStyle("#636363", "#ffffff", "M1.5,0 v6 M4.5,0 v6", True),
)
LOST = "#ffffff"   # the part of the maximum not earned: white, framed


@dataclass(frozen=True)
class Segment:
    title: str
    points: float
    max: float


@dataclass(frozen=True)
class UnitBar:
    label: str
    points: float
    max: float
    segments: Sequence[Segment]   # one per group, in the legend's order


def _style(k: int) -> GroupStyle:
    return GROUP_STYLES[k % len(GROUP_STYLES)]


def _fill(uid: str, k: int) -> str:
    return f"url(#{uid}-g{k})" if _style(k).pattern else _style(k).fill


def _defs(uid: str, count: int) -> str:
    out = []
    for k in range(count):
        style = _style(k)
        if style.pattern:
            out.append(f'<pattern id="{uid}-g{k}" patternUnits="userSpaceOnUse" width="6" '
                       f'height="6"><rect width="6" height="6" fill="{style.fill}"/>'
                       f'<path d="{style.pattern}" stroke="{style.ink}" fill="{style.ink}" '
                       f'stroke-width="1.2"/></pattern>')
    return f"<defs>{''.join(out)}</defs>" if out else ""


def group_bars(uid: str, bars: Sequence[UnitBar], groups: Sequence[str],
               two: Callable[[float | None], str], words: dict[str, str], title: str) -> str:
    """One bar per unit on a common points scale: a patterned segment per group (its points
    written on it when it fits), the unearned rest of the unit's maximum framed in white, and
    `points / max` after the bar. `groups` are the segment titles, in order."""
    left, right, row_h = 190.0, WIDTH - 100.0, 28.0
    top = max((b.max for b in bars), default=0.0) or 1.0

    def width(v: float) -> float:
        return max(v, 0.0) / top * (right - left)

    body, descs = [], []
    for i, bar in enumerate(bars):
        y = 8 + i * row_h
        body.append(_text(left - 8, y + 14, _clip(bar.label, 28), "end"))
        body.append(f'<rect x="{left}" y="{y + 2}" width="{width(bar.max):.1f}" height="18" '
                    f'fill="{LOST}" stroke="#333" stroke-width="0.8"/>')
        x = left
        for k, seg in enumerate(bar.segments):
            w = width(seg.points)
            if w <= 0:
                continue
            body.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="18" '
                        f'fill="{_fill(uid, k)}" stroke="#222" stroke-width="0.5"/>')
            if w >= 34:
                ink = ' fill="#fff"' if _style(k).dark else ""
                body.append(_text(x + w / 2, y + 15, two(seg.points), "middle",
                                  f' font-size="10"{ink}'))
            x += w
        body.append(_text(left + width(bar.max) + 6, y + 15,
                          f"{two(bar.points)} / {two(bar.max)}"))
        descs.append(words["score.bars_desc"].format(
            unit=bar.label, points=two(bar.points), max=two(bar.max),
            groups="; ".join(words["score.group_desc"].format(
                group=s.title, points=two(s.points), max=two(s.max))
                for s in bar.segments if s.max)))  # a group with nothing scored says nothing
    key_y = 8 + len(bars) * row_h + 16
    legend, x, y = [], 10.0, key_y
    for k, name in [*enumerate(groups), (-1, words["score.lost"])]:
        fill = LOST if k < 0 else _fill(uid, k)
        legend.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="12" '
                      f'fill="{fill}" stroke="#333" stroke-width="0.6"/>')
        label = _clip(name, 40)
        legend.append(_text(x + 16, y + 1, label))
        x += 30 + 6.5 * len(label)
        if x > WIDTH - 160:
            x, y = 10.0, y + 16
    return _svg(uid, y + 12, title, " ".join(descs), "".join(body + legend),
                _defs(uid, len(groups)))
