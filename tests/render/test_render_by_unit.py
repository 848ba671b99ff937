"""The table and the JUnit XML are written per unit a slice at a time: the text does not
depend on the slice size, on the order of units in the results, nor on label columns being
categorical."""
from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import polars as pl
import pytest
from factory import HAM_TAN, ONLINE, report, run, target

from cchc_rules.render import FORMATS, by_unit

LATE = target("TTHC-LATE", "late_rate", ("2025", "<=", 5))
CHECK = {"id": "online-within", "assert": "received_online <= received"}


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory):
    # Tây Ninh has results but none shown (no data) and sits between units with rows;
    # Xã Mới fails its check.
    reports = [report("ham-tan", "2024-Q1", **HAM_TAN), report("ham-tan", "2024-Q2", **HAM_TAN),
               report("tay-ninh", "2024", staff_cut=1, staff_assigned=10),
               report("xa-moi", "2024", received=5, received_online=9)]
    return run(tmp_path_factory.mktemp("by_unit"), [ONLINE, LATE], reports, [CHECK])


def texts(ev, **options):
    return [FORMATS[name](ev, **options) for name in ("table", "junit")]


def test_the_fixture_has_a_unit_without_rows_between_units_with_rows(evaluation):
    table, junit = texts(evaluation, lang="en")
    tay_ninh = table.split("Tỉnh Tây Ninh (tay-ninh · province)\n")[1].split("\n\n")[0]
    assert tay_ninh == "  No data (2 results): TTHC-06, TTHC-LATE"
    assert table.index("Huyện Hàm Tân") < table.index("Tỉnh Tây Ninh") < table.index("Xã Mới")
    assert "Check online-within 2024: fail" in table
    suites = [s.get("name") for s in ET.fromstring(junit).findall("testsuite")]
    assert suites == ["binh-thuan", "ham-tan", "tay-ninh", "xa-moi"]


@pytest.mark.parametrize("options", [{}, {"lang": "en", "color": True},
                                     {"fail_on": ["met", "no_data"]}])
def test_one_row_per_slice_gives_the_same_text(evaluation, monkeypatch, options):
    whole = texts(evaluation, **options)
    monkeypatch.setattr(by_unit, "CHUNK", 1)
    assert texts(evaluation, **options) == whole


def test_units_in_any_order_give_the_same_text(evaluation):
    def units_reversed(frame):   # a unit's rows keep their order
        return frame.with_row_index("_i").sort(["unit", "_i"], descending=[True, False]) \
            .drop("_i")

    results, checks = units_reversed(evaluation.results), units_reversed(evaluation.checks)
    assert not results["unit"].is_sorted()
    shuffled = dataclasses.replace(evaluation, results=results, checks=checks)
    assert texts(shuffled) == texts(evaluation)


def test_categorical_labels_give_the_same_text(evaluation):
    labels = ["target", "unit", "period", "status", "op", "metric"]
    results = evaluation.results.with_columns(pl.col(c).cast(pl.Categorical) for c in labels)
    checks = evaluation.checks.with_columns(pl.col(c).cast(pl.Categorical)
                                            for c in ["check", "unit", "period", "status"])
    typed = dataclasses.replace(evaluation, results=results, checks=checks)
    assert texts(typed, lang="en") == texts(evaluation, lang="en")
