"""Level titles in the units file (issue 23): `levels: {department: "Sở, ban, ngành"}`, shown
instead of the level id in the table, the ranking and the report; bad titles are UNT17."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_rules.cli import main
from cchc_rules.errors import CchcError
from cchc_rules.figures.data import read_data

RULESET = """\
ruleset: so-nganh
title: Chỉ số CCHC các sở
metrics:
  on_time_rate: {label: Tỷ lệ đúng hạn, unit: percent}
targets:
  - {id: DH, title: Đúng hạn, area: procedures, metric: on_time_rate,
     milestones: [{by: "2025", op: ">=", value: 95}]}
scoring:
  indicators:
    - {id: "2.1", title: Đúng hạn, metric: on_time_rate, max: 20, full_at: 100}
"""
UNITS = """\
levels: {department: "Sở, ban, ngành"}
units:
  - {id: so-tu-phap, name: Sở Tư pháp, level: department}
  - {id: so-noi-vu, name: Sở Nội vụ, level: department}
"""
DATA = """\
reports:
  - {unit: so-tu-phap, period: "2025", values: {on_time_rate: 96.89}}
  - {unit: so-noi-vu, period: "2025", values: {on_time_rate: 97.5}}
"""


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    for name, text in (("r.yaml", RULESET), ("units.yaml", UNITS), ("d.yaml", DATA)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [str(tmp_path / "r.yaml"), "--data", str(tmp_path / "d.yaml"), "--units",
            str(tmp_path / "units.yaml")]


def test_titles_are_read_onto_the_figures(tmp_path, files):
    figures = read_data([tmp_path / "d.yaml"], units_file=tmp_path / "units.yaml")
    assert figures.level_titles == {"department": "Sở, ban, ngành"}
    assert figures.level_title("department") == "Sở, ban, ngành"
    assert figures.level_title("commune") is None


def test_table_ranking_and_report_show_the_title(tmp_path, files):
    res = CliRunner().invoke(main, ["evaluate", *files, "--lang", "en"])
    assert "Sở Tư pháp (so-tu-phap · Sở, ban, ngành)" in res.output
    assert "  2025 · Sở, ban, ngành" in res.output and "(department)" not in res.output
    rank = CliRunner().invoke(main, ["rank", *files])
    assert "  2025 · Sở, ban, ngành" in rank.output
    out = tmp_path / "r.html"
    assert CliRunner().invoke(main, ["report", *files, "--format", "html", "--output",
                                     str(out)]).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "Sở, ban, ngành" in html


@pytest.mark.parametrize("levels", ["levels: [department]", "levels: {department: 3}"])
def test_bad_titles_are_refused_with_their_place(tmp_path, levels):
    units = tmp_path / "units.yaml"
    units.write_text(UNITS.replace('levels: {department: "Sở, ban, ngành"}', levels),
                     encoding="utf-8")
    (tmp_path / "d.yaml").write_text(DATA, encoding="utf-8")
    with pytest.raises(CchcError) as err:
        read_data([tmp_path / "d.yaml"], units_file=units)
    assert [p.code for p in err.value.problems] == ["UNT17"]
    assert err.value.problems[0].pos.line == 1
