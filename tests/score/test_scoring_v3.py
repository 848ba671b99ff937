"""Spec §7 v3 (issue 26): bonus and penalty indicators, criteria a unit declares `n/a`, and
the sampling margin of survey figures — each against a small plain-Python reference, and
through every output that shows them."""
from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import polars as pl
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_rules import evaluate_files
from cchc_rules.cli import main
from cchc_rules.evaluation.survey import margin_expr
from cchc_rules.figures.readers.batch import is_declared
from tests.factory import write

CASES = Path(__file__).resolve().parents[1] / "conformance"
BONUS = CASES / "scoring-bonus-penalty"


def _ruleset(tmp_path: Path) -> Path:
    return write(tmp_path / "r.yaml", {
        "ruleset": "v3", "title": "v3",
        "metrics": {"a": {"label": "a", "unit": "score"}, "b": {"label": "b", "unit": "score"},
                    "bonus": {"label": "thưởng", "unit": "score"},
                    "penalty": {"label": "trừ", "unit": "score"}},
        "scoring": {"groups": [{"id": "g", "title": "G"}], "indicators": [
            {"id": "A", "title": "A", "group": "g", "metric": "a", "max": 6, "as_points": True},
            {"id": "B", "title": "B", "metric": "b", "max": 4, "as_points": True},
            {"id": "T", "title": "T", "kind": "bonus", "metric": "bonus", "max": 2,
             "as_points": True},
            {"id": "P", "title": "P", "kind": "penalty", "metric": "penalty", "max": 3,
             "as_points": True}]}})


def _reference(a, b, bonus, penalty):
    """Index by hand: a declared (None) criterion is dropped from points and max."""
    clamp = lambda v, top: min(max(v, 0.0), top)  # noqa: E731
    points = sum(clamp(v, top) for v, top in ((a, 6), (b, 4)) if v is not None)
    top = sum(t for v, t in ((a, 6), (b, 4)) if v is not None)
    net = points + clamp(bonus, 2) - clamp(penalty, 3)
    return net, top, (min(max(net / top * 100, 0.0), 100.0) if top else None)


units = st.tuples(st.one_of(st.none(), st.floats(0, 8)), st.floats(0, 5), st.floats(0, 3),
                  st.floats(0, 4))


@settings(max_examples=25, deadline=None)
@given(st.lists(units, min_size=1, max_size=5))
def test_index_with_bonus_penalty_and_na_equals_a_hand_count(tmp_path_factory, rows):
    tmp = tmp_path_factory.mktemp("v3")
    ruleset = _ruleset(tmp)
    reports = [{"unit": f"u{i}", "period": "2025",
                "values": {"a": "n/a" if a is None else a, "b": b, "bonus": t, "penalty": p}}
               for i, (a, b, t, p) in enumerate(rows)]
    data = write(tmp / "d.yaml", {"reports": reports})
    ranks = {r["unit"]: r for r in evaluate_files(ruleset, [data]).scores().rankings
             .iter_rows(named=True)}
    for i, row in enumerate(rows):
        net, top, index = _reference(*row)
        got = ranks[f"u{i}"]
        assert math.isclose(got["points"], net, abs_tol=1e-9)
        assert got["max"] == top
        assert math.isclose(got["index"], index, abs_tol=1e-9)
        assert math.isclose(got["bonus"], min(row[2], 2), abs_tol=1e-9)
        assert math.isclose(got["penalty"], min(row[3], 3), abs_tol=1e-9)


@given(st.floats(0, 100), st.integers(1, 100_000))
def test_margin_is_the_95_percent_formula(value, n):
    p = value / 100
    reference = 1.96 * math.sqrt(p * (1 - p) / n) * 100
    got = pl.select(margin_expr(pl.lit(value), pl.lit(float(n)))).item()
    assert math.isclose(got, reference, rel_tol=1e-12, abs_tol=1e-12)


def test_no_margin_without_a_usable_sample():
    got = pl.DataFrame({"v": [50.0, 50.0, 120.0], "n": [None, 0.0, 10.0]}) \
        .select(margin_expr(pl.col("v"), pl.col("n")))
    assert got.to_series().to_list() == [None, None, None]


def test_the_words_that_declare_n_a():
    assert all(is_declared(w) for w in ("n/a", "N/A", " Không áp dụng ", "KHÔNG ÁP DỤNG",
                                        "không  áp dụng"))
    assert not any(is_declared(w) for w in ("na", "0", "", "không", 0, None))


def test_n_a_in_csv_and_xlsx_is_declared_not_missing(tmp_path):
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text((CASES / "scoring-declared-na" / "ruleset.yaml").read_text("utf-8"),
                       encoding="utf-8")
    csv = tmp_path / "d.csv"
    csv.write_text("unit,period,received,on_time,plan_points\nxa-b,2025,N/A,0,6\n",
                   encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unit", "period", "received", "on_time", "plan_points"])
    sheet.append(["xa-c", "2025", "Không áp dụng", None, 4])
    book.save(tmp_path / "d.xlsx")
    ev = evaluate_files(ruleset, [csv, tmp_path / "d.xlsx"])
    dh = {r["unit"]: r for r in ev.traced().filter(pl.col("target") == "DH")
          .iter_rows(named=True)}
    assert {u: (r["status"], r["reason"]) for u, r in dh.items()} == {
        "xa-b": ("not_applicable", "declared"), "xa-c": ("not_applicable", "declared")}
    assert sorted(Path(f).name for f in ev.figures.declared["file"].to_list()) == \
        ["d.csv", "d.xlsx[Sheet]"]


def test_a_parent_whose_every_child_is_n_a_is_n_a(tmp_path):
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text((CASES / "scoring-declared-na" / "ruleset.yaml").read_text("utf-8"),
                       encoding="utf-8")
    data = write(tmp_path / "d.yaml", {
        "units": [{"id": "p", "name": "P", "level": "province"},
                  {"id": "c1", "name": "C1", "level": "commune", "parent": "p"},
                  {"id": "c2", "name": "C2", "level": "commune", "parent": "p"}],
        "reports": [{"unit": u, "period": "2025",
                     "values": {"received": "n/a", "on_time": 1, "plan_points": 5}}
                    for u in ("c1", "c2")]})
    ev = evaluate_files(ruleset, [data])
    statuses = {r["unit"]: r["reason"] for r in ev.traced().filter(pl.col("target") == "DH")
                .iter_rows(named=True)}
    assert statuses == {"p": "declared", "c1": "declared", "c2": "declared"}
    assert ev.values.filter(pl.col("metric") == "received").height == 0   # no stand-in 0


def test_rank_xlsx_and_report_show_bonus_and_penalty(tmp_path):
    out = tmp_path / "r.xlsx"
    args = [str(BONUS / "ruleset.yaml"), "--data", str(BONUS / "data.yaml")]
    done = CliRunner().invoke(main, ["rank", *args, "--format", "xlsx", "--output", str(out)])
    assert done.exit_code == 0, done.output
    ranking, points = openpyxl.load_workbook(out).worksheets[:2]   # then the wide sheets
    head = [c.value for c in ranking[1]]
    row = dict(zip(head, [c.value for c in ranking[3]], strict=True))
    assert (row["Đơn vị"], row["Điểm"], row["Điểm thưởng"], row["Điểm trừ"]) == \
        ("so-b", 6, 0, 3)
    assert "Loại điểm" in [c.value for c in points[1]]
    html = tmp_path / "r.html"
    done = CliRunner().invoke(main, ["report", *args, "--format", "html", "--output",
                                     str(html), "--lang", "en"])
    assert done.exit_code == 0, done.output
    text = html.read_text("utf-8")
    assert "<th scope=\"col\" class=\"num\">Bonus</th>" in text and "−3.00" in text


def test_json_penalty_points_are_the_points_taken_off():
    done = CliRunner().invoke(main, ["evaluate", str(BONUS / "ruleset.yaml"), "--data",
                                     str(BONUS / "data.yaml"), "--format", "json"])
    doc = json.loads(done.stdout)
    penalty = [r for r in doc["scores"] if r["indicator"] == "P1" and r["points"] is not None]
    assert {r["kind"] for r in penalty} == {"penalty"} and min(r["points"] for r in penalty) >= 0


def test_a_bonus_above_its_max_is_clamped_with_a_positioned_warning():
    ev = evaluate_files(BONUS / "ruleset.yaml", [BONUS / "data.yaml"])
    found = [w for w in ev.warnings if w.code == "DAT31"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert (Path(found[0].pos.file).name, found[0].pos.line) == ("data.yaml", 7)
    assert "'B1'" in found[0].message and "so-a" in found[0].message
    ranks = {r["unit"]: r for r in ev.scores().rankings.iter_rows(named=True)}
    assert ranks["so-a"]["bonus"] == 2                      # clamped, not 5
    assert not [w for w in ev.warnings if w.code == "DAT31" and "so-c" in w.message]


SURVEY = CASES / "survey-margin"
DECLARED = CASES / "scoring-declared-na"


def test_report_shows_the_margin_and_the_declared_reason(tmp_path):
    for case, wanted in ((SURVEY, "87.00% ± 3.30"), (DECLARED, "declared n/a by the unit")):
        html = tmp_path / f"{case.name}.html"
        done = CliRunner().invoke(main, ["report", str(case / "ruleset.yaml"), "--data",
                                         str(case / "data.yaml"), "--format", "html",
                                         "--output", str(html), "--lang", "en"])
        assert done.exit_code == 0, done.output
        assert wanted in html.read_text("utf-8")
    vi = tmp_path / "vi.html"
    CliRunner().invoke(main, ["report", str(DECLARED / "ruleset.yaml"), "--data",
                              str(DECLARED / "data.yaml"), "--format", "html", "--output",
                              str(vi)])
    assert "đơn vị khai báo không áp dụng" in vi.read_text("utf-8")


def test_web_app_shows_the_margin_and_the_declared_reason():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    from cchc_rules.serve import Workspace, create_app
    for case, path, wanted in (
            (SURVEY, "/unit/xa-a?period=2025", "87,00% ± 3,30"),
            (SURVEY, "/explain?target=HL&unit=xa-a&period=2025", "87,00% ± 3,30"),
            (DECLARED, "/unit/xa-b?period=2025&na=1", "đơn vị khai báo không áp dụng"),
            (DECLARED, "/explain?target=DH&unit=xa-c&period=2025",
             "đơn vị khai báo không áp dụng")):
        app = create_app(Workspace(case / "ruleset.yaml", [case / "data.yaml"]),
                         watching=False)
        with TestClient(app) as client:
            page = client.get(path)
        assert page.status_code == 200 and wanted in page.text, (path, page.text[-2000:])
    app = create_app(Workspace(SURVEY / "ruleset.yaml", [SURVEY / "data.yaml"]),
                     watching=False)
    with TestClient(app) as client:
        assert "±" not in client.get("/unit/xa-c?period=2025").text   # no sample, no margin
