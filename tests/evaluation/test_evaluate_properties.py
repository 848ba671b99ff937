"""Evaluate stage laws (hypothesis): determinism, monotonicity of `>=`, roll-up of rates as
summed counts, and exactly one status per target × unit × period with data."""
from __future__ import annotations

import polars as pl
import pytest
import yaml
from factory import metrics
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_rules import evaluate
from cchc_rules.domain import STATUSES
from cchc_rules.figures.data import Figures
from cchc_rules.figures.units import Unit
from cchc_rules.render import FORMATS
from cchc_rules.ruleset import load_ruleset

RULESET = {
    "ruleset": "laws", "title": "Luật",
    "metrics": metrics("received", "received_online", "online_rate"),
    "checks": [{"id": "online-within", "assert": "received_online <= received"}],
    "targets": [
        {"id": "GE", "title": "≥", "area": "procedures", "metric": "online_rate",
         "baseline": {"period": "2021", "value": 12},
         "milestones": [{"by": "2024-Q2", "op": ">=", "value": 50},
                        {"by": "2025", "op": ">=", "value": 80}]},
        {"id": "LE", "title": "≤", "area": "procedures", "metric": "online_rate",
         "levels": ["province"], "milestones": [{"by": "2025", "op": "<=", "value": 30}]},
        {"id": "CHANGE", "title": "Δ", "area": "procedures", "metric": "received",
         "change": "percent", "baseline": {"period": "2024-Q1"},
         "milestones": [{"by": "2025", "op": ">=", "value": 10}]},
        {"id": "RANGE", "title": "[]", "area": "procedures", "metric": "online_rate",
         "milestones": [{"by": "2024-Q3", "op": "between", "value": [20, 40]}]},
    ],
}
UNITS = {"p": Unit("p", "Tỉnh P", "province"),
         **{f"d{i}": Unit(f"d{i}", f"Huyện {i}", "district", "p") for i in range(4)},
         "x": Unit("x", "Không rõ cấp")}
PERIODS = ["2024-Q1", "2024-Q2", "2024-Q3", "2025"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    path = tmp_path_factory.mktemp("laws") / "laws.yaml"
    path.write_text(yaml.safe_dump(RULESET, allow_unicode=True), "utf-8")
    return load_ruleset(path)


def figures(rows: list[tuple[str, str, str, float]]) -> Figures:
    frame = pl.DataFrame(
        {"unit": [r[0] for r in rows], "period": [r[1] for r in rows],
         "metric": [r[2] for r in rows], "value": [float(r[3]) for r in rows],
         "file": ["d.csv"] * len(rows), "line": list(range(2, len(rows) + 2)),
         "source": [None] * len(rows)},
        schema={"unit": pl.String, "period": pl.String, "metric": pl.String,
                "value": pl.Float64, "file": pl.String, "line": pl.Int64, "source": pl.String})
    return Figures(frame, UNITS, [])


@st.composite
def reports(draw) -> list[tuple[str, str, str, float]]:
    """Random (unit, period) reports of received and online counts, some left out."""
    rows = []
    for unit in draw(st.lists(st.sampled_from(sorted(UNITS)), min_size=1, max_size=6,
                              unique=True)):
        for period in draw(st.lists(st.sampled_from(PERIODS), min_size=1, unique=True)):
            received = draw(st.integers(0, 5000))
            if draw(st.booleans()):
                rows.append((unit, period, "received", received))
            if draw(st.integers(0, 4)):
                rows.append((unit, period, "received_online", draw(st.integers(0, received))))
    return rows


LAWS = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@LAWS
@given(rows=reports(), seed=st.randoms(use_true_random=False))
def test_same_figures_in_any_order_give_the_same_bytes(loaded, rows, seed):
    first = FORMATS["json"](evaluate(loaded, figures(rows)))
    shuffled = list(rows)
    seed.shuffle(shuffled)
    assert FORMATS["json"](evaluate(loaded, figures(shuffled))) == first
    assert FORMATS["json"](evaluate(loaded, figures(rows))) == first


@LAWS
@given(rows=reports())
def test_one_status_per_target_unit_period_with_data(loaded, rows):
    ev = evaluate(loaded, figures(rows))
    keys = ev.values.select("unit", "period").unique()
    assert ev.results.height == keys.height * len(RULESET["targets"])
    assert ev.results.select("target", "unit", "period").is_unique().all()
    assert set(ev.results["status"].to_list()) <= set(STATUSES)
    assert ev.results["status"].null_count() == 0
    assert ev.checks.height == keys.height


@LAWS
@given(received=st.integers(1, 10_000), share=st.floats(0, 1), more=st.integers(1, 10_000),
       period=st.sampled_from(PERIODS))
def test_raising_the_actual_never_turns_met_into_not_met(loaded, received, share, more,
                                                        period):
    online = int(received * share)
    before = evaluate(loaded, figures([("x", period, "received", received),
                                       ("x", period, "received_online", online)]),
                      targets=["GE"])
    after = evaluate(loaded, figures([("x", period, "received", received),
                                      ("x", period, "received_online", online + more)]),
                     targets=["GE"])
    order = ["not_met", "off_track", "on_track", "met"]
    was, now = before.results["status"][0], after.results["status"][0]
    assert order.index(now) >= order.index(was)


@LAWS
@given(children=st.lists(st.tuples(st.integers(1, 5000), st.floats(0, 1)), min_size=4,
                         max_size=4))
def test_rolled_up_rate_is_summed_numerators_over_summed_denominators(loaded, children):
    rows = []
    for i, (received, share) in enumerate(children):
        rows += [(f"d{i}", "2024-Q1", "received", received),
                 (f"d{i}", "2024-Q1", "received_online", int(received * share))]
    ev = evaluate(loaded, figures(rows), units=["p"], targets=["LE"])
    expected = sum(int(r * s) for r, s in children) / sum(r for r, _ in children) * 100
    assert ev.results["actual"][0] == pytest.approx(expected)
    # one child missing: no roll-up, so the province has no data at all
    ev = evaluate(loaded, figures(rows[2:]), targets=["LE"])
    assert "p" not in ev.results["unit"].to_list()
