"""`cchc figures`: every figure an evaluation used, with its origin and source, as table,
CSV, JSON and Parquet, for counted and reported figures; `--as-of` and periods in progress
(records of examples/records, the seeded sample of docs/records.md §7)."""
from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from cchc_rules.cli import main

ROOT = Path(__file__).resolve().parents[2]
RULESET = str(ROOT / "rulesets/national/qd766-records.yaml")
SAMPLE = ROOT / "examples/records"
RECORDS = ["--units", str(SAMPLE / "units.csv"), "--records",
           f"dossiers={SAMPLE}/*.parquet", "--lang", "en"]


def figures(*args: str):
    return CliRunner().invoke(main, ["figures", RULESET, *RECORDS, *args])


@pytest.fixture(scope="module")
def year() -> pl.DataFrame:
    res = figures("--format", "json", "--as-of", "2026-01-01")
    assert res.exit_code == 0, res.output
    return pl.DataFrame(json.loads(res.stdout)["figures"])


def test_every_figure_with_its_origin_and_source(year):
    t01 = {r["metric"]: r for r in year.filter(
        (pl.col("unit") == "T01") & (pl.col("period") == "2025")).iter_rows(named=True)}
    assert t01["received"]["origin"] == "counted" and t01["received"]["value"] == 5000
    assert "records:received" in t01["received"]["source"]
    assert t01["handled"]["origin"] == "derived"
    on_time = t01["resolved_on_time"]["value"] + t01["pending_in_time"]["value"]
    assert t01["progress_rate"]["value"] == pytest.approx(
        on_time / t01["handled"]["value"] * 100)
    assert not year["in_progress"].any()
    assert set(year["period"]) >= {"2025-01", "2025-Q4", "2025"}


def test_csv_and_parquet_hold_the_same_figures(year, tmp_path):
    res = figures("--format", "csv", "--as-of", "2026-01-01")
    assert res.exit_code == 0, res.output
    csv = pl.read_csv(io.StringIO(res.stdout))
    assert csv.columns == year.columns and csv.height == year.height
    out = tmp_path / "f.parquet"
    res = figures("--format", "parquet", "--as-of", "2026-01-01", "--output", str(out))
    assert res.exit_code == 0, res.output
    assert pl.read_parquet(out).sort("unit", "period", "metric")["value"].to_list() == \
        year.sort("unit", "period", "metric")["value"].to_list()
    assert figures("--format", "parquet").exit_code == 2        # never binary on stdout


def test_a_period_not_ended_is_counted_only_when_asked_and_marked(tmp_path):
    res = figures("--format", "json", "--as-of", "2025-06-15T12:00")
    assert res.exit_code == 0, res.output
    periods = {f["period"] for f in json.loads(res.stdout)["figures"]}
    assert "2025-05" in periods and "2025-06" not in periods and "2025-Q2" not in periods
    assert "REC12" in res.stderr and "2025-06" in res.stderr
    res = figures("--format", "json", "--as-of", "2025-06-15T12:00", "--period", "2025-06")
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)["figures"]
    assert {f["period"] for f in got} == {"2025-06"} and all(f["in_progress"] for f in got)
    assert "in progress as of 2025-06-15 12:00" in res.stderr


def test_reported_figures_have_their_file_and_line(tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text("reports:\n  - {unit: T01, period: 2024, values: {received: 4}}\n",
                    encoding="utf-8")
    res = figures("--format", "json", "--as-of", "2026-01-01", "--data", str(data))
    assert res.exit_code == 0, res.output
    (mine,) = [f for f in json.loads(res.stdout)["figures"]
               if f["period"] == "2024" and f["metric"] == "received"]
    assert mine["origin"] == "reported" and mine["source"] == f"{data}:2"


CASE = ROOT / "tests/conformance/met-and-not-met-at-deadline"


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_without_records_reported_figures_of_a_period_not_ended_are_warned(lang, tmp_path):
    """A run without --records: the periods not ended as of the moment get REC12; the
    results are judged as the spec judges any figure (b/2026 not_met, as the case says)."""
    def run(data: Path, *as_of: str):
        res = CliRunner().invoke(main, ["evaluate", str(CASE / "ruleset.yaml"), "--data",
                                        str(data), "--format", "json", "--lang", lang,
                                        *as_of])
        assert res.exit_code == 1, res.output
        return json.loads(res.stdout), res.stderr
    running, said = run(CASE / "data.yaml", "--as-of", "2026-06-30T08:00")
    (line,) = [x for x in said.splitlines() if "REC12" in x]
    assert line == {
        "en": "warning REC12 reported figures for 2026, not ended as of 2026-06-30 08:00: "
              "judged on the figures as reported [check that they are the whole period's, "
              "or set --as-of]",
        "vi": "warning REC12 số liệu báo cáo của 2026, kỳ chưa kết thúc tại 2026-06-30 "
              "08:00: được chấm theo số liệu đã báo cáo [kiểm tra số liệu là của cả kỳ, "
              "hay đặt --as-of]"}[lang]
    now, _said = run(CASE / "data.yaml")          # as of now: 2026 has not ended either
    assert running["results"] == now["results"] and "in_progress" not in running
    assert [(r["unit"], r["period"], r["status"]) for r in running["results"]] == [
        ("a", "2025", "met"), ("b", "2025", "not_met"), ("b", "2026", "not_met")]
    ended = tmp_path / "2025.yaml"
    ended.write_text("\n".join((CASE / "data.yaml").read_text(encoding="utf-8")
                               .splitlines()[:3]) + "\n", encoding="utf-8")
    _doc, quiet = run(ended, "--as-of", "2026-06-30T08:00")
    assert "REC12" not in quiet


def test_a_reported_figure_of_the_last_representable_year_is_warned_and_judged(tmp_path):
    """Period 9999 ends on the last representable day: it never ends (no OverflowError)."""
    ruleset, data = tmp_path / "r.yaml", tmp_path / "d.yaml"
    ruleset.write_text(
        "ruleset: r9\ntitle: T\nmetrics:\n  received: {label: R, unit: count}\ntargets:\n"
        "  - {id: T1, title: t, area: procedures, metric: received,\n"
        "     milestones: [{by: \"9999\", op: \">=\", value: 1}]}\n", encoding="utf-8")
    data.write_text('reports:\n  - {unit: ham-tan, period: "9999", values: {received: 5}}\n',
                    encoding="utf-8")
    res = CliRunner().invoke(main, ["evaluate", str(ruleset), "--data", str(data),
                                    "--format", "json", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert [(r["period"], r["status"]) for r in json.loads(res.stdout)["results"]] == [
        ("9999", "met")]
    (line,) = [x for x in res.stderr.splitlines() if "REC12" in x]
    assert line.startswith("warning REC12 reported figures for 9999, not ended as of ")


@pytest.mark.parametrize("text", ["yesterday", "2025-13-01", "2999-01-01"])
def test_a_bad_as_of_is_one_line_and_exit_2(text):
    res = figures("--as-of", text)
    assert res.exit_code == 2
    (line,) = res.output.strip().splitlines()
    assert "REC05" in line and text in line


def _evaluate(*args: str) -> dict:
    res = CliRunner().invoke(main, ["evaluate", RULESET, *RECORDS, "--format", "json",
                                    "--period", "2025", *args])
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def test_a_target_is_not_judged_on_a_period_not_ended():
    ended = _evaluate("--as-of", "2026-01-01")
    assert ended["summary"]["not_met"] > 0 and "in_progress" not in ended
    assert all("in_progress" not in r for r in ended["results"])
    running = _evaluate("--as-of", "2025-12-15")
    assert running["in_progress"] == ["2025"]
    assert running["summary"]["not_met"] == running["summary"]["off_track"] == 0
    assert all(r["in_progress"] is True for r in running["results"])
    # the same targets, pending while the year runs, where the ended year has them not met
    judged = {(r["target"], r["unit"]): r["status"] for r in ended["results"]}
    waiting = {(r["target"], r["unit"]): r["status"] for r in running["results"]}
    assert all(waiting[k] == "pending" for k, v in judged.items()
               if v == "not_met" and k in waiting)


def test_the_table_names_the_periods_in_progress():
    res = CliRunner().invoke(main, ["evaluate", RULESET, *RECORDS, "--period", "2025-06",
                                    "--as-of", "2025-06-15T12:00"])
    assert res.exit_code == 0, res.output
    assert res.stdout.rstrip().endswith(
        "In progress (not judged met or not met yet): 2025-06"), res.stdout[-300:]


RUNNING = ["--period", "2025-05", "--period", "2025-06", "--as-of", "2025-06-15T12:00"]


def _run(fmt: str, tmp_path: Path, *more: str) -> Path:
    out = tmp_path / f"out.{fmt}"
    res = CliRunner().invoke(main, ["evaluate", RULESET, *RECORDS, *RUNNING, "--format", fmt,
                                    "--output", str(out), *more])
    assert res.exit_code in (0, 1), res.output
    return out


def test_csv_parquet_and_arrow_mark_the_results_in_progress_as_the_json_does(tmp_path):
    json_rows = json.loads(_run("json", tmp_path).read_text(encoding="utf-8"))["results"]
    want = sorted((r["target"], r["unit"], r["period"], r["in_progress"]) for r in json_rows)
    assert {w[2:] for w in want} == {("2025-05", False), ("2025-06", True)}
    frames = {"csv": pl.read_csv(_run("csv", tmp_path), infer_schema=False).with_columns(
                  pl.col("in_progress") == "true"),
              "parquet": pl.read_parquet(_run("parquet", tmp_path)),
              "arrow": pl.read_ipc(_run("arrow", tmp_path))}
    for fmt, frame in frames.items():
        got = sorted(frame.select(pl.col("target", "unit", "period").cast(pl.String),
                                  "in_progress").iter_rows())
        assert got == want, fmt


def test_results_of_periods_ended_have_no_in_progress_column(tmp_path):
    out = tmp_path / "ended.csv"
    res = CliRunner().invoke(main, ["evaluate", RULESET, *RECORDS, "--period", "2025-05",
                                    "--as-of", "2026-01-01", "--format", "csv",
                                    "--output", str(out)])
    assert res.exit_code in (0, 1), res.output
    assert "in_progress" not in pl.read_csv(out).columns


@pytest.mark.parametrize(("lang", "legend"), [
    ("en", "* In progress (not judged met or not met yet): 2025-06"),
    ("vi", "* Kỳ đang diễn ra (chưa chấm đạt/không đạt): 2025-06")])
def test_the_report_marks_the_periods_in_progress_with_a_legend(tmp_path, lang, legend):
    res = CliRunner().invoke(main, ["report", RULESET, *RECORDS[:-1], lang, *RUNNING,
                                    "--format", "html", "--output", str(tmp_path / "r.html")])
    assert res.exit_code in (0, 1), res.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    cover = html[html.index('id="cover"'):html.index('id="summary"')]
    mark = '<sup class="in-progress-mark"'
    assert cover.count(mark) == 1 and cover.index("2025-06") < cover.index(mark)
    assert html.count(legend) == 2          # under the cover's periods and the summary
    rows = [r for r in html.split("<tr>") if '<td class="nw">2025-0' in r]
    assert rows and all((mark in r) == ('<td class="nw">2025-06' in r) for r in rows)
    assert any('<td class="nw">2025-05' in r for r in rows)


def test_reported_figures_of_a_period_not_ended_are_flagged_the_same_way(tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text("reports:\n  - {unit: T01, period: 2025-07, values: {received: 4}}\n",
                    encoding="utf-8")
    res = figures("--format", "json", "--as-of", "2025-06-20", "--data", str(data),
                  "--period", "2025-07")
    assert res.exit_code == 0, res.output
    (mine,) = [f for f in json.loads(res.stdout)["figures"] if f["metric"] == "received"
               and f["unit"] == "T01"]
    assert mine["origin"] == "reported" and mine["in_progress"] is True
    assert "reported figures for 2025-07, not ended" in res.stderr
