"""The template context: every field documented, built from the real engine's Evaluation."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from factory import HAM_TAN_Q1, evaluation
from pydantic import BaseModel

from cchc_rules.render.report import builder as report_data
from cchc_rules.render.report import context as ctx_models
from cchc_rules.render.report.builder import build_context

MODELS = [m for m in vars(ctx_models).values()
          if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ ==
          ctx_models.__name__ and not m.__name__.startswith("_")]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_context_field_is_described(model: type[BaseModel]) -> None:
    assert model.__doc__, model
    missing = [name for name, f in model.model_fields.items() if not (f.description or "")]
    assert not missing, f"{model.__name__}: {missing}"


@pytest.fixture(scope="module")
def ham_tan(tmp_path_factory: pytest.TempPathFactory):
    return evaluation(tmp_path_factory.mktemp("ham-tan"))


def test_ham_tan_context_in_vietnamese(ham_tan) -> None:
    c = build_context(ham_tan, lang="vi")
    assert c.ruleset.issuer == "UBND huyện Hàm Tân"
    assert [p.text for p in c.periods] == ["2024-Q1"] and c.periods[0].end == "31/03/2024"
    assert c.unit_count == 2 and "Huyện Hàm Tân" in c.unit_names
    assert c.detail == "full" and c.detail_note is None
    assert sum(c.totals.values()) == c.total == ham_tan.results.height
    assert c.totals == dict(ham_tan.results.group_by("status").len().rows())
    late = next(t for t in c.targets if t.id == "TTHC-LATE")
    row = next(r for r in late.rows if r.unit == "ham-tan")
    assert row.actual == "47,18%" and row.threshold == "≤ 5,00%"
    assert row.status == "pending" and row.status_label == "Chưa đến hạn"
    assert row.deadline == "2025 (31/12/2025)"
    online = next(t for t in c.targets if t.id == "TTHC-06")
    assert online.source == "Đề án, mục II.2"
    assert online.milestones == ["≥ 50,00% — 2025 (31/12/2025)", "≥ 80,00% — 2030 (31/12/2030)"]
    assert "<svg" in online.bullet_svg and online.trend_svg == ""
    procedures = next(a for a in c.areas if a.key == "procedures")
    assert procedures.targets == 2 and procedures.label == "Cải cách thủ tục hành chính"
    figures = {(f.unit, f.metric): f for f in c.figures}
    assert figures[("ham-tan", "received")].value == "4.917"
    assert figures[("ham-tan", "received")].source.startswith("Phòng Nội vụ huyện Hàm Tân")
    assert c.figures_total == len(HAM_TAN_Q1)
    assert {f.role for f in c.inputs} == {"ruleset"}
    assert c.failed_checks == [] and c.missing == []


def test_english_context(ham_tan) -> None:
    c = build_context(ham_tan, lang="en")
    late = next(t for t in c.targets if t.id == "TTHC-LATE")
    assert next(r for r in late.rows if r.unit == "ham-tan").actual == "47.18%"
    assert c.periods[0].end == "03/31/2024"
    assert c.ruleset.title == "Kế hoạch cải cách hành chính huyện Hàm Tân năm 2024"
    figures = {(f.unit, f.metric): f for f in c.figures}
    assert figures[("ham-tan", "received")].value == "4,917"


def test_ranking_uses_weighted_met_or_on_track_share(ham_tan) -> None:
    c = build_context(ham_tan)
    latest = ham_tan.results.filter(pl.col("unit") == "ham-tan")
    good = latest.filter(pl.col("status").is_in(["met", "on_track"]))["weight"].sum()
    applicable = latest.filter(pl.col("status") != "not_applicable")["weight"].sum()
    row = next(u for u in c.units if u.id == "ham-tan")
    assert row.score == pytest.approx(good / applicable * 100)
    assert c.units_total == 2 and [u.rank for u in c.units] == [1, 1]
    assert {u.id: u.level for u in c.units} == {"binh-thuan": "cấp tỉnh",
                                                 "ham-tan": "cấp huyện"}


def test_failed_checks_and_missing_data_carry_their_sources(tmp_path: Path) -> None:
    broken = {**HAM_TAN_Q1, "received": 4900}
    partial = {k: v for k, v in HAM_TAN_Q1.items() if k != "pending_overdue"}
    ev = evaluation(tmp_path, extra_reports=[
        {"unit": "ham-tan", "period": "2024-Q2", "source": "Báo cáo sai số liệu (kiểm thử)",
         "values": broken},
        {"unit": "ham-tan", "period": "2024-Q3", "source": "Báo cáo thiếu (kiểm thử)",
         "values": partial}])
    c = build_context(ev)
    failed = {(r.check, r.period) for r in c.failed_checks}
    assert ("received-breakdown", "2024-Q2") in failed
    q2 = next(r for r in c.failed_checks if r.period == "2024-Q2" and r.unit == "ham-tan")
    assert q2.left == "4.900" and q2.right == "4.917"
    assert q2.sources == ["Báo cáo sai số liệu (kiểm thử) (ham-tan-2024-q1.yaml)"]
    q3 = next(r for r in c.missing if "ham-tan" in r.units)   # one row per metric and period
    assert q3.period == "2024-Q3" and q3.targets == ["TTHC-LATE"]
    assert q3.unit_names == ["Huyện Hàm Tân", "Tỉnh Bình Thuận"]
    assert q3.missing == ["Hồ sơ đang giải quyết quá hạn"]   # labels, not ids
    assert q3.sources == ["Báo cáo thiếu (kiểm thử) (ham-tan-2024-q1.yaml)"]
    assert c.missing_total == 2  # Hàm Tân and, by roll-up, Bình Thuận
    late = next(t for t in c.targets if t.id == "TTHC-LATE")
    assert late.counts["no_data"] == 2 and late.rows_total == 4
    assert all(r.status != "no_data" for r in late.rows)
    online = next(t for t in c.targets if t.id == "TTHC-06")
    assert online.trend_svg and [p.period for p in online.trend[0].points] == \
        ["2024-Q1", "2024-Q2", "2024-Q3"]


def test_summary_edition_bounds_every_list(ham_tan, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_data, "SUMMARY_ROWS", 1)
    monkeypatch.setattr(report_data, "RANK_EDGE", 0)
    monkeypatch.setattr(report_data, "SUMMARY_FIGURES", 3)
    c = build_context(ham_tan, detail="summary")
    # a printed report speaks to readers: no command-line hint (issue 23)
    assert c.detail == "summary" and "--" not in c.detail_note and "đầy đủ" in c.detail_note
    assert all(len(t.rows) == 1 and t.rows_total == 2 for t in c.targets)
    assert c.targets[0].rows[0].unit == "binh-thuan"  # ties are broken by unit id
    assert c.units == [] and c.units_total == 2
    assert c.figures == [] and c.figures_total == len(HAM_TAN_Q1)
    full = build_context(ham_tan, detail="full")
    assert full.totals == c.totals and len(full.figures) == len(HAM_TAN_Q1)
