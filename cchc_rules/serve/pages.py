"""Page contexts of `cchc serve`, built with the report's own builders and formatter.

The summary and data-quality pages are the report's sections (`report_data.build_context`,
rendered by templates that extend `report.html.j2`); the unit, target and explanation pages
format their rows with the report's `result_row`, so a figure reads the same in the app, the
report and the terminal. Ids from a URL are only looked up in the evaluated results: an id
that is not there is a 404 page, never a file name.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import polars as pl

from ..domain import STATUSES, SYMBOLS
from ..errors import CchcError, did_you_mean
from ..periods import period_key
from ..render.i18n import in_lang, words
from ..render.report import templates
from ..render.report.builder import ReportBuilder, build_context
from ..render.report.context import StatusInfo
from .workspace import MAX_UPLOAD_BYTES, Snapshot

if TYPE_CHECKING:
    from ..evaluation.result import Evaluation
    from ..render.report.context import ReportContext

APP_WORDS = Words(
    W_("app", "CCHC targets workbench"),
    W_("live", "Updates itself when a file changes"),
    W_("home", "Summary"),
    W_("quality", "Data quality"),
    W_("errors", "A file does not validate: the last good results are shown below."),
    W_("no_results", "No results yet: fix the errors above and the page updates itself."),
    W_("all_periods", "All periods"),
    W_("explain", "Explanation"),
    W_("explain_link", "See the explanation"),
    W_("not_found", "Not found"),
    W_("not_found_text", "There is no {what} '{id}' in the evaluated results."),
    W_("did_you_mean", "Did you mean: {id}?"),
    W_("unit_word", "unit"),
    W_("target_word", "target"),
    W_("result_word", "result"),
    W_("period_word", "period"),
    W_("parent", "Part of"),
    W_("children", "Units under it"),
    W_("upload", "Preview a form"),
    W_("upload_hint",
       "Drop a filled-in form (.xlsx) or a CSV file here, or choose one. It is evaluated for a "
       "preview only; no file is written. At most {size}."),
    W_("preview", "Preview: {name}"),
    W_("preview_none", "The file gives no result for this ruleset."),
    W_("preview_errors", "The uploaded file has errors:"),
    W_("updated", "Update {version}, evaluated in {ms} ms."),
)


def app_words(lang: str) -> dict[str, str]:
    return in_lang(APP_WORDS, lang)


def link(kind: str, ident: str = "", **query: str | None) -> str:
    """The app's URL for a page: `/unit/ham-tan?period=2024-Q1`."""
    path = f"/{kind}/{quote(ident, safe='')}" if ident else f"/{kind}"
    shown = {k: v for k, v in query.items() if v}
    return path + ("?" + urlencode(shown) if shown else "")


def explain_link(target: str, unit: str, period: str) -> str:
    return link("explain", target=target, unit=unit, period=period)


class NotFound(Exception):
    """An id that is not in the evaluated results (a 404 page, with a did-you-mean)."""

    def __init__(self, what: str, ident: str, known: list[str]) -> None:
        super().__init__(ident)
        self.what, self.ident, self.hint = what, ident, did_you_mean(ident, known)


@dataclass(frozen=True)
class Page:
    template: str
    context: dict[str, Any]
    status: int = 200


class _Built:
    """Everything a version's pages share, built once per version. The report's whole
    context (every target's section and chart) is built on the first page that shows it: a
    unit page, the one a planner watches while editing, needs only the ranking and the
    failed checks, and building the rest was most of its time after an edit."""

    def __init__(self, ev: Evaluation, lang: str, detail: str) -> None:
        self.version = id(ev)
        self.ev, self.lang, self.detail = ev, lang, detail
        self.builder = ReportBuilder(ev, lang, "full")
        self.targets: dict[str, Any] = {t.id: t for t in ev.ruleset.model.targets}
        # unit id -> name, units with results; every period, time order
        self.units = {u: self.builder.name(u)
                      for u in sorted(ev.results["unit"].unique().to_list())}
        self.periods: list[str] = self.builder.periods
        self.title: str = ev.ruleset.model.title
        t = self.t = words(lang)
        self.statuses = [StatusInfo(key=k, label=t[f"status.{k}"], symbol=SYMBOLS[k])
                         for k in STATUSES]
        self._lock = threading.Lock()
        self._report: ReportContext | None = None
        self._ranked: tuple[list, list] | None = None

    @property
    def report(self) -> ReportContext:
        with self._lock:
            if self._report is None:
                self._report = build_context(self.ev, lang=self.lang, detail=self.detail)
            return self._report

    def ranked(self) -> tuple[list, list]:
        """The ranking's unit rows and the failed checks, as the report has them (its own
        builder's, without the rest of the report)."""
        with self._lock:
            if self._report is not None:
                return self._report.units, self._report.failed_checks
            if self._ranked is None:
                b = ReportBuilder(self.ev, self.lang, self.detail)
                self._ranked = (b.units()[0], b.failed_checks()[0])
            return self._ranked


class Pages:
    """Page contexts for the workspace's current snapshot (cached per version)."""

    def __init__(self, lang: str, detail: str = "auto") -> None:
        self.lang, self.detail = lang, detail
        self._local = threading.local()
        self._lock = threading.Lock()
        self._built: _Built | None = None

    def render(self, page: Page) -> str:
        # One environment per thread: the sandbox keeps each render's time and range budget
        # on the environment, and pages are rendered by several threads at once.
        env = getattr(self._local, "env", None)
        if env is None:
            env = self._local.env = templates.environment()
        return templates.render(env, page.template, page.context)

    def built(self, snap: Snapshot) -> _Built | None:
        ev = snap.evaluation
        if ev is None:
            return None
        with self._lock:
            if self._built is None or self._built.version != id(ev):
                self._built = _Built(ev, self.lang, self.detail)
            return self._built

    # -- the frame every page shares --------------------------------------------------------

    def app_info(self, snap: Snapshot, title: str, page: str = "") -> dict[str, Any]:
        """The app's frame around every page (header, banner, upload zone): `app` in the
        templates, so it never collides with a report field."""

        built = self.built(snap)
        return {
            "a": app_words(self.lang), "title": title, "page": page,
            "version": snap.version, "problems": [p.format() for p in snap.problems],
            "ms": round(snap.seconds * 1000), "has_results": built is not None,
            "ruleset_title": built.title if built else "",
            "upload_limit": f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB",
        }

    def frame(self, snap: Snapshot, title: str, page: str = "") -> dict[str, Any]:
        """A stand-alone page's context: the app frame and what the report macros read."""
        built = self.built(snap)
        return {"app": self.app_info(snap, title, page), "lang": self.lang,
                "t": built.t if built else words(self.lang),
                "statuses": built.statuses if built else [],
                "statuses_used": built.statuses if built else []}

    def _report_page(self, snap: Snapshot, template: str, title_key: str) -> Page:
        built = self.built(snap)
        if built is None:
            return Page("app/empty.html.j2", self.frame(snap, app_words(self.lang)["app"]))
        context = dict(built.report) | {
            "app": self.app_info(snap, built.report.ruleset.title, title_key)}
        context["app"]["units_list"] = [(uid, name, link("unit", uid))
                                        for uid, name in built.units.items()]
        context["app"]["targets_list"] = [
            (s.id, s.title, s.counts, link("target", s.id)) for s in built.report.targets]
        return Page(template, context)

    def summary(self, snap: Snapshot) -> Page:
        return self._report_page(snap, "app/summary.html.j2", "home")

    def quality(self, snap: Snapshot) -> Page:
        return self._report_page(snap, "app/quality.html.j2", "quality")

    # -- one unit, one target, one result ---------------------------------------------------

    def _need(self, snap: Snapshot) -> _Built:
        built = self.built(snap)
        if built is None:
            raise NotFound("result", "", [])
        return built

    def _periods(self, frame: pl.DataFrame, period: str | None, base: str,
                 ident: str) -> tuple[pl.DataFrame, list[tuple[str, str, bool]], str | None]:
        """Rows of `period` (the latest when None, every one for 'all') and the period links."""
        periods = sorted(set(frame["period"].to_list()), key=period_key)
        if period is None and periods:
            period = periods[-1]
        if period not in (*periods, "all", None):
            raise NotFound("period", period or "", periods)
        links = [(p, link(base, ident, period=p), p == period) for p in periods]
        links.append((app_words(self.lang)["all_periods"], link(base, ident, period="all"),
                      period == "all"))
        shown = frame if period == "all" else frame.filter(pl.col("period") == period)
        return shown, links, period

    def unit(self, snap: Snapshot, unit_id: str, period: str | None) -> Page:
        built = self._need(snap)
        if unit_id not in built.units:
            raise NotFound("unit", unit_id, list(built.units))
        b = built.builder
        frame = b.res.filter(pl.col("unit") == unit_id)
        shown, periods, chosen = self._periods(frame, period, "unit", unit_id)
        order = {tid: i for i, tid in enumerate(built.targets)}
        rows = []
        for r in sorted(shown.iter_rows(named=True),
                        key=lambda r: (r["_pi"], order.get(r["target"], 0))):
            target = built.targets.get(r["target"])
            rows.append({"target": r["target"], "title": target.title if target else "",
                         "target_url": link("target", r["target"], period=r["period"]),
                         "row": b.result_row(r, b.unit_of(target) if target else None),
                         "explain_url": explain_link(r["target"], unit_id, r["period"])})
        units = snap.evaluation.figures.units if snap.evaluation else {}
        declared = units.get(unit_id)
        parent = declared.parent if declared else None
        children = [(uid, built.units[uid], link("unit", uid)) for uid, u in units.items()
                    if u.parent == unit_id and uid in built.units]
        ranking, failed = built.ranked()
        rank = next((u for u in ranking if u.id == unit_id), None)
        checks = [c for c in failed if c.unit == unit_id
                  and chosen in (c.period, "all")]
        context = self.frame(snap, b.name(unit_id)) | {
            "unit": {"id": unit_id, "name": b.name(unit_id),
                     "level": b.level_label(declared.level if declared else None)},
            "parent": (parent, built.units.get(parent, parent), link("unit", parent))
            if parent and parent in built.units else None,
            "children": children, "rank": rank, "periods": periods, "rows": rows,
            "checks": checks}
        return Page("app/unit.html.j2", context)

    def target(self, snap: Snapshot, target_id: str, period: str | None) -> Page:
        built = self._need(snap)
        if target_id not in built.targets:
            raise NotFound("target", target_id, list(built.targets))
        section = next(s for s in built.report.targets if s.id == target_id)
        periods = sorted({r.period for r in section.rows}, key=period_key)
        if period not in (*periods, "all", None):
            raise NotFound("period", period or "", periods)
        period = period or "all"
        links = [(p, link("target", target_id, period=p), p == period) for p in periods]
        links.append((app_words(self.lang)["all_periods"], link("target", target_id),
                      period == "all"))
        rows = [{"row": r, "target": target_id,
                 "unit_url": link("unit", r.unit, period=r.period),
                 "explain_url": explain_link(target_id, r.unit, r.period)}
                for r in section.rows if period in (r.period, "all")]
        context = self.frame(snap, f"{section.id} — {section.title}") | {
            "x": section, "periods": links if periods else [], "rows": rows}
        return Page("app/target.html.j2", context)

    def explain(self, snap: Snapshot, target_id: str, unit_id: str, period: str) -> Page:
        from ..render.explain import explain

        built = self._need(snap)
        ev = snap.evaluation
        found = built.builder.res.filter(
            (pl.col("target") == target_id) & (pl.col("unit") == unit_id)
            & (pl.col("period") == period))
        if not found.height:
            if target_id not in built.targets:
                raise NotFound("target", target_id, list(built.targets))
            if unit_id not in built.units:
                raise NotFound("unit", unit_id, list(built.units))
            raise NotFound("result", f"{target_id} · {unit_id} · {period}", [])
        r = found.row(0, named=True)
        target = built.targets[target_id]
        try:
            text = explain(ev.ruleset, ev.figures, target_id, unit_id, period, lang=self.lang)
        except CchcError as err:  # kept as data: the page says why, as the CLI would
            text = "\n".join(p.format() for p in err.problems)
        context = self.frame(
            snap, f"{target_id} · {built.builder.name(unit_id)} · {period}") | {
            "target": target, "unit": {"id": unit_id, "name": built.builder.name(unit_id)},
            "period": period, "row": built.builder.result_row(r, built.builder.unit_of(target)),
            "text": text, "unit_url": link("unit", unit_id, period=period),
            "target_url": link("target", target_id, period=period)}
        return Page("app/explain.html.j2", context)

    def not_found(self, snap: Snapshot, err: NotFound) -> Page:
        a = app_words(self.lang)
        what = a.get(f"{err.what}_word", err.what)
        context = self.frame(snap, a["not_found"]) | {
            "message": a["not_found_text"].format(what=what, id=err.ident),
            "hint": err.hint}
        return Page("app/missing.html.j2", context, 404)
