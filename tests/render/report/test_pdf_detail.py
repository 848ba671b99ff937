"""PDF cost (issue 15, item 11): above PDF_AUTO_FULL_MAX results `--detail auto` gives a
PDF the summary edition, whose size is bounded; checked without rendering a PDF."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

from cchc_rules.errors import CchcError
from cchc_rules.render import pdf


def test_auto_picks_summary_above_the_threshold_and_obeys_explicit_choices() -> None:
    limit = pdf.PDF_AUTO_FULL_MAX
    assert pdf.pdf_detail(limit, "auto") == "auto"  # report_data then gives full (≤ 5,000)
    assert pdf.pdf_detail(limit + 1, "auto") == "summary"
    assert pdf.pdf_detail(5_000, "auto") == "summary"
    assert pdf.pdf_detail(5_000, "full") == "full"
    assert pdf.pdf_detail(3, "summary") == "summary"


@pytest.mark.parametrize("rows, edition", [(pdf.PDF_AUTO_FULL_MAX, "auto"),
                                           (pdf.PDF_AUTO_FULL_MAX + 1, "summary")])
def test_render_pdf_passes_the_chosen_edition_on(monkeypatch, tmp_path: Path, rows: int,
                                                 edition: str) -> None:
    asked = {}
    monkeypatch.setattr(pdf, "render_html", lambda ev, **kw: asked.update(kw) or "<p>x</p>")
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, out, tpl: (b"%PDF", []))
    evaluation = SimpleNamespace(results=pl.DataFrame({"target": ["T-1"] * rows}))
    assert pdf.render_pdf(evaluation, tmp_path / "r.pdf") == (b"%PDF", [])
    assert asked["detail"] == edition and asked["output"] == "pdf"


@pytest.mark.parametrize("detail, edition", [("summary", "summary"), ("auto", "summary"),
                                             ("full", "full")])
def test_a_pdf_of_too_many_targets_is_refused_before_layout(monkeypatch, tmp_path,
                                                            detail: str, edition: str) -> None:
    monkeypatch.setattr(pdf, "render_html", lambda ev, **kw: pytest.fail("rendered"))
    targets = [f"T-{i}" for i in range(pdf.PDF_MAX_TARGETS[edition] + 1)]
    evaluation = SimpleNamespace(results=pl.DataFrame({"target": targets * 2}))
    with pytest.raises(CchcError) as err:
        pdf.render_pdf(evaluation, tmp_path / "r.pdf", detail=detail)
    [found] = err.value.problems
    assert found.code == "RPT08" and f"{edition} PDF of {len(targets):,} targets" in \
        found.message, found
    assert "--format html" in (found.hint or "")


def test_a_summary_pdf_of_a_full_pdf_s_too_many_targets_still_renders(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "render_html", lambda ev, **kw: "<p>x</p>")
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, out, tpl: (b"%PDF", []))
    targets = [f"T-{i}" for i in range(pdf.PDF_MAX_TARGETS["full"] + 1)]
    evaluation = SimpleNamespace(results=pl.DataFrame({"target": targets}))
    assert pdf.render_pdf(evaluation, tmp_path / "r.pdf", detail="auto")[0] == b"%PDF"


def test_the_thresholds_are_documented() -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "report.md").read_text("utf-8")
    assert f"{pdf.PDF_AUTO_FULL_MAX} " in docs and "bench/pdf_cost.py" in docs
    assert "1.000 chỉ tiêu" in docs and "300 chỉ tiêu" in docs and "RPT08" in docs
