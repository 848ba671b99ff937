"""What makes `cchc serve` quick after an edit, held to giving the same answers: the small
evaluation decided in one pass equals the per-target folded one, compiled plans are shared
across evaluations, a unit page does not build the whole report, and nothing cached survives
an edit that keeps a file's size and modification time."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from cchc_rules.evaluation import wide
from cchc_rules.pipeline import Session
from cchc_rules.serve import Workspace
from cchc_rules.serve.pages import Pages

ROOT = Path(__file__).resolve().parents[2]
RULESET = ROOT / "rulesets/tuyen-quang/cchc-2021-2030.yaml"
DEMO = sorted((ROOT / "examples/demo").glob("*.yaml"))
EDITED = "ham-tan-2024-q1.yaml"
KEY = {"target": "TTHC-05", "unit": "ham-tan", "period": "2024-Q1"}


def demo(folder: Path) -> list[Path]:
    return [Path(shutil.copy(path, folder)) for path in DEMO]


def result_of(frame, **key) -> dict:
    for name, value in key.items():
        frame = frame.filter(frame[name] == value)
    return frame.row(0, named=True)


def test_one_pass_and_per_target_passes_agree(monkeypatch) -> None:
    one = Session().evaluate(RULESET, DEMO)
    monkeypatch.setattr(wide, "ONE_PASS", 0)   # the national path: per target, folded
    each = Session().evaluate(RULESET, DEMO)
    assert one.results.height == each.results.height > 800
    assert_frame_equal(one.results, each.results)
    assert_frame_equal(one.trace, each.trace)
    assert one.summary() == each.summary()


def test_compiled_plans_are_kept_across_evaluations() -> None:
    Session().evaluate(RULESET, DEMO)
    kept = dict(wide._COMPILED)
    assert kept
    Session().evaluate(RULESET, DEMO)
    assert all(wide._COMPILED[key][1] is compiled for key, (_, compiled) in kept.items())


@pytest.mark.parametrize("name", [EDITED, "ruleset"])
def test_an_edit_keeping_size_and_mtime_still_changes_the_results(tmp_path, name) -> None:
    data = demo(tmp_path)
    shutil.copytree(RULESET.parent.parent, tmp_path / "rulesets")   # with its parents
    ruleset = tmp_path / "rulesets" / RULESET.relative_to(RULESET.parent.parent)
    ws = Workspace(ruleset, data)
    first = result_of(ws.refresh().evaluation.results, **KEY)
    path = tmp_path / EDITED if name == EDITED else ruleset
    before = os.stat(path)
    text = path.read_text("utf-8")
    if name == EDITED:   # 246 -> 999 received online: same size
        changed = text.replace("received_online: 246", "received_online: 999")
    else:                # the 2025 milestone, same size: another expected value
        changed = text.replace('{by: "2025", op: ">=", value: 50}',
                               '{by: "2025", op: ">=", value: 10}')
    assert changed != text and len(changed) == len(text)
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns
    assert os.stat(path).st_size == before.st_size
    second = ws.refresh()
    assert second.ok, second.problems
    now = result_of(second.evaluation.results, **KEY)
    what = "actual" if name == EDITED else "threshold"
    assert now[what] != first[what]


def test_a_unit_page_leaves_the_whole_report_unbuilt(tmp_path) -> None:
    ws = Workspace(RULESET, demo(tmp_path))
    snap = ws.refresh()
    pages = Pages("vi")
    html = pages.render(pages.unit(snap, "ham-tan", "2024-Q1"))
    assert 'data-result="TTHC-05|ham-tan|2024-Q1"' in html
    built = pages.built(snap)
    assert built._report is None
    ranking, _ = built.ranked()
    assert [u.id for u in ranking] == [u.id for u in built.report.units]  # the report's own
    assert pages.render(pages.unit(snap, "ham-tan", "2024-Q1")) == html


def test_the_bench_section_gives_the_servers_cpu_beside_its_wall_time() -> None:
    from bench.serve_latency import section

    text = section({"CPU": "test"}, [0.1] * 20, None, [80] * 20, 21, [60] * 20)
    assert "(the server's own timing, median): 80 ms wall, 60 ms CPU;" in text
    assert "60 ms CPU" not in section({"CPU": "test"}, [0.1] * 20, None, [80] * 20)


MERGED = {  # a province merged into another mid-year, its quarters summed into the year
    "r.yaml": "ruleset: merged\ntitle: Sáp nhập\nmetrics:\n"
              "  got: {label: Nhận, unit: count, over_time: sum}\n"
              "  done: {label: Xong, unit: count, over_time: sum}\n"
              "  share: {label: Tỷ lệ, unit: percent, formula: done / got * 100}\n"
              "targets:\n"
              "  - {id: G, title: Nhận, area: procedures, metric: got,\n"
              "     milestones: [{by: '2025', op: '>=', value: 50}]}\n"
              "  - {id: S, title: Tỷ lệ, area: procedures, metric: share,\n"
              "     milestones: [{by: '2025', op: '>=', value: 80}]}\n",
    "u.yaml": "units:\n  - {id: a, name: A, level: province}\n"
              "  - {id: b, name: B, level: province, valid_to: 2025-06-30, successor: a}\n",
    "d.csv": "unit,period,got,done\na,2025-Q1,8,8\na,2025-Q2,9,7\na,2025-Q3,20,18\n"
             "a,2025-Q4,25,20\nb,2025-Q1,4,3\n",
}


def test_the_served_engine_gives_the_default_engines_results(tmp_path) -> None:
    """`cchc serve` runs polars' in-memory engine; the one-pass plan once met a bug of its
    (common-subexpression elimination mis-typing a column) on this very case."""
    import polars as pl

    for name, text in MERGED.items():
        (tmp_path / name).write_text(text, encoding="utf-8")

    def run():
        return Session().evaluate(tmp_path / "r.yaml", [tmp_path / "d.csv"],
                                  tmp_path / "u.yaml", periods=["2025"])

    default = run()
    with pl.Config(engine_affinity="in-memory"):
        served = run()
    assert default.results.height == 2
    assert_frame_equal(default.results, served.results)
    assert_frame_equal(default.trace, served.trace)
