"""What `cchc evaluate` loads at its start (issue 28): only what evaluating needs — polars,
pydantic for the ruleset's schema, PyYAML — never the report's, the web app's or the
records' libraries, nor what only a workbook or a mistake needs (calamine and the XML
parser, difflib); pydantic's plugin search is skipped unless the user asks for it; a quiet
run that shows no message never parses the message catalogue, and nothing compiles
tokenize's regex (pydantic reading a builtin's signature); and the package's frozen value
classes compile no code when imported (`cchc_rules/frozen.py`)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "rulesets/tuyen-quang/cchc-2021-2030.yaml"
DATA = ROOT / "examples/demo/ha-giang-2020.yaml"
HEAVY = ("jinja2", "weasyprint", "duckdb", "babel", "pyarrow", "sqlglot", "xlsxwriter",
         "starlette", "uvicorn", "docx", "pypdf", "openpyxl", "python_calamine",
         "xml.etree.ElementTree", "difflib", "cchc_rules.figures.readers.xlsx")
CHILD = """
import atexit, json, os, sys
HEAVY = sys.argv.pop(1).split(",")
made = []
import cchc_rules.messages
read_po = cchc_rules.messages.read_po
def reading(path):
    made.append("catalogue")
    return read_po(path)
cchc_rules.messages.read_po = reading
def seen():
    tokenize = sys.modules.get("tokenize")
    print(json.dumps({"modules": sorted(m for m in HEAVY if m in sys.modules),
                      "plugins": os.environ.get("PYDANTIC_DISABLE_PLUGINS"),
                      "catalogue": "catalogue" in made,
                      "tokenize": bool(tokenize and tokenize._compile.cache_info().currsize)}),
          file=sys.stderr)
atexit.register(seen)
from cchc_rules.cli import run
sys.argv[0] = "cchc"
run()
"""


def _started(tmp_path: Path, fmt: str, env: dict[str, str] | None = None,
             data: Path = DATA) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, ",".join(HEAVY), "evaluate", str(RULESET), "--data",
         str(data), "--format", fmt, "--output", str(tmp_path / f"out.{fmt}")],
        capture_output=True, text=True, cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"},
             "PYTHONPATH": str(ROOT), **(env or {})})
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_evaluate_loads_none_of_the_report_web_or_records_libraries(tmp_path):
    for fmt in ("csv", "parquet", "json"):
        assert _started(tmp_path, fmt)["modules"] == []


def test_pydantic_plugins_are_not_searched_unless_the_user_says(tmp_path):
    assert _started(tmp_path, "csv")["plugins"] == "__all__"
    assert _started(tmp_path, "csv", {"PYDANTIC_DISABLE_PLUGINS": "some-plugin"})["plugins"] \
        == "some-plugin"


def test_a_quiet_run_reads_no_catalogue_and_compiles_no_tokenize_regex(tmp_path):
    figures = tmp_path / "figures.csv"
    figures.write_text("unit,period,par_points,par_max_points\nha-giang,2020,80,100\n",
                       encoding="utf-8")
    started = _started(tmp_path, "parquet", data=figures)
    assert started["modules"] == []
    assert not started["catalogue"], "a run that shows no message parsed the catalogue"
    assert not started["tokenize"]
