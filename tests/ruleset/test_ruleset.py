"""Ruleset validation: extends, formulas, dependency order, semantic rules, robustness."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from factory import BASE_RULESET, dump
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_rules import expr
from cchc_rules.errors import CchcError, Position
from cchc_rules.ruleset import LoadedRuleset, load_ruleset


def problems_of(path: Path):
    with pytest.raises(CchcError) as info:
        load_ruleset(path)
    return info.value.problems


def test_base_ruleset_loads(make_ruleset):
    path = make_ruleset()
    loaded = load_ruleset(path)
    assert isinstance(loaded, LoadedRuleset)
    assert loaded.files == (path,)
    assert set(loaded.formulas) == {"online_rate"} and loaded.order == ("online_rate",)
    assert isinstance(loaded.asserts["received-breakdown"], expr.Compare)
    assert loaded.raw_inputs["online_rate"] == {"received", "received_online"}
    assert loaded.raw_inputs["received"] == {"received"}
    assert [t.id for t in loaded.model.targets] == ["TTHC-06", "TCBM-02"]
    f = str(path)
    assert loaded.positions["formula:online_rate"].line > 1
    assert loaded.positions["target:TTHC-06"].file == f
    assert loaded.positions["target:TTHC-06:milestone:1"].line > \
        loaded.positions["target:TTHC-06:milestone:0"].line
    assert loaded.positions["metric:received"] == Position(f, 5, 3)


def test_derived_order_puts_dependencies_first(make_ruleset, base_ruleset):
    metrics = base_ruleset["metrics"]
    metrics["late_rate"] = {"label": "l", "unit": "percent", "formula": "100 - online_rate"}
    metrics["score"] = {"label": "s", "unit": "score", "formula": "min(late_rate, online_rate)"}
    loaded = load_ruleset(make_ruleset(metrics=metrics))
    order = loaded.order
    assert order.index("online_rate") < order.index("late_rate") < order.index("score")
    assert loaded.raw_inputs["score"] == {"received", "received_online"}


def write_parent(tmp_path: Path) -> Path:
    parent = tmp_path / "national" / "nq76.yaml"
    parent.parent.mkdir()
    parent.write_text(dump(BASE_RULESET | {"ruleset": "nq76"}), encoding="utf-8")
    return parent


def test_extends_child_replaces_by_id_and_adds(make_ruleset, tmp_path):
    parent = write_parent(tmp_path)
    child = make_ruleset(name="tuyen-quang/plan.yaml", text=dump({
        "ruleset": "tuyen-quang", "title": "Đề án CCHC tỉnh Tuyên Quang",
        "extends": ["../national/nq76.yaml"],
        "metrics": {"online_rate": {"label": "Tỷ lệ (mới)", "unit": "percent",
                                    "formula": "received_online / (received - carried_over) "
                                               "* 100"}},
        "targets": [{"id": "TTHC-06", "title": "Stricter", "area": "procedures",
                     "metric": "online_rate", "milestones": [{"by": "2025", "op": ">=",
                                                              "value": 60}]},
                    {"id": "TQ-01", "title": "New", "area": "digital_government",
                     "metric": "received_online",
                     "milestones": [{"by": "2025", "op": ">=", "value": 1000}]}]}))
    loaded = load_ruleset(child)
    assert loaded.model.ruleset == "tuyen-quang"
    assert loaded.files[0] == child and loaded.files[1].resolve() == parent.resolve()
    assert [t.id for t in loaded.model.targets] == ["TTHC-06", "TCBM-02", "TQ-01"]
    assert loaded.model.targets[0].milestones[0].value == 60
    assert loaded.raw_inputs["online_rate"] == {"received", "received_online", "carried_over"}
    assert loaded.positions["target:TTHC-06"].file == str(child)
    assert loaded.positions["target:TCBM-02"].file.endswith("nq76.yaml")
    assert "received-breakdown" in loaded.asserts


def test_extends_cycle_reported_at_the_entry(make_ruleset):
    make_ruleset(name="a.yaml", text="ruleset: a\ntitle: A\nextends:\n  - b.yaml\n")
    path = make_ruleset(name="b.yaml", text="ruleset: b\ntitle: B\nextends: [a.yaml]\n")
    (problem,) = problems_of(path)
    assert problem.code == "EXT02" and "b.yaml → a.yaml → b.yaml" in problem.message
    assert problem.pos.file.endswith("a.yaml") and (problem.pos.line, problem.pos.col) == (4, 5)


def test_extends_self_and_missing_parent(make_ruleset):
    path = make_ruleset(text="ruleset: a\ntitle: A\nextends: [ruleset.yaml, nope.yaml]\n")
    first, second = problems_of(path)
    assert first.code == "EXT02" and (first.pos.line, first.pos.col) == (3, 11)
    assert second.code == "EXT01" and "'nope.yaml' not found" in second.message
    assert (second.pos.line, second.pos.col) == (3, 25)


def test_problems_in_a_parent_point_into_the_parent(make_ruleset, tmp_path):
    (tmp_path / "p.yaml").write_text("ruleset: p\ntitle: P\nmetric: {}\n", encoding="utf-8")
    (problem,) = problems_of(make_ruleset(extends=["p.yaml"]))
    assert problem.pos.file.endswith("p.yaml") and problem.hint == "did you mean 'metrics'?"


@pytest.mark.parametrize("formula", [
    "received.__class__", "__import__('os').system('touch pwned')", "lambda: 1",
    "received[0]", "'abc'", "pow(received, 2)", "received ** 2", "received if 1 else 0",
    "received == 1", "open('x')",
])
def test_refused_formula_constructs(make_ruleset, base_ruleset, formula, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base_ruleset["metrics"]["online_rate"]["formula"] = formula
    path = make_ruleset(metrics=base_ruleset["metrics"])
    line = 1 + path.read_text(encoding="utf-8").splitlines().index(
        next(t for t in path.read_text(encoding="utf-8").splitlines() if "formula:" in t))
    problems = problems_of(path)
    assert problems and all(p.code.startswith("FRM") for p in problems), problems
    assert all(p.pos.file == str(path) and p.pos.line == line for p in problems), problems
    assert not (tmp_path / "pwned").exists()


def test_unknown_metric_in_formula_points_at_the_name(make_ruleset):
    path = make_ruleset(text=(
        "ruleset: r\ntitle: t\nmetrics:\n  received: {label: r, unit: count}\n"
        "  rate: {label: r, unit: percent, formula: \"tong_so_online / received * 100\"}\n"))
    (problem,) = problems_of(path)
    assert problem.code == "SEM05" and problem.message == "unknown metric 'tong_so_online'"
    assert (problem.pos.line, problem.pos.col) == (5, 45)
    assert problem.hint == "declare it under 'metrics'"


def test_unknown_metric_in_target_and_assert_suggests(make_ruleset, base_ruleset):
    base_ruleset["targets"][0]["metric"] = "onlin_rate"
    base_ruleset["checks"][0]["assert"] = "recieved == received_online"
    problems = problems_of(make_ruleset(**base_ruleset))
    assert {(p.code, p.hint) for p in problems} == {
        ("SEM05", "did you mean 'online_rate'?"), ("SEM05", "did you mean 'received'?")}


def test_assert_must_compare(make_ruleset, base_ruleset):
    base_ruleset["checks"][0]["assert"] = "received + 1"
    (problem,) = problems_of(make_ruleset(**base_ruleset))
    assert problem.code == "FRM05"


def test_derived_cycle_reported_at_each_formula(make_ruleset):
    path = make_ruleset(text=(
        "ruleset: cycle\ntitle: t\nmetrics:\n  a: {label: A, unit: count}\n"
        "  b: {label: B, unit: ratio, formula: c * 2}\n"
        "  c: {label: C, unit: ratio, formula: b + a}\n"))
    problems = problems_of(path)
    assert [(p.code, p.pos.line) for p in problems] == [("FRM20", 5), ("FRM20", 6)]


def test_duplicate_ids(make_ruleset, base_ruleset):
    base_ruleset["targets"].append(copy.deepcopy(base_ruleset["targets"][0]))
    base_ruleset["checks"].append(copy.deepcopy(base_ruleset["checks"][0]))
    problems = problems_of(make_ruleset(**base_ruleset))
    assert sorted(p.message for p in problems) == [
        "duplicate check id 'received-breakdown'", "duplicate target id 'TTHC-06'"]
    assert all(p.code == "SEM01" and "first used at line" in p.hint for p in problems)


@pytest.mark.parametrize("milestones, code, fragment", [
    ([{"by": "2025", "op": "between", "value": 50}], "SEM02", "takes value: [low, high]"),
    ([{"by": "2025", "op": "between", "value": [60, 50]}], "SEM02", "low end 60 is above"),
    ([{"by": "2025", "op": ">=", "value": [50, 60]}], "SEM02", "takes one number"),
    ([{"by": "2030", "op": ">=", "value": 80}, {"by": "2025", "op": ">=", "value": 50}],
     "SEM03", "'2025' must end after the milestone by '2030'"),
    ([{"by": "2025", "op": ">=", "value": 50}, {"by": "2025-Q4", "op": ">=", "value": 60}],
     "SEM03", "must end after"),
    ([{"by": "2021-H2", "op": ">=", "value": 50}], "SEM03", "after the baseline"),
    ([{"by": "2021", "op": ">=", "value": 50}], "SEM03", "after the baseline"),
    ([{"by": "2025", "op": ">=", "value": 150}], "SEM04", "150 is outside 0–100"),
    ([{"by": "2025", "op": "between", "value": [-5, 50]}], "SEM04", "-5 is outside 0–100"),
])
def test_milestone_rules(make_ruleset, base_ruleset, milestones, code, fragment):
    base_ruleset["targets"][0]["milestones"] = milestones
    (problem,) = problems_of(make_ruleset(**base_ruleset))
    assert problem.code == code and fragment in problem.message, problem
    assert problem.pos.line > 1


def test_between_and_percent_change_are_fine(make_ruleset, base_ruleset):
    target = base_ruleset["targets"][0]
    target["milestones"] = [{"by": "2025", "op": "between", "value": [50, 50]}]
    base_ruleset["targets"][1]["milestones"][0]["value"] = -150  # a change may pass 100
    load_ruleset(make_ruleset(**base_ruleset))


def test_change_needs_a_baseline(make_ruleset, base_ruleset):
    del base_ruleset["targets"][1]["baseline"]
    (problem,) = problems_of(make_ruleset(**base_ruleset))
    assert problem.code == "SEM06" and "needs a baseline" in problem.message


def test_every_problem_is_collected(make_ruleset, base_ruleset):
    base_ruleset["targets"][0]["metric"] = "nope"
    base_ruleset["targets"][1]["milestones"][0]["op"] = "between"
    base_ruleset["metrics"]["online_rate"]["formula"] = "received_online / nope"
    problems = problems_of(make_ruleset(**base_ruleset))
    assert sorted(p.code for p in problems) == ["SEM02", "SEM05", "SEM05"]


# Robustness: nothing a planner can write gives a traceback.

keys = st.sampled_from(["ruleset", "title", "metrics", "targets", "checks", "extends", "id",
                        "milestones", "value", "op", "by", "formula", "assert", "unit", "x"])
scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**30) | st.floats()
           | st.text(max_size=12) | st.sampled_from(["2025", "2021-Q1", ">=", "between",
                                                     "count", "a + b", "received", "../x.yaml"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(keys | st.text(max_size=5), inner, max_size=4),
                      max_leaves=20)


def assert_loads_or_positioned(path: Path) -> None:
    try:
        load_ruleset(path)
    except CchcError as err:
        assert err.problems
        for p in err.problems:
            assert p.pos is not None and p.pos.file and p.pos.line >= 1, p


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_random_documents_load_or_give_positioned_problems(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("doc") / "r.yaml"
    path.write_text(dump(data), encoding="utf-8")
    assert_loads_or_positioned(path)


def _paths(node, prefix=()):
    yield prefix
    items = node.items() if isinstance(node, dict) else \
        enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield from _paths(value, (*prefix, key))


@st.composite
def mutated(draw):
    data = copy.deepcopy(BASE_RULESET)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(keys)] = draw(values)
        else:
            parent[path[-1]] = draw(values)
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_rulesets_load_or_give_positioned_problems(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("mut") / "r.yaml"
    path.write_text(dump(data), encoding="utf-8")
    assert_loads_or_positioned(path)


def test_near_miss_level_is_a_warning(make_ruleset, base_ruleset):
    base_ruleset["targets"][0]["levels"] = ["province", "distric", "ministry"]
    loaded = load_ruleset(make_ruleset(**base_ruleset))
    (warning,) = loaded.warnings
    assert (warning.code, warning.severity, warning.hint) == (
        "SEM07", "warning", "did you mean 'district'?")
    base_ruleset["targets"][0]["metric"] = "nope"
    problems = problems_of(make_ruleset(**base_ruleset))
    assert [p.code for p in problems] == ["SEM05", "SEM07"]  # in file order


def test_percent_change_needs_a_non_zero_base(make_ruleset, base_ruleset):
    base_ruleset["targets"][1]["baseline"]["value"] = 0
    (problem,) = problems_of(make_ruleset(**base_ruleset))
    assert problem.code == "SEM06" and "baseline value of 0" in problem.message


def test_percent_baseline_is_checked_even_with_change(make_ruleset, base_ruleset):
    target = base_ruleset["targets"][0]
    target["change"] = "absolute"
    target["baseline"]["value"] = 120
    (problem,) = problems_of(make_ruleset(**base_ruleset))
    assert problem.code == "SEM04" and problem.pos.line > 1
