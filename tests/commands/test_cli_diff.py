"""`cchc diff PREVIOUS.json CURRENT.json` through click's runner: exit 1 when something got
worse, 0 otherwise, 2 on bad input; rulesets are handed to the rulesets' diff or refused."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from factory import cchc

ROOT = Path(__file__).resolve().parents[2]


def _doc(*rows):
    return {"ruleset": "r", "results": [
        {"unit": u, "target": t, "period": p, "status": s, "actual": a, "metric": "m"}
        for u, t, p, s, a in rows], "summary": {}}


@pytest.fixture
def runs(tmp_path):
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    old.write_text(json.dumps(_doc(("ha-tien", "TTHC-06", "2026-11", "on_track", 47.5),
                                   ("ham-tan", "TTHC-06", "2026-11", "met", 90))))
    new.write_text(json.dumps(_doc(("ha-tien", "TTHC-06", "2026-11", "off_track", 38.8),
                                   ("ham-tan", "TTHC-06", "2026-11", "met", 91))))
    return old, new


def _run(*args):
    result = cchc(*args)
    return result.exit_code, result.stdout, result.stderr


def test_worse_exits_1_and_says_what(runs):
    old, new = runs
    code, out, err = _run("diff", old, new, "--lang", "en")
    assert code == 1, err
    assert "1 worse, 0 better, 0 other status changes, 1 figures changed" in out
    assert "ha-tien · TTHC-06 · 2026-11: On track → Off track (47.5 → 38.8)" in out


def test_better_or_nothing_exits_0(runs):
    old, new = runs
    code, out, err = _run("diff", new, old, "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["summary"]["better"] == 1 and document["better"][0]["unit"] == "ha-tien"
    assert _run("diff", old, old)[0] == 0


def test_markdown_to_a_file(runs, tmp_path):
    old, new = runs
    target = tmp_path / "digest.md"
    code, out, _err = _run("diff", old, new, "--format", "markdown", "--output", target,
                           "--lang", "en")
    assert code == 1 and out == ""
    text = target.read_text()
    assert text.startswith("### Changes from `") and "**Got worse (1)**" in text


@pytest.mark.parametrize("content, said", [
    ("not json", "error DIF01 not JSON"),
    ('{"results": 3}', "is not a results document"),
    ('[1, 2]', "is not a results document"),
])
def test_bad_input_exits_2_with_one_line(runs, tmp_path, content, said):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    code, out, err = _run("diff", runs[0], bad, "--lang", "en")
    assert code == 2 and out == ""
    assert said in err and len(err.strip().splitlines()) == 1, err


def test_a_missing_file_and_half_a_period_pair_exit_2(runs, tmp_path):
    code, _out, err = _run("diff", runs[0], tmp_path / "nope.json")
    assert code == 2 and "nope.json" in err
    code, _out, err = _run("diff", runs[0], runs[1], "--period", "2026-11", "--lang", "en")
    assert code == 2 and "--previous-period and --period go together" in err


def test_two_rulesets_go_to_the_rulesets_diff_and_a_mixed_pair_is_refused(tmp_path):
    ruleset = ROOT / "rulesets/national/qd766-records.yaml"
    code, out, err = _run("diff", ruleset, ruleset, "--format", "json", "--lang", "en")
    assert code == 0, err
    found = json.loads(out)
    assert found["summary"] == {"added": 0, "removed": 0, "changed": 0, "unchanged": 3}
    results = tmp_path / "r.json"
    results.write_text('{"results": []}', encoding="utf-8")
    code, _out, err = _run("diff", ruleset, results, "--lang", "en")
    assert code == 2 and "error DIF02 cannot compare a ruleset with a results file" in err, err


def test_a_results_file_past_the_byte_cap_is_io02(runs, monkeypatch):
    """A national year's results are ~1 GB; past 2,000,000,000 bytes a file is refused before
    it is parsed (here the cap is lowered to the first file's size)."""
    from cchc_rules.commands import diff
    old, new = runs
    monkeypatch.setattr(diff, "MAX_RESULTS_BYTES", old.stat().st_size - 1)
    code, out, err = _run("diff", old, new, "--lang", "en")
    assert code == 2 and out == ""
    assert err.splitlines() == [f"{old}: error IO02 file is larger than "
                                f"{old.stat().st_size - 1:,} bytes"]
