"""Render stage: the compliance report as one self-contained HTML file.

CSS and SVG are inline and nothing is fetched; the same HTML feeds the PDF.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .report import templates
from .report.builder import build_context
from .report.context import ReportContext


def render_context(context: ReportContext, template_dir: Path | None = None) -> str:
    """Render a ready context through the (possibly user-overridden) templates."""
    env = templates.environment(template_dir)
    # The model's own fields, not a dump: nested rows stay models and nothing is copied.
    return templates.render(env, templates.REPORT_TEMPLATE, dict(context))


def render_html(evaluation: Any, *, lang: str = "vi", detail: str = "auto",
                template_dir: Path | None = None,
                inputs: Iterable[tuple[str, Path]] = (), output: str = "html") -> str:
    """The report for `evaluation` (an `Evaluation`) as an HTML document string."""
    context = build_context(evaluation, lang=lang, output=output, detail=detail,
                            inputs=inputs)
    return render_context(context, template_dir)
