"""The standing fuzz suite: mutated rulesets, data files, workbooks and formulas.

Every input, however broken, must either run (exit 0 or 1) or give the project's own error
lines with exit 2: never a traceback, never an internal error (INT01), never a hang or a
runaway allocation. Byte-level mutations start from valid files built from Hàm Tân's real
Q1/2024 one-stop figures, so most mutants are near-valid, where parsers are weakest.

`make test` runs a small budget; `make fuzz` runs the same tests with CCHC_FUZZ_EXAMPLES=2000.
"""
from __future__ import annotations

import datetime
import io
import os
import re
import resource
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_rules.cli import main

EXAMPLES = int(os.environ.get("CCHC_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
# Generous bounds: they catch hangs and runaway allocation, they do not measure speed.
MAX_SECONDS = 60
MAX_RSS_KIB = 2 * 1024 * 1024
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


def run(args: list[str]) -> None:
    """Run `cchc args`; fail on a traceback, INT01, a bad exit code or a runaway."""
    started = time.monotonic()
    result = CliRunner().invoke(main, args)
    took = time.monotonic() - started
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{type(result.exception).__name__}: {result.exception}"
    assert result.exit_code in (0, 1, 2), result.output
    assert "INT01" not in result.output, result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert PROBLEM.search(result.stderr), f"exit 2 without an error line: {result.stderr!r}"
    assert took < MAX_SECONDS, f"{args[0]} took {took:.0f} s"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < MAX_RSS_KIB


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
