"""The example data from the seeds: every file reads, every report cites its source, and the
demo evaluation gives the varied, honest picture `make demo` shows."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from cchc_rules import evaluate_files
from cchc_rules.figures.data import read_data

ROOT = Path(__file__).resolve().parents[1]
# Every data file under examples/ (the README's ruleset there is a ruleset, not data).
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*.yaml") if "ruleset:" not in
                  p.read_text(encoding="utf-8"))
DEMO = sorted((ROOT / "examples/demo").glob("*.yaml"))
DEMO_RULESET = ROOT / "rulesets/tuyen-quang/cchc-2021-2030.yaml"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_report_reads_and_cites_its_source(path: Path) -> None:
    figures = read_data([path] if "published" not in path.parts else [*DEMO, path])
    assert figures.values.height > 0
    for report in yaml.safe_load(path.read_text(encoding="utf-8"))["reports"]:
        assert len(report.get("source", "")) > 20, report


def test_constructed_figures_say_so() -> None:
    data = yaml.safe_load((ROOT / "examples/demo/minh-hoa-tuyen-quang.yaml").read_text(
        encoding="utf-8"))
    assert all("giả định" in unit["name"] for unit in data["units"])
    assert all("giả định" in report["source"] for report in data["reports"])


def test_make_demo_uses_these_files() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^DEMO_RULESET := rulesets/tuyen-quang/cchc-2021-2030\.yaml$", makefile,
                     re.M)
    assert "examples/demo/*.yaml" in makefile


def test_demo_shows_every_kind_of_outcome() -> None:
    evaluation = evaluate_files(DEMO_RULESET, DEMO)
    summary = evaluation.summary()
    missing = [s for s, n in summary.items() if n == 0]
    assert not missing, f"the demo shows no {missing}: {summary}"
    checks = evaluation.check_summary()
    assert checks["pass"] and checks["fail"] == 1, checks
    assert evaluation.failed()


def test_published_figures_agree_except_the_truncated_one() -> None:
    published = sorted((ROOT / "examples/published").glob("*.yaml"))
    evaluation = evaluate_files(ROOT / "rulesets/checks/published-figures.yaml",
                                [ROOT / "examples/demo/ham-tan-2024-q1.yaml", *published])
    judged = {(c["check"], c["unit"]): c["status"] for c in evaluation.check_records()
              if c["status"] != "no_data"}
    failed = sorted(k for k, status in judged.items() if status == "fail")
    assert failed == [("department-cut-published", "tay-ninh")], judged
    assert len(judged) == 13, judged
