"""Benchmark of a province's whole CCHC index (issue 26; docs/index-workbooks.md).

    python -m bench.index [--departments 30] [--communes 170] [--criteria 60]
                          [--work /tmp/cchc-bench-index] [--results bench/RESULTS.md]

Builds (once per shape) a criteria set of 8 areas with `--criteria` manual criteria per
track (departments and communes each their own tenth), writes one self-assessment workbook
per unit and fills every one with seeded points and evidence (openpyxl, not timed), then
times, each in this process, what the Sở Nội vụ runs on the returned folder: `cchc collect`
of the 200 workbooks (every cell checked), the evaluation and scoring of the collected
figures, and `cchc publish` of the annex as HTML and as xlsx (the PDF's WeasyPrint time is
bench/pdf_cost.py's subject). The section "Index" of bench/RESULTS.md is replaced (or
appended).
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HEADING = "## Index: a province's self-assessments collected, scored and published"


def ruleset_document(criteria: int) -> dict:
    """8 areas and exactly `criteria` manual criteria per track: criteria − 8 shared by both
    tracks, spread over the areas, and in each area one for departments and one for
    communes only; area 7 capped; a bonus."""
    metrics, indicators = {}, []
    shared = max(0, criteria - 8)
    for area in range(1, 9):
        count = shared // 8 + (1 if area <= shared % 8 else 0)
        tracks = [None] * count + [["department"], ["commune"]]
        for k, levels in enumerate(tracks, start=1):
            ident, key = f"{area}.{k}", f"tc_{area}_{k}"
            # no self_assessed: the self-assessed points are the points scored
            metrics[key] = {"label": f"Điểm tiêu chí {ident}", "unit": "score"}
            ind = {"id": ident, "title": f"Tiêu chí {ident}", "group": str(area),
                   "metric": key, "max": 2, "manual": True}
            if levels:
                ind["levels"] = levels
            indicators.append(ind)
    metrics["thuong"] = {"label": "Điểm thưởng", "unit": "score"}
    indicators.append({"id": "T", "title": "Thưởng", "kind": "bonus", "metric": "thuong",
                       "max": 3, "as_points": True})
    return {"ruleset": "bench-index", "title": "Bench: chỉ số CCHC của tỉnh",
            "metrics": metrics,
            "scoring": {"bands": [{"id": "A", "min": 90}, {"id": "B", "min": 0}],
                        "groups": [{"id": str(a), "title": f"Lĩnh vực {a}",
                                    **({"max": 12} if a == 7 else {})} for a in range(1, 9)],
                        "indicators": indicators}}


def prepare(work: Path, departments: int, communes: int, criteria: int) -> tuple[Path, Path]:
    """The ruleset, units and the filled returned workbooks (kept across runs)."""
    from click.testing import CliRunner

    from cchc_rules.cli import main
    from examples.index.fill import fill, rows_by_id

    shape = work / f"d{departments}-c{communes}-k{criteria}"
    ruleset, units = shape / "ruleset.yaml", shape / "units.csv"
    returned = shape / "returned"
    if returned.is_dir() and len(list(returned.glob("*.xlsx"))) == departments + communes:
        return ruleset, units
    shape.mkdir(parents=True, exist_ok=True)
    ruleset.write_text(yaml.safe_dump(ruleset_document(criteria), allow_unicode=True),
                       encoding="utf-8")
    with open(units, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["id", "name", "level"])
        out.writerows([f"so-{i:03d}", f"Sở {i}", "department"]
                      for i in range(1, departments + 1))
        out.writerows([f"xa-{i:03d}", f"Xã {i}", "commune"] for i in range(1, communes + 1))
    done = CliRunner().invoke(main, ["form", str(ruleset), "--scoring", "--units", str(units),
                                     "--period", "2025", "--output", str(shape / "blank")])
    if done.exit_code:
        raise SystemExit(done.output)
    rng = random.Random(26)
    returned.mkdir(exist_ok=True)
    for blank in sorted((shape / "blank").glob("*.xlsx")):
        ids = [i for i in rows_by_id(blank) if re.fullmatch(r"\d+\.\d+|T", i)]
        points = {i: rng.choice([0, 0.5, 1, 1.5, 2]) if i != "T" else rng.choice([0, 1])
                  for i in ids}
        evidence = {i: f"{rng.randint(1, 300)}/KH ngày {rng.randint(1, 28):02d}/"
                       f"{rng.randint(1, 12):02d}/2025" for i in ids}
        fill(blank, returned / f"Tự chấm - {blank.stem}.xlsx", points, evidence=evidence)
    return ruleset, units


def measure(ruleset: Path, units: Path, work: Path) -> dict:
    from cchc_rules.figures.collect import (
        FIGURE_FIELDS,
        collect,
        csv_text,
        figure_rows,
    )
    from cchc_rules.figures.forms import form_units
    from cchc_rules.periods import parse_period
    from cchc_rules.pipeline import Session
    from cchc_rules.render.annex import annex_html, annex_xlsx, build_annex

    timings: dict[str, float] = {}
    cpu = {}

    def clock(name: str, started: tuple[float, float]) -> None:
        timings[name] = time.perf_counter() - started[0]
        cpu[name] = time.process_time() - started[1]

    now = lambda: (time.perf_counter(), time.process_time())  # noqa: E731
    session = Session()
    loaded = session.load_ruleset(ruleset)
    t = now()
    found = collect(ruleset.parent / "returned", loaded, form_units(units),
                    parse_period("2025"))
    rows = figure_rows(found)
    figures = work / "figures.csv"
    figures.write_text(csv_text(rows, FIGURE_FIELDS), encoding="utf-8")
    clock("collect", t)
    t = now()
    ev = session.evaluate(ruleset, [figures], units)
    ranks = ev.scores().rankings
    clock("evaluate and score", t)
    t = now()
    annex = build_annex(ev, "vi")
    html = annex_html(annex)
    clock("publish html", t)
    t = now()
    annex_xlsx(annex, io.BytesIO())
    clock("publish xlsx", t)
    return {"workbooks": len(found.books), "used": len(found.used), "figures": len(rows),
            "ranked": ranks.filter(ranks["index"].is_not_null()).height,
            "problems": len(found.problems), "html_bytes": len(html),
            "seconds": timings, "cpu": cpu}


def table(result: dict, departments: int, communes: int, criteria: int) -> str:
    lines = [HEADING, "",
             f"Measured {datetime.now(UTC):%Y-%m-%d} by `python -m bench.index` "
             f"({departments} departments + {communes} communes, {criteria} criteria per "
             f"track, {result['workbooks']} returned workbooks, {result['figures']:,} "
             f"figures; filling the workbooks is not timed).", "",
             "| step | wall s | CPU s |", "| --- | ---: | ---: |"]
    for step, seconds in result["seconds"].items():
        lines.append(f"| {step} | {seconds:.2f} | {result['cpu'][step]:.2f} |")
    total = sum(result["seconds"].values())
    lines += [f"| **total** | **{total:.2f}** | **{sum(result['cpu'].values()):.2f}** |", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=30)
    parser.add_argument("--communes", type=int, default=170)
    parser.add_argument("--criteria", type=int, default=60)
    parser.add_argument("--work", type=Path, default=Path("/tmp/cchc-bench-index"))
    parser.add_argument("--results", type=Path, default=ROOT / "bench/RESULTS.md")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    ruleset, units = prepare(args.work, args.departments, args.communes, args.criteria)
    result = measure(ruleset, units, args.work)
    units = args.departments + args.communes
    if result["used"] != units or result["problems"] or result["ranked"] != units:
        raise SystemExit(f"the bench's own workbooks were not all used: {result}")
    text = table(result, args.departments, args.communes, args.criteria)
    print(text)
    if args.results:
        old = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
        pattern = re.compile(re.escape(HEADING) + r".*?(?=\n## |\Z)", re.S)
        new = pattern.sub(text.rstrip("\n") + "\n", old) if HEADING in old \
            else old.rstrip("\n") + "\n\n" + text
        args.results.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
