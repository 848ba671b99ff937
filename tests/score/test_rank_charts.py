"""Charts draw a rank (lower is better) the right way round: first place at the top of a
trend and at the right, the better end, of a bar (issue 11, ranks as figures)."""
from __future__ import annotations

import re

from cchc_rules.present import Formatter
from cchc_rules.render.i18n import words
from cchc_rules.render.report import charts

T = words("vi")


def _label_y(svg: str, text: str) -> float:
    return float(re.search(rf'<text x="[0-9.]+" y="([0-9.]+)" text-anchor="end">{text}</text>',
                           svg).group(1))


def test_a_rank_trend_puts_first_place_on_top():
    series = [charts.Series("Tỉnh Tuyên Quang", [30.0, 12.0])]
    rank = charts.trend("c-r", ["2024", "2025"], series, [20, 20], "rank", Formatter("vi"), T,
                        "r")
    score = charts.trend("c-s", ["2024", "2025"], series, [20, 20], "score", Formatter("vi"),
                         T, "s")
    assert _label_y(rank, "0") < _label_y(rank, "32")      # 0 (best end) drawn above
    assert _label_y(score, "0") > _label_y(score, "32,4")  # a score: 0 at the bottom


def test_a_rank_bullet_has_its_best_end_on_the_right():
    row = charts.BulletRow(label="Tuyên Quang", status="met", actual=12.0, threshold=20.0,
                           threshold_high=None, expected=None)
    svg = charts.bullet("c-b", [row], "rank", Formatter("vi"), T, "b")
    ticks = [float(x) for x in re.findall(r'<line x1="([0-9.]+)" x2="[0-9.]+" y1="10.0"', svg)]
    low = float(re.search(r'<text x="([0-9.]+)" y="[0-9.]+" text-anchor="middle">0</text>',
                          svg).group(1))
    assert low > ticks[0]                                   # 0 is right of the threshold 20
