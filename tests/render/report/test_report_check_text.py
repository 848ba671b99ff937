"""A failed check in the report shows its assert with the figures put in (issue 15)."""
from __future__ import annotations

from click.testing import CliRunner

from cchc_rules.cli import main

RULESET = """\
ruleset: check-text
title: Kiểm tra số liệu một cửa
metrics:
  received: {label: Tổng số hồ sơ tiếp nhận, unit: count}
  received_online: {label: Hồ sơ trực tuyến, unit: count}
  received_direct: {label: Hồ sơ trực tiếp, unit: count}
checks:
  - {id: received-breakdown, assert: received == received_online + received_direct}
"""
# Hàm Tân, Q1/2024: the 2,491 carried-over dossiers are left out, so the identity fails.
DATA = """\
reports:
  - {unit: ham-tan, period: 2024-Q1, source: "UBND huyện Hàm Tân, báo cáo quý I/2024",
     values: {received: 4917, received_online: 246, received_direct: 2180}}
"""


def test_failed_check_shows_the_assert_with_figures(tmp_path):
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.yaml").write_text(DATA, encoding="utf-8")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(tmp_path / "r.yaml"), "--data",
                                       str(tmp_path / "d.yaml"), "--format", "html",
                                       "--output", str(out)])
    assert result.exit_code == 0, result.output
    quality = out.read_text(encoding="utf-8").split('id="quality"')[1]
    assert "4.917 == 246 + 2.180 → 4.917 == 2.426" in quality
