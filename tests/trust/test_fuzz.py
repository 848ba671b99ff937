"""The standing fuzz suite: mutated rulesets, data files, workbooks and formulas.

Every input, however broken, must either run (exit 0 or 1) or give the project's own error
lines with exit 2: never a traceback, never an internal error (INT01), never a hang or a
runaway allocation. Byte-level mutations start from valid files built from Hàm Tân's real
Q1/2024 one-stop figures, so most mutants are near-valid, where parsers are weakest.

Issue 25 added the families that found its crashes and runaways: far dates in every date
field (records, units, dated parents, milestones, baselines, periods), long lists in every
ruleset list, deep parent and successor chains, huge numbers in every numeric field of the
scoring section, and workbook shapes (many sheets, far cells, shared strings). Every example
runs in a worker under a memory ceiling and a time ceiling (tests/trust/fuzz_sandbox.py), so a
blow-up fails the example instead of the machine.

`make test` runs a small budget; `make fuzz` runs the same tests with CCHC_FUZZ_EXAMPLES=2000.
"""
from __future__ import annotations

import datetime
import io
import os
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from fuzz_sandbox import Sandbox
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from records_ruleset import records_ruleset

EXAMPLES = int(os.environ.get("CCHC_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
PROBLEM = re.compile(r"(?:^|: )(?:error|warning) [A-Z]{2,4}\d{2} ")

RULESET = """\
ruleset: fuzz-ham-tan
title: Tỷ lệ hồ sơ trực tuyến huyện Hàm Tân
metrics:
  received:        {label: Tổng số hồ sơ tiếp nhận, unit: count}
  received_online: {label: Hồ sơ tiếp nhận trực tuyến, unit: count}
  received_direct: {label: Hồ sơ tiếp nhận trực tiếp, unit: count}
  carried_over:    {label: Hồ sơ kỳ trước chuyển sang, unit: count}
  online_rate: {label: Tỷ lệ hồ sơ trực tuyến, unit: percent,
                formula: received_online / received * 100}
checks:
  - {id: received-breakdown, assert: received == received_online + received_direct + carried_over}
targets:
  - {id: TTHC-06, title: Tối thiểu 50% hồ sơ trực tuyến, area: procedures, metric: online_rate,
     baseline: {period: "2021", value: 12}, milestones: [{by: "2025", op: ">=", value: 50}]}
"""
DATA_YAML = """\
units:
  - {id: ham-tan, name: Huyện Hàm Tân, level: district}
reports:
  - unit: ham-tan
    period: 2024-Q1
    source: Phòng Nội vụ huyện Hàm Tân, báo cáo quý I/2024
    values: {received: 4917, received_online: 246, received_direct: 2180, carried_over: 2491}
"""
DATA_CSV = ("unit,period,received,received_online,received_direct,carried_over,source\n"
            'ham-tan,2024-Q1,4917,246,2180,2491,"Phòng Nội vụ huyện Hàm Tân"\n')
HEADER = ["unit", "period", "received", "received_online", "received_direct", "carried_over"]
ROW = ["ham-tan", "2024-Q1", 4917, 246, 2180, 2491]
# Tokens that reach the corners of parsers: YAML tags and aliases, numbers past float range,
# Vietnamese digit grouping, control characters, other scripts' digits, deep nesting.
TOKENS = [b"\n", b":", b"{", b"}", b"[", b"- ", b"&a ", b"*a", b"!!python/object:os.system ",
          b"1e309", b"9" * 400, b"16.298", b"4.917,5", b"\x1b[31m", b"\r", b"\x00", b"\t",
          "٣".encode(), "Đ".encode(), b"\xff\xfe", b'"', b"'", b"#", b"[" * 300, b"2024-Q5",
          b"/", b"-1", b"nan", b"=cmd|' /C calc'!A0", b"\xe2\x80\xa8"]


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """`seed` with a few byte-level edits: flip, insert (a byte or a token), delete, repeat."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["byte", "token", "delete", "repeat"]))
        if kind == "byte":
            data[at:at + 1] = bytes([draw(st.integers(0, 255))])
        elif kind == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 20))]
        else:
            chunk = bytes(data[at:at + draw(st.integers(1, 40))])
            data[at:at] = chunk * draw(st.integers(1, 50))
    return bytes(data)


_SANDBOX: list[Sandbox] = []


@pytest.fixture(scope="module", autouse=True)
def _sandbox():
    yield
    while _SANDBOX:
        _SANDBOX.pop().close()


def run(args: list[str]) -> None:
    """Run `cchc args` in the sandbox (a memory and a time ceiling); fail on a runaway, a
    traceback, INT01 or a bad exit code."""
    if not _SANDBOX:
        _SANDBOX.append(Sandbox())
    result = _SANDBOX[0].run(args)
    assert result.failure is None, f"{args[0]}: {result.failure}"
    output = result.stdout + result.stderr
    assert result.exception is None, result.exception
    assert result.exit_code in (0, 1, 2), output
    assert "INT01" not in output, output
    assert "Traceback" not in output
    if result.exit_code == 2:
        assert PROBLEM.search(result.stderr), f"exit 2 without an error line: {result.stderr!r}"


def workbook(cells: list[list]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    # A fixed date: the same bytes every time, so hypothesis replays the same mutations.
    book.set_properties({"created": datetime.datetime(2024, 4, 1)})
    sheet = book.add_worksheet("Q1-2024")
    for r, row in enumerate(cells):
        sheet.write_row(r, 0, row)
    book.close()
    return out.getvalue()


def remix(xlsx: bytes, member: str, content: bytes) -> bytes:
    """The workbook `xlsx` with one zip member replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, content if info.filename == member else src.read(info))
    return out.getvalue()


BASE_XLSX = workbook([HEADER, ROW])


@pytest.fixture
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(mutated(RULESET.encode()))
def test_mutated_ruleset(folder, text):
    (folder / "r.yaml").write_bytes(text)
    (folder / "d.yaml").write_text(DATA_YAML, encoding="utf-8")
    run(["validate", str(folder / "r.yaml")])
    run(["evaluate", str(folder / "r.yaml"), "--data", str(folder / "d.yaml"),
         "--format", "json"])


@FUZZ
@given(mutated(DATA_YAML.encode()), st.sampled_from(["yaml", "json"]))
def test_mutated_yaml_data(folder, text, suffix):
    (folder / "r.yaml").write_text(RULESET, encoding="utf-8")
    (folder / f"d.{suffix}").write_bytes(text)
    run(["evaluate", str(folder / "r.yaml"), "--data", str(folder / f"d.{suffix}"),
         "--format", "json"])


@FUZZ
@given(mutated(DATA_CSV.encode()), st.booleans())
def test_mutated_csv(folder, text, decimal_comma):
    (folder / "r.yaml").write_text(RULESET, encoding="utf-8")
    (folder / "d.csv").write_bytes(text)
    run(["evaluate", str(folder / "r.yaml"), "--data", str(folder / "d.csv"), "--format",
         "csv", *(["--decimal-comma"] if decimal_comma else [])])


@FUZZ
@given(st.data())
def test_mutated_xlsx(folder, data):
    base = BASE_XLSX
    how = data.draw(st.sampled_from(["sheet", "strings", "zip"]))
    if how == "zip":
        book = data.draw(mutated(base))
    else:
        member = "xl/worksheets/sheet1.xml" if how == "sheet" else "xl/sharedStrings.xml"
        with zipfile.ZipFile(io.BytesIO(base)) as z:
            original = z.read(member)
        book = remix(base, member, data.draw(mutated(original)))
    (folder / "r.yaml").write_text(RULESET, encoding="utf-8")
    (folder / "d.xlsx").write_bytes(book)
    run(["evaluate", str(folder / "r.yaml"), "--data", str(folder / "d.xlsx"),
         "--format", "json"])


NAMES = ["received", "received_online", "received_direct", "carried_over", "online_rate",
         "nope", "received_onlin"]
formula_tokens = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(["+", "-", "*", "/", "(", ")", ",", "==", "<=", ">", "min(", "max(",
                     "abs(", "round(", "if(", "sum(", "and", "or", "not", "**", "%", "^"]),
    st.integers(-10, 10**6).map(str),
    st.sampled_from(["1e309", "0.5", ".", "1,5", "9" * 5000, "__import__('os')", "'x'",
                     "\n", "\x1b", "٣"]))


@FUZZ
@given(st.lists(formula_tokens, min_size=1, max_size=25), st.booleans())
def test_random_formula(folder, tokens, as_check):
    formula = " ".join(tokens).replace("\n", " ")
    quoted = '"' + formula.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if as_check:
        text = RULESET.replace(
            "received == received_online + received_direct + carried_over", quoted)
    else:
        text = RULESET.replace("received_online / received * 100", quoted)
    (folder / "r.yaml").write_text(text, encoding="utf-8")
    (folder / "d.yaml").write_text(DATA_YAML, encoding="utf-8")
    run(["validate", str(folder / "r.yaml")])
    run(["evaluate", str(folder / "r.yaml"), "--data", str(folder / "d.yaml"),
         "--format", "json"])
    run(["explain", str(folder / "r.yaml"), "--data", str(folder / "d.yaml"),
         "--target", "TTHC-06", "--unit", "ham-tan", "--period", "2024-Q1"])


# --- issue 25: far dates in every date field ------------------------------------------------

FAR_DAYS = ["0001-01-01", "0001-01-05", "1899-12-31", "9998-12-31", "9999-12-31", "0000-01-01",
            "99999-01-01", "-0001-01-01", "2024-02-30", "2025-01-03"]
FAR_PERIODS = ["0001", "0001-01", "9999", "9999-12", "9999-Q4", "9999-H2", "0000",
               "0001/9999", "0001-01-01/9999-12-31", "2024-Q1", "99999"]
far_day = st.sampled_from(FAR_DAYS)
far_period = st.sampled_from(FAR_PERIODS)

DAYS = ("  days: {label: Số ngày giải quyết, unit: days,\n"
        "         records: {source: dossiers, aggregate: mean_days, from: received_at, "
        "to: resolved_at}}\n")
# The source's plausible window and the run's --as-of moment reach the far days too.
far_window = st.one_of(st.none(), far_day)
FAR_AS_OF = ["0001-01-01", "0001-01-01T00:00:00", "0001-01-01T00:00:00+07:00",
             "0001-01-02T05:00:00+14:00", "0001-01-01T17:00:00Z", "2025-01-31", "9999-12-31",
             "9999-12-31T23:59:59Z", "10000-01-01"]


def far_records_ruleset(earliest: str | None, latest: str | None) -> str:
    keys = "    due: due_at\n    resolved: resolved_at\n"
    keys += "".join(f"    {key}: '{day}'\n" for key, day in
                    (("earliest", earliest), ("latest", latest)) if day is not None)
    return records_ruleset("fuzz-records", keys=keys, periods="month, quarter",
                           columns=", due_at: date, resolved_at: date", metrics=DAYS)


@FUZZ
@given(st.lists(st.tuples(far_day, far_day, far_day), min_size=1, max_size=5), far_window,
       far_window, st.one_of(st.none(), st.sampled_from(FAR_AS_OF)))
def test_far_record_dates(folder, days, earliest, latest, as_of):
    rows = "".join(f"d{i},ham-tan,2025-01-{1 + i % 28:02d},2025-02-01,2025-01-20\n"
                   for i in range(50))
    rows += "".join(f"x{i},ham-tan,{a},{b},{c}\n" for i, (a, b, c) in enumerate(days))
    (folder / "r.yaml").write_text(far_records_ruleset(earliest, latest), encoding="utf-8")
    (folder / "d.csv").write_text("dossier_id,unit_id,received_at,due_at,resolved_at\n" + rows,
                                  encoding="utf-8")
    run(["evaluate", str(folder / "r.yaml"), "--records", f"dossiers={folder / 'd.csv'}",
         "--format", "json", *(["--as-of", as_of] if as_of else [])])


@FUZZ
@given(far_period, far_period, far_period, far_period, far_day, far_day)
def test_far_dates_in_rulesets_units_and_periods(folder, by, base, every, reported, start, end):
    ruleset = f"""\
ruleset: fuzz-far
title: Kỳ xa
metrics:
  received: {{label: Tổng số hồ sơ tiếp nhận, unit: count, over_time: sum}}
  received_online: {{label: Hồ sơ trực tuyến, unit: count, over_time: sum}}
  online_rate: {{label: Tỷ lệ trực tuyến, unit: percent, formula: received_online / received * 100}}
targets:
  - {{id: T1, title: Tiếp nhận, area: procedures, metric: received,
     baseline: {{period: "{base}", value: 12}},
     milestones: [{{by: "{by}", op: ">=", value: 1, every_period_from: "{every}"}}]}}
  - {{id: T2, title: Trực tuyến, area: procedures, metric: online_rate, change: percent,
     baseline: {{period: same_last_year}}, milestones: [{{by: "{by}", op: ">=", value: 5}}]}}
"""
    data = f"""\
units:
  - {{id: binh-thuan, name: Tỉnh Bình Thuận, level: province, valid_from: "{start}"}}
  - {{id: ham-tan, name: Huyện Hàm Tân, level: district, valid_to: "{end}", successor: la-gi,
     parents: [[binh-thuan, "{start}", "{end}"]]}}
  - {{id: la-gi, name: Thị xã La Gi, level: district, valid_from: "{start}", parent: binh-thuan}}
reports:
  - {{unit: ham-tan, period: "{reported}", values: {{received: 4917, received_online: 246}}}}
  - {{unit: ham-tan, period: 2024-Q1, values: {{received: 4917, received_online: 246}}}}
"""
    (folder / "r.yaml").write_text(ruleset, encoding="utf-8")
    (folder / "d.yaml").write_text(data, encoding="utf-8")
    run(["validate", str(folder / "r.yaml")])
    run(["evaluate", str(folder / "r.yaml"), "--data", str(folder / "d.yaml"), "--format",
         "json"])


# --- long lists in every ruleset list, deep chains ------------------------------------------

LISTS = ["metrics", "targets", "milestones", "checks", "steps", "bands", "groups", "indicators"]


def long_ruleset(sizes: dict[str, int]) -> str:
    """A ruleset whose lists have the lengths in `sizes` (1 for a list not named)."""
    n = {which: sizes.get(which, 1) for which in LISTS}
    metrics = "".join(f"  m{i}: {{label: Chỉ số {i}, unit: count}}\n"
                      for i in range(n["metrics"]))
    milestones = ", ".join(f'{{by: "{2025 + i % 5}-{1 + i % 12:02d}", op: ">=", value: {i}}}'
                           for i in range(n["milestones"]))
    targets = "".join(f"  - {{id: T{i}, title: t{i}, area: procedures, metric: m0, "
                      f"milestones: [{milestones}]}}\n"
                      for i in range(n["targets"]))
    checks = "".join(f"  - {{id: c{i}, assert: m0 >= {i}}}\n" for i in range(n["checks"]))
    steps = ", ".join(f'{{op: ">=", value: {n["steps"] - i}, points: 1}}'
                      for i in range(n["steps"]))
    bands = ", ".join(f"{{id: B{i}, min: {n['bands'] - i}}}" for i in range(n["bands"]))
    groups = "".join(f"    - {{id: g{i}, title: Nhóm {i}}}\n" for i in range(n["groups"]))
    indicators = "".join(f"    - {{id: 'i{i}', title: t, group: g0, metric: m0, max: 1, "
                         f"steps: [{steps}]}}\n"
                         for i in range(n["indicators"]))
    return (f"ruleset: fuzz-long\ntitle: Danh sách dài\nmetrics:\n{metrics}checks:\n{checks}"
            f"targets:\n{targets}scoring:\n  bands: [{bands}]\n  groups:\n{groups}"
            f"  indicators:\n{indicators}")


# The lengths at and around each bound (SCH10: 100 steps, 100 bands, 1,000 indicators), and
# any length up to 2,000; one list long, or two at once (targets × milestones, indicators ×
# steps multiply).
LENGTHS = st.one_of(st.sampled_from([0, 1, 2, 99, 100, 101, 999, 1_000, 1_001, 5_000]),
                    st.integers(0, 2_000))


@FUZZ
@given(st.dictionaries(st.sampled_from(LISTS), LENGTHS, min_size=1, max_size=2))
# found at 2,000 examples: every check planned over the whole wide frame (1.3 GB, an abort
# under the 2 GB ceiling); now each reads only its own columns (evaluator._checks)
@example({"checks": 1586, "metrics": 1583})
# and every indicator's steps planned in one select (999 indicators × 13 steps: 1.2 GB); now
# a hundred indicators a pass (score/points.py)
@example({"indicators": 999, "steps": 13})
def test_long_lists_in_every_ruleset_list(folder, sizes):
    # Milestones are written once per target and steps once per indicator: a product past
    # the 10 MB file cap (YAML08, tested on its own) would only build a huge text here.
    assume(sizes.get("targets", 1) * sizes.get("milestones", 1) <= 200_000
           and sizes.get("indicators", 1) * sizes.get("steps", 1) <= 300_000)
    (folder / "r.yaml").write_text(long_ruleset(sizes), encoding="utf-8")
    (folder / "d.yaml").write_text(
        "units:\n  - {id: ham-tan, name: Huyện Hàm Tân, level: district}\nreports:\n"
        "  - {unit: ham-tan, period: 2024-Q1, values: {m0: 4917}}\n", encoding="utf-8")
    run(["validate", str(folder / "r.yaml")])
    run(["rank", str(folder / "r.yaml"), "--data", str(folder / "d.yaml"), "--format", "json"])


@FUZZ
@given(st.sampled_from(["parent", "successor", "dated", "both"]),
       st.one_of(st.sampled_from([1, 2, 49, 50, 51, 52, 500, 3_000]), st.integers(1, 3_000)),
       st.one_of(st.none(), st.integers(0, 3_000)))
def test_deep_chains(folder, link, n, loop_to):
    """A chain of `n` units, each under the one before (or merged into the one after); with
    `loop_to`, the first unit's parent, and the last unit's successor, is unit `loop_to` (a
    cycle, with a tail when it is not the chain's end)."""
    cycle = loop_to is not None
    lines = ["units:"]
    for i in range(n):
        above = f"u{i - 1}" if i else (f"u{min(loop_to, n - 1)}" if cycle else None)
        parts = [f"id: u{i}", f"name: Đơn vị {i}"]
        if above and link in ("parent", "both"):
            parts.append(f"parent: {above}")
        if above and link == "dated":
            parts.append(f"parents: [[{above}, '2020-01-01', '2030-12-31']]")
        if link in ("successor", "both") and (i < n - 1 or cycle):
            after = i + 1 if i < n - 1 else min(loop_to, n - 1)  # the last: back (or itself)
            parts += [f"valid_to: '2020-{1 + i % 12:02d}-01'", f"successor: u{after}"]
        lines.append("  - {" + ", ".join(parts) + "}")
    lines.append(f"reports:\n  - {{unit: u{n - 1}, period: 2024-Q1, values: {{received: 4917, "
                 "received_online: 246, received_direct: 2180, carried_over: 2491}}")
    (folder / "r.yaml").write_text(RULESET, encoding="utf-8")
    (folder / "d.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run(["evaluate", str(folder / "r.yaml"), "--data", str(folder / "d.yaml"), "--format",
         "json"])


# --- huge numbers in every numeric field of the scoring section -----------------------------

HUGE = st.sampled_from(["1.0e+308", "-1.0e+308", "1.0e+300", "1.0e+15", "1.0e+9", "1e9",
                        "9" * 400, "0", "-0.0", "0.5", "100", ".inf", ".nan", "1.0e-320"])
SCORING_FIELDS = ["scale", "band", "max", "full_at", "zero_at", "step_value", "step_points",
                  "by_status", "between"]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(SCORING_FIELDS), HUGE), min_size=1, max_size=4))
def test_huge_numbers_in_scoring(folder, fields):
    v = {"scale": "100", "band": "90", "max": "1.0e+9", "full_at": "100", "zero_at": "0",
         "step_value": "50", "step_points": "1", "by_status": "2", "between": "60"}
    for field, value in fields:
        v[field] = value
    ruleset = f"""\
ruleset: fuzz-huge
title: Số rất lớn
metrics:
  plan_done: {{label: Tỷ lệ hoàn thành kế hoạch, unit: percent}}
  online_rate: {{label: Tỷ lệ hồ sơ trực tuyến, unit: percent}}
targets:
  - {{id: T6, title: Trực tuyến, area: procedures, metric: online_rate,
     milestones: [{{by: "2025", op: ">=", value: 50}}]}}
scoring:
  scale: {v["scale"]}
  bands: [{{id: A, min: {v["band"]}}}, {{id: B, min: 0}}]
  indicators:
    - {{id: "1", title: a, metric: plan_done, max: {v["max"]}, full_at: {v["full_at"]},
       zero_at: {v["zero_at"]}}}
    - {{id: "2", title: b, metric: plan_done, max: {v["max"]},
       steps: [{{op: ">=", value: {v["step_value"]}, points: {v["step_points"]}}},
               {{op: between, value: [0, {v["between"]}], points: 0.5}}]}}
    - {{id: "3", title: c, target: T6, max: {v["max"]}, by_status: {{met: {v["by_status"]}}}}}
    - {{id: "4", title: d, metric: online_rate, max: {v["max"]}, as_points: true}}
"""
    (folder / "r.yaml").write_text(ruleset, encoding="utf-8")
    (folder / "d.yaml").write_text(
        "units:\n  - {id: ham-tan, name: Huyện Hàm Tân, level: district}\n"
        "  - {id: tanh-linh, name: Huyện Tánh Linh, level: district}\nreports:\n"
        "  - {unit: ham-tan, period: '2025', values: {plan_done: 50, online_rate: 5.0}}\n"
        "  - {unit: tanh-linh, period: '2025', values: {plan_done: 100, online_rate: 100}}\n",
        encoding="utf-8")
    run(["validate", str(folder / "r.yaml")])
    run(["rank", str(folder / "r.yaml"), "--data", str(folder / "d.yaml"), "--format", "json"])


# --- workbook shapes: many sheets, far cells, shared strings --------------------------------

@FUZZ
@given(st.integers(1, 12), st.lists(st.tuples(st.integers(0, 1_100_000), st.integers(0, 40)),
                                    max_size=4),
       st.sampled_from([0, 1_000, 1_000_000, 70_000_000]), st.booleans())
def test_workbook_shapes(folder, sheets, far, strings, hidden):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"created": datetime.datetime(2024, 4, 1)})
    data = book.add_worksheet("Q1-2024")
    data.write_row(0, 0, HEADER)
    data.write_row(1, 0, ROW)
    for i in range(1, sheets):
        sheet = book.add_worksheet(f"S{i}")
        row, col = far[i % len(far)] if far else (0, 0)
        sheet.write_number(min(row, 1_048_575), col, 1)
        if hidden and i % 2:
            sheet.hide()
    book.close()
    xlsx = out.getvalue()
    if strings:
        with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
            sst = z.read("xl/sharedStrings.xml")
        cut = sst.rindex(b"</sst>")
        xlsx = remix(xlsx, "xl/sharedStrings.xml",
                     sst[:cut] + b"<si><t>" + b"A" * strings + b"</t></si>" + sst[cut:])
    (folder / "r.yaml").write_text(RULESET, encoding="utf-8")
    (folder / "d.xlsx").write_bytes(xlsx)
    run(["evaluate", str(folder / "r.yaml"), "--data", str(folder / "d.xlsx"),
         "--format", "json"])
