"""Render stage: the compliance report as an A4 PDF through WeasyPrint.

Rendering reads only data: URLs and files inside the template folders (shipped and
`--templates`); every other fetch (network, /etc/passwd, a file beside the output, a
`<link rel=attachment>` that would embed a local file) is refused and listed as a warning.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from ..errors import CchcError, Problem
from ..messages import _
from .html import render_html
from .report import templates
from .report.builder import distinct


class _QuietThreads(logging.Filter):
    """WeasyPrint logs each refused or broken resource; they come back as our RPT10 warnings
    instead. Silences only the threads rendering a PDF right now: the logger's level, shared
    by every thread of the process, is left alone."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[int] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.CRITICAL or record.thread not in self.threads


_QUIET = _QuietThreads()
for _name in ("weasyprint", "weasyprint.progress"):
    logging.getLogger(_name).addFilter(_QUIET)


class RestrictedFetcher(URLFetcher):
    """A URL fetcher that serves `data:` URLs and files under `roots`, nothing else."""

    def __init__(self, roots: Iterable[Path]) -> None:
        super().__init__(timeout=1, allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = [Path(r).resolve() for r in roots]
        self.refused: list[str] = []

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return True
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(unquote(parts.path)).resolve()
        # A regular file only: a FIFO or device inside a root would hang or never end.
        return path.is_file() and any(path.is_relative_to(root) for root in self.roots)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not self.allows(url):
            self.refused.append(url)
            raise ValueError(_("refused to fetch {url}: reports read only their own "
                               "folders").format(
                               url=url))
        return super().fetch(url, headers)


# Results above which `--detail auto` gives the summary edition in a PDF. Layout costs far
# more than HTML: 500 full-detail results took 84 s and 2.1 GB (bench/pdf_cost.py,
# docs/report.md §5); the summary edition stays bounded whatever the input.
PDF_AUTO_FULL_MAX = 200
# Every target gets its own section even in the summary edition, and WeasyPrint's memory
# grows with them: summary 200 targets 0.46 GB, 500 0.83 GB; full 500 2.1 GB, and 5,000
# went past 15 GB. Above these a PDF is refused before layout, so none passes 2 GB.
PDF_MAX_TARGETS = {"full": 300, "summary": 1_000}


def pdf_detail(results: int, detail: str) -> str:
    """The edition a PDF of `results` result rows gets for `--detail detail`."""
    if detail == "auto" and results > PDF_AUTO_FULL_MAX:
        return "summary"
    return detail


def render_pdf(evaluation: Any, output: Path, *, lang: str = "vi", detail: str = "auto",
               template_dir: Path | None = None, inputs: Iterable[tuple[str, Path]] = ()
               ) -> tuple[bytes, list[Problem]]:
    """The report as PDF bytes, and a warning per refused fetch."""
    detail = pdf_detail(evaluation.results.height, detail)
    edition = "summary" if detail == "summary" else "full"  # auto stays full up to here
    sections = len(distinct(evaluation.results, "target"))
    if sections > PDF_MAX_TARGETS[edition]:
        raise CchcError.one("RPT08", _("a {edition} PDF of {sections:,} targets is refused (at "
                                       "most {PDF_MAX_TARGETS:,}: its layout would need "
                                       "gigabytes)").format(
                                       edition=edition, sections=sections,
                                       PDF_MAX_TARGETS=PDF_MAX_TARGETS[edition]),
                            hint=_("use --format html (a browser prints it to PDF page by page), "
                                   "or --detail summary") if edition == "full" else
                            _("use --format html (a browser prints it to PDF page by page)"))
    html = render_html(evaluation, lang=lang, detail=detail, template_dir=template_dir,
                       inputs=inputs, output="pdf")
    return html_to_pdf(html, output, template_dir)


def html_to_pdf(html: str, output: Path, template_dir: Path | None = None
                ) -> tuple[bytes, list[Problem]]:
    # Not the output's folder: a template could embed any file there as an attachment.
    roots = [templates.default_dir()]
    if template_dir is not None:
        roots.append(Path(template_dir))
    fetcher = RestrictedFetcher(roots)
    base = (template_dir or templates.default_dir()).resolve()
    thread = threading.get_ident()
    _QUIET.threads.add(thread)
    try:
        pdf = HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    finally:
        _QUIET.threads.discard(thread)
    warnings = [Problem("RPT10", _("not fetched: {url} (only the template folders are "
                                   "readable)").format(
                                   url=url), severity="warning") for url in fetcher.refused]
    return pdf, warnings
