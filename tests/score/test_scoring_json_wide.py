"""The JSON `scores` and `groups` lists are written from the scorer's side-by-side columns
(one frame per indicator or group, row for row with the unit × period keys), not from the
long frames: the bytes must be exactly those of the long frames written record by record,
for every optional column (status, self-assessed, inherited) and across slice boundaries."""
from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules import evaluate_files
from cchc_rules.render import FORMATS
from cchc_rules.render import json as render_json
from cchc_rules.score.points import Scores, WideList
from tests.factory import write

ROOT = Path(__file__).resolve().parents[2]
PAR = ROOT / "rulesets/examples/par-departments.yaml"
PAR_DATA = ROOT / "examples/par/tuyen-quang-departments-2024.yaml"
QD766 = ROOT / "rulesets/national/qd766-2022.yaml"

UNITS = [
    {"id": "tuyen-quang", "name": "Tỉnh Tuyên Quang", "level": "province"},
    {"id": "xa-a", "name": "Xã A", "level": "commune", "parent": "tuyen-quang"},
    {"id": "xa-b", "name": "Xã \"B\"", "level": "commune", "parent": "tuyen-quang"},
    {"id": "xa-lone", "name": "Xã không có tỉnh", "level": "commune"},
]
REPORTS = [
    {"unit": "tuyen-quang", "period": "2025-06",
     "values": {"procedures_announced_on_time": 45, "procedures_to_announce": 50}},
    *[{"unit": u, "period": p, "values": {"received": r, "resolved_on_time": 80,
                                          "pending_in_time": 10}}
      for u, r in (("xa-a", 100), ("xa-b", 0), ("xa-lone", 120))
      for p in ("2025-06", "2025-07")],
]


def _both(evaluation) -> tuple[str, str]:
    """The document written from the side-by-side columns, and from the long frames."""
    wide = FORMATS["json"](evaluation)
    scores = evaluation.scores()
    assert scores.wide("scores") is not None and scores.wide("groups") is not None
    evaluation._scores = Scores(scores.scores, scores.groups, scores.rankings)
    assert evaluation.scores().wide("scores") is None
    long = FORMATS["json"](evaluation)
    evaluation._scores = scores
    return wide, long


def test_self_assessed_by_status_and_steps_write_the_same_bytes():
    wide, long = _both(evaluate_files(PAR, [PAR_DATA]))
    assert wide == long
    doc = json.loads(wide)
    assert {"self_assessed_points", "difference", "status"} <= set(doc["scores"][0])
    assert "difference" in doc["groups"][0]


def test_inherited_points_and_no_status_write_the_same_bytes(tmp_path):
    data = write(tmp_path / "d.yaml", {"units": UNITS, "reports": REPORTS})
    evaluation = evaluate_files(QD766, [data])
    wide, long = _both(evaluation)
    assert wide == long
    rows = json.loads(wide)["scores"]
    assert any(r.get("inherited_from") == "tuyen-quang" for r in rows)
    assert any(r["points"] is None and r["max"] is None for r in rows)  # excluded
    assert len(rows) == evaluation.scores().scores.height


@pytest.mark.parametrize("chunk", [1, 7, 40, 10_000])
def test_slices_of_any_size_write_the_same_bytes(monkeypatch, chunk):
    evaluation = evaluate_files(PAR, [PAR_DATA])
    whole = FORMATS["json"](evaluation)
    monkeypatch.setattr(render_json, "CHUNK", chunk)
    wide, long = _both(evaluation)
    assert wide == long == whole


def test_a_scored_run_without_figures_writes_empty_lists(tmp_path):
    data = write(tmp_path / "d.yaml", {"units": UNITS, "reports": []})
    wide, long = _both(evaluate_files(QD766, [data]))
    assert wide == long
    doc = json.loads(wide)
    assert doc["scores"] == [] and doc["groups"] == [] and doc["rankings"] == []


VALUES = [0.0, -0.0, 1.0, 2.5, 1 / 3, 56.99999999999999, 1e20, float("nan"), float("inf"),
          None]


@st.composite
def wide_lists(draw) -> WideList:
    """A WideList of a few indicators whose columns repeat each other, hold a single value,
    NaN, ±0, infinities and nulls: the cases the writer's shortcuts (constant columns,
    columns equal to an earlier one, lookups of few distinct numbers) must write alike."""
    height = draw(st.integers(1, 12))
    count = draw(st.integers(1, 5))
    numbers = st.lists(st.sampled_from(VALUES), min_size=height, max_size=height)
    statuses = st.lists(st.sampled_from([None, "met", "not_met"]), min_size=height,
                        max_size=height)
    columns: list[pl.DataFrame] = []
    for _ in range(count):
        if columns and draw(st.booleans()):   # the same values as an earlier indicator
            earlier = draw(st.sampled_from(columns))
            column = earlier.with_columns(pl.Series("points", draw(numbers), pl.Float64))
        else:
            column = pl.DataFrame({
                "value": pl.Series(draw(numbers), dtype=pl.Float64),
                "status": pl.Series(draw(statuses), dtype=pl.String),
                "points": pl.Series(draw(numbers), dtype=pl.Float64),
                "max": pl.Series([draw(st.sampled_from(VALUES))] * height, dtype=pl.Float64)})
        columns.append(column)
    keys = pl.DataFrame({"unit": [f"xã-{i % 3}" for i in range(height)],
                         "period": [f"2025-{1 + i // 3:02d}" for i in range(height)]})
    return WideList(keys, "indicator", [f"i{n}" for n in range(count)],
                    {"group": [f"g{n % 2}" for n in range(count)]}, columns,
                    ["unit", "period", "indicator", "group", "value", "status", "points",
                     "max"])


@settings(max_examples=150, deadline=None)
@given(wide=wide_lists(), chunk=st.sampled_from([1, 3, 200_000]))
def test_wide_lists_write_the_bytes_of_their_long_frame(wide, chunk):
    """Law: written from the side-by-side columns or from the long frame, a list's bytes
    are the same (every shortcut of `_write_wide` is checked against the plain writer)."""
    def written(scores: Scores) -> bytes:
        out = io.BytesIO()
        render_json._scored("scores")(SimpleNamespace(scores=lambda: scores), out)
        return out.getvalue()

    empty = pl.DataFrame()
    original = render_json.CHUNK
    render_json.CHUNK = chunk
    try:
        side_by_side = written(Scores(wide, empty, empty))
        long = written(Scores(wide.frame(), empty, empty))
    finally:
        render_json.CHUNK = original
    assert side_by_side == long
    json.loads(side_by_side)
