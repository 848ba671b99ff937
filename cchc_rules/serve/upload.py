"""A dropped form or CSV, evaluated against the ruleset for a preview only.

The upload goes into a private temporary folder under a cleaned-up name, is read there by
the same readers and limits as `--data` (files.py's byte cap, the workbook checks), and the
folder is removed before the page is sent. The watched files are never touched.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from ..errors import CchcError
from ..messages import _
from .workspace import MAX_UPLOAD_BYTES as MAX_BYTES

if TYPE_CHECKING:
    from .pages import Pages
    from .workspace import Snapshot, Workspace

KINDS = (".xlsx", ".csv", ".yaml", ".yml", ".json")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """The uploaded file's base name reduced to letters, digits and `._-` (the name shows
    in error positions; it is never joined to anything but a fresh temporary folder)."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = _UNSAFE.sub("-", base).lstrip(".-")[-80:]
    return cleaned or "upload"


def too_large(size: int) -> CchcError:
    return CchcError.one("IO02", _("the upload is larger than {limit} bytes").format(
        limit=f"{MAX_BYTES:,}"), hint=_("send one unit's form or CSV file"))


def preview_context(ws: Workspace, snap: Snapshot, pages: Pages, name: str, body: bytes
                    ) -> dict[str, Any]:
    """The preview's context: the results the uploaded figures give, or the problems."""
    from ..pipeline import Inputs, Session, known_metrics, metric_labels
    from ..render.report.builder import ReportBuilder

    shown = safe_name(name)
    context: dict[str, Any] = {"name": shown, "rows": [], "problems": [], "warnings": []}
    ev = snap.evaluation
    if len(body) > MAX_BYTES:
        context["problems"] = [p.format() for p in too_large(len(body)).problems]
        return context
    if ev is None:
        context["problems"] = [p.format() for p in snap.problems]
        return context
    if not shown.lower().endswith(KINDS):
        context["problems"] = [CchcError.one(
            "IO03", _("cannot preview '{name}': not a form, CSV, YAML or JSON file").format(
                name=shown), hint=_("drop the .xlsx form or a .csv file")).problems[0].format()]
        return context
    with tempfile.TemporaryDirectory(prefix="cchc-upload-") as folder:
        path = Path(folder) / shown
        path.write_bytes(body)
        prefix = str(path.parent) + "/"
        try:
            known, labels = known_metrics(ev.ruleset), metric_labels(ev.ruleset)
            for version in ev.chain[:-1]:   # older plans' metrics too (as pipeline.load)
                known = {**known_metrics(version.ruleset), **known}
                labels = {**metric_labels(version.ruleset), **labels}
            figures = ws.session.read_figures([path], ws.units, ws.decimal_comma, known,
                                              labels)
            if ev.chain:   # plans in force by date: each period by its own version
                from ..evaluation.versions import evaluate_versions
                result = evaluate_versions(ev.chain, figures)
            else:
                result = Session.evaluate_inputs(Inputs(ev.ruleset, figures))
        except CchcError as err:
            context["problems"] = [p.format().replace(prefix, "") for p in err.problems]
            return context
    context["warnings"] = [w.format().replace(prefix, "") for w in result.warnings]
    reported = set(figures.values["unit"].unique().to_list())
    b = ReportBuilder(result, pages.lang, "full")
    targets = {t.id: t for t in result.ruleset.model.targets}
    order = {tid: i for i, tid in enumerate(targets)}
    rows = b.res.filter(pl.col("unit").is_in(list(reported)))
    context["rows"] = [
        {"target": r["target"], "title": targets[r["target"]].title,
         "row": b.result_row(r, b.unit_of(targets[r["target"]]))}
        for r in sorted(rows.iter_rows(named=True),
                        key=lambda r: (r["unit"], r["_pi"], order.get(r["target"], 0)))]
    return context
