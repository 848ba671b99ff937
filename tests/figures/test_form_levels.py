"""`cchc form --level L --unit U…` (issue 23): only units in existence in each period, only
the metrics that apply to the unit's level, unknown levels and units with a did-you-mean."""
from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner
from factory import metrics, target, write

from cchc_rules.cli import main
from cchc_rules.figures.forms import ID_ROW, SHEET

UNITS = [
    {"id": "tinh", "name": "Tỉnh", "level": "province"},
    {"id": "huyen-cu", "name": "Huyện cũ", "level": "district", "parent": "tinh",
     "valid_to": "2025-06-30", "successor": "huyen-moi"},
    {"id": "huyen-moi", "name": "Huyện mới", "level": "district", "parent": "tinh",
     "valid_from": "2025-07-01"},
    {"id": "xa", "name": "Xã", "level": "commune", "parent": "huyen-moi"},
]


def _inputs(tmp_path: Path) -> tuple[Path, Path]:
    defs = metrics("received", "received_online", "online_rate", "staff_cut",
                   "staff_assigned", "cut_rate")
    defs["par_rank"] = {"label": "Hạng PAR INDEX", "unit": "rank"}
    defs["note_only"] = {"label": "Ghi chú hiển thị", "unit": "count"}
    doc = {"ruleset": "t", "title": "T", "metrics": defs, "targets": [
        target("ONLINE", "online_rate", ("2025", ">=", 50)),
        target("CUT", "cut_rate", ("2025", ">=", 10), levels=["province"]),
        target("PAR", "par_rank", ("2025", "<=", 20), levels=["province"])]}
    return write(tmp_path / "r.yaml", doc), write(tmp_path / "u.yaml", {"units": UNITS})


def _form(tmp_path: Path, *args: str):
    ruleset, units = _inputs(tmp_path)
    out = tmp_path / "form.xlsx"
    done = CliRunner().invoke(main, ["form", str(ruleset), "--units", str(units),
                                     "--output", str(out), *args])
    return done, out


def _rows(out: Path) -> tuple[list[str], list[tuple]]:
    sheet = openpyxl.load_workbook(out)[SHEET]
    ids = [c.value for c in sheet[ID_ROW]]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=ID_ROW + 1)]
    return ids, [(r[0], r[2]) for r in rows]


def test_only_units_in_existence_in_each_period(tmp_path):
    done, out = _form(tmp_path, "--period", "2025-Q2", "--period", "2025-Q3",
                      "--level", "district")
    assert done.exit_code == 0, done.output
    _ids, rows = _rows(out)
    assert rows == [("huyen-cu", "2025-Q2"), ("huyen-moi", "2025-Q3")]
    assert ("bỏ 2 dòng đơn vị × kỳ" in done.stderr
            or "2 unit × period rows left out" in done.stderr), done.stderr


def test_a_commune_gets_no_column_for_the_province_s_rank_or_cut(tmp_path):
    done, out = _form(tmp_path, "--period", "2025", "--unit", "xa")
    assert done.exit_code == 0, done.output
    ids, rows = _rows(out)
    assert rows == [("xa", "2025")]
    assert {"received", "received_online", "note_only"} <= set(ids)  # display-only kept
    assert not {"par_rank", "staff_cut", "staff_assigned"} & set(ids)


def test_mixed_levels_lock_the_cells_a_level_does_not_report(tmp_path):
    done, out = _form(tmp_path, "--period", "2025", "--unit", "xa", "--unit", "tinh")
    assert done.exit_code == 0, done.output
    sheet = openpyxl.load_workbook(out)[SHEET]
    ids = [c.value for c in sheet[ID_ROW]]
    rows = {sheet.cell(r, 1).value: r for r in range(ID_ROW + 1, sheet.max_row + 1)}
    rank = ids.index("par_rank") + 1
    assert sheet.cell(rows["tinh"], rank).protection.locked is False   # the province fills it
    assert sheet.cell(rows["xa"], rank).protection.locked is True      # the commune cannot


def test_unknown_level_and_unit_are_errors_with_a_suggestion(tmp_path):
    done, _out = _form(tmp_path, "--period", "2025", "--level", "distrct", "--unit", "xaa")
    assert done.exit_code == 2
    assert "error EVL07" in done.stderr and "'district'" in done.stderr
    assert "error EVL02" in done.stderr and "'xa'" in done.stderr
