"""Draft stage output: what `cchc draft` structured, as a table or JSON (one record model)."""
from __future__ import annotations

import json

from ..messages import _
from .build import Draft

STATUS_WORDS = {"full": "fully structured", "partly": "partly structured",
                "not": "not structured (qualitative)"}


def to_json(draft: Draft, output: str) -> str:
    """The report as one JSON object, stable bytes for the same input."""
    return json.dumps({
        "document": draft.file, "output": output, "counts": draft.counts(),
        "targets": [{"id": e.id, "status": e.status, "place": e.place, "metric": e.metric,
                     "title": e.title,
                     "milestones": [{"by": by, "op": op,
                                     "value": list(v) if isinstance(v, tuple) else v}
                                    for by, op, v in e.milestones],
                     "review": e.notes} for e in draft.entries]},
        ensure_ascii=False, indent=2) + "\n"


def to_table(draft: Draft, output: str) -> str:
    counts = draft.counts()
    lines = [_("Drafted {output} from {document}").format(output=output, document=draft.file),
             _("{targets} targets found: {full} fully structured, {partly} partly, {not_} not "
               "structured (qualitative)").format(targets=counts["targets"], full=counts["full"],
                                                   partly=counts["partly"], not_=counts["not"]),
             ""]
    words = {"full": _("full"), "partly": _("partly"), "not": _("not")}
    rows = [(_("Target"), _("Structured"), _("Place"), _("Metric"), _("Milestones"),
             _("Review notes"))]
    for e in draft.entries:
        milestones = "; ".join(f"{by} {op} {_show(v)}" for by, op, v in e.milestones) or "—"
        rows.append((e.id, words[e.status], e.place, e.metric or "—", milestones,
                     str(len(e.notes)) if e.notes else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                     .rstrip())
    return "\n".join(lines) + "\n"


def _show(value) -> str:
    if isinstance(value, tuple):
        return f"[{value[0]:g}, {value[1]:g}]"
    return f"{value:g}"
