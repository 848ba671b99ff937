"""`cchc report` through click: exit 0 with a file written, 2 on bad input, never a traceback."""
from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import cchc, write_inputs

from cchc_rules.cli import main


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    return write_inputs(tmp_path / "in")


run = partial(cchc, "report")


def test_html_report_written(inputs, tmp_path: Path) -> None:
    ruleset, data = inputs
    out = tmp_path / "r.html"
    result = run(ruleset, "--data", data, "--format", "html", "--output", out)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Huyện Hàm Tân" in html and "47,18%" in html
    assert str(data) in html  # the data file's path beside its SHA-256


def test_pdf_report_in_english_written(inputs, tmp_path: Path) -> None:
    ruleset, data = inputs
    out = tmp_path / "r.pdf"
    result = run(ruleset, "--data", data, "--format", "pdf", "--output", out, "--lang", "en",
                 "--detail", "summary")
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_bad_ruleset_exits_2(tmp_path: Path, inputs) -> None:
    _, data = inputs
    bad = tmp_path / "bad.yaml"
    bad.write_text("ruleset: x\ntitle: t\ntargets: [{id: A}]\n", encoding="utf-8")
    out = tmp_path / "r.html"
    result = run(bad, "--data", data, "--format", "html", "--output", out)
    assert result.exit_code == 2, result.output
    assert "bad.yaml:" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_missing_data_file_exits_2(inputs, tmp_path: Path) -> None:
    ruleset, _ = inputs
    result = run(ruleset, "--data", tmp_path / "absent.csv", "--format", "html", "--output",
                 tmp_path / "r.html")
    assert result.exit_code == 2, result.output
    assert "absent.csv" in result.output


@pytest.mark.parametrize("extra, line", [
    (["--lang", "fr"], "error USG03 Invalid value for '--lang': 'fr' is not one of 'vi', 'en'"),
    (["--format", "docx"],
     "error USG03 Invalid value for '--format': 'docx' is not one of 'html', 'pdf'"),
    (["--detail", "x"],
     "error USG03 Invalid value for '--detail': 'x' is not one of 'auto', 'full'")])
def test_bad_options_exit_2(inputs, tmp_path: Path, extra: list[str], line: str) -> None:
    ruleset, data = inputs
    args = [ruleset, "--data", data, "--format", "html", "--output", tmp_path / "r.html"]
    result = run(*args, *extra)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(line), result.output
    assert not (tmp_path / "r.html").exists()


def test_broken_user_template_exits_2_with_its_line(inputs, tmp_path: Path) -> None:
    ruleset, data = inputs
    own = tmp_path / "own"
    own.mkdir()
    (own / "report.html.j2").write_text("<html>\n{% if %}\n", encoding="utf-8")
    out = tmp_path / "r.html"
    result = run(ruleset, "--data", data, "--format", "html", "--output", out,
                 "--templates", own)
    assert result.exit_code == 2, result.output
    assert "report.html.j2:2: error RPT03" in result.output, result.output
    assert not out.exists()
    result = run(ruleset, "--data", data, "--format", "html", "--output", out,
                 "--templates", tmp_path / "nowhere")
    assert result.exit_code == 2 and "RPT02" in result.output, result.output


ROOT = Path(__file__).resolve().parents[3]


def test_every_rpt_code_is_documented() -> None:
    import re
    sources = [*(ROOT / "cchc_rules" / "render").rglob("*.py"),
               ROOT / "cchc_rules" / "commands" / "report.py"]
    emitted = set(re.findall(r'"(RPT\d\d)"', "".join(p.read_text("utf-8") for p in sources)))
    assert len(emitted) >= 6
    page = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    assert [c for c in sorted(emitted) if f"**{c}**" not in page] == []
    assert (ROOT / "docs" / "img" / "report.png").is_file() and "img/report.png" in page


def test_the_documented_cover_override_works(inputs, tmp_path: Path) -> None:
    import re
    page = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    example = re.search(r"```jinja\n(.*?)```", page, re.S).group(1)
    own = tmp_path / "my-templates"
    own.mkdir()
    (own / "report.html.j2").write_text(example, encoding="utf-8")
    ruleset, data = inputs
    out = tmp_path / "r.html"
    result = run(ruleset, "--data", data, "--format", "html", "--output", out,
                 "--templates", own)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "SỞ NỘI VỤ TỈNH TUYÊN QUANG" in html and "Kỳ báo cáo: 2024-Q1" in html
    assert 'id="targets"' in html


def test_units_file_and_csv_data_are_hashed_in_the_footer(tmp_path: Path) -> None:
    import hashlib

    from factory import HAM_TAN_Q1, RULESET, dump
    ruleset = tmp_path / "ruleset.yaml"
    ruleset.write_text(dump(RULESET), encoding="utf-8")
    units = tmp_path / "units.yaml"
    units.write_text("units:\n- {id: ham-tan, name: Huyện Hàm Tân, level: district}\n",
                     encoding="utf-8")
    data = tmp_path / "ham-tan.csv"
    data.write_text("unit,period," + ",".join(HAM_TAN_Q1) + "\nham-tan,2024-Q1,"
                    + ",".join(map(str, HAM_TAN_Q1.values())) + "\n", encoding="utf-8")
    out = tmp_path / "r.html"
    result = run(ruleset, "--data", data, "--units", units, "--format", "html", "--output", out)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    for path in (ruleset, units, data):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in html, path
    assert "Huyện Hàm Tân" in html and "ham-tan.csv:2" in html


def test_report_period_and_graded_exit_on_counted_records(tmp_path):
    """Issue 24: `--period` keeps one period's results; `--fail-on` grades the exit as
    evaluate's (1 when a listed status occurred), the report still written; without it, 0."""
    from pathlib import Path


    root = Path(__file__).resolve().parents[3]
    args = ["report", str(root / "rulesets/national/qd766-records.yaml"), "--units",
            str(root / "examples/records/units.csv"), "--records",
            f"dossiers={root}/examples/records/*.parquet", "--format", "html"]
    out = tmp_path / "r.html"
    spec = CliRunner().invoke(main, [*args, "-o", str(out), "--period", "2025-11"])
    assert spec.exit_code == 0, spec.stderr
    one_month = out.read_text(encoding="utf-8")
    every = CliRunner().invoke(main, [*args, "-o", str(out)])
    assert every.exit_code == 0, every.stderr
    whole = out.read_text(encoding="utf-8")
    # 9 units × 3 targets in one month against 459 results over the year's 17 periods
    assert one_month.count("QD766-2.1") < whole.count("QD766-2.1")
    graded = CliRunner().invoke(main, [*args, "-o", str(out), "--period", "2025",
                                       "--fail-on", "not_met"])
    assert graded.exit_code == 1 and out.exists(), graded.stderr
    clean = CliRunner().invoke(main, [*args, "-o", str(out), "--period", "2025",
                                      "--fail-on", "off_track"])
    assert clean.exit_code == 0, clean.stderr
