"""Schema: strict types, unknown keys with suggestions, positions, and the draft-7 JSON Schema."""
from __future__ import annotations

import copy
import glob
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from cchc_rules.load import load_yaml
from cchc_rules.ruleset import load_ruleset
from cchc_rules.ruleset.schema import Ruleset, json_schema, validate_doc
from tests.conftest import BASE_RULESET

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema" / "ruleset.schema.json"


def problems_of(path: Path):
    model, problems = validate_doc(load_yaml(path))
    assert model is None and problems
    return problems


def test_base_ruleset_is_valid(make_ruleset):
    model, problems = validate_doc(load_yaml(make_ruleset()))
    assert problems == [] and isinstance(model, Ruleset)
    assert model.checks[0].assert_.startswith("received ==")
    assert model.targets[0].milestones[1].value == 80.0
    assert model.targets[1].weight == 1


def test_number_written_as_text(make_ruleset):
    path = make_ruleset(text=(
        "ruleset: r\ntitle: t\nmetrics:\n  rate: {label: r, unit: percent}\ntargets:\n"
        "  - id: T1\n    title: t\n    area: procedures\n    metric: rate\n    milestones:\n"
        "      - {by: \"2030\", op: \">=\", value: tám mươi}\n      - {by: \"2031\", op: \">=\", "
        "value: \"80\"}\n"))
    first, second = problems_of(path)
    assert first.format() == (f"{path}:11:39: error SCH01 'value' must be a number, got "
                              "'tám mươi'")
    assert second.code == "SCH01" and "got '80'" in second.message and second.pos.line == 12


def test_unknown_key_with_did_you_mean_at_the_key(make_ruleset, base_ruleset):
    target = base_ruleset["targets"][0]
    target["milestone"] = target.pop("milestones")
    problems = problems_of(make_ruleset(targets=base_ruleset["targets"]))
    unknown = next(p for p in problems if p.code == "SCH02")
    assert unknown.message == "unknown key 'milestone'"
    assert unknown.hint == "did you mean 'milestones'?"
    missing = next(p for p in problems if p.code == "SCH03")
    assert "'milestones'" in missing.message and missing.hint == "in targets[0]"


def test_unknown_top_level_key_lists_known_keys(make_ruleset):
    (problem,) = problems_of(make_ruleset(zzz=1))
    assert problem.code == "SCH02" and "known keys: ruleset, title" in problem.hint


@pytest.mark.parametrize("field, value, code, fragment", [
    ("area", "procedure", "SCH04", "did you mean 'procedures'?"),
    ("op", "=>", "SCH04", "did you mean '>='?"),
    ("unit", "percentage", "SCH04", "did you mean 'percent'?"),
    ("change", "percentage", "SCH04", "did you mean 'percent'?"),
])
def test_choices_suggest_the_near_one(make_ruleset, base_ruleset, field, value, code, fragment):
    target = base_ruleset["targets"][0]
    if field == "op":
        target["milestones"][0]["op"] = value
    elif field == "unit":
        base_ruleset["metrics"]["received"]["unit"] = value
    else:
        target[field] = value
    (problem,) = problems_of(make_ruleset(**base_ruleset))
    assert problem.code == code and problem.hint == fragment, problem


@pytest.mark.parametrize("overrides, code, fragment", [
    ({"ruleset": "Tuyen Quang"}, "SCH05", "lowercase letters, digits and '-'"),
    ({"ruleset": "tq-"}, "SCH05", "lowercase"),
    ({"title": 2024}, "SCH01", "'title' must be text, got 2024"),
    ({"title": "  "}, "SCH07", "must not be empty"),
    ({"metrics": {"class": {"label": "x", "unit": "count"}}}, "SCH05", "metric id"),
    ({"metrics": {"tỷ_lệ": {"label": "x", "unit": "count"}}}, "SCH05", "metric id"),
    ({"metrics": [1, 2]}, "SCH01", "'metrics' must be a mapping"),
    ({"checks": {"id": "c"}}, "SCH01", "'checks' must be a list"),
    ({"extends": "../a.yaml"}, "SCH01", "'extends' must be a list"),
])
def test_top_level_types_and_ids(make_ruleset, overrides, code, fragment):
    problems = problems_of(make_ruleset(**overrides))
    assert any(p.code == code and fragment in p.message for p in problems), problems


@pytest.mark.parametrize("change, code, fragment", [
    ({"baseline": {"period": "2021-Q5"}}, "SCH06", "is not a period"),
    ({"milestones": [{"by": "2025-13", "op": ">=", "value": 1}]}, "SCH06", "'by'"),
    ({"milestones": []}, "SCH07", "'milestones' must not be empty"),
    ({"levels": []}, "SCH07", "'levels' must not be empty"),
    ({"levels": ["province", ""]}, "SCH07", "must not be empty"),
    ({"weight": -1}, "SCH07", "'weight' must be at least 0, got -1"),
    ({"weight": True}, "SCH01", "'weight' must be a number, got true"),
    ({"milestones": [{"by": "2025", "op": "between", "value": [1, 2, 3]}]}, "SCH01", "pair"),
    ({"milestones": [{"by": "2025", "op": ">=", "value": float("inf")}]}, "SCH01", "finite"),
])
def test_target_fields(make_ruleset, base_ruleset, change, code, fragment):
    base_ruleset["targets"][0].update(change)
    problems = problems_of(make_ruleset(targets=base_ruleset["targets"]))
    assert any(p.code == code and fragment in p.message for p in problems), problems
    assert all(p.pos.line > 1 for p in problems)


def test_root_must_be_a_mapping(make_ruleset):
    (problem,) = problems_of(make_ruleset(text="- a\n- b\n"))
    assert problem.code == "SCH01" and "mapping" in problem.message


def _walk(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, (*path, i))


def test_json_schema_uses_draft7_keywords_only():
    schema = json_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    for path, node in _walk(schema):
        for newer in ("$defs", "prefixItems", "dependentRequired", "unevaluatedProperties",
                      "$anchor", "$dynamicRef"):
            assert newer not in node, path
        if "$ref" in node:
            assert set(node) == {"$ref"}, path


def test_every_field_has_a_description():
    for name, definition in json_schema()["definitions"].items():
        assert definition.get("description"), name
        for field, spec in definition["properties"].items():
            assert spec.get("description"), f"{name}.{field}"
    for field, spec in json_schema()["properties"].items():
        assert spec.get("description"), field


def test_schema_file_is_in_sync_with_the_models():
    shipped = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert shipped == json_schema(), "run: .venv/bin/cchc schema > schema/ruleset.schema.json"


def test_json_schema_agrees_with_validation(make_ruleset, base_ruleset):
    validator = jsonschema.Draft7Validator(json_schema())
    assert not list(validator.iter_errors(load_yaml(make_ruleset()).data))
    target = base_ruleset["targets"][0]
    target["milestones"][0] = {"by": "2025", "op": "between", "value": 50}
    target["area"] = "procedure"
    base_ruleset["metrics"]["bad id"] = {"label": "x", "unit": "count"}
    errors = list(validator.iter_errors(load_yaml(make_ruleset(**base_ruleset)).data))
    assert len(errors) >= 3


def _check_jsonschema() -> str | None:
    found = Path(sys.executable).parent / "check-jsonschema"
    return str(found) if found.exists() else shutil.which("check-jsonschema")


def test_check_jsonschema_accepts_shipped_and_fixture_rulesets(make_ruleset, tmp_path):
    tool = _check_jsonschema()
    assert tool, "check-jsonschema is a dev dependency"
    shipped = [f for f in glob.glob(str(ROOT / "rulesets" / "**" / "*.yaml"), recursive=True)
               if not f.endswith(".test.yaml") and not Path(f).name.startswith("units-")]
    files = [*shipped, str(make_ruleset())]
    run = subprocess.run([tool, "--schemafile", str(SCHEMA_FILE), *files],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    bad = make_ruleset(name="bad.yaml", ruleset="Bad Id")
    run = subprocess.run([tool, "--schemafile", str(SCHEMA_FILE), str(bad)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr


def test_unquoted_year_is_the_same_period_as_quoted(make_ruleset):
    quoted = load_ruleset(make_ruleset(name="quoted.yaml"))
    target = copy.deepcopy(BASE_RULESET["targets"][0])
    target["baseline"] = {"period": 2021, "value": 12}
    target["milestones"] = [{"by": 2025, "op": ">=", "value": 50}]
    unquoted = load_ruleset(make_ruleset(name="unquoted.yaml", targets=[target]))
    want = quoted.model.targets[0]
    got = unquoted.model.targets[0]
    assert (got.baseline.period, got.milestones[0].by) == (want.baseline.period, "2025")
