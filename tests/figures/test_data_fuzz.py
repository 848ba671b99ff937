"""Any input file gives figures or the project's own errors, never a traceback."""
from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_rules.errors import CchcError
from cchc_rules.figures.data import read_data

KNOWN = {"received": "count", "rate": "percent"}
words = st.sampled_from(["unit", "period", "metric", "value", "source", "received", "rate",
                         "ham-tan", "2024", "2024-Q1", "4.917", "47,18", "-1", "nan", "", " ",
                         '"', "a,b", "x"])
printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=5)
cells = st.one_of(words, st.integers(-10, 10**6), st.floats(), st.booleans(), st.none(),
                  printable)


def outcome(paths, **kwargs) -> str:
    try:
        figures = read_data(paths, **kwargs)
    except CchcError as err:
        assert err.problems
        assert all(p.code[:3] in ("DAT", "UNT", "PER", "IO0", "YAM") for p in err.problems)
        return "error"
    assert figures.values["value"].is_finite().all()
    return "ok"


@settings(deadline=None, max_examples=60)
@given(st.lists(st.lists(words, max_size=6), max_size=6), st.sampled_from([",", ";", "\t"]),
       st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_any_csv(rows, sep, newline, decimal_comma):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.csv"
        path.write_text(newline.join(sep.join(r) for r in rows), encoding="utf-8")
        outcome([path], decimal_comma=decimal_comma, known_metrics=KNOWN)


documents = st.recursive(cells, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(words, inner, max_size=4)), max_leaves=12)


@settings(deadline=None, max_examples=60)
@given(st.one_of(documents, st.fixed_dictionaries(
    {"reports": st.lists(st.dictionaries(words, documents, max_size=5), max_size=3)},
    optional={"units": st.lists(st.dictionaries(words, cells, max_size=4), max_size=3)})))
def test_any_yaml(document):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        outcome([path], known_metrics=KNOWN)
        outcome([], units_file=path)


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cells, max_size=5), max_size=5), st.booleans())
def test_any_sheet(rows, decimal_comma):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.xlsx"
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
        outcome([path], decimal_comma=decimal_comma, known_metrics=KNOWN)
