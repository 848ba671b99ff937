"""Criteria sets as provinces write them (issue 26, part 2): areas → criteria → sub-criteria
with subtotals, a group's max as a cap, tracks (indicators by level) for departments and
communes in one ruleset, manual criteria scored by points — against hand counts and a
plain-Python reference."""
from __future__ import annotations

import json
import math
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules import evaluate_files
from cchc_rules.cli import main
from tests.factory import write

IDS = ("a11", "a12", "a2", "b", "c")


def _ruleset(tmp: Path) -> Path:
    manual = lambda i, g, top: {"id": i, "title": i, "group": g, "metric": i,  # noqa: E731
                                "max": top, "manual": True}
    return write(tmp / "r.yaml", {
        "ruleset": "tree", "title": "Bộ tiêu chí lồng nhau",
        "metrics": {m: {"label": m, "unit": "score"} for m in (*IDS, "bonus")},
        "scoring": {
            "bands": [{"id": "A", "min": 90}, {"id": "B", "min": 0}],
            "groups": [
                {"id": "A", "title": "Lĩnh vực A", "max": 10},
                {"id": "A.1", "title": "Tiêu chí A.1", "parent": "A"},
                {"id": "A.2", "title": "Tiêu chí A.2", "parent": "A"},
                {"id": "B", "title": "Lĩnh vực B (xã)", "levels": ["commune"]},
                {"id": "C", "title": "Lĩnh vực C (sở)", "levels": ["department"]}],
            "indicators": [
                manual("a11", "A.1", 6), manual("a12", "A.1", 4), manual("a2", "A.2", 4),
                manual("b", "B", 5), manual("c", "C", 5),
                {"id": "T", "title": "Thưởng", "kind": "bonus", "metric": "bonus", "max": 2,
                 "as_points": True}]}})


UNITS = [{"id": "so", "name": "Sở", "level": "department"},
         {"id": "xa", "name": "Xã", "level": "commune"}]


def test_nested_groups_caps_and_tracks_equal_a_hand_count(tmp_path):
    data = write(tmp_path / "d.yaml", {"units": UNITS, "reports": [
        {"unit": "so", "period": "2025",
         "values": {"a11": 6, "a12": 4, "a2": 3, "b": 5, "c": 5}},
        {"unit": "xa", "period": "2025",
         "values": {"a11": 2, "a12": 1, "a2": "n/a", "b": 4, "c": 5, "bonus": 1}}]})
    ev = evaluate_files(_ruleset(tmp_path), [data])
    s = ev.scores()
    groups = {(r["unit"], r["group"]): (r["points"], r["max"])
              for r in s.groups.iter_rows(named=True)}
    # so: A.1 = 6 + 4 of 10, A.2 = 3 of 4, A = 13 of 14 capped to 10 of 10; B is not its
    # track (excluded though reported), C = 5 of 5 → 15 of 15
    assert groups[("so", "A.1")] == (10, 10) and groups[("so", "A.2")] == (3, 4)
    assert groups[("so", "A")] == (10, 10)
    assert groups[("so", "B")] == (0, 0) and groups[("so", "C")] == (5, 5)
    # xa: A.2 declared n/a → 0 of 0, A = 3 of 10; B = 4 of 5; C not its track; bonus 1
    assert groups[("xa", "A")] == (3, 10) and groups[("xa", "A.2")] == (0, 0)
    assert groups[("xa", "C")] == (0, 0)
    ranks = {r["unit"]: r for r in s.rankings.iter_rows(named=True)}
    assert (ranks["so"]["points"], ranks["so"]["max"], ranks["so"]["index"]) == (15, 15, 100)
    assert (ranks["xa"]["points"], ranks["xa"]["max"]) == (8, 15)
    assert math.isclose(ranks["xa"]["index"], 8 / 15 * 100)
    assert ranks["so"]["of"] == 1 and ranks["xa"]["of"] == 1   # one ranking per track
    scored = {(r["unit"], r["indicator"]): r["max"] for r in s.scores.iter_rows(named=True)}
    assert scored[("so", "b")] is None and scored[("xa", "c")] is None


def _reference(v: dict[str, float | None], level: str) -> tuple[float, float]:
    """By hand: sub-criteria clamped to 0–max, the area A capped at 10, tracks B/C."""
    clamp = lambda x, top: min(max(x, 0.0), top)  # noqa: E731
    tops = {"a11": 6, "a12": 4, "a2": 4, "b": 5, "c": 5}
    track = {"b": "commune", "c": "department"}
    pts = {k: clamp(x, tops[k]) for k, x in v.items() if x is not None
           and track.get(k, level) == level}
    mx = {k: tops[k] for k in pts}
    a_pts = min(sum(pts.get(k, 0) for k in ("a11", "a12", "a2")), 10)
    a_max = min(sum(mx.get(k, 0) for k in ("a11", "a12", "a2")), 10)
    return a_pts + pts.get("b", 0) + pts.get("c", 0), a_max + mx.get("b", 0) + mx.get("c", 0)


points = st.one_of(st.none(), st.floats(-1, 7))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["department", "commune"]),
                          st.fixed_dictionaries({k: points for k in IDS})),
                min_size=1, max_size=4))
def test_totals_equal_the_plain_python_reference(tmp_path_factory, rows):
    tmp = tmp_path_factory.mktemp("tree")
    units = [{"id": f"u{i}", "name": f"u{i}", "level": lv} for i, (lv, _) in enumerate(rows)]
    reports = [{"unit": f"u{i}", "period": "2025",
                "values": {k: ("n/a" if x is None else x) for k, x in v.items()}}
               for i, (_, v) in enumerate(rows)]
    ev = evaluate_files(_ruleset(tmp), [write(tmp / "d.yaml", {"units": units,
                                                               "reports": reports})])
    got = {r["unit"]: r for r in ev.scores().rankings.iter_rows(named=True)}
    for i, (level, v) in enumerate(rows):
        if all(x is None for x in v.values()):   # only n/a: no figure, no score row
            assert f"u{i}" not in got
            continue
        net, top = _reference(v, level)
        assert math.isclose(got[f"u{i}"]["points"], net, abs_tol=1e-9)
        assert math.isclose(got[f"u{i}"]["max"], top, abs_tol=1e-9)


def test_manual_points_outside_0_to_max_are_clamped_with_a_warning(tmp_path):
    data = write(tmp_path / "d.yaml", {"units": UNITS, "reports": [
        {"unit": "so", "period": "2025", "values": {"a11": 9, "a12": -1, "a2": 2, "c": 1}}]})
    ev = evaluate_files(_ruleset(tmp_path), [data])
    found = sorted(w.message for w in ev.warnings if w.code == "DAT31")
    assert len(found) == 2 and "'a11'" in found[0] and "'a12'" in found[1]
    lines = data.read_text("utf-8").splitlines()
    assert sorted(lines[w.pos.line - 1].strip()[:4] for w in ev.warnings
                  if w.code == "DAT31") == ["a11:", "a12:"]      # each at its own figure
    scores = {r["indicator"]: r["points"] for r in ev.scores().scores.iter_rows(named=True)}
    assert (scores["a11"], scores["a12"]) == (6, 0)


def test_a_parent_group_unknown_or_circular_is_sem52(tmp_path):
    doc = json.loads(json.dumps({
        "ruleset": "bad", "title": "bad", "metrics": {"a": {"label": "a", "unit": "score"}},
        "scoring": {"groups": [{"id": "A", "title": "A", "parent": "B"},
                               {"id": "B", "title": "B", "parent": "A"},
                               {"id": "C", "title": "C", "parent": "Z1"}],
                    "indicators": [{"id": "1", "title": "1", "group": "A", "metric": "a",
                                    "max": 1, "manual": True}]}}))
    path = write(tmp_path / "bad.yaml", doc)
    done = CliRunner().invoke(main, ["validate", str(path), "--lang", "en"])
    assert done.exit_code == 2
    lines = [x for x in done.output.splitlines() if "SEM52" in x]
    assert len(lines) == 3 and "unknown parent group 'Z1'" in lines[2]
    assert all(x.startswith(f"{path}:") for x in lines)


def test_report_bars_are_the_areas_and_subtotals_are_listed(tmp_path):
    data = write(tmp_path / "d.yaml", {"units": UNITS, "reports": [
        {"unit": "so", "period": "2025", "values": {"a11": 6, "a12": 4, "a2": 3, "c": 5}}]})
    ruleset = _ruleset(tmp_path)
    html = tmp_path / "r.html"
    done = CliRunner().invoke(main, ["report", str(ruleset), "--data", str(data), "--format",
                                     "html", "--output", str(html), "--lang", "en"])
    assert done.exit_code == 0, done.output
    text = html.read_text("utf-8")
    assert "Lĩnh vực A" in text and "Tiêu chí A.1" in text    # the area bar, the scorecard
    done = CliRunner().invoke(main, ["rank", str(ruleset), "--data", str(data), "--what",
                                     "groups", "--format", "csv"])
    assert done.exit_code == 0, done.output
    rows = {line.split(",")[2]: [float(x) for x in line.split(",")[3:5]]
            for line in done.output.splitlines()[1:]}
    assert rows["A"] == [10, 10] and rows["A.1"] == [10, 10] and rows["A.2"] == [3, 4]


def test_the_shipped_index_example_is_100_points_per_track_and_lints_clean():
    from cchc_rules.figures.scoring_book import book_rows
    from cchc_rules.pipeline import Session
    root = Path(__file__).resolve().parents[2]
    example = root / "rulesets/examples/province-index.yaml"
    scoring = Session().load_ruleset(example).model.scoring
    for level in ("department", "commune"):
        rows = book_rows(scoring, level)
        areas = sum(r.max for r in rows if not r.scored and r.depth == 0)
        assert areas + 22 == 100, level        # 8 areas (7 in workbooks + the survey's 22)
    done = CliRunner().invoke(main, ["lint", str(example)])
    assert done.exit_code == 0 and "LNT" not in done.output, done.output
