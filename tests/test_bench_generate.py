"""Tests for bench/generate.py: the seeded national workload generator."""
from __future__ import annotations

import csv
import json
from collections import Counter

import pytest
import yaml

from bench.generate import generate, main, make_periods
from bench.workload import CHECKS, RATES, RAW, TARGETS, ruleset_document


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    main(["--out", str(out), "--scale-units", "0.01", "--seed", "7"])
    return out


def _identities(row: dict[str, int]) -> dict[str, bool]:
    return {
        "received-breakdown": row["received"] == (
            row["received_online"] + row["received_direct"] + row["carried_over"]),
        "received-outcome": row["received"] == (
            row["resolved_on_time"] + row["resolved_late"] + row["pending_in_time"]
            + row["pending_overdue"]),
    }


def test_same_seed_same_bytes(tmp_path):
    for name in ("a", "b"):
        main(["--out", str(tmp_path / name), "--scale-units", "0.02", "--scale-periods", "0.5"])
    for f in ("ruleset.yaml", "units.yaml", "units.csv", "data.csv", "manifest.json"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_other_seed_other_figures():
    assert generate(0.01, 0.25, seed=1).rows != generate(0.01, 0.25, seed=2).rows


def test_counts_at_tiny_scale(tiny):
    manifest = json.loads((tiny / "manifest.json").read_text(encoding="utf-8"))
    units = yaml.safe_load((tiny / "units.yaml").read_text(encoding="utf-8"))["units"]
    levels = Counter(u["level"] for u in units)
    assert levels == {"province": 1, "commune": 33}
    assert manifest["evaluations"] == 34 * 12 * 40
    with open(tiny / "data.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 33 * 12 == manifest["data_rows"]
    assert list(rows[0]) == ["unit", "period", *RAW]
    assert {r["unit"] for r in rows} == {u["id"] for u in units if u["level"] == "commune"}
    parents = {u["id"]: u.get("parent") for u in units}
    assert all(parents[r["unit"]] == units[0]["id"] for r in rows), "communes only; one province"


def test_full_scale_shape():
    units = generate(1.0, 0.0001).units
    assert Counter(u.level for u in units) == {"province": 34, "commune": 3321}
    assert len(units) * 12 * len(TARGETS) == 1_610_400
    assert make_periods(1.0) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert make_periods(2.0)[-1] == "2026-12"


def test_identities_hold_except_broken_rows(tiny):
    manifest = json.loads((tiny / "manifest.json").read_text(encoding="utf-8"))
    broken = {(b["unit"], b["period"]): b["check"] for b in manifest["broken"]}
    blank = {(b["unit"], b["period"]) for b in manifest["blank"]}
    assert broken, "at least one deliberately broken row"
    with open(tiny / "data.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (row["unit"], row["period"])
            counts = {k: int(v) for k, v in row.items() if k in RAW and v != ""}
            assert len(counts) == len(RAW) - (2 if key in blank else 0), key
            failed = {name for name, ok in _identities(counts).items() if not ok}
            assert failed == ({broken[key]} if key in broken else set()), key
            assert all(v >= 0 for v in counts.values()), key


def test_magnitudes_are_realistic():
    rows = generate(0.05, 1.0, seed=3).rows
    received = sorted(r["received"] for r in rows)
    median = received[len(received) // 2]
    assert 50 <= median <= 500, median


def test_ruleset_document_is_consistent():
    doc = ruleset_document()
    assert len(doc["targets"]) == 40 == len({t["id"] for t in doc["targets"]})
    assert len(doc["checks"]) == len(CHECKS) == 2
    derived = {k for k, m in doc["metrics"].items() if "formula" in m}
    assert derived == {r.id for r in RATES} and len(derived) == 8
    assert {t["metric"] for t in doc["targets"]} <= derived
    ops = {m["op"] for t in doc["targets"] for m in t["milestones"]}
    assert ops == {">=", "<="}
    levels = Counter(tuple(t.get("levels", ())) for t in doc["targets"])
    assert set(levels) == {(), ("province",), ("commune",)}


def test_ruleset_validates(tiny):
    ruleset = pytest.importorskip("cchc_rules.ruleset.loader")
    loaded = ruleset.load_ruleset(tiny / "ruleset.yaml")
    assert len(loaded.model.targets) == 40
    assert set(loaded.order) == {r.id for r in RATES}


def test_zen_port_agrees_with_cchc_on_the_generated_workload(tiny):
    pytest.importorskip("zen")
    from bench.zen import run
    from cchc_rules import evaluate, load_ruleset, read_data

    ev = evaluate(load_ruleset(tiny / "ruleset.yaml"),
                  read_data([tiny / "data.csv"], units_file=tiny / "units.yaml"))
    zen = run(tiny).results
    keys = ["target", "unit", "period"]
    both = ev.results.join(zen, on=keys, how="full", suffix="_zen", coalesce=True)
    assert both.height == ev.results.height == zen.height == 34 * 12 * 40
    differ = both.filter(both["status"] != both["status_zen"])
    assert differ.is_empty(), differ.head(5)
    assert set(both["status"].unique()) >= {"met", "not_met", "on_track", "off_track",
                                             "pending", "not_applicable", "invalid"}
