"""The shipped rulesets: every `rulesets/**/*.test.yaml` case as one pytest test, and the
coverage rule that each target is seen at least once met and once not met (or off track)."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from cchc_rules import testing
from cchc_rules.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
RULESETS = ROOT / "rulesets"
FILES = testing.collect([RULESETS])
CASES = list(testing.select(FILES))
SHORT = {"not_met", "off_track"}


def _case_id(item: tuple[testing.TestFile, testing.Case]) -> str:
    test_file, case = item
    return f"{test_file.path.relative_to(RULESETS)}::{case.name}"


@pytest.mark.parametrize("item", CASES, ids=[_case_id(c) for c in CASES])
def test_case(item: tuple[testing.TestFile, testing.Case]) -> None:
    result = testing.run_case(*item)
    assert result.status == "pass", result.describe()


@pytest.mark.parametrize("test_file", [f for f in FILES if list(
    load_ruleset(f.ruleset).model.targets)], ids=lambda f: f.path.name)
def test_every_target_seen_met_and_not_met(test_file: testing.TestFile) -> None:
    statuses: dict[str, set[str]] = defaultdict(set)
    for case in test_file.cases:
        if case.model.skip is None:
            for want in case.model.expect:
                if want.target and want.status:
                    statuses[want.target].add(want.status)
    ids = [t.id for t in load_ruleset(test_file.ruleset).model.targets]
    never_met = [i for i in ids if "met" not in statuses[i]]
    never_short = [i for i in ids if not statuses[i] & SHORT]
    assert not never_met, f"never expected met: {never_met}"
    assert not never_short, f"never expected not_met/off_track: {never_short}"


def test_every_shipped_ruleset_has_tests_and_sources() -> None:
    tested = {f.ruleset.resolve() for f in FILES}
    for path in sorted(RULESETS.rglob("*.yaml")):
        if path.name.endswith(".test.yaml") or path.name.startswith("units-"):
            continue  # units-*.yaml: unit lists (--units), not rulesets
        loaded = load_ruleset(path)
        if loaded.model.targets:
            assert path.resolve() in tested, f"{path} has targets but no .test.yaml"
        missing = [t.id for t in loaded.model.targets if not t.source]
        assert not missing, f"{path}: targets without a source: {missing}"
        assert path.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=../../schema/ruleset.schema.json"), path


def test_tuyen_quang_restates_national_targets_by_id() -> None:
    national = load_ruleset(RULESETS / "national/nq76-2021-2030.yaml").model
    province = load_ruleset(RULESETS / "tuyen-quang/cchc-2021-2030.yaml").model
    ids = {t.id: t for t in province.targets}
    assert {t.id for t in national.targets} <= set(ids)
    payment = ids["NQ76-THANH-TOAN"]
    assert [(m.by, m.value) for m in payment.milestones] == [("2025", 80), ("2030", 100)]
    levels = {t.id: t.levels for t in province.targets if t.metric == "work_records_online_rate"}
    assert levels == {"CQS-08": ["province"], "CQS-09": ["district"], "CQS-10": ["commune"]}


def test_shipped_rulesets_match_the_published_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "schema/ruleset.schema.json").read_text(encoding="utf-8"))
    for path in sorted(RULESETS.rglob("*.yaml")):
        if not path.name.endswith(".test.yaml") and not path.name.startswith("units-"):
            jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
