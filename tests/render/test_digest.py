"""The change digest (render/digest.py): every result of either run lands in exactly one
list, against a plain-Python reference; worse comes first; swapping the runs swaps worse
and better, new and vanished; the Markdown names each change."""
from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.domain import STATUSES
from cchc_rules.render.digest import compare, to_json, to_markdown, to_table

ORDER = ["not_met", "off_track", "invalid", "no_data", "pending", "on_track", "met"]


def _result(unit, target, period, status, actual=50.0):
    return {"unit": unit, "target": target, "period": period, "status": status,
            "actual": actual, "metric": "m"}


results = st.lists(st.builds(
    _result, st.sampled_from(["a", "b", "c"]), st.sampled_from(["T1", "T2"]),
    st.sampled_from(["2026-10", "2026-11"]), st.sampled_from(STATUSES),
    st.sampled_from([None, 40.0, 50.0, 95.5])), max_size=12).map(
    lambda rs: list({(r["unit"], r["target"], r["period"]): r for r in rs}.values()))


def _reference(old, new):
    """Plain Python: keys in one side only, then status moves by the ORDER list."""
    before = {(r["unit"], r["target"], r["period"]): r for r in old}
    after = {(r["unit"], r["target"], r["period"]): r for r in new}
    worse = better = other = figures = same = 0
    for key in before.keys() & after.keys():
        was, now = before[key], after[key]
        if was["status"] != now["status"]:
            if "not_applicable" in (was["status"], now["status"]):
                other += 1
            elif ORDER.index(now["status"]) < ORDER.index(was["status"]):
                worse += 1
            else:
                better += 1
        elif was["actual"] != now["actual"]:
            figures += 1
        else:
            same += 1
    return {"worse": worse, "better": better, "other_status_changes": other,
            "figures_changed": figures, "new": len(after.keys() - before.keys()),
            "vanished": len(before.keys() - after.keys()), "unchanged": same}


@given(results, results)
def test_every_result_lands_in_exactly_one_list(old, new):
    digest = compare(old, new)
    assert digest.counts() == _reference(old, new)
    assert digest.got_worse == bool(_reference(old, new)["worse"])


@given(results, results)
def test_swapping_the_runs_swaps_worse_and_better(old, new):
    there, back = compare(old, new).counts(), compare(new, old).counts()
    assert (there["worse"], there["new"]) == (back["better"], back["vanished"])


def test_worse_first_by_how_far_a_status_fell():
    old = [_result("a", "T1", "2026", "met"), _result("b", "T1", "2026", "on_track"),
           _result("c", "T1", "2026", "off_track", 10)]
    new = [_result("a", "T1", "2026", "pending"), _result("b", "T1", "2026", "not_met"),
           _result("c", "T1", "2026", "met", 96)]
    digest = compare(old, new)
    assert [(c["unit"], c["before"], c["after"], c["steps"]) for c in digest.worse] == [
        ("b", "on_track", "not_met", 5), ("a", "met", "pending", 2)]
    assert digest.better[0]["delta"] == 86


def test_two_periods_side_by_side_month_to_month():
    """The issue's case: units on track in 2026-10 that went off track in 2026-11."""
    run = [_result("a", "T1", "2026-10", "on_track", 60), _result("a", "T1", "2026-11",
                                                                  "off_track", 41),
           _result("b", "T1", "2026-10", "on_track", 70), _result("b", "T1", "2026-11",
                                                                  "on_track", 72)]
    digest = compare(run, run, periods=("2026-10", "2026-11"))
    (change,) = digest.worse
    assert (change["unit"], change["previous_period"], change["period"]) == \
        ("a", "2026-10", "2026-11")
    assert [f["unit"] for f in digest.figures] == ["b"]
    assert digest.counts()["unchanged"] == 0


def test_the_outputs_say_each_change():
    from cchc_rules.messages import set_language
    set_language("en")
    old = [_result("ha-tien", "TTHC-06", "2026-11", "on_track", 47.5),
           _result("gone", "TTHC-06", "2026-11", "met")]
    new = [_result("ha-tien", "TTHC-06", "2026-11", "off_track", 38.83),
           _result("fresh", "TTHC-06", "2026-11", "not_met", 1)]
    digest = compare(old, new, names=("oct.json", "nov.json"))
    markdown = to_markdown(digest, "en")
    assert markdown.startswith("### Changes from `oct.json` to `nov.json`\n")
    assert "- ha-tien · TTHC-06 · 2026-11: On track → Off track (47.5 → 38.83)" in markdown
    assert "**New results (1)**" in markdown and "**Vanished results (1)**" in markdown
    assert "1 worse, 0 better" in to_table(digest, "en")
    document = json.loads(to_json(digest))
    assert document["got_worse"] is True
    assert document["worse"][0]["delta"] == 38.83 - 47.5
    assert document["vanished"][0]["unit"] == "gone"


def test_a_long_section_is_cut_with_the_rest_counted():
    old = [_result(f"u{i}", "T", "2026", "met") for i in range(30)]
    new = [_result(f"u{i}", "T", "2026", "not_met") for i in range(30)]
    text = to_markdown(compare(old, new), "en", limit=3)
    assert text.count("\n- u") == 3 and "… and 27 more" in text
