"""Pipeline layer: the session's ruleset cache (by content hash of the file and its parents),
threads sharing one session, and no process-wide state changed by library calls."""
from __future__ import annotations

import gc
import io
import json
import logging
import os
import threading
import types
from pathlib import Path

import pytest

from cchc_rules import output
from cchc_rules.errors import CchcError
from cchc_rules.pipeline import Session, evaluate_files

DATA = Path(__file__).parent / "data" / "ham-tan-2024-q1.yaml"


@pytest.fixture
def child(make_ruleset) -> Path:
    """A ruleset whose targets come from a parent file."""
    make_ruleset("parent.yaml")
    return make_ruleset("child.yaml", text="ruleset: child\ntitle: Con\nextends: [parent.yaml]\n")


def test_same_content_gives_the_same_loaded_object(child):
    session = Session()
    first = session.load_ruleset(child)
    assert session.load_ruleset(child) is first
    child.write_text(child.read_text(encoding="utf-8"), encoding="utf-8")  # touched, same bytes
    assert session.load_ruleset(child) is first


def test_an_edited_parent_reloads(child, make_ruleset, base_ruleset):
    session = Session()
    first = session.load_ruleset(child)
    base_ruleset["targets"][0]["milestones"][0]["value"] = 55
    make_ruleset("parent.yaml", **{"targets": base_ruleset["targets"]})
    again = session.load_ruleset(child)
    assert again is not first
    assert again.model.targets[0].milestones[0].value == 55
    assert session.load_ruleset(child) is again


def test_an_invalid_edit_is_reported_every_time_and_not_cached(child, make_ruleset):
    session = Session()
    session.load_ruleset(child)
    make_ruleset("parent.yaml", text="ruleset: parent\ntitle: [\n")
    for _ in range(2):
        with pytest.raises(CchcError) as err:
            session.load_ruleset(child)
        assert err.value.problems[0].code == "YAML01"


def test_sessions_do_not_share_their_cache(child):
    assert Session().load_ruleset(child) is not Session().load_ruleset(child)


def test_two_threads_evaluate_concurrently_with_one_session(make_ruleset):
    ruleset = make_ruleset()
    session = Session()
    expected = evaluate_files(ruleset, [DATA]).records()
    results, errors = [], []
    start = threading.Barrier(4)

    def work() -> None:
        try:
            start.wait()
            for _ in range(3):
                results.append(session.evaluate(ruleset, [DATA]).records())
        except Exception as err:  # reported by the assert below
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == [expected] * 12
    assert len({id(session.load_ruleset(ruleset))}) == 1


def test_render_writes_the_same_json_as_the_renderer(make_ruleset):
    session = Session()
    evaluation = session.evaluate(make_ruleset(), [DATA], targets=["TTHC-06"])
    out = io.BytesIO()
    assert session.render(evaluation, "json", out) == []
    records = json.loads(out.getvalue())["results"]
    assert [(r["target"], r["unit"], r["status"]) for r in records] == [
        ("TTHC-06", "binh-thuan", "off_track"), ("TTHC-06", "ham-tan", "off_track")]


def test_warnings_and_steps_reach_the_caller(make_ruleset, tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text("reports:\n  - {unit: a, period: '2024', values: {receivd: 1}}\n",
                    encoding="utf-8")
    seen, steps = [], []
    Session().evaluate(make_ruleset(), [data], warn=seen.append,
                       step=lambda: steps.append(1))
    assert [w.code for w in seen] == ["DAT20"]
    assert len(steps) == 3


def test_the_package_functions_are_plain_functions(make_ruleset):
    import cchc_rules.evaluation.evaluator  # the engine module must not shadow the function
    ruleset = make_ruleset()
    loaded = cchc_rules.load_ruleset(ruleset)
    figures = cchc_rules.read_data([DATA])
    assert isinstance(cchc_rules.evaluate, types.FunctionType)
    assert cchc_rules.evaluate is cchc_rules.evaluation.evaluator.evaluate
    ev = cchc_rules.evaluate(loaded, figures)
    assert ev.records() == cchc_rules.evaluate_files(ruleset, [DATA]).records()
    assert cchc_rules.Session is Session


def test_reading_leaves_the_garbage_collector_alone(make_ruleset):
    assert gc.isenabled()
    calls = []
    real = gc.disable
    gc.disable = lambda: calls.append("disable")  # a library call must never reach it
    try:
        Session().evaluate(make_ruleset(), [DATA])
    finally:
        gc.disable = real
    assert calls == [] and gc.isenabled()


def test_the_umask_is_read_once_and_never_changed(tmp_path, monkeypatch):
    output.process_umask()  # warm: the one read happened before
    monkeypatch.setattr(os, "umask", lambda mask: pytest.fail("umask changed"))
    for name in ("a.txt", "b.txt"):
        output.write_atomic(tmp_path / name, "x")
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~output.process_umask()


def test_pdf_quiet_filter_is_scoped_to_the_rendering_thread():
    from cchc_rules.render import pdf
    logger = logging.getLogger("weasyprint")
    record = logger.makeRecord("weasyprint", logging.ERROR, __file__, 1, "m", None, None)
    assert pdf._QUIET.filter(record)
    pdf._QUIET.threads.add(record.thread)
    try:
        assert not pdf._QUIET.filter(record)
        other = logger.makeRecord("weasyprint", logging.ERROR, __file__, 1, "m", None, None)
        other.thread = record.thread + 1
        assert pdf._QUIET.filter(other)
    finally:
        pdf._QUIET.threads.discard(record.thread)
    assert logger.level == logging.NOTSET


def test_evaluate_files_counts_from_records():
    """Issue 24: the records API is reachable from cchc_rules.evaluate_files."""
    from pathlib import Path

    import cchc_rules
    root = Path(__file__).resolve().parents[1]
    seen = []
    ev = cchc_rules.evaluate_files(root / "rulesets/national/qd766-records.yaml",
                                   units_file=root / "examples/records/units.csv",
                                   records=[f"dossiers={root}/examples/records/*.parquet"],
                                   periods=["2025"], warn=seen.append)
    assert set(ev.results["period"].to_list()) == {"2025"}
    (source,) = ev.figures.records.sources
    assert source.rows == 5000 and seen == []
    t01 = ev.results.filter((ev.results["unit"] == "T01")
                            & (ev.results["target"] == "QD766-2.1")).row(0, named=True)
    # on time to the minute (issue 22): 93.78, where comparing days gave 93.80
    assert round(t01["actual"], 2) == 93.78 and t01["status"] == "not_met"
