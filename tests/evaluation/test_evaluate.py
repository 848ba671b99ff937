"""Evaluate stage: every status of spec §3 on real figures from the seeds, milestones,
trajectories, change, between, tolerance, roll-up and "needed to meet"."""
from __future__ import annotations

import pytest
from factory import HAM_TAN, METRICS, ONLINE, TAY_NINH, one, report, run, target, write_pair

from cchc_rules import evaluate, evaluate_files
from cchc_rules.errors import CchcError


def test_spec_example_is_off_track_with_trajectory_gap_and_needed(tmp_path):
    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", **HAM_TAN)])
    r = one(ev, "TTHC-06", "ham-tan", "2024-Q1")
    assert r["status"] == "off_track"
    assert r["actual"] == pytest.approx(246 / 4917 * 100)
    assert r["expected"] == pytest.approx(12 + 38 * 821 / 1461)
    assert round(r["expected"], 3) == 33.354
    assert r["gap"] == pytest.approx(246 / 4917 * 100 - 50)
    assert (r["op"], r["threshold"], r["deadline"]) == (">=", 50, "2025")
    assert r["needed"] == 2213  # 2,459 of 4,917 is the first count reaching 50%


def test_on_track_when_at_or_past_the_trajectory(tmp_path):
    # 246 / (246 + 2180) = 10.14% of new dossiers; from 0 in 2021 to 15% by 2025 the
    # trajectory at 2024-Q1 is 15 × 821/1461 = 8.43%.
    t = target("NEW", "online_new_rate", ("2025", ">=", 15), baseline={"period": "2021",
                                                                       "value": 0})
    r = one(run(tmp_path, [t], [report("ham-tan", "2024-Q1", **HAM_TAN)]),
            "NEW", "ham-tan", "2024-Q1")
    assert r["status"] == "on_track"
    assert r["actual"] == pytest.approx(10.140148)
    assert r["expected"] == pytest.approx(15 * 821 / 1461)
    assert r["needed"] is None


def test_met_not_met_pending_not_applicable_on_seed_figures(tmp_path):
    targets = [
        target("CUT", "cut_rate", ("2021", ">=", 10), levels=["province"]),
        target("LATE-Q1", "late_rate", ("2024-Q1", "<=", 5)),
        target("LATE", "late_rate", ("2025", "<=", 5)),
    ]
    ev = run(tmp_path, targets, [report("tay-ninh", "2021", **TAY_NINH),
                                 report("ham-tan", "2024-Q1", **HAM_TAN)])
    met = one(ev, "CUT", "tay-ninh", "2021")
    assert met["status"] == "met" and round(met["actual"], 2) == 10.15
    assert met["needed"] is None
    late = one(ev, "LATE-Q1", "ham-tan", "2024-Q1")
    assert late["status"] == "not_met" and round(late["actual"], 2) == 47.18
    assert late["needed"] == 245 - (1733 + 587)  # at most 245 late of 4,917
    pending = one(ev, "LATE", "ham-tan", "2024-Q1")
    assert pending["status"] == "pending" and pending["expected"] is None
    assert one(ev, "CUT", "ham-tan", "2024-Q1")["status"] == "not_applicable"
    # binh-thuan has no report: its counts are rolled up from ham-tan, its only child.
    assert one(ev, "CUT", "binh-thuan", "2024-Q1")["status"] == "no_data"
    assert one(ev, "LATE", "binh-thuan", "2024-Q1")["actual"] == pytest.approx(47.183241814)


def test_no_data_and_invalid(tmp_path):
    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", received_online=246),
                                  report("xa-moi", "2024-Q1", received=0, received_online=0)])
    assert one(ev, "TTHC-06", "ham-tan", "2024-Q1")["status"] == "no_data"
    invalid = one(ev, "TTHC-06", "xa-moi", "2024-Q1")
    assert invalid["status"] == "invalid"
    assert invalid["actual"] is None and invalid["gap"] is None


def test_unknown_level_is_evaluated_against_every_target(tmp_path):
    t = target("CUT", "cut_rate", ("2021", ">=", 10), levels=["province"])
    ev = run(tmp_path, [t], [report("noi-khac", "2021", **TAY_NINH)])
    assert one(ev, "CUT", "noi-khac", "2021")["status"] == "met"


def test_tolerance_57_of_100_meets_57_percent(tmp_path):
    ts = [target("GE", "share", ("2024", ">=", 57)), target("LE", "share", ("2024", "<=", 57)),
          target("EQ", "share", ("2024", "==", 57)), target("GT", "share", ("2024", ">", 57))]
    ev = run(tmp_path, ts, [report("xa-moi", "2024", a=57, b=100)])
    assert [one(ev, t, "xa-moi", "2024")["status"] for t in ("GE", "LE", "EQ", "GT")] == \
        ["met", "met", "met", "not_met"]
    assert one(ev, "GT", "xa-moi", "2024")["needed"] == 1  # 58 of 100 is > 57%


@pytest.mark.parametrize(("period", "status", "deadline", "expected"), [
    ("2020", "not_applicable", "2025", None),                 # before the baseline (v3 §3)
    ("2021", "not_applicable", "2025", None),                 # the baseline period itself
    ("2021-Q4", "not_applicable", "2025", None),              # ends on the baseline's end
    ("2022-Q1", "off_track", "2025", 12 + 38 * 90 / 1461),   # the first period after it
    ("2025-Q3", "off_track", "2025", 12 + 38 * 1369 / 1461),
    ("2025-Q4", "not_met", "2025", 50.0),                     # ends on the deadline
    ("2025", "not_met", "2025", 50.0),
    ("2026", "off_track", "2030", 50 + 30 * 365 / 1826),      # from the previous milestone
    ("2031", "not_met", "2030", 80.0),                        # after the last: the last
])
def test_milestone_in_force_and_its_trajectory(tmp_path, period, status, deadline, expected):
    ev = run(tmp_path, [ONLINE], [report("ham-tan", period, received=100, received_online=10)])
    r = one(ev, "TTHC-06", "ham-tan", period)
    assert (r["status"], r["deadline"]) == (status, deadline)
    assert r["expected"] == (pytest.approx(expected) if expected is not None else None)


def test_baseline_value_read_from_the_units_own_data(tmp_path):
    t = target("T", "share", ("2025", ">=", 50), baseline={"period": "2021"})
    ev = run(tmp_path, [t], [report("xa-moi", "2021", a=20, b=100),
                             report("xa-moi", "2024", a=45, b=100),
                             report("noi-khac", "2024", a=45, b=100)])
    r = one(ev, "T", "xa-moi", "2024")
    assert r["baseline_value"] == 20
    assert r["expected"] == pytest.approx(20 + 30 * 1096 / 1461)
    assert r["status"] == "on_track"
    # no figure for the baseline period: no trajectory, so pending
    assert one(ev, "T", "noi-khac", "2024")["status"] == "pending"


def test_change_percent_against_baseline_from_data(tmp_path):
    t = target("STAFF", "staff", ("2025", "<=", -10), change="percent",
               baseline={"period": "2021"})
    ev = run(tmp_path, [t], [report("tay-ninh", "2021", staff=1000),
                             report("tay-ninh", "2024", staff=920),
                             report("xa-moi", "2024", staff=50),
                             report("xa-moi", "2021", staff=0),
                             report("noi-khac", "2024", staff=10)])
    r = one(ev, "STAFF", "tay-ninh", "2024")
    assert r["actual"] == pytest.approx(-8)
    assert r["expected"] == pytest.approx(-10 * 1096 / 1461)   # from 0 at the baseline
    assert r["status"] == "on_track"
    assert r["gap"] == pytest.approx(2)
    base = one(ev, "STAFF", "tay-ninh", "2021")   # the baseline period itself: not judged
    assert (base["status"], base["reason"]) == ("not_applicable", "before_baseline")
    assert one(ev, "STAFF", "xa-moi", "2024")["status"] == "invalid"      # base 0
    assert one(ev, "STAFF", "noi-khac", "2024")["status"] == "no_data"    # no base


def test_change_absolute_with_given_baseline(tmp_path):
    t = target("STAFF", "staff", ("2025", "<=", -100), change="absolute",
               baseline={"period": "2021", "value": 1000})
    r = one(run(tmp_path, [t], [report("tay-ninh", "2025", staff=880)]),
            "STAFF", "tay-ninh", "2025")
    assert (r["status"], r["actual"], r["baseline_value"]) == ("met", -120, 1000)


@pytest.mark.parametrize(("a", "period", "status", "gap"), [
    (8, "2024", "met", 0), (5, "2024", "pending", -1), (12, "2024", "pending", 2),
    (5, "2025", "not_met", -1), (10, "2025", "met", 0),
])
def test_between_has_no_trajectory_and_gap_to_the_nearer_end(tmp_path, a, period, status, gap):
    t = target("RANGE", "share", ("2025", "between", (6, 10)),
               baseline={"period": "2021", "value": 0})
    r = one(run(tmp_path, [t], [report("xa-moi", period, a=a, b=100)]), "RANGE", "xa-moi",
            period)
    assert (r["status"], r["threshold"], r["expected"]) == (status, [6, 10], None)
    assert r["gap"] == pytest.approx(gap)


def test_equal_milestone_unmet_before_deadline_is_pending(tmp_path):
    t = target("EQ", "share", ("2025", "==", 100), baseline={"period": "2021", "value": 0})
    assert one(run(tmp_path, [t], [report("xa-moi", "2024", a=90, b=100)]),
               "EQ", "xa-moi", "2024")["status"] == "pending"


def test_rolled_up_rate_is_summed_counts_not_average(tmp_path):
    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024", received=100, received_online=90)])
    assert one(ev, "TTHC-06", "binh-thuan", "2024")["actual"] == pytest.approx(90)
    origins = {(r["unit"], r["metric"]): r["origin"] for r in ev.values.to_dicts()}
    assert origins[("binh-thuan", "received")] == "rolled_up"
    assert origins[("binh-thuan", "online_rate")] == "derived"
    assert origins[("ham-tan", "received")] == "reported"


def test_reported_value_of_a_formula_metric_wins(tmp_path):
    ev = run(tmp_path, [ONLINE], [report("xa-moi", "2024", received=100, received_online=10,
                                         online_rate=55)])
    assert one(ev, "TTHC-06", "xa-moi", "2024")["actual"] == 55


def test_checks_pass_fail_no_data_with_both_sides(tmp_path):
    checks = [{"id": "received-breakdown",
               "assert": "received == received_online + received_direct + carried_over"}]
    ev = run(tmp_path, [], [report("ham-tan", "2024-Q1", **HAM_TAN),
                            report("xa-moi", "2024-Q1", **{**HAM_TAN, "received": 4971}),
                            report("tay-ninh", "2024-Q1", received=1)], checks)
    got = {c["unit"]: (c["status"], c["left"], c["right"]) for c in ev.check_records()}
    assert got == {"ham-tan": ("pass", 4917, 4917), "xa-moi": ("fail", 4971, 4917),
                   "binh-thuan": ("pass", 4917, 4917), "tay-ninh": ("no_data", 1, None)}
    assert ev.check_summary() == {"pass": 2, "fail": 1, "no_data": 1}


def test_filters_keep_only_what_was_asked(tmp_path):
    reports = [report("ham-tan", "2024-Q1", **HAM_TAN), report("ham-tan", "2024-Q2", **HAM_TAN)]
    ev = run(tmp_path, [ONLINE, target("X", "share", ("2025", ">=", 1))], reports,
             periods=["2024-Q2"], units=["ham-tan"], targets=["TTHC-06"])
    assert [(r["target"], r["unit"], r["period"]) for r in ev.records()] == \
        [("TTHC-06", "ham-tan", "2024-Q2")]


def test_unknown_filter_names_are_all_reported_with_suggestions(tmp_path):
    with pytest.raises(CchcError) as err:
        run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", **HAM_TAN)],
            periods=["2024-Q2"], units=["ham-ta"], targets=["TTHC-6"])
    text = str(err.value)
    assert "EVL01" in text and "EVL02" in text and "EVL03" in text
    assert "did you mean 'ham-tan'?" in text and "did you mean 'TTHC-06'?" in text


def test_no_figures_gives_empty_frames(tmp_path):
    ev = run(tmp_path, [ONLINE], [])
    assert ev.results.is_empty() and ev.checks.is_empty() and ev.values.is_empty()
    assert not ev.failed()


def test_results_sorted_by_unit_period_end_then_ruleset_order(tmp_path):
    ev = run(tmp_path, [target("Z", "share", ("2025", ">=", 1)), ONLINE],
             [report("xa-moi", "2024-Q2", a=1, b=2), report("xa-moi", "2024", a=1, b=2),
              report("tay-ninh", "2024-Q1", a=1, b=2)])
    assert [(r["unit"], r["period"], r["target"]) for r in ev.records()] == [
        ("tay-ninh", "2024-Q1", "Z"), ("tay-ninh", "2024-Q1", "TTHC-06"),
        ("xa-moi", "2024-Q2", "Z"), ("xa-moi", "2024-Q2", "TTHC-06"),
        ("xa-moi", "2024", "Z"), ("xa-moi", "2024", "TTHC-06")]


def test_package_attribute_is_callable_after_the_module_is_imported(tmp_path):
    import cchc_rules
    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", **HAM_TAN)])
    again = cchc_rules.evaluate(ev.ruleset, ev.figures)
    assert again.results.equals(ev.results)
    assert evaluate(ev.ruleset, ev.figures).results.equals(ev.results)


def test_evaluate_files_from_the_package(tmp_path):
    import cchc_rules
    ev = run(tmp_path, [ONLINE], [report("ham-tan", "2024-Q1", **HAM_TAN)])
    again = cchc_rules.evaluate_files(tmp_path / "r.yaml", [tmp_path / "d.yaml"],
                                      units=["ham-tan"])
    assert again.records() == [one(ev, "TTHC-06", "ham-tan", "2024-Q1")]


def test_metric_ids_that_look_like_internal_columns(tmp_path):
    metrics = {"row": {"label": "row", "unit": "count"},
               "level": {"label": "level", "unit": "count"},
               "unit": {"label": "unit", "unit": "count"},
               "period_end": {"label": "p", "unit": "percent", "formula": "row / level * 100"}}
    rules, figures = write_pair(tmp_path, [target("T", "period_end", ("2025", ">=", 50))],
                                [report("xa-moi", "2024", **{"row": 3, "level": 4, "unit": 1})],
                                [{"id": "c", "assert": "unit <= level"}], metrics=metrics)
    ev = evaluate_files(rules, [figures])
    r = one(ev, "T", "xa-moi", "2024")
    assert (r["status"], r["actual"], r["level"], r["needed"]) == ("met", 75, "commune",
                                                                   None)
    assert ev.check_records()[0]["status"] == "pass"


def test_frames_keep_their_documented_types_even_when_all_null(tmp_path):
    from cchc_rules.evaluation.result import CHECK_SCHEMA, RESULT_SCHEMA, VALUE_SCHEMA
    ev = run(tmp_path, [target("LATE", "late_rate", ("2025", "<=", 5))],
             [report("noi-khac", "2024-Q1", **HAM_TAN)],
             [{"id": "c", "assert": "received == a"}])
    assert dict(ev.results.schema) == RESULT_SCHEMA
    assert dict(ev.checks.schema) == CHECK_SCHEMA
    assert dict(ev.values.schema) == VALUE_SCHEMA
    empty = run(tmp_path, [ONLINE], [])
    assert dict(empty.results.schema) == RESULT_SCHEMA


@pytest.mark.parametrize(("ms", "a", "needed"), [
    (("2025", ">=", 57.5), 50, 8),        # 57.5 of 100 → 58 dossiers
    (("2025", ">", 57), 50, 8),           # strictly more than 57 → 58
    (("2025", "<=", 5), 12, -7),          # at most 5 → 7 fewer
    (("2025", "<", 5), 12, -8),           # fewer than 5 → at most 4
    (("2025", "between", (6, 10)), 12, -2),
    (("2025", "between", (6, 10)), 1, 5),
])
def test_needed_for_each_operator(tmp_path, ms, a, needed):
    r = one(run(tmp_path, [target("T", "share", ms)], [report("xa-moi", "2024", a=a, b=100)]),
            "T", "xa-moi", "2024")
    assert (r["status"], r["needed"]) == ("pending", needed)


def test_needed_is_not_rounded_for_non_count_numerators_nor_given_for_change(tmp_path):
    metrics = {**METRICS, "staff": {"label": "điểm", "unit": "score"},
               "score_share": {"label": "s", "unit": "percent", "formula": "staff / b * 100"}}
    targets = [target("S", "score_share", ("2025", ">=", 57.5)),
               target("C", "b", ("2025", ">=", 10), change="percent",
                      baseline={"period": "2021", "value": 100})]
    rules, figures = write_pair(tmp_path, targets, [report("xa-moi", "2024", staff=50, b=100)],
                                metrics=metrics)
    ev = evaluate_files(rules, [figures])
    assert one(ev, "S", "xa-moi", "2024")["needed"] == 7.5
    assert one(ev, "C", "xa-moi", "2024")["needed"] is None
