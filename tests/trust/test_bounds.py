"""Issue 25, trust round 2: every input dimension that drives work is bounded before the work
starts (or the work is linear), far dates give coded lines, never INT01, and a formula in a
figure cell is never read silently. One regression test per reproducer of the issue, through
the CLI. Figures from Hàm Tân's Q1/2024 one-stop report (4,917 dossiers received, 246 online:
/work/shared/seeds, as in examples/readme/ham-tan-2024-q1.yaml)."""
from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner
from records_ruleset import records_ruleset

from cchc_rules.cli import main
from cchc_rules.figures.readers import xlsx

OVER_TIME = """\
ruleset: over-time
title: Hồ sơ tiếp nhận cộng dồn
metrics:
  received: {label: Tổng số hồ sơ tiếp nhận, unit: count, over_time: sum}
targets:
  - {id: TTHC-01, title: Tiếp nhận hồ sơ, area: procedures, metric: received,
     milestones: [{by: "BY", op: ">=", value: 1}]}
"""
HAM_TAN = "reports:\n  - {unit: ham-tan, period: 2024-Q1, values: {received: 4917}}\n"

RECORDS = records_ruleset("records-far")


def cchc(*args: str):
    started = time.monotonic()
    result = CliRunner().invoke(main, [*args, "--lang", "en"])
    result.seconds = time.monotonic() - started
    assert "INT01" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- items 2, 3, 5: far record dates ---------------------------------------------------------

@pytest.mark.parametrize("day", ["99999-01-01", "-0001-01-01", "9999-12-31", "0001-01-05"])
def test_a_far_record_date_is_a_coded_line_and_makes_no_period(tmp_path, day):
    rows = "".join(f"d{i},u{i % 200},2025-01-{1 + i % 28:02d}\n" for i in range(400))
    csv = write(tmp_path / "dossiers.csv",
                f"dossier_id,unit_id,received_at\n{rows}x1,u1,{day}\n")
    ruleset = write(tmp_path / "r.yaml", RECORDS)
    result = cchc("evaluate", ruleset, "--records", f"dossiers={csv}", "--format", "json")
    assert result.seconds < 20, f"{result.seconds:.0f} s"
    assert " REC" in result.stderr, result.output
    # refused naming the day (REC14; DuckDB writes a BC day its way), or left out of every
    # figure as outside the plausible window and counted (REC09, issue 22)
    assert day.lstrip("-")[:4] in result.stderr or "(BC)" in result.stderr \
        or "out_of_window 1" in result.stderr, result.stderr
    if result.exit_code == 2:
        assert result.stdout == ""
    else:  # the far record left out, counted: no period before 2025 nor after it
        periods = {r["period"] for r in json.loads(result.stdout)["results"]}
        assert periods <= {"2025", "2025-01"}, periods


# --- item 4: a milestone by 9999 on an over_time: sum metric --------------------------------

@pytest.mark.parametrize("by", ["9999", "9999-12", "9999-Q4"])
def test_a_milestone_in_year_9999_evaluates(tmp_path, by):
    ruleset = write(tmp_path / "r.yaml", OVER_TIME.replace("BY", by))
    data = write(tmp_path / "d.yaml", HAM_TAN)
    assert cchc("validate", ruleset).exit_code == 0
    result = cchc("evaluate", ruleset, "--data", data, "--format", "json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)["results"]
    assert (row["period"], row["actual"], row["status"]) == ("2024-Q1", 4917, "met")


def test_a_unit_valid_to_9999_12_31_with_a_successor(tmp_path):
    units = write(tmp_path / "u.yaml", "units:\n"
                  "  - {id: ham-tan, name: Huyện Hàm Tân, valid_to: '9999-12-31', "
                  "successor: la-gi}\n  - {id: la-gi, name: Thị xã La Gi, "
                  "valid_from: '2025-01-01'}\n")
    ruleset = write(tmp_path / "r.yaml", OVER_TIME.replace("BY", "2025"))
    data = write(tmp_path / "d.yaml", HAM_TAN)
    result = cchc("evaluate", ruleset, "--data", data, "--units", units)
    assert result.exit_code in (0, 1, 2), result.output


# --- item 1 and the shared-strings bomb: workbook bounds ------------------------------------

def far_cells(path: Path, sheets: int, hidden: int = 0, row: int = 1_000_000) -> str:
    with xlsxwriter.Workbook(path) as book:
        for i in range(sheets):
            sheet = book.add_worksheet(f"S{i}")
            sheet.write(row - 1, 9, 1)  # J1000000: exactly the limit on its own
            if i >= sheets - hidden:
                sheet.hide()
        figures = book.add_worksheet("Q1-2024")
        figures.write_row(0, 0, ["unit", "period", "received"])
        figures.activate()
    return str(path)


def test_the_cell_limit_bounds_the_whole_workbook(tmp_path):
    book = far_cells(tmp_path / "five.xlsx", 5)
    ruleset = write(tmp_path / "r.yaml", OVER_TIME.replace("BY", "2025"))
    result = cchc("evaluate", ruleset, "--data", book)
    assert result.exit_code == 2
    assert result.seconds < 10, f"{result.seconds:.0f} s"
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{book}[S1]: error DAT23 the sheet spans 1,000,000 rows × 10 "
                           "columns (its declared range ends at J1000000); the limit is "
                           "10,000,000 cells from A1 over all the visible sheets together, 0 "
                           "left for this one"), line


@pytest.mark.parametrize("hidden", [0, 1])
def test_hidden_sheets_are_not_counted_as_calamine_never_builds_them(tmp_path, hidden):
    book = far_cells(tmp_path / "hidden.xlsx", 2, hidden=hidden, row=500_000)  # 5 M cells each
    if hidden:
        assert xlsx._inspect(Path(book)) == {}
    else:
        with pytest.raises(xlsx._Refused, match="0 left for this one"):
            xlsx._inspect(Path(book))


def shared_strings_bomb(path: Path, size: int) -> str:
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"in_memory": True}) as book:
        book.add_worksheet("Q1-2024").write_row(0, 0, ["unit", "period", "received"])
    head = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + \
        b"<si><t>unit</t></si><si><t>period</t></si><si><t>received</t></si><si><t>"
    big = head + b"A" * (size - len(head) - len(b"</t></si></sst>")) + b"</t></si></sst>"
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            strings = info.filename == "xl/sharedStrings.xml"
            dst.writestr(info.filename, big if strings else src.read(info))
    return str(path)


def test_shared_strings_are_bounded_before_calamine_reads_them(tmp_path):
    book = shared_strings_bomb(tmp_path / "bomb.xlsx", xlsx.MAX_STRINGS_BYTES + 1)
    assert Path(book).stat().st_size < 1_000_000
    ruleset = write(tmp_path / "r.yaml", OVER_TIME.replace("BY", "2025"))
    result = cchc("evaluate", ruleset, "--data", book)
    assert result.exit_code == 2
    assert result.seconds < 10
    assert "error DAT23 the workbook's shared strings unpack to 67,108,865 bytes; the limit " \
           "is 67,108,864" in result.stderr, result.stderr


# --- item 11: formulas in a returned form's figure cells ------------------------------------

FORMULAS = [("=WEBSERVICE(\"http://example.invalid/\")", "WEBSERVICE"),
            ("=HYPERLINK(\"http://example.invalid/\",\"4917\")", "HYPERLINK"),
            ("=cmd|'/c calc'!A0", "a DDE link"),
            ("=[1]Sheet1!A1", "another workbook"),
            ("=_xlfn.FILTERXML(\"<a/>\",\"//a\")", "FILTERXML")]


def formula_book(path: Path, formula: str, cached) -> str:
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("Q1-2024")
        sheet.write_row(0, 0, ["unit", "period", "received"])
        sheet.write_row(1, 0, ["ham-tan", "2024-Q1"])
        sheet.write_formula(1, 2, formula, None, cached)
    return str(path)


@pytest.mark.parametrize(("formula", "calls"), FORMULAS)
def test_a_formula_calling_outside_the_workbook_is_refused(tmp_path, formula, calls):
    book = formula_book(tmp_path / "form.xlsx", formula, 4917)
    ruleset = write(tmp_path / "r.yaml", OVER_TIME.replace("BY", "2025"))
    result = cchc("evaluate", ruleset, "--data", book)
    assert result.exit_code == 2
    assert f"{book}[Q1-2024]:2:3: error DAT26 cell C2 holds the formula {formula}, which " \
           f"calls {calls}; it is not read" in result.stderr, result.stderr


def test_a_safe_formula_with_a_stale_result_is_read_with_a_warning(tmp_path):
    book = formula_book(tmp_path / "form.xlsx", "=1+1", 4917)
    ruleset = write(tmp_path / "r.yaml", OVER_TIME.replace("BY", "2025"))
    result = cchc("evaluate", ruleset, "--data", book, "--format", "json")
    assert result.exit_code == 0, result.output
    assert f"{book}[Q1-2024]:2:3: warning DAT25 cell C2 holds the formula =1+1; its saved " \
           "result 4917 is read as the figure" in result.stderr
    assert json.loads(result.stdout)["results"][0]["actual"] == 4917


def test_formula_warnings_past_twenty_are_counted(tmp_path):
    path = tmp_path / "many.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("Q1-2024")
        sheet.write_row(0, 0, ["unit", "period", "received"])
        for i in range(25):
            sheet.write_row(1 + i, 0, [f"xa-{i}", "2024-Q1"])
            sheet.write_formula(1 + i, 2, f"=SUM({i},1)", None, i + 1)
    ruleset = write(tmp_path / "r.yaml", OVER_TIME.replace("BY", "2025"))
    result = cchc("evaluate", ruleset, "--data", str(path))
    warnings = [line for line in result.stderr.splitlines() if "DAT25" in line]
    assert len(warnings) == 21
    assert warnings[-1] == (f"{path}[Q1-2024]: warning DAT25 5 more formula cell(s) have their "
                            "saved results read as figures [type the figures themselves, or "
                            "check that the formulas are right]")


@pytest.mark.parametrize(("formula", "outside"), [
    ("SUM(C2:C9)", None), ("ROUND(C2/C3*100,2)", None), ("'Số liệu (2)'!C5+1", None),
    ("IF(A1=\"WEBSERVICE(\",1,2)", None), ("webservice(\"x\")", "WEBSERVICE"),
    ("SUM(INDIRECT(\"A1\"))", "INDIRECT"), ("'x'|'y'!A0", "a DDE link"),
    ("Table1[Cột]", "another workbook")])
def test_which_formulas_reach_outside(formula, outside):
    assert xlsx._outside(formula) == outside


# --- items 6 and 9: scoring bounds, steps scored in one flat pass ---------------------------

SCORING = """\
ruleset: scoring-bounds
title: Chỉ số CCHC
metrics:
  plan_done: {label: Tỷ lệ hoàn thành kế hoạch, unit: percent}
  online_rate: {label: Tỷ lệ hồ sơ trực tuyến, unit: percent}
scoring:
  bands: [{id: A, min: 90}, {id: B, min: 0}]
  indicators:
INDICATORS"""
# Hàm Tân Q1/2024: 246 of 4,917 dossiers online (5.0 %); Tánh Linh the plan fully done.
SCORED = ("units:\n  - {id: ham-tan, name: Huyện Hàm Tân, level: district}\n"
          "  - {id: tanh-linh, name: Huyện Tánh Linh, level: district}\nreports:\n"
          "  - {unit: ham-tan, period: '2024', values: {plan_done: 50, online_rate: 5.0}}\n"
          "  - {unit: tanh-linh, period: '2024', values: {plan_done: 100, online_rate: 100}}\n")


def steps(n: int) -> str:
    return ", ".join(f'{{op: ">=", value: {n - i}, points: {(n - i) / n:.6f}}}'
                     for i in range(n))


def test_more_steps_than_the_bound_is_one_positioned_line(tmp_path):
    ruleset = write(tmp_path / "r.yaml", SCORING.replace(
        "INDICATORS", f"    - {{id: '1.1', title: a, metric: plan_done, max: 1, "
                      f"steps: [{steps(1000)}]}}\n"))
    result = cchc("validate", ruleset)
    assert result.exit_code == 2
    assert result.seconds < 20
    assert result.stderr.splitlines()[0] == (
        f"{ruleset}:9:63: error SCH10 'steps' has 1,000 steps; the limit is 100")


def test_a_hundred_steps_score_like_the_first_step_that_holds(tmp_path):
    ruleset = write(tmp_path / "r.yaml", SCORING.replace(
        "INDICATORS", f"    - {{id: '1.1', title: a, metric: plan_done, max: 1, "
                      f"steps: [{steps(100)}]}}\n"))
    data = write(tmp_path / "d.yaml", SCORED)
    result = cchc("rank", ruleset, "--data", data, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.seconds < 20
    got = {r["unit"]: r["points"] for r in json.loads(result.stdout)["scores"]}
    assert got == {"ham-tan": 0.5, "tanh-linh": 1.0}


@pytest.mark.parametrize(("field", "value"), [
    ("max", "1.0e+308"), ("max", "1.0e+10"), ("full_at", "1.0e+300"), ("zero_at", "-1.0e+16")])
def test_huge_numbers_in_scoring_are_refused_where_they_stand(tmp_path, field, value):
    rule = {"max": f"max: {value}, full_at: 100", "full_at": f"max: 50, full_at: {value}",
            "zero_at": f"max: 50, full_at: 100, zero_at: {value}"}[field]
    ruleset = write(tmp_path / "r.yaml", SCORING.replace(
        "INDICATORS", f"    - {{id: '1.1', title: a, metric: plan_done, {rule}}}\n"
                      f"    - {{id: '1.2', title: b, metric: online_rate, {rule}}}\n"))
    result = cchc("validate", ruleset)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()[:2]
    assert [line.split(": error ")[1].split(",")[0] for line in lines] == \
        [f"SCH10 '{field}' must be between -1"] * 2, lines


def test_the_largest_max_allowed_twice_gives_finite_indexes(tmp_path):
    rule = "max: 1.0e+9, full_at: 100"
    ruleset = write(tmp_path / "r.yaml", SCORING.replace(
        "INDICATORS", f"    - {{id: '1.1', title: a, metric: plan_done, {rule}}}\n"
                      f"    - {{id: '1.2', title: b, metric: plan_done, {rule}}}\n"))
    data = write(tmp_path / "d.yaml", SCORED)
    result = cchc("rank", ruleset, "--data", data, "--format", "json")
    assert result.exit_code == 0, result.output
    got = {r["unit"]: (r["index"], r["band"]) for r in json.loads(result.stdout)["rankings"]}
    assert got == {"ham-tan": (50, "B"), "tanh-linh": (100, "A")}


# --- items 7 and 8: parent chains and merger chains -----------------------------------------

def chain_units(n: int, link: str) -> str:
    lines = ["units:"]
    for i in range(n):
        if link == "parent":
            extra = f", parent: u{i - 1}" if i else ""
        else:
            extra = (f", valid_to: '2020-{1 + i % 12:02d}-01', successor: u{i + 1}"
                     if i < n - 1 else "")
        lines.append(f"  - {{id: u{i}, name: Đơn vị {i}{extra}}}")
    lines.append(f"reports:\n  - {{unit: u{n - 1}, period: 2024-Q1, values: {{received: 4917}}}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("link", "n", "message"), [
    ("parent", 10_000, "unit 'u51' has 51 levels of parents above it; the limit is 50"),
    ("successor", 2_000, "unit 'u0' starts a chain of 1,999 successors; the limit is 50")])
def test_a_long_chain_is_one_positioned_unt15_line_before_any_work(tmp_path, link, n, message):
    data = write(tmp_path / "d.yaml", chain_units(n, link))
    ruleset = write(tmp_path / "r.yaml", OVER_TIME.replace("BY", "2025"))
    result = cchc("evaluate", ruleset, "--data", data)
    assert result.exit_code == 2
    assert result.seconds < 30, f"{result.seconds:.0f} s"
    line = next(x for x in result.stderr.splitlines() if "UNT18" in x)
    row = 2 + (51 if link == "parent" else 0)
    assert line.startswith(f"{data}:{row}:5: error UNT18 {message}"), line


@pytest.mark.parametrize("link", ["parent", "successor"])
def test_a_chain_at_the_bound_evaluates(tmp_path, link):
    data = write(tmp_path / "d.yaml", chain_units(51, link))
    ruleset = write(tmp_path / "r.yaml", OVER_TIME.replace("BY", "2025"))
    result = cchc("evaluate", ruleset, "--data", data, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    assert "UNT18" not in result.stderr


# --- item 12: SIGTERM while polars scores ---------------------------------------------------

SCORING_SLOWLY = """\
import sys
from cchc_rules.cli import _watch_signals, run
_watch_signals()  # as run() does first, before polars starts a thread
import cchc_rules.score.points as points
real = points.score
def score(*args, **kwargs):
    print("SCORING", file=sys.stderr, flush=True)
    return real(*args, **kwargs)
points.score = score
sys.argv[0] = "cchc"
run()
"""


def test_sigterm_while_scoring_exits_143_promptly(tmp_path):
    """40 indicators of 100 steps over 3,000 units: seconds of polars work in native code,
    where a handler on the main thread would wait for the query to return."""
    import os
    import signal
    import subprocess
    import sys
    indicators = "".join(f"    - {{id: '{k}', title: t{k}, metric: plan_done, max: 1, "
                         f"steps: [{steps(100)}]}}\n" for k in range(40))
    ruleset = write(tmp_path / "r.yaml", SCORING.replace("INDICATORS", indicators))
    data = write(tmp_path / "d.csv", "unit,period,plan_done\n" + "".join(
        f"u{u},{y},{(u * 7 + y) % 101}\n" for u in range(3000) for y in (2023, 2024)))
    (tmp_path / "slow.py").write_text(SCORING_SLOWLY, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, str(tmp_path / "slow.py"), "rank", ruleset,
                             "--data", data, "--format", "json", "--output",
                             str(tmp_path / "out.json")], env=env, stderr=subprocess.PIPE)
    try:
        assert proc.stderr.readline() == b"SCORING\n"
        time.sleep(1.0)  # inside polars' work by now
        assert proc.poll() is None, "scoring ended before the signal: make it heavier"
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 143
        assert time.monotonic() - sent < 1.5
    finally:
        proc.kill()
        proc.wait()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "r.yaml", "slow.py"]


# --- item 10 and Parquet's edges: --records reads exactly the files matched -----------------

def records_csv(path: Path, *ids: str) -> None:
    path.write_text("dossier_id,unit_id,received_at\n" + "".join(
        f"{i},ham-tan,2025-01-03\n" for i in ids), encoding="utf-8")


@pytest.mark.parametrize(("pattern", "expected"), [
    ("a[*].csv", 1), ("a*.csv", 3), ("x[[]1].csv", 1), ("b{1,2}.csv", 1), ("c[?].csv", 1)])
def test_records_globs_are_expanded_once(tmp_path, pattern, expected):
    records_csv(tmp_path / "a*.csv", "d1")
    records_csv(tmp_path / "ab.csv", "d2", "d3")
    records_csv(tmp_path / "x[1].csv", "d4")
    records_csv(tmp_path / "x1.csv", "d5", "d6")
    records_csv(tmp_path / "b{1,2}.csv", "d7")
    records_csv(tmp_path / "c?.csv", "d8")
    records_csv(tmp_path / "cd.csv", "d9", "d10")
    ruleset = write(tmp_path / "r.yaml", RECORDS)
    result = cchc("evaluate", ruleset, "--records", f"dossiers={tmp_path}/{pattern}",
                  "--format", "json")
    assert result.exit_code in (0, 1), result.output
    got = {r["period"]: r["actual"] for r in json.loads(result.stdout)["results"]}
    assert got == {"2025-01": expected}


NUMBERS = records_ruleset("records-far", columns=", fee: number", unit="vnd",
                          received="{source: dossiers, aggregate: sum, column: fee}")


@pytest.mark.parametrize(("column", "values", "shown"), [
    ("fee", [1.0, float("nan"), 2.0], "'nan' in column 'fee' is not a valid number"),
    ("fee", [1.0, float("inf"), 2.0], "'inf' in column 'fee' is not a valid number"),
    ("unit_id", [["ham-tan"], ["ham-tan"], ["tanh-linh"]],
     "'[ham-tan]' in column 'unit_id' is not a valid text"),
    ("unit_id", [{"a": 1}, {"a": 1}, {"a": 2}],
     "'{'a': 1}' in column 'unit_id' is not a valid text")])
def test_parquet_nan_inf_lists_and_structs_are_positioned_rec06(tmp_path, column, values,
                                                                shown):
    import datetime

    import polars as pl
    frame = {"dossier_id": ["a", "b", "c"], "unit_id": ["ham-tan"] * 3,
             "received_at": [datetime.date(2025, 1, 3)] * 3, "fee": [1.0, 3.0, 2.0]}
    frame[column] = values
    pl.DataFrame(frame).write_parquet(tmp_path / "d.parquet")
    ruleset = write(tmp_path / "r.yaml", NUMBERS)
    result = cchc("evaluate", ruleset, "--records", f"dossiers={tmp_path}/d.parquet")
    assert result.exit_code == 2, result.output
    row = 2 if column == "fee" else 1
    col = 4 if column == "fee" else 2
    assert result.stderr.startswith(f"{tmp_path}/d.parquet:{row}:{col}: error REC06 {shown}"), \
        result.stderr
