"""`cchc draft` on real target sentences of other plans than the seeds' (tests/draft/
other_plans.yaml, each with its source): the share structured fully, partly or not (the
figures docs/draft.md reports), and the rule that matters most — no drafted target differs
from the plan's meaning without a `review:` note, and no stated target is left out unsaid."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cchc_rules.draft.build import draft_file
from cchc_rules.ruleset.loader import load_ruleset

CASES = yaml.safe_load((Path(__file__).parent / "other_plans.yaml").read_text("utf-8"))["cases"]


def drafted(case: dict, folder: Path) -> list[dict]:
    """The case drafted as a small .txt plan (title, heading, sentence), read back as the
    written YAML's targets (so what is tested is what the planner gets)."""
    lines = [case["title"], *([case["heading"]] if case.get("heading") else []),
             case["sentence"]]
    (folder / "plan.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = folder / "draft.yaml"
    out.write_text(draft_file(folder / "plan.txt", out).yaml, encoding="utf-8")
    load_ruleset(out)   # every draft validates
    return yaml.safe_load(out.read_text(encoding="utf-8"))["targets"]


def same(expected: dict, target: dict) -> bool:
    """The target states the expected milestone (op, value, deadline) and, where the case
    names it, the metric."""
    milestone = {"by": expected["by"], "op": expected["op"], "value": expected["value"]}
    return milestone in target.get("milestones", []) and \
        expected.get("metric", target.get("metric")) == target.get("metric")


def classify(case: dict, targets: list[dict]) -> str:
    """full: every stated target drafted as expected and nothing left to review; partly: at
    least one; not: none."""
    found = [e for e in case["expect"] if any(same(e, t) for t in targets)]
    if len(found) == len(case["expect"]) and not any(t.get("review") for t in targets):
        return "full"
    return "partly" if found else "not"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_nothing_wrong_without_a_review_note(case, tmp_path):
    targets = drafted(case, tmp_path)
    for target in targets:   # a target unlike every expected one must say why
        if not any(same(e, target) for e in case["expect"]):
            assert target.get("review"), (case["id"], target)
    missing = [e for e in case["expect"] if not any(same(e, t) for t in targets)]
    if missing:               # a stated target not drafted is said, on the sentence's targets
        assert targets and all(t.get("review") for t in targets), (case["id"], missing)


def test_shares_reported_in_docs(tmp_path_factory):
    kinds = [classify(c, drafted(c, tmp_path_factory.mktemp(c["id"]))) for c in CASES]
    counts = {k: kinds.count(k) for k in ("full", "partly", "not")}
    # docs/draft.md, "Câu chỉ tiêu của các kế hoạch khác / Other plans' sentences"
    assert counts == {"full": 6, "partly": 7, "not": 0}, counts
    docs = (Path(__file__).parents[2] / "docs" / "draft.md").read_text(encoding="utf-8")
    assert f"{len(CASES)} câu" in docs and f"{counts['full']} câu" in docs
