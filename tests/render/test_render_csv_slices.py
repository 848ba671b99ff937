"""The CSV writer's result rows come a slice of (unit, period) rows at a time, with
Categorical labels (Evaluation.result_slices): the file is byte for byte the one written
from the whole results frame."""
from __future__ import annotations

from cchc_rules.evaluation import evaluator
from cchc_rules.evaluation.evaluator import evaluate
from cchc_rules.evaluation.result import COMPACT_SCHEMA
from cchc_rules.figures.data import read_data
from cchc_rules.render import FORMATS
from cchc_rules.render.csv import _frame
from cchc_rules.ruleset import load_ruleset
from tests.factory import SLICES_DATA as DATA
from tests.factory import SLICES_RULESET as RULESET


def _evaluation(tmp_path):
    (tmp_path / "r.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    return evaluate(load_ruleset(tmp_path / "r.yaml"), read_data([tmp_path / "d.csv"]))


def test_sliced_csv_is_the_whole_frames_csv(tmp_path, monkeypatch):
    monkeypatch.setattr(evaluator, "SLICE_RESULTS", 2)   # one (unit, period) row a slice
    ev = _evaluation(tmp_path)
    slices = list(ev.result_slices())
    assert len(slices) == 13 and all(dict(s.schema) == COMPACT_SCHEMA for s in slices)
    sliced = FORMATS["csv"](ev)
    whole = _frame(ev).write_csv()     # the String results, built now, in one piece
    assert sliced == whole
    assert "'=Tỷ lệ trực tuyến" in whole and whole.count("\n") == 27


def test_once_results_are_built_the_writer_reads_them(tmp_path):
    ev = _evaluation(tmp_path)
    assert ev.results.height == 26
    (only,) = ev.result_slices()
    assert only is ev.results


def test_sliced_parquet_is_the_whole_frames_parquet(tmp_path, monkeypatch):
    # --format parquet builds the results a slice at a time (a chunk each) and writes them in
    # the row groups one chunk gets: the same file as from the results in one piece
    import io

    from cchc_rules.render import columnar, write

    monkeypatch.setattr(evaluator, "SLICE_RESULTS", 2)   # 13 slices, 13 chunks
    ev = _evaluation(tmp_path)
    sliced = io.BytesIO()
    write("parquet", ev, sliced)
    whole = io.BytesIO()
    columnar._typed(ev, None, slices=False).write_parquet(
        whole, compression="zstd", metadata=columnar._notes(ev))
    assert sliced.getvalue() == whole.getvalue()


def test_row_groups_are_polars_own_at_national_size():
    # at 1,610,400 rows (and 1 M, 2 M, any multiple of ROW_GROUP) the explicit groups are the
    # ones polars gives a frame of one chunk: the national Parquet keeps its bytes
    import io

    import polars as pl
    import pyarrow.parquet as pq

    from cchc_rules.render.columnar import ROW_GROUP, row_groups

    for height in (1, 26, ROW_GROUP, 2 * ROW_GROUP, 300_000, 1_000_000, 1_610_400):
        one = pl.DataFrame({"x": pl.int_range(height, dtype=pl.Int32, eager=True)})
        chunks = pl.concat([one.slice(0, height // 3), one.slice(height // 3)], rechunk=False)
        default, explicit = io.BytesIO(), io.BytesIO()
        one.write_parquet(default, compression="zstd")
        chunks.write_parquet(explicit, compression="zstd", row_group_size=row_groups(height))
        assert default.getvalue() == explicit.getvalue(), height
    meta = pq.read_metadata(io.BytesIO(default.getvalue()))
    assert (meta.num_row_groups, meta.row_group(0).num_rows) == (13, 123_877)
    assert row_groups(0) == 1 and row_groups(140_000) == 70_000   # polars: one group of 140 k
