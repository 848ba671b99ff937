"""Self-assessed and appraised points (issue 11): `metric` is the appraised figure that counts
(điểm thẩm định), `self_assessed` the unit's own (điểm tự đánh giá), scored by the same rule
and shown beside it with the difference, per indicator and in total, in every output."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from cchc_rules import evaluate_files
from cchc_rules.cli import main
from cchc_rules.errors import CchcError
from cchc_rules.render.report.builder import build_context
from cchc_rules.ruleset import load_ruleset
from tests.factory import write

ROOT = Path(__file__).resolve().parents[2]
PAR = ROOT / "rulesets/examples/par-departments.yaml"
DATA = ROOT / "examples/par/tuyen-quang-departments-2024.yaml"


def _rank(*args: str):
    done = CliRunner().invoke(main, ["rank", str(PAR), "--data", str(DATA), "--level",
                                     "department", *args])
    assert done.exit_code == 0, done.output
    return done.stdout


def test_json_has_both_and_the_difference_per_indicator_and_in_total():
    doc = json.loads(_rank("--format", "json"))
    row = next(r for r in doc["scores"] if (r["unit"], r["indicator"]) == ("so-tu-phap", "1.2"))
    assert (row["value"], row["self_assessed_value"], row["points"],
            row["self_assessed_points"], row["difference"]) == (75, 95, 1, 2, -1)
    total = next(r for r in doc["rankings"] if r["unit"] == "so-tu-phap")
    assert (total["points"], total["self_assessed_points"], total["difference"]) == \
        (11.325, 13.825, -2.5)
    group = next(r for r in doc["groups"] if (r["unit"], r["group"]) ==
                 ("so-tu-phap", "direction"))
    assert (group["self_assessed_points"], group["difference"]) == (3, -1.5)


def test_an_indicator_without_self_assessment_is_not_disputed():
    doc = json.loads(_rank("--format", "json"))
    survey = next(r for r in doc["scores"] if (r["unit"], r["indicator"]) ==
                  ("so-noi-vu", "8.1"))
    assert survey["self_assessed_points"] is None and survey["difference"] is None


def test_csv_scores_carry_the_appraisal_columns():
    rows = list(csv.DictReader(io.StringIO(_rank("--format", "csv", "--what", "scores"))))
    row = next(r for r in rows if (r["unit"], r["indicator"]) == ("so-noi-vu", "5.1"))
    assert (row["points"], row["self_assessed_points"], row["difference"]) == \
        ("2.5", "3.0", "-0.5")


def test_table_shows_the_appraisal_section_with_totals():
    text = _rank("--lang", "en")
    assert "Self-assessed and appraised points" in text
    lines = text.splitlines()
    start = lines.index("  2024 · Sở Tư pháp (so-tu-phap)")
    assert lines[start + 4].split()[:1] == ["5.1"] and lines[start + 4].endswith("−1.00")
    assert lines[start + 5].split() == ["Total", "13.83", "11.33", "20.00", "−2.50"]
    ranking = next(line for line in lines if line.strip().startswith("3/3"))
    assert ranking.split()[-2:] == ["13.83", "−2.50"]


def test_xlsx_has_self_assessed_and_difference_columns(tmp_path):
    out = tmp_path / "par.xlsx"
    _rank("--format", "xlsx", "--output", str(out))
    ranking, points, *_wide = openpyxl.load_workbook(out).worksheets
    head = [c.value for c in ranking[1]]
    assert head[-2:] == ["Điểm tự đánh giá", "Chênh lệch"]
    heads = [c.value for c in points[1]]
    assert {"Giá trị tự đánh giá", "Điểm tự đánh giá", "Chênh lệch"} <= set(heads)


def test_the_report_table_lists_each_unit_then_its_total():
    context = build_context(evaluate_files(PAR, [DATA]), lang="en")
    mine = [r for r in context.appraisal if r.unit == "so-tu-phap"]
    assert [(r.indicator, r.self_assessed, r.appraised, r.difference, r.total) for r in mine] \
        == [("1.1", "1.00", "0.50", "−0.50", False), ("1.2", "2.00", "1.00", "−1.00", False),
            ("5.1", "3.00", "2.00", "−1.00", False), ("", "13.83", "11.33", "−2.50", True)]
    assert all(r.lower for r in mine)


def test_the_report_without_self_assessment_has_no_appraisal_table(tmp_path):
    ev = evaluate_files(ROOT / "rulesets/national/qd766-2022.yaml",
                        [ROOT / "examples/demo/ham-tan-2024-q1.yaml"])
    assert build_context(ev, lang="vi").appraisal == []


@pytest.mark.parametrize(("change", "code", "message"), [
    ({"self_assessed": "plan_days_late"}, "SEM42", "names the metric that counts"),
    ({"self_assessed": "plan_days_lat"}, "SEM05", "unknown metric 'plan_days_lat'")])
def test_self_assessed_is_checked_with_a_position(tmp_path, change, code, message):
    doc = load_ruleset(PAR).model.model_dump(by_alias=True, exclude_none=True)
    doc["extends"] = []
    doc["scoring"]["indicators"][0].update(change)
    with pytest.raises(CchcError) as err:
        load_ruleset(write(tmp_path / "r.yaml", doc))
    (problem,) = [p for p in err.value.problems if p.code == code]
    assert message in problem.message and problem.pos.line > 0


def test_by_status_cannot_be_self_assessed(tmp_path):
    doc = load_ruleset(PAR).model.model_dump(by_alias=True, exclude_none=True)
    doc["extends"] = []
    three = next(i for i in doc["scoring"]["indicators"] if i["id"] == "3.1")
    three["self_assessed"] = "survey_points"
    with pytest.raises(CchcError) as err:
        load_ruleset(write(tmp_path / "r.yaml", doc))
    assert [p.code for p in err.value.problems] == ["SEM42"]
