"""The report speaks to readers (issue 23): not applicable results left out and counted
(unless asked), no internal period, one ranking by points per level and period with scored
units only, a scorecard per unit, the units that sent nothing, and no command-line hint."""
from __future__ import annotations

import re
from pathlib import Path

from cchc_rules import evaluate_files
from cchc_rules.render.html import render_html
from cchc_rules.render.report.builder import build_context

ROOT = Path(__file__).resolve().parents[3]
DEMO = sorted((ROOT / "examples/demo").glob("*.yaml"))
TUYEN_QUANG = ROOT / "rulesets/tuyen-quang/cchc-2021-2030.yaml"


def _text(html: str) -> str:
    html = re.sub(r"<(style|svg|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_demo_report_without_clutter():
    ev = evaluate_files(TUYEN_QUANG, DEMO)
    na = ev.summary()["not_applicable"]
    assert na > 0
    c = build_context(ev, detail="full")
    assert c.hidden_not_applicable == na and c.totals.get("not_applicable", 0) == 0
    assert all(r.status != "not_applicable" for x in c.targets for r in x.rows)
    pairs = [(k.level, k.period) for k in c.scores.cohorts]
    assert len(pairs) == len(set(pairs))
    assert all(r.index != "—" for k in c.scores.cohorts for r in k.rows)
    assert {card.unit for card in c.scores.cards} == {r.unit for k in c.scores.cohorts
                                                     for r in k.rows}
    card = next(k for k in c.scores.cards if k.unit == "minh-hoa-tinh")
    assert (card.period, card.points, card.index, card.rank, card.of) == \
        ("2025", "24,76", "88,45", 1, 1)
    assert card.lost[0].id == "2.1" and card.lost[0].lost == "3,24"
    reported = {(g.period, u) for g in c.not_reported for u in g.units}
    assert ("2025", "binh-thuan") in reported
    assert ("2025", "ha-giang") not in reported        # merged into Tuyên Quang mid-2025
    text = _text(render_html(ev, detail="summary"))
    assert f"{na} kết quả không áp dụng" in text
    assert "Phiếu điểm từng đơn vị" in text and "Chưa nộp báo cáo" in text
    assert not re.search(r"(?<![\w-])--[a-z]", text), "a command-line hint in the report"


def test_not_applicable_results_shown_when_asked():
    ev = evaluate_files(TUYEN_QUANG, DEMO)
    c = build_context(ev, detail="full", show_not_applicable=True)
    assert c.hidden_not_applicable == 0
    assert c.totals["not_applicable"] == ev.summary()["not_applicable"]
