"""The shipped Decision 766 records ruleset on the examples/records sample, checked against
a plain polars count of the same Parquet file; the seeded dossier generator's shape."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import polars as pl
import pytest

from bench.dossiers import dossiers, unit_tree
from cchc_rules.pipeline import Session

ROOT = Path(__file__).resolve().parents[3]
RULESET = ROOT / "rulesets/national/qd766-records.yaml"
SAMPLE = ROOT / "examples/records"


@pytest.fixture(scope="module")
def evaluation():
    return Session().evaluate(RULESET, [], units_file=SAMPLE / "units.csv",
                              records=[f"dossiers={SAMPLE}/*.parquet"])


def _by_hand(frame: pl.DataFrame, units: list[str], first: date, last: date) -> dict:
    """The 766 figures of `units` over first..last, counted in polars: the resolution
    moment against the due moment, stocks at the first moment after the period."""
    mine = frame.filter(pl.col("ma_don_vi").is_in(units))
    resolved = pl.col("ngay_ket_thuc_xu_ly")
    day = resolved.dt.date()
    due = pl.col("ngay_hen_tra")
    received = pl.col("ngay_tiep_nhan").dt.date()
    end = datetime.combine(last + timedelta(days=1), time())
    resolved_in = day.is_between(first, last)
    open_at_end = (pl.col("ngay_tiep_nhan") < end) & (resolved.is_null() | (resolved >= end))
    got = mine.select(
        on_time=(resolved_in & (resolved <= due)).sum(),
        late=(resolved_in & (resolved > due)).sum(),
        pending_in_time=(open_at_end & (due >= end)).sum(),
        pending_overdue=(open_at_end & (due < end)).sum(),
        fees=(received.is_between(first, last) & pl.col("co_nghia_vu_tai_chinh")).sum(),
        paid=(received.is_between(first, last) & pl.col("co_nghia_vu_tai_chinh")
              & pl.col("thanh_toan_truc_tuyen")).sum(),
        rated=(resolved_in & pl.col("muc_do_hai_long").is_not_null()).sum(),
        satisfied=(resolved_in & (pl.col("muc_do_hai_long") >= 2)).sum(),
    ).row(0, named=True)
    handled = got["on_time"] + got["late"] + got["pending_in_time"] + got["pending_overdue"]
    return {"progress_rate": (got["on_time"] + got["pending_in_time"]) / handled * 100,
            "paid_online_dossier_rate": got["paid"] / got["fees"] * 100,
            "service_satisfied_rate": got["satisfied"] / got["rated"] * 100}


@pytest.mark.parametrize("unit, period, first, last", [
    ("T01", "2025", date(2025, 1, 1), date(2025, 12, 31)),
    ("T01-H02-X003", "2025-Q3", date(2025, 7, 1), date(2025, 9, 30)),
])
def test_the_766_figures_match_a_plain_count(evaluation, unit, period, first, last):
    frame = pl.read_parquet(SAMPLE / "*.parquet")
    members = [u for u in frame["ma_don_vi"].unique().to_list() if u.startswith(unit)]
    want = _by_hand(frame, members, first, last)
    values = {r["metric"]: r["value"] for r in evaluation.values.filter(
        (pl.col("unit") == unit) & (pl.col("period") == period)).iter_rows(named=True)}
    for metric, value in want.items():
        assert values[metric] == pytest.approx(value, rel=1e-9), metric
    assert 85 < values["progress_rate"] < 99   # the sample is 3–8 % late, as generated


def test_the_sample_scores_the_three_indicators(evaluation):
    scores = evaluation.scores()
    assert scores is not None and not evaluation.results.is_empty()
    assert set(evaluation.results["target"]) == {"QD766-2.1", "QD766-3.6", "QD766-5.4"}


def test_the_generator_is_seeded_and_realistic():
    tree = unit_tree(2, 2, 3)
    assert {u["level"] for u in tree.units} == {"province", "district", "commune"}
    one, again = (dossiers(0, 20_000, tree, 2025, 7) for _ in range(2))
    assert one.equals(again)
    assert not one.equals(dossiers(0, 20_000, tree, 2025, 8))
    received = one["ngay_tiep_nhan"].dt.weekday()
    assert (received == 7).sum() == 0 and 0 < (received == 6).sum() < 0.06 * one.height
    done = one.filter(pl.col("ngay_ket_thuc_xu_ly").is_not_null())
    late = (done["ngay_ket_thuc_xu_ly"].dt.date() > done["ngay_hen_tra"].dt.date()).mean()
    assert 0.03 <= late <= 0.08
    still_open = one.filter(pl.col("ngay_ket_thuc_xu_ly").is_null())
    assert still_open.height > 0
    assert still_open["ngay_tiep_nhan"].dt.month().min() >= 10   # open only near year end
    days = (one["ngay_hen_tra"].dt.date() - one["ngay_tiep_nhan"].dt.date()).dt.total_days()
    assert days.n_unique() > 10                                  # procedures differ in length


def test_make_demo_records_runs_the_three_commands():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = makefile[makefile.index("demo-records:"):]
    target = target[:target.index("\n\n")]
    assert "validate" in target and "evaluate" in target and "--format html" in target
