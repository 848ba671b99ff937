"""`cchc lint`: one finding per style rule, silencing with `# cchc: disable=`, exit codes and
the JSON form."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import dump, metrics

from cchc_rules.cli import main
from cchc_rules.pipeline import Session
from cchc_rules.ruleset.lint import lint


def target(**extra):
    return {"id": "T1", "title": "Tỷ lệ trực tuyến tối thiểu 50%", "area": "procedures",
            "metric": "online_rate", "source": "Mục II.2",
            "baseline": {"period": "2021", "value": 12},
            "milestones": [{"by": "2025", "op": ">=", "value": 50}], **extra}


def ruleset(tmp_path: Path, targets=None, extra_metrics=None, text_after=None, **top) -> Path:
    doc = {"ruleset": "lint-thu", "title": "Thử", "source": "Kế hoạch 1/KH-UBND",
           "metrics": {**metrics("received", "received_online", "online_rate"),
                       **(extra_metrics or {})},
           "targets": [target()] if targets is None else targets, **top}
    text = dump(doc)
    if text_after:
        text = text_after(text)
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def codes(path: Path) -> list[str]:
    return [f"{p.pos.line}:{p.code}" for p in lint(Session().load_ruleset(path))]


def test_a_good_ruleset_is_clean_and_exits_0(tmp_path):
    path = ruleset(tmp_path)
    assert codes(path) == []
    result = CliRunner().invoke(main, ["lint", str(path)])
    assert (result.exit_code, result.stdout) == (0, f"ok {path}\n")


@pytest.mark.parametrize(("change", "code", "words"), [
    ({"targets": [target(source=None)]}, "LNT01", "target 'T1' has no source"),
    ({"extra_metrics": {"online_rate": {"label": "Tỷ lệ trực tuyến", "unit": "percent",
                                        "formula": "received_online / received"}}},
     "LNT02", "multiplies its ratio by 1, not 100"),
    ({"extra_metrics": {"online_rate": {"label": "Tỷ lệ trực tuyến", "unit": "percent",
                                        "formula": "received_online - received"}}},
     "LNT02", "'online_rate' is not a ratio of counts"),
    ({"targets": [target(baseline=None)]}, "LNT03", "has no baseline"),
    ({"extra_metrics": metrics("carried_over")}, "LNT04", "metric 'carried_over' is defined"),
    ({"targets": [target(title="Tối thiểu 80%")]}, "LNT05",
     "the title says 80%, the milestones say 12, 50"),
    ({"extra_metrics": {"late": {"label": "Tỷ lệ trễ hạn", "unit": "count"}},
      "targets": [target(), target(id="T2", metric="late", title="Trễ hạn",
                                   milestones=[{"by": "2025", "op": "<=", "value": 5}])]},
     "LNT06", "labelled as a rate ('Tỷ lệ trễ hạn') but its unit is count"),
    ({"source": None}, "LNT07", "ruleset 'lint-thu' names no source document"),
])
def test_each_rule_finds_its_mistake(tmp_path, change, code, words):
    path = ruleset(tmp_path, **change)
    result = CliRunner().invoke(main, ["lint", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [line for line in lines if f"warning {code} " in line and words in line], lines
    assert all(line.startswith(f"{path}:") for line in lines)


def test_a_disable_comment_silences_one_finding_on_its_line(tmp_path):
    path = ruleset(tmp_path, targets=[target(source=None, baseline=None)], text_after=lambda t:
                   t.replace("- id: T1\n", "- id: T1  # cchc: disable=LNT03 chưa có năm gốc\n"))
    assert [c.split(":")[1] for c in codes(path)] == ["LNT01"]


def test_json_format_and_an_invalid_ruleset_exits_2(tmp_path):
    path = ruleset(tmp_path, targets=[target(source=None)])
    result = CliRunner().invoke(main, ["lint", "--format", "json", str(path)])
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)
    assert finding["code"] == "LNT01" and finding["file"] == str(path) and finding["line"] > 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("ruleset: x\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["lint", str(bad)]).exit_code == 2


def test_findings_of_a_parent_belong_to_the_parent(tmp_path):
    parent = ruleset(tmp_path, extra_metrics=metrics("carried_over"))
    child = tmp_path / "child.yaml"
    child.write_text(dump({"ruleset": "con", "title": "Con", "source": "KH 2",
                           "extends": [parent.name]}), encoding="utf-8")
    assert codes(child) == []
    assert [c.split(":")[1] for c in codes(parent)] == ["LNT04"]


def test_the_starter_ruleset_is_clean():
    starter = Path(__file__).resolve().parents[2] / "cchc_rules" / "starter"
    assert codes(starter / "ke-hoach-cchc.yaml") == []


def test_a_display_only_metric_is_not_warned(tmp_path):
    shown = {"note": {"label": "Ghi chú", "unit": "count", "display_only": True}}
    unused = {"note": {"label": "Ghi chú", "unit": "count"}}
    assert codes(ruleset(tmp_path, extra_metrics=shown)) == []
    assert [c.split(":")[1] for c in codes(ruleset(tmp_path, extra_metrics=unused))] == ["LNT04"]


def test_a_folder_is_linted_as_validate_reads_it_and_the_shipped_rulesets_are_clean():
    """`cchc lint rulesets/` (issue 23): every ruleset under it, units files skipped; the
    shipped ones lint clean, each remaining finding silenced with its reason."""
    root = Path(__file__).resolve().parents[2] / "rulesets"
    done = CliRunner().invoke(main, ["lint", str(root)])
    assert done.exit_code == 0, done.output
    linted = [line for line in done.stdout.splitlines() if line.startswith("ok ")]
    assert len(linted) == len([p for p in root.rglob("*.yaml")
                               if not p.name.startswith("units-")
                               and not p.name.endswith(".test.yaml")])
    for path in root.rglob("*.yaml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "cchc: disable=" in line:
                assert line.split("cchc: disable=")[1].split(maxsplit=1)[1:], \
                    f"{path}: a silenced finding without its reason"
