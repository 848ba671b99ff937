"""A column of counts written the Vietnamese way ("1.020"): one DAT02 per column naming
--decimal-comma, with the count of cells and the first few positions (issue 23), not one
line per cell; a single cell keeps its own detailed line."""
from __future__ import annotations

from pathlib import Path

import pytest

from cchc_rules.errors import CchcError
from cchc_rules.figures.data import read_data

KNOWN = {"received": "count", "received_online": "count"}


def _csv(tmp_path: Path, rows: int) -> Path:
    lines = ["unit,period,received,received_online"]
    lines += [f"u{i},2024-Q1,{i}.{i:03d},12" for i in range(1, rows + 1)]
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("rows", [2, 7, 136])
def test_one_line_per_column_with_count_and_first_positions(tmp_path, rows):
    path = _csv(tmp_path, rows)
    with pytest.raises(CchcError) as err:
        read_data([path], known_metrics=KNOWN)
    problems = [p for p in err.value.problems if p.code == "DAT02"]
    assert len(problems) == 1
    (p,) = problems
    assert p.pos.line == 2 and "--decimal-comma" in p.hint
    assert f"'received': {rows} cell(s) written the Vietnamese way, such as '1.001'" \
        in p.message
    shown = [str(line) for line in range(2, 2 + min(rows, 5))]
    assert "(at " + ", ".join(shown) + (", …)" if rows > 5 else ")") in p.message
    figures = read_data([path], known_metrics=KNOWN, decimal_comma=True)
    assert sorted(figures.values.filter(figures.values["metric"] == "received")["value"]
                  .to_list()) == [i * 1000 + i for i in range(1, rows + 1)]


def test_a_single_cell_keeps_its_own_line(tmp_path):
    path = _csv(tmp_path, 1)
    with pytest.raises(CchcError) as err:
        read_data([path], known_metrics=KNOWN)
    (p,) = err.value.problems
    assert p.message == "'received' for u1 in 2024-Q1: '1.001' could be 1001 or 1.001"
