"""What a reader's view leaves out (evaluation/view.py, issue 23): not applicable results
and internal periods hidden but counted, rankings of scored units only, the units that sent
nothing, implied checks without data not counted, and a unit's scorecard."""
from __future__ import annotations

from factory import HAM_TAN, ONLINE, metrics, report, run, target, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_rules import evaluate_files
from cchc_rules.evaluation.view import for_readers, internal_periods, not_reported, scorecards


def _quarters(unit: str, year: int, value: float) -> list[dict]:
    return [report(unit, f"{year}-Q{q}", received=value) for q in range(1, 5)]


def _yearly(tmp_path, *filters):
    defs = metrics("received")
    defs["received"]["over_time"] = "sum"
    doc = {"ruleset": "t", "title": "T", "metrics": defs, "targets": [
        target("R", "received", ("2024", ">=", 100), baseline={"period": "2023"},
               change="percent")]}
    rules = write(tmp_path / "r.yaml", doc)
    figures = write(tmp_path / "d.yaml", {"units": [
        {"id": "ham-tan", "name": "Huyện Hàm Tân", "level": "district"}],
        "reports": _quarters("ham-tan", 2023, 10) + _quarters("ham-tan", 2024, 12)})
    return evaluate_files(rules, [figures], **dict(filters))


def test_a_period_derived_only_as_a_baseline_is_internal_and_hidden(tmp_path):
    ev = _yearly(tmp_path)
    assert internal_periods(ev) == {"2023"}          # 2024 is a milestone's: shown
    assert "2023" in ev.results["period"].to_list()  # JSON keeps it
    view = for_readers(ev)
    assert "2023" not in view.results["period"].to_list()
    assert view.hidden.internal_periods == ("2023",)
    assert view.hidden.internal_results == ev.results.filter(
        ev.results["period"] == "2023").height
    assert "2024" in view.results["period"].to_list()


def test_an_asked_internal_period_is_shown(tmp_path):
    ev = _yearly(tmp_path, ("periods", ["2023"]))
    # 2023 ends before the baseline's end: its results are not applicable (v3 §3), shown
    # when asked for them too
    view = for_readers(ev, show_not_applicable=True)
    assert internal_periods(ev) == set() and view.results["period"].unique().to_list() == ["2023"]


def test_not_applicable_hidden_and_counted_unless_asked(tmp_path):
    cut = target("CUT", "cut_rate", ("2025", ">=", 10), levels=["province"])
    ev = run(tmp_path, [ONLINE, cut], [report("ham-tan", "2024-Q1", **HAM_TAN)])
    view = for_readers(ev)
    assert "not_applicable" in ev.results["status"].to_list()
    assert "not_applicable" not in view.results["status"].to_list()
    assert view.hidden.not_applicable == ev.summary()["not_applicable"] == 1
    assert view.summary()["not_applicable"] == 0
    shown = for_readers(ev, show_not_applicable=True)
    assert shown.results.height == ev.results.height and shown.hidden.not_applicable == 0


def test_not_reported_lists_units_of_a_reporting_level_that_sent_nothing(tmp_path):
    units = [{"id": "p", "name": "Tỉnh", "level": "province"},
             {"id": "a", "name": "Huyện A", "level": "district", "parent": "p"},
             {"id": "b", "name": "Huyện B", "level": "district", "parent": "p"},
             {"id": "gone", "name": "Huyện cũ", "level": "district", "parent": "p",
              "valid_to": "2024-02-29", "successor": "a"},
             {"id": "x", "name": "Xã", "level": "commune"}]
    rules = write(tmp_path / "r.yaml", {"ruleset": "t", "title": "T",
                                        "metrics": metrics("received", "received_online",
                                                           "online_rate"),
                                        "targets": [ONLINE]})
    figures = write(tmp_path / "d.yaml", {"units": units, "reports": [
        report("a", "2024-Q1", received=10, received_online=5)]})
    ev = evaluate_files(rules, [figures])
    missing = not_reported(ev)
    # b sent nothing; gone ended during the quarter (its successor reports); p has a's sum;
    # no commune reported for the quarter, so x is not asked for it
    assert missing.rows() == [("2024-Q1", "district", "b")]


def test_implied_rank_field_check_without_data_is_no_check(tmp_path):
    doc = {"ruleset": "t", "title": "T", "metrics": {
        "par_rank": {"label": "Hạng PAR", "unit": "rank", "of": "ranked"},
        "ranked": {"label": "Số tỉnh xếp hạng", "unit": "count"},
        "received": {"label": "Hồ sơ", "unit": "count"}},
        "targets": [target("R", "par_rank", ("2025", "<=", 20))]}
    rules = write(tmp_path / "r.yaml", doc)
    figures = write(tmp_path / "d.yaml", {"units": [
        {"id": "p", "name": "Tỉnh", "level": "province"},
        {"id": "d", "name": "Sở", "level": "department"}], "reports": [
        report("p", "2025", par_rank=20, ranked=63), report("d", "2025", received=5)]})
    ev = evaluate_files(rules, [figures])
    rows = ev.checks.select("check", "unit", "status").rows()
    assert rows == [("par_rank.of", "p", "pass")]       # nothing for d: no rank to check
    assert ev.check_summary()["no_data"] == 0


SCORED = {"ruleset": "s", "title": "S", "metrics": metrics("received", "received_online",
                                                             "received_direct", "online_rate"),
          "targets": [], "scoring": {
              "scale": 100, "bands": [{"id": "A", "min": 90}, {"id": "B", "min": 0}],
              "groups": [{"id": "g", "title": "Nhóm"}],
              "indicators": [
                  {"id": "1", "title": "Trực tuyến", "group": "g", "metric": "online_rate",
                   "max": 10, "full_at": 100},
                  {"id": "2", "title": "Tiếp nhận", "group": "g", "metric": "received",
                   "max": 5, "full_at": 10}]}}


def test_rankings_of_scored_units_only_and_a_scorecard(tmp_path):
    rules = write(tmp_path / "r.yaml", SCORED)
    units = [{"id": "a", "name": "A", "level": "district"},
             {"id": "b", "name": "B", "level": "district"},
             {"id": "c", "name": "C", "level": "district"}]
    figures = write(tmp_path / "d.yaml", {"units": units, "reports": [
        report("a", "2025", received=10, received_online=5),
        report("b", "2025", received=4, received_online=4),
        report("c", "2025", received_direct=3)]})
    ev = evaluate_files(rules, [figures])
    assert "c" in ev.scores().rankings["unit"].to_list()      # JSON keeps it, unranked
    view = for_readers(ev)
    ranked = view.scores().rankings
    # a: online 50% → 5, received 10 → 5: 10 of 15; b below: 12 of 15
    assert ranked.select("unit", "rank", "of").rows() == [("b", 1, 2), ("a", 2, 2)]
    assert view.hidden.unscored == 1
    card = scorecards(view, "b")[0]
    # b: online 100% → 10 of 10; received 4 of full 10 → 2 of 5: 12 of 15 = 80, band B
    assert (card.points, card.max, round(card.index, 6), card.band, card.band_title) == \
        (12, 15, 80, "B", "B")
    assert (card.rank, card.of) == (1, 2)
    assert [(x.indicator, x.lost) for x in card.lost] == [("2", 3)]
    assert scorecards(view, "c") == []


LEVELS = ["province", "district", "commune"]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(levels=st.lists(st.sets(st.sampled_from(LEVELS), min_size=1), min_size=1, max_size=3),
       reporters=st.sets(st.sampled_from(["ham-tan", "tay-ninh", "xa-moi"]), min_size=1),
       show=st.booleans())
def test_the_view_drops_exactly_the_not_applicable_rows(tmp_path, levels, reporters, show):
    """Against a plain-Python reference: the view keeps every row but the not applicable
    ones (all of them when asked), in order, and counts what it left out."""
    defs = [target(f"T{i}", "online_rate", ("2025", ">=", 50), levels=sorted(lv))
            for i, lv in enumerate(levels)]
    ev = run(tmp_path, defs, [report(u, "2024", received=10, received_online=4)
                              for u in sorted(reporters)])
    rows = ev.results.select("target", "unit", "period", "status").rows()
    view = for_readers(ev, show_not_applicable=show)
    expected = rows if show else [r for r in rows if r[3] != "not_applicable"]
    assert view.results.select("target", "unit", "period", "status").rows() == expected
    assert view.hidden.not_applicable == len(rows) - len(expected)
    assert sum(view.summary().values()) + view.hidden.not_applicable == len(rows)
