"""Evaluate stage, one result at a time: "why is this red?" as plain text (`cchc explain`).

Re-runs the columnar engine for one target, then traces its result: the formula with values,
each raw figure and its source, roll-up children, milestone choice, trajectory, status reason.
What the engine decided (the value before `change`, the trajectory, the status's reason) is
read from the evaluation's trace, never worked out again here.
"""
from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, cast

import polars as pl

from ..derive.rollup import children_of
from ..domain import OP_SIGNS, SUMMABLE_UNITS, Reason, Status, Trajectory, is_relative
from ..errors import CchcError, Problem, did_you_mean
from ..evaluation.evaluator import evaluate
from ..evaluation.result import Evaluation
from ..evaluation.selection import nothing_selected
from ..evaluation.survey import with_margins
from ..evaluation.trajectory import held_since, ordered_milestones
from ..expr import evaluate_exact, ratio_parts, substitute, to_text
from ..expr.exact import Invalid
from ..messages import W_, Words, _
from ..periods import canonical, parse_period
from ..present import Formatter, threshold_text
from .i18n import in_lang, words

if TYPE_CHECKING:
    from ..ruleset.schema import Target

ORIGIN = Words(
    W_("reported", "reported"),
    W_("rolled_up", "rolled up"),
    W_("derived", "computed"),
    W_("derived_time", "derived from shorter periods"),
    W_("restated", "restated"),
    W_("not_restated", "not restated"),
)
OVER_TIME_PICK = Words(
    W_("first", "first"),
    W_("last", "last"),
)

TEXT = Words(
    W_("head", "Target {id}: {title}"),
    W_("where", "Unit: {unit} · Period: {period} (ends {end})"),
    W_("source", "Source: {source}"),
    W_("metric", "Metric {id} ({label})"),
    W_("formula", "  formula: {formula}"),
    W_("values", "  with values: {text} = {value}"),
    W_("reported_wins",
       "  (the unit reported {value} itself: its figure is used, not the formula)"),
    W_("figures", "Figures:"),
    W_("figure", "  {id} = {value} ({origin}{where})"),
    W_("missing", "  {id}: not reported"),
    W_("time", "    {period} = {parts} = {values}"),
    W_("time_pick", "    {period} = {pick} (the {which} of {parts}) = {value}"),
    W_("time_territory", "    ({part}: {territory}, on the territory of {period})"),
    W_("time_missing", "    (not derived from shorter periods: {parts} missing)"),
    W_("child", "    + {unit} = {value}{where}"),
    W_("children_missing", "    (not rolled up: {units} did not report)"),
    W_("baseline_given", "Baseline: {period} = {value} (given in the ruleset)"),
    W_("baseline_data", "Baseline: {period} = {value} (the unit's own figure)"),
    W_("no_baseline", "Baseline: none"),
    W_("same_last_year", "the same period last year"),
    W_("previous", "the previous period"),
    W_("relative", "{base} ({which} of {period})"),
    W_("relative_trajectory", "Trajectory: none (the baseline moves with the period)"),
    W_("every_period",
       "Must hold: the milestone applies to every period starting from {start} on, with no "
       "trajectory"),
    W_("not_met_every_period",
       "the milestone must hold in every period from {start} and {actual} is not {op} "
       "{threshold}"),
    W_("restated",
       "Baseline: {base} = {value}, restated on the territory of {period} (with the units "
       "merged into it): {members}"),
    W_("not_restated",
       "Baseline: {base} = {value}, {unit}'s own figure, not restated on the territory of "
       "{period}: {metrics} cannot be summed, so it leaves out {left_out}"),
    W_("territory_changed", "  territory changed on {day}; report a restated figure"),
    W_("change_percent", "Change from baseline: ({value} − {base}) / {base} × 100 = {actual}"),
    W_("change_absolute", "Change from baseline: {value} − {base} = {actual}"),
    W_("milestones", "Milestones: {list}"),
    W_("chosen",
       "Milestone in force: {op} {value} by the end of {by} ({deadline}) — the earliest not yet "
       "ended when the period ends"),
    W_("chosen_last",
       "Milestone in force: {op} {value} by the end of {by} ({deadline}) — the period is after "
       "the last milestone"),
    W_("trajectory",
       "Trajectory: {start} + ({goal} − {start}) × {done}/{total} days = {expected} (from "
       "{anchor} to {end})"),
    W_("no_trajectory_op", "Trajectory: none ({op} milestones have none)"),
    W_("before_baseline",
       "Trajectory: not started (the period ends before the baseline period {period})"),
    W_("no_trajectory", "Trajectory: none (no baseline)"),
    W_("status", "Status: {word} — {reason}"),
    W_("version",
       "Plan in force: {id} ({source}), in force {span} — the version in force on the period's "
       "last day"),
    W_("span_from", "from {start}"),
    W_("span_to", "until {end}"),
    W_("span_both", "from {start} until {end}"),
    W_("met", "{actual} {op} {threshold}"),
    W_("not_met",
       "the period ends at or after the deadline {by} and {actual} is not {op} {threshold}"),
    W_("on_track",
       "before the deadline, not yet met, but {actual} is at or past the trajectory {expected}"),
    W_("off_track", "before the deadline, {actual} is short of the trajectory {expected}"),
    W_("pending", "before the deadline {by}, not yet met, no trajectory to compare with"),
    W_("no_data", "missing figures: {missing}"),
    W_("invalid", "the figures give no number (division by zero)"),
    W_("declared", "the unit declared it does not apply (n/a): {metrics}"),
    W_("not_applicable", "level {level} is not among the target's levels {levels}"),
    W_("margin",
       "Survey margin (95%): ± 1.96 × √({p} × (1 − {p}) / {n}) × 100 = ± {margin} percentage "
       "points (sample {sample} = {n})"),
    W_("margin_none", "Survey margin: none (no sample size {sample})"),
    W_("margin_inside",
       "The gap {gap} is within the margin ± {margin}: the status is still decided on the "
       "figure as reported"),
    W_("margin_outside", "The gap {gap} is outside the margin ± {margin}"),
    W_("fields",
       "Fields differ: rank {rank} of {field} (top {share}%) against rank {base_rank} of "
       "{base_field} in {base} (top {base_share}%); the status is decided on the ranks as "
       "written"),
    W_("covers",
       "Part of the period: the unit began on {began} and has no predecessors, so its figures "
       "cover only {covers}"),
    W_("na_before_baseline",
       "the period ends on or before the end of the baseline period {base}: the plan measures "
       "from its baseline and does not judge this period"),
    W_("needed_more",
       "Needed: {needed} more in the numerator ({numerator}), the denominator held at {den}, to "
       "meet {op} {threshold}."),
    W_("needed_less",
       "Needed: {needed} less in the numerator ({numerator}), the denominator held at {den}, to "
       "meet {op} {threshold}."),
)


class _Say:
    def __init__(self, lang: str) -> None:
        self.text = in_lang(TEXT, lang)
        self.origin = in_lang(ORIGIN, lang)
        self.pick = in_lang(OVER_TIME_PICK, lang)
        self.fmt = Formatter(lang)
        self.words = words(lang)

    def __call__(self, key: str, **fields) -> str:
        return self.text[key].format(**fields)

    DIGITS = 3  # a trace shows three decimals, whatever the metric's unit

    def n(self, value: float | None) -> str:
        return self.fmt.number(value, self.DIGITS)


def explain(ruleset, figures, target: str, unit: str, period: str, lang: str = "vi",
            versions: list | None = None) -> str:
    """The trace of one result; CchcError when the target, unit or period is unknown. The
    period may be a Vietnamese name ("Quý I/2024"). `versions` (ruleset/versions.py, a plan
    that replaces or amends another): the result is judged, and named, by the version in
    force on the period's last day."""
    period = canonical(period)
    version = None
    if versions and len(versions) > 1:
        end = parse_period(period).end
        version = next((v for v in versions if v.in_force(end)), versions[-1])
        ruleset = version.ruleset
    try:   # asking for the period derives it over time when it can be (spec §5)
        evaluation = evaluate(ruleset, figures, targets=[target], periods=[period])
    except CchcError as err:
        if any("cannot be derived" in p.message for p in err.problems):
            raise
        evaluation = evaluate(ruleset, figures, targets=[target])
    rows = evaluation.traced().filter((pl.col("unit") == unit) & (pl.col("period") == period))
    if not rows.height:
        _unknown(evaluation, unit, period)
    say = _Say(lang)
    lines = _trace(evaluation, rows.row(0, named=True), say)
    if version is not None:
        lines.insert(2, _version_line(version, say))
    return "\n".join(lines) + "\n"


def _version_line(version, say: _Say) -> str:
    start = say.fmt.date(version.start) if version.start else None
    end = say.fmt.date(version.end) if version.end else None
    span = say("span_both", start=start, end=end) if start and end else \
        say("span_from", start=start) if start else say("span_to", end=end)
    return say("version", id=version.id, source=version.ruleset.model.source or "—",
               span=span)


def _unknown(evaluation: Evaluation, unit: str, period: str) -> None:
    units = set(evaluation.results["unit"].unique().to_list())
    periods = set(evaluation.results.filter(pl.col("unit") == unit)["period"].to_list())
    problems = []
    known = unit in evaluation.figures.units or unit in set(evaluation.values["unit"])
    if unit not in units and known:   # the unit exists, only not in this period: say why
        problems.append(nothing_selected(evaluation.values, evaluation.figures.units,
                                         [period], [unit]))
    elif unit not in units:
        problems.append(Problem("EVL02", _("no figures for unit '{unit}'").format(unit=unit), None,
                                did_you_mean(unit, units)))
    else:
        problems.append(Problem("EVL01", _("no figures for unit '{unit}' in period "
                                           "'{period}'").format(
                                           unit=unit, period=period),
                                None, did_you_mean(period, periods)
                                or _("it has {periods}").format(
                                     periods=', '.join(sorted(periods)))))
    raise CchcError(problems)


def _trace(ev: Evaluation, r: dict, say: _Say) -> list[str]:
    target = ev.targets_by_id()[r["target"]]
    units = ev.figures.units
    unit = units.get(r["unit"])
    out = [say("head", id=target.id, title=target.title),
           say("where", unit=f"{unit.name} ({unit.id})" if unit and unit.name != unit.id
               else r["unit"],
               period=r["period"], end=say.fmt.date(parse_period(r["period"]).end))]
    if r.get("covers"):   # v3 §6: a unit that began during the period, no predecessors
        out.append(say("covers", covers=r["covers"], began=unit.valid_from if unit else "?"))
    if target.source:
        out.append(say("source", source=target.source))
    values = _values_at(ev, r["period"])
    out += _metric_lines(ev, target.metric, r["unit"], r["period"], values, say)
    out += _baseline_lines(ev, target, r, say)
    out += _milestone_lines(target, r, say)
    out.append(say("status", word=say.words[f"status.{r['status']}"],
                   reason=_reason(ev, target, r, values, say)))
    if r["needed"] is not None:
        out.append(_needed_line(ev, target, r, values, say))
    out += _margin_lines(ev, target, r, values, say)
    return out


def _margin_lines(ev: Evaluation, target, r: dict, values, say: _Say) -> list[str]:
    """The sampling margin of a survey figure (spec §7 v3), its arithmetic and whether the
    gap lies inside it; [] for a metric without `sample`."""
    sample = ev.ruleset.model.metrics[target.metric].sample
    if sample is None:
        return []
    value, size = (values.get((r["unit"], m), (None, None))[0] for m in (target.metric, sample))
    if value is None or size is None or not size > 0 or not 0 <= value <= 100:
        return [say("margin_none", sample=sample)]
    margin = with_margins(ev, pl.DataFrame(
        {"target": [target.id], "unit": [r["unit"]], "period": [r["period"]],
         "gap": [r["gap"]]}, schema_overrides={"gap": pl.Float64}))["margin"][0]
    p = value / 100
    out = [say("margin", p=say.n(p), n=say.n(size), sample=sample, margin=say.n(margin))]
    if r["gap"] is not None:
        inside = abs(r["gap"]) <= margin + 1e-9
        out.append(say("margin_inside" if inside else "margin_outside",
                       gap=say.n(r["gap"]), margin=say.n(margin)))
    return out


def _values_at(ev: Evaluation, period: str) -> dict[tuple[str, str], tuple[float, str]]:
    """(unit, metric) -> (value, origin) for one period, after roll-up and derivation."""
    frame = ev.values.filter(pl.col("period") == period)
    return {(u, m): (v, o) for u, m, v, o in
            frame.select("unit", "metric", "value", "origin").iter_rows()}


def _metric_lines(ev: Evaluation, metric: str, unit: str, period: str, values, say: _Say
                  ) -> list[str]:
    model = ev.ruleset.model
    spec = model.metrics[metric]
    out = [say("metric", id=metric, label=spec.label)]
    node = ev.ruleset.formulas.get(metric)
    if node is not None:
        known = {m: v for (u, m), (v, _) in values.items() if u == unit}
        out.append(say("formula", formula=to_text(node)))
        value, origin = values.get((unit, metric), (None, None))
        computed = value if origin != "reported" else _exact(node, known)
        out.append(say("values", text=substitute(node, known), value=say.n(computed)))
        if origin == "reported":
            out.append(say("reported_wins", value=say.n(value)))
    out.append(say("figures"))
    raw = sorted(ev.ruleset.raw_inputs.get(metric, frozenset({metric})))
    sources = _sources(ev, period)
    children = children_of(ev.figures.units)
    for name in raw:
        out += _figure_lines(ev, name, unit, period, values, sources, children, say)
    return out


def _exact(node, known: dict[str, float]) -> float | None:
    """The formula's own value from the inputs, None when missing or not a number."""
    try:
        exact = evaluate_exact(node, known)
    except Invalid:
        return None
    return None if exact is None else float(exact)


def _sources(ev: Evaluation, period: str) -> dict[tuple[str, str, str], str]:
    """(unit, period, metric) -> ", file:line, source text" for one period's reported figures."""
    frame = ev.figures.values.filter(pl.col("period") == period)
    out = {}
    for u, p, m, file, line, source in frame.select(
            "unit", "period", "metric", "file", "line", "source").iter_rows():
        where = f"{file}:{line}" if line else f"{file}"
        out[(u, p, m)] = f", {where}" + (f", {source}" if source else "")
    return out


def _figure_lines(ev: Evaluation, name: str, unit: str, period: str, values, sources,
                  children, say: _Say) -> list[str]:
    """One raw figure with where it came from; a rolled-up one with the children it sums."""
    value, origin = values.get((unit, name), (None, None))
    time = ev.time
    if value is None:
        lacking = [c for c in children.get(unit, []) if (c, name) not in values]
        return [say("missing", id=name)] + \
            ([say("children_missing", units=", ".join(lacking))] if lacking else []) + \
            (_time_missing(time, name, unit, period, say) if time is not None else [])
    where = sources.get((unit, period, name), "") if origin == "reported" else ""
    out = [say("figure", id=name, value=say.n(value), origin=say.origin[origin],
               where=where)]
    if origin == "reported":
        out += _records_lines(ev, name, unit, period, value, say)
    if origin in ("derived_time", "restated") and time is not None:   # restated: pieces
        out += _time_lines(ev, name, unit, period, value, say)
    if origin == "rolled_up":
        for child in children.get(unit, []):
            child_value, child_origin = values.get((child, name), (None, None))
            child_where = sources.get((child, period, name), "") \
                if child_origin == "reported" else f" ({say.origin[child_origin]})"
            out.append(say("child", unit=child, value=say.n(child_value), where=child_where))
    return out


def _records_lines(ev: Evaluation, name: str, unit: str, period: str, value: float,
                   say: _Say) -> list[str]:
    """A figure counted from records: the SQL its engine ran (narrowed to this period),
    and the row of its result that gave the figure."""
    info = ev.figures.records
    query = info.queries.get(name) if info is not None else None
    if query is None:
        return []
    head = _("    counted from records '{source}' by {engine}; the SQL of this figure (run "
             "in one pass with the metrics placed by the same date):").format(
        source=query.source, engine=query.engine)
    row = _("    its row for unit {unit}, period {period}: {value}").format(
        unit=unit, period=period, value=say.n(value))
    said = next((c for c in info.counting if c["source"] == query.source
                 and c.get("asked") is not None), None) if info is not None else None
    narrowed = [] if said is None else [_(
        "    narrowed to what {asked} needs: {count} of {every} periods counted ({periods})"
        ).format(asked=", ".join(said["asked"]), count=len(said["needed"]),
                 every=said["periods"], periods=", ".join(said["needed"]))]
    return [head, *("      " + line for line in query.sql(period).splitlines()), row,
            *narrowed]


def _time_lines(ev: Evaluation, name: str, unit: str, period: str, value: float, say: _Say
                ) -> list[str]:
    """"2024 = 2024-Q1 + … = 100 + …", or the first/last part, or a difference."""
    if ev.time is None:   # nothing was derived over time
        return []
    rows = ev.time.how.filter((pl.col("unit") == unit) & (pl.col("period") == period)
                              & (pl.col("metric") == name))
    if not rows.height:
        return []
    how, parts, numbers = rows.select("how", "parts", "values").row(0)
    over = ev.ruleset.model.metrics[name].over_time
    if how == "tile" and over is not None and over != "sum":
        which = say.pick[over]
        return [say("time_pick", period=period, which=which, parts=", ".join(parts),
                    pick=parts[0] if over == "first" else parts[-1], value=say.n(value))]
    if how == "difference":
        head, *rest = parts
        text = head + "".join(" − " + p for p in rest)
        shown = say.n(numbers[0]) + "".join(" − " + say.n(v) for v in numbers[1:])
    else:
        text = " + ".join(parts)
        shown = " + ".join(say.n(v) for v in numbers)
    moved = ev.time.restated.filter((pl.col("unit") == unit) & (pl.col("period") == period)
                                    & (pl.col("metric") == name))
    return [say("time", period=period, parts=text, values=f"{shown} = {say.n(value)}"),
            *(say("time_territory", part=part, territory=territory, period=period)
              for part, territory in moved.select("part", "territory").iter_rows()
              if territory)]


def _time_missing(time, name: str, unit: str, period: str, say: _Say) -> list[str]:
    rows = time.missing(unit, period).filter(pl.col("metric") == name)
    if not rows.height:
        return []
    return [say("time_missing", parts=", ".join(rows["absent"][0].to_list()))]


def _baseline_lines(ev: Evaluation, target, r: dict, say: _Say) -> list[str]:
    baseline = target.baseline
    if baseline is None:
        return [say("no_baseline")]
    base, period = r["baseline_value"], r["baseline_period"]   # a relative one resolved
    key = "baseline_given" if baseline.value is not None else "baseline_data"
    shown = say("relative", which=say(baseline.period), period=r["period"], base=period) \
        if is_relative(baseline.period) else period
    if r.get("origin") == "not_restated":   # v3 §6: a figure that cannot be summed
        unsummable = [m for m in sorted(ev.ruleset.raw_inputs.get(
            target.metric, frozenset({target.metric})))
            if ev.ruleset.model.metrics[m].unit not in SUMMABLE_UNITS]
        out = [say("not_restated", base=shown, value=say.n(base), period=r["period"],
                   unit=r["unit"], metrics=", ".join(unsummable),
                   left_out=", ".join(r["territory"].split(" + ")[1:]))]
    elif r.get("territory") and not r.get("territory_changed"):   # spec §6
        out = [say("restated", base=shown, value=say.n(base), period=r["period"],
                   members=_members(ev, target.metric, period, r["territory"], say))]
    else:
        out = [say(key, period=shown, value=say.n(base))]
    if r.get("territory_changed"):   # spec §6: a split, no automatic restatement
        out.append(say("territory_changed", day=r["territory_changed"]))
    if r.get("field") is not None:   # v3 §7: ranks of fields of different sizes
        out.append(say("fields", rank=say.n(r["raw"]), field=say.n(r["field"]),
                       share=say.fmt.number(r["share"], 1), base=period,
                       base_rank=say.n(base), base_field=say.n(r["base_field"]),
                       base_share=say.fmt.number(r["base_share"], 1)))
    if target.change and r["actual"] is not None and base is not None:
        out.append(say(f"change_{target.change}", value=say.n(r["raw"]), base=say.n(base),
                       actual=say.n(r["actual"])))
    return out


def _members(ev: Evaluation, metric: str, period: str, territory: str, say: _Say) -> str:
    """"tuyen-quang 16,000 + ha-giang 19,000" for a summed metric that each unit has for the
    base period, else the units alone (a rate is computed from the sums, not added)."""
    values = _values_at(ev, period)
    # explain evaluates its own period only; the base period's figures are the reported ones
    reported = ev.figures.values.filter(pl.col("period") == period)
    for u, m, v in reported.select("unit", "metric", "value").iter_rows():
        values.setdefault((u, m), (v, "reported"))
    units = territory.split(" + ")
    spec = ev.ruleset.model.metrics[metric]
    if spec.formula is None and spec.unit in SUMMABLE_UNITS \
            and all((u, metric) in values for u in units):
        return " + ".join(f"{u} {say.n(values[(u, metric)][0])}" for u in units)
    return territory


def _milestone_lines(target, r: dict, say: _Say) -> list[str]:
    listed = ", ".join(f"{_cond(m.op, m.value, say)} ({m.by})"
                       for _, m in ordered_milestones(target))
    deadline = parse_period(r["deadline"]).end
    last = parse_period(r["period"]).end > deadline
    out = [say("milestones", list=listed),
           say("chosen_last" if last else "chosen", op=OP_SIGNS.get(r["op"], r["op"]),
               value=_value(r["threshold"], r["threshold_high"], say), by=r["deadline"],
               deadline=say.fmt.date(deadline))]
    if r["status"] == Status.NOT_APPLICABLE:
        return out
    trajectory = Trajectory(r["trajectory"])
    relative = target.baseline is not None and is_relative(target.baseline.period)
    if trajectory is Trajectory.EVERY_PERIOD:
        out.append(say("every_period", start=_held_from(target, r)))
    elif relative and trajectory is Trajectory.NO_START and r["milestone"] == \
            ordered_milestones(target)[0][0]:
        out.append(say("relative_trajectory"))
    elif trajectory is Trajectory.NONE_FOR_OP:
        out.append(say("no_trajectory_op", op=r["op"]))
    elif trajectory is Trajectory.NOT_STARTED:
        out.append(say("before_baseline", period=r["baseline_period"]))
    elif trajectory is Trajectory.NO_START:
        out.append(say("no_trajectory"))
    else:
        out.append(say("trajectory", start=say.n(r["start_value"]), goal=say.n(r["threshold"]),
                       done=r["days_done"], total=r["days_total"],
                       expected=say.n(r["expected"]), anchor=r["start_period"],
                       end=r["period"]))
    return out


def _held_from(target: Target, r: dict) -> str | None:
    return held_since(target, target.milestones[r["milestone"]])


def _cond(op: str, value, say: _Say) -> str:
    low, high = value if op == "between" else (value, None)
    return threshold_text(op, low, high, None, say.fmt, digits=say.DIGITS)


def _value(low: float, high: float | None, say: _Say) -> str:
    return threshold_text(None, low, high, None, say.fmt, digits=say.DIGITS)


def _reason(ev: Evaluation, target, r: dict, values, say: _Say) -> str:
    status = Reason(r["reason"]).status
    fields = {"actual": say.n(r["actual"]), "op": OP_SIGNS.get(r["op"], "∈"),
              "threshold": _value(r["threshold"], r["threshold_high"], say),
              "expected": say.n(r["expected"]), "by": r["deadline"]}
    if status is Status.NO_DATA:
        raw = sorted(ev.ruleset.raw_inputs.get(target.metric, frozenset({target.metric})))
        missing = [m for m in raw if (r["unit"], m) not in values]
        if target.change and r["baseline_value"] is None:
            missing.append(f"{target.metric} ({r['baseline_period']})")
        fields["missing"] = ", ".join(missing) or target.metric
    if status is Status.NOT_APPLICABLE:
        fields["level"] = r["level"]
        fields["levels"] = ", ".join(target.levels or [])
    if r["reason"] == Reason.NOT_MET_EVERY_PERIOD:
        return say("not_met_every_period", start=_held_from(target, r), **fields)
    if r["reason"] == Reason.DECLARED:
        return say("declared", metrics=", ".join(_declared_by(ev, target, r)) or target.metric)
    if r["reason"] == Reason.BEFORE_BASELINE:
        return say("na_before_baseline", base=r["baseline_period"])
    return say(status.value, **fields)


def _declared_by(ev: Evaluation, target, r: dict) -> list[str]:
    """The raw figures the unit declared `n/a` that the target's metric uses, with where."""
    declared = ev.declared if ev.declared is not None else None
    if declared is None:
        return []
    uses = {target.metric, *ev.ruleset.raw_inputs.get(target.metric, ())}
    mine = declared.filter((pl.col("unit") == r["unit"]) & (pl.col("period") == r["period"])
                           & pl.col("metric").is_in(list(uses)))["metric"].to_list()
    found = ev.figures.declared.filter((pl.col("unit") == r["unit"])
                                       & (pl.col("period") == r["period"]))
    places = {m: f"{f}:{line}" for m, f, line in found.select("metric", "file", "line").rows()}
    raw = sorted(m for m in mine if m != target.metric or m not in ev.ruleset.formulas)
    return [f"{m} ({places[m]})" if m in places else m for m in raw]


def _needed_line(ev: Evaluation, target, r: dict, values, say: _Say) -> str:
    parts = ratio_parts(ev.ruleset.formulas[target.metric])
    assert parts is not None   # a result has `needed` only when its metric is a ratio
    numerator, denominator, _ = parts
    known = {m: v for (u, m), (v, _) in values.items() if u == r["unit"]}
    # the denominator's inputs are known: `needed` was computed from them
    den = say.n(float(cast(Fraction, evaluate_exact(denominator, known))))
    key = "needed_more" if r["needed"] >= 0 else "needed_less"
    return say(key, needed=say.n(abs(r["needed"])), numerator=to_text(numerator),
               den=den, op=OP_SIGNS.get(r["op"], "∈"),
               threshold=_value(r["threshold"], r["threshold_high"], say))
