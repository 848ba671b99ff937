"""Every bound in the package is documented with its code (issue 25): each constant that
limits what an input may hold or the work it may cost has a row of docs/security.md naming its
value and its code, and a new `MAX_…`/`…_LIMIT` constant fails here until it has one.

A bound's value is written here too, so a change of the constant fails until the page (and
this list) say the new value."""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "security.md"
MB = 1024 * 1024

# (module, constant): (its value, its code or None for a bound that refuses nothing, the
# value as a row of docs/security.md writes it)
BOUNDS = {
    ("cchc_rules.load", "MAX_BYTES"): (10 * MB, "YAML08", "10 MB"),
    ("cchc_rules.load", "MAX_ALIAS_NODES"): (50_000, "YAML04", "50.000 nút"),
    ("cchc_rules.load", "MAX_DEPTH"): (200, "YAML01", "lồng 200 cấp"),
    ("cchc_rules.load", "MAX_NODES"): (500_000, "YAML10", "500.000 giá trị"),
    ("cchc_rules.expr.tokens", "MAX_NUMBER_DIGITS"): (1_000, "FRM08", "1.000 chữ số"),
    ("cchc_rules.expr.parser", "MAX_DEPTH"): (100, "FRM01", "ngoặc lồng 100 cấp"),
    ("cchc_rules.expr.parser", "MAX_HEIGHT"): (256, "FRM09", "sâu 256"),
    ("cchc_rules.expr.parser", "MAX_TOKENS"): (10_000, "FRM09", "10.000 ký hiệu"),
    ("cchc_rules.figures.readers.csv", "MAX_BYTES"): (512 * MB, "IO02", "512 MB"),
    ("cchc_rules.figures.readers.xlsx", "MAX_BYTES"): (512 * MB, "DAT23", "512 MB"),
    ("cchc_rules.figures.readers.xlsx", "MAX_CELLS"): (10_000_000, "DAT23", "10.000.000"),
    ("cchc_rules.figures.readers.xlsx", "MAX_STRINGS_BYTES"): (64 * MB, "DAT23", "64 MB"),
    ("cchc_rules.figures.units", "MAX_DEPTH"): (50, "UNT18", "| 50;"),
    ("cchc_rules.figures.units", "MAX_SUCCESSION"): (50, "UNT18", "| 50;"),
    ("cchc_rules.figures.records.span", "MAX_SPAN_YEARS"): (100, "REC14", "≤ 100 năm"),
    ("cchc_rules.figures.records.span", "_LAST_YEAR"): (9998, "REC14", "năm 1–9998"),
    ("cchc_rules.figures.records.engines", "MEMORY_LIMIT"): ("600MB", None, "600 MB"),
    ("cchc_rules.ruleset.schema", "MAX_POINTS"): (1e9, "SCH10", "±1.000.000.000"),
    ("cchc_rules.ruleset.schema", "MAX_THRESHOLD"): (1e15, "SCH10", "±10^15"),
    ("cchc_rules.ruleset.schema", "MAX_STEPS"): (100, "SCH10", "| 100; chấm"),
    ("cchc_rules.ruleset.schema", "MAX_BANDS"): (100, "SCH10", "| 100, một lượt"),
    ("cchc_rules.ruleset.schema", "MAX_INDICATORS"): (1_000, "SCH10", "| 1.000 |"),
    ("cchc_rules.draft.documents", "MAX_BYTES"): (50 * MB, "IO02", "50 MB (`IO02`)"),
    ("cchc_rules.draft.documents", "MAX_PAGES"): (300, "DRF04", "300 trang"),
    ("cchc_rules.draft.documents", "MAX_CHARS"): (1_500_000, "DRF04", "1.500.000 ký tự"),
    ("cchc_rules.commands.diff", "MAX_RESULTS_BYTES"): (2_000_000_000, "IO02",
                                                        "2.000.000.000 byte"),
    ("cchc_rules.serve.workspace", "MAX_UPLOAD_BYTES"): (10 * MB, "IO02", "10 MB (HTTP 413)"),
    ("cchc_rules.render.report.sandbox", "MAX_ITEMS"): (100_000, "RPT07", "tối đa 100 000"),
    ("cchc_rules.render.report.sandbox", "MAX_RANGE_TOTAL"): (1_000_000, "RPT07",
                                                              "tối đa 1 000 000"),
    ("cchc_rules.render.report.sandbox", "MAX_INT_BITS"): (10_000, "RPT07", "10 000 bit"),
    ("cchc_rules.render.report.sandbox", "RENDER_SECONDS"): (60.0, "RPT07", "60 giây"),
    ("cchc_rules.render.pdf", "PDF_MAX_TARGETS"): ({"full": 300, "summary": 1_000}, "RPT08",
                                                   "300 chỉ tiêu (bản đầy đủ) hay 1 000"),
}
# Named like a bound but choosing how much is shown, never refusing input or work.
NOT_BOUNDS = {
    ("cchc_rules.figures.scoring_read", "MAX_LISTED"),          # differences listed
    ("cchc_rules.derive.consistency", "MAX_LISTED_INPUTS"),     # inputs named in a warning
    ("cchc_rules.render.report.builder", "AUTO_FULL_MAX"),      # `--detail auto`'s edition
    ("cchc_rules.render.pdf", "PDF_AUTO_FULL_MAX"),             # the same for the PDF
}
BOUND_NAME = re.compile(r"(^|_)(MAX|LIMIT)(_|$)")


def _named_like_bounds() -> set[tuple[str, str]]:
    found = set()
    for path in sorted((ROOT / "cchc_rules").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) else []
            found |= {(module, t.id) for t in targets
                      if isinstance(t, ast.Name) and BOUND_NAME.search(t.id)}
    return found


def test_every_constant_named_like_a_bound_is_listed():
    unlisted = _named_like_bounds() - set(BOUNDS) - NOT_BOUNDS
    assert not unlisted, f"document these bounds in docs/security.md and list them: {unlisted}"


@pytest.mark.parametrize(("where", "bound"), BOUNDS.items(),
                         ids=[f"{m}.{n}" for m, n in BOUNDS])
def test_every_bound_has_a_row_with_its_value_and_code(where, bound):
    module, name = where
    value, code, written = bound
    assert getattr(importlib.import_module(module), name) == value, \
        f"{module}.{name} changed: say its new value in docs/security.md and here"
    rows = [line for line in PAGE.read_text(encoding="utf-8").splitlines()
            if line.startswith("|") and written in line
            and (code is None or f"`{code}`" in line)]
    assert rows, f"no row of docs/security.md says {written!r} with `{code}`"
