"""Error-code registry: every code raised in cchc_rules/ is registered in codes.py and has a
section in docs/errors.md, and nothing is registered or documented that is never raised.

Adding a code: raise it, add `Code("XXX01", en, vi)` to cchc_rules/codes.py, and a
`### XXX01` section with the same bold line to docs/errors.md.
"""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from cchc_rules.codes import CODES, FAMILIES

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cchc_rules"
DOC = ROOT / "docs" / "errors.md"
CODE = re.compile(r"\b([A-Z]{2,4}[0-9]{2})\b")
STRINGS = {tokenize.STRING, *(getattr(tokenize, n) for n in ("FSTRING_MIDDLE",)
                              if hasattr(tokenize, n))}


def raised() -> dict[str, str]:
    """Code -> first file:line where it appears in a string literal (comments don't count)."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "codes.py" and path.parent == PACKAGE:
            continue
        text = path.read_text(encoding="utf-8")
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in STRINGS:
                for code in CODE.findall(tok.string):
                    found.setdefault(code, f"{path.relative_to(ROOT)}:{tok.start[0]}")
    return found


def documented() -> dict[str, str]:
    """Code -> the bold line under its `### CODE` heading in docs/errors.md."""
    sections = re.findall(r"^### ([A-Z]{2,4}[0-9]{2})\n\n\*\*(.+?)\*\*", DOC.read_text("utf-8"),
                          flags=re.MULTILINE)
    return dict(sections)


def test_every_raised_code_is_registered():
    missing = {c: at for c, at in raised().items() if c not in CODES}
    assert not missing, f"register these in cchc_rules/codes.py: {missing}"


def test_every_registered_code_is_raised():
    unused = sorted(set(CODES) - set(raised()))
    assert not unused, f"registered but never raised in cchc_rules/: {unused}"


def test_every_registered_code_is_documented_with_its_text():
    docs = documented()
    assert sorted(set(CODES) ^ set(docs)) == [], "codes.py and docs/errors.md differ"
    wrong = {c: docs[c] for c, code in CODES.items() if docs[c] != f"{code.vi} / {code.en}"}
    assert not wrong, f"bold line in docs/errors.md differs from codes.py: {wrong}"


def test_internal_error_is_documented():
    assert "INT01" in documented()
    assert CODES["INT01"].link == "docs/errors.md#int01"


def test_codes_are_well_formed_and_in_a_known_family():
    for name, code in CODES.items():
        assert name == code.code and CODE.fullmatch(name)
        assert code.family in FAMILIES, name
        assert code.en and code.vi and "\n" not in code.en + code.vi
