"""Data stage: YAML and JSON files of figures (spec §2: `units:` and `reports:`) and of units.

Read through `load.compose_yaml` and `build_doc`, so every figure keeps the line and column
it was written at; a units file of plain declarations is read straight from its nodes.
"""
from __future__ import annotations

from pathlib import Path

from ...errors import CchcError, Position, Problem, did_you_mean
from ...load import Composed, Doc, build_doc, compose_yaml, node_position, text_mappings
from ...messages import N_, _, translate
from ..units import parse_unit, plain_unit, plain_units
from .batch import Batch

TOP = ("units", "reports", "levels")
REPORT = ("unit", "period", "source", "values", "restated")
_RULESET_KEYS = {"ruleset", "metrics", "targets", "checks", "extends"}
_EMPTY_HINT = N_("a data file has 'reports:' (and optionally 'units:'), e.g. reports: "
                "[{unit: ham-tan, period: 2024-Q1, values: {received: 4917}}]")


def read_yaml(batch: Batch, path: Path, units_only: bool = False) -> None:
    """Units and reports from a YAML or JSON file into `batch`; a `--units` file
    (`units_only`) may also be a bare list of units."""
    try:
        composed = compose_yaml(path)
        if units_only and _read_plain_units(batch, composed):
            return
        doc = build_doc(composed)
    except CchcError as err:  # load_yaml's hints speak of rulesets; this is a data file
        raise CchcError([Problem(p.code, p.message, p.pos, translate(_EMPTY_HINT), p.severity)
                         if p.code == "YAML07" else p for p in err.problems]) from None
    data = doc.data
    allowed = ("units", "levels") if units_only else TOP
    if units_only and isinstance(data, list):
        doc = doc.under("units")
        data = doc.data
    if not isinstance(data, dict):
        batch.error("DAT11", _("a data file is a mapping with 'units:' and 'reports:'"),
                    doc.pos(), _("see docs/data-format.md"))
        return
    for key in data:
        if units_only and key == "reports":
            batch.warn("UNT09", _("the units file also has 'reports:'; only its units are read "
                                  "here"), doc.pos((key,), key=True),
                       _("give it as --data as well to read its figures"))
            continue
        if key not in allowed:
            sections = " and ".join(f"'{k}:'" for k in allowed)
            hint = (_("this looks like a ruleset; give it as RULESET, not --data")
                    if key in _RULESET_KEYS else did_you_mean(str(key), allowed)
                    or (_("a units file has {sections}") if units_only
                        else _("a data file has {sections}")).format(sections=sections))
            batch.error("DAT11", _("unknown section '{key}'").format(
                                   key=key), doc.pos((key,), key=True), hint)
    _read_units(batch, doc, data.get("units"))
    _read_levels(batch, doc, data.get("levels"))
    if not units_only:
        _read_reports(batch, doc, data.get("reports"))


def _list(batch: Batch, doc: Doc, value: object, key: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        batch.error("DAT11", _("'{key}' must be a list, one '- ' entry each").format(
                               key=key), doc.pos((key,)))
        return []
    return value


def _read_levels(batch: Batch, doc: Doc, section: object) -> None:
    """`levels: {department: "Sở, ban, ngành"}`: the title shown for each level id (issue
    23); a level id, a title of text, each once."""
    if section is None:
        return
    if not isinstance(section, dict):
        batch.error("UNT17", _("'levels' must be a mapping of level id to its title, e.g. "
                               "levels: {department: \"Sở, ban, ngành\"}"), doc.pos(("levels",)))
        return
    for level, title in section.items():
        if not isinstance(level, str) or not isinstance(title, str) or not title.strip():
            batch.error("UNT17", _("the title of level '{level}' must be text").format(
                                   level=level), doc.pos(("levels", level)),
                        _("write it in quotes, e.g. \"Sở, ban, ngành\""))
            continue
        known = batch.level_titles.get(level)
        if known is not None and known != title.strip():
            batch.error("UNT17", _("level '{level}' has two titles: '{one}' and '{two}'").format(
                                   level=level, one=known, two=title.strip()),
                        doc.pos(("levels", level)), _("keep one of the two"))
            continue
        batch.level_titles[level] = title.strip()


def _read_plain_units(batch: Batch, composed: Composed) -> bool:
    """A units file that is only a list of plain declarations (`units.plain_units`), read
    straight from its nodes: the units `_read_units` reads from the built document, each
    placed where it starts. False, having read nothing, for any other file."""
    found = text_mappings(composed, "units")
    if found is None:
        return False
    entries, nodes = found
    plain = plain_units(entries)
    if plain is None or len(plain) != len(entries):
        return False
    file = composed.file
    batch.units += [plain_unit(entry, node_position(file, node))
                    for entry, node in zip(entries, nodes, strict=True)]
    return True


def _read_units(batch: Batch, doc: Doc, section: object) -> None:
    entries = _list(batch, doc, section, "units")
    plain = set(plain_units(entries) or ())
    for i, entry in enumerate(entries):
        if i in plain:   # nothing to refuse: built as it is, placed where it starts
            batch.units.append(plain_unit(entry, doc.pos(("units", i))))
            continue
        if not isinstance(entry, dict):
            batch.error("UNT01", _("a unit is a mapping like {id: ham-tan, name: Huyện Hàm Tân}"),
                        doc.pos(("units", i)))
            continue
        def pos_of(k: str | None, i: int = i) -> Position:
            return doc.pos(("units", i) if k is None else ("units", i, k))

        unit, problems = parse_unit(entry, pos_of)
        batch.problems.extend(problems)
        if unit is not None:
            batch.units.append(unit)


def _read_reports(batch: Batch, doc: Doc, section: object) -> None:
    for i, report in enumerate(_list(batch, doc, section, "reports")):
        at = ("reports", i)
        if not isinstance(report, dict):
            batch.error("DAT11", _("a report is a mapping with unit, period, values"),
                        doc.pos(at))
            continue
        for key in report:
            if key not in REPORT:
                batch.error("DAT11", _("unknown report field '{key}'").format(key=key),
                            doc.pos((*at, key), key=True),
                            did_you_mean(str(key), REPORT) or _("a report has {REPORT}").format(
                                                                REPORT=", ".join(REPORT)))
        unit = _text(batch, doc, report, at, "unit", int_ok=False)
        period = _text(batch, doc, report, at, "period", int_ok=True)
        source = _text(batch, doc, report, at, "source", int_ok=False, required=False)
        values = report.get("values")
        if not isinstance(values, dict):
            batch.error("DAT11", _("'values' must be a mapping of metric: figure") if values
                        is not None else _("the report has no 'values'"),
                        doc.pos((*at, "values") if "values" in report else at),
                        _("values: {received: 4917, received_online: 246}"))
            continue
        if unit is None or period is None:
            continue
        batch.place("unit", unit, doc.pos((*at, "unit")))
        batch.place("period", period, doc.pos((*at, "period")))
        restated = report.get("restated", False)
        if not isinstance(restated, bool):
            batch.error("DAT11", _("'restated' must be true or false"),
                        doc.pos((*at, "restated")))
        for metric, raw in values.items():
            pos = doc.pos((*at, "values", metric))
            if restated is True:  # on today's territory (spec §6): kept apart from own figures
                batch.restated_at.add((pos.file, pos.line, pos.col))
            batch.add(unit, period, str(metric), raw, pos.file, pos.line, pos.col, source)


def _text(batch: Batch, doc: Doc, report: dict, at: tuple, key: str, int_ok: bool,
          required: bool = True) -> str | None:
    raw = report.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            batch.error("DAT08", _("the report has no '{key}'").format(key=key), doc.pos(at))
        return None
    if isinstance(raw, str):
        return raw.strip()
    if int_ok and isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    batch.error("DAT08", _("'{key}' must be text, got {raw!r}").format(
                           key=key, raw=raw), doc.pos((*at, key)),
                _("quote it: {key}: \"{raw}\"").format(key=key, raw=raw))
    return None
