"""Ranks compared across fields of different sizes (spec v3 §7): both fields, both shares,
a warning, explain's words; the status still on the ranks as written. A field (`of`) is never
summed over units."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules import evaluate
from cchc_rules.cli import main
from cchc_rules.figures.data import read_data
from cchc_rules.ruleset import load_ruleset

CASE = Path(__file__).parents[1] / "conformance" / "rank-fields-differ"


def _run(tmp_path: Path, reports: list[dict], *args: str):
    work = tmp_path / "case"
    shutil.copytree(CASE, work, dirs_exist_ok=True)
    data = yaml.safe_load((work / "data.yaml").read_text(encoding="utf-8"))
    data["reports"] = reports
    (work / "data.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return CliRunner().invoke(main, [args[0], str(work / "ruleset.yaml"), "--data",
                                     str(work / "data.yaml"), *args[1:]])


def _report(period: str, rank: int, field: int) -> dict:
    return {"unit": "ca-mau", "period": period,
            "values": {"par_rank": rank, "provinces_ranked": field}}


@settings(max_examples=25, deadline=None)
@given(field=st.integers(2, 80), base_field=st.integers(2, 80), data=st.data())
def test_shares_against_a_plain_reference(tmp_path_factory, field, base_field, data):
    rank = data.draw(st.integers(1, field))
    base_rank = data.draw(st.integers(1, base_field))
    res = _run(tmp_path_factory.mktemp("f"), [_report("2024", base_rank, base_field),
                                              _report("2025", rank, field)],
               "evaluate", "--period", "2025", "--format", "json")
    (row,) = json.loads(res.stdout)["results"]
    assert row["actual"] == rank - base_rank   # decided on the ranks as written
    assert row["status"] == ("met" if rank - base_rank <= -3 else "not_met")
    if field == base_field:
        assert "field" not in row and "share" not in row and "EVL11" not in res.output
    else:
        assert (row["field"], row["base_field"]) == (field, base_field)
        assert abs(row["share"] - rank / field * 100) < 1e-6
        assert abs(row["base_share"] - base_rank / base_field * 100) < 1e-6
        assert "EVL11" in res.output


def test_explain_names_both_fields_and_shares(tmp_path):
    res = _run(tmp_path, [_report("2024", 20, 63), _report("2025", 15, 34)], "explain",
               "--target", "PAR-01", "--unit", "ca-mau", "--period", "2025")
    assert res.exit_code == 0, res.output
    assert ("Tổng số khác nhau: hạng 15/34 (nhóm 44,1%) so với hạng 20/63 kỳ 2024 (nhóm "
            "31,7%)") in res.output


def test_a_field_is_never_summed_over_units(tmp_path):
    work = tmp_path / "case"
    shutil.copytree(CASE, work)
    data = {"units": [{"id": "vn", "name": "Cả nước", "level": "country"},
                      {"id": "a", "name": "A", "level": "province", "parent": "vn"},
                      {"id": "b", "name": "B", "level": "province", "parent": "vn"}],
            "reports": [{"unit": u, "period": "2025", "values": {"provinces_ranked": 34}}
                        for u in ("a", "b")]}
    (work / "data.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    ev = evaluate(load_ruleset(work / "ruleset.yaml"), read_data([work / "data.yaml"]))
    fields = ev.values.filter(pl.col("metric") == "provinces_ranked")
    assert sorted(fields["unit"].to_list()) == ["a", "b"]   # no 68 for the country
