"""Render stage: one CSV row per result."""
from __future__ import annotations

import csv
import io

from factory import HAM_TAN, ONLINE, report, run

from cchc_rules.evaluation.result import PUBLIC_OPTIONAL, RESULT_SCHEMA
from cchc_rules.render import FORMATS


def test_a_row_per_result_with_empty_cells_for_missing(tmp_path):
    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", **HAM_TAN),
                                  report("tay-ninh", "2024-Q1", received=10)])
    rows = list(csv.DictReader(io.StringIO(FORMATS["csv"](ev))))
    assert len(rows) == ev.results.height == 3   # ham-tan, binh-thuan (rolled up), tay-ninh
    assert list(rows[0]) == [*(PUBLIC_OPTIONAL.get(c, c) for c in RESULT_SCHEMA), "title"]
    by_unit = {r["unit"]: r for r in rows}
    assert by_unit["ham-tan"]["status"] == "off_track"
    assert float(by_unit["ham-tan"]["needed"]) == 2213
    assert by_unit["ham-tan"]["title"] == "Chỉ tiêu TTHC-06"
    assert by_unit["tay-ninh"]["status"] == "no_data"
    assert by_unit["tay-ninh"]["actual"] == "" and by_unit["tay-ninh"]["gap"] == ""
