"""Benchmark driver (`make bench`): generate the national workload, time cchc and zen-engine on it.

Every measurement runs in a fresh child process (peak RSS from wait4); results go to
bench/RESULTS.md through bench/report.py.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from bench import report
from bench.timeline import timeline

HERE = Path(__file__).resolve().parent
PY = sys.executable
CCHC = str(Path(sys.executable).with_name("cchc"))
SERIES = (0.25, 0.5, 1.0, 2.0)
UNIT_SERIES = (*SERIES, 4.0)  # 4× units: 13,420 units, 6.4 M evaluations
ENV = {**os.environ, "PYTHONPATH": str(HERE.parent)}  # children import bench from the tree


@dataclass
class Child:
    args: list[str]
    seconds: float
    peak_rss_mb: float
    rc: int
    stdout: str
    stderr: str
    cpu_s: float = 0.0  # user + system time of the child and its threads

    def json(self) -> dict:
        if self.rc != 0:
            raise RuntimeError(f"{' '.join(self.args)} exited {self.rc}: {self.stderr[-2000:]}")
        return json.loads(self.stdout.strip().splitlines()[-1])


def spawn(args: list[str], ok: tuple[int, ...] = (0,)) -> Child:
    """Run one child; wall time from before fork to reaping, peak RSS from its own rusage."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        pid = os.posix_spawn(args[0], args, ENV,
                             file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                                           (os.POSIX_SPAWN_DUP2, err.fileno(), 2)])
        _, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        child = Child(args, seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status),
                      out.read(), err.read(), usage.ru_utime + usage.ru_stime)
    if child.rc not in ok:
        raise RuntimeError(f"{' '.join(args)} exited {child.rc}: {child.stderr[-2000:]}")
    return child


def generate(work: Path, units: float = 1.0, periods: float = 1.0, targets: float = 1.0) -> Path:
    out = work / f"u{units}-p{periods}-t{targets}"
    if not (out / "manifest.json").exists():
        spawn([PY, "-m", "bench.generate", "--out", str(out), "--scale-units", str(units),
               "--scale-periods", str(periods), "--scale-targets", str(targets)])
    return out


def manifest(data: Path) -> dict:
    return json.loads((data / "manifest.json").read_text(encoding="utf-8"))


def inputs(data: Path) -> list[str]:
    return [str(data / "ruleset.yaml"), "--data", str(data / "data.csv"),
            "--units", str(data / "units.yaml")]


def timed(args: list[str], repeat: int, ok: tuple[int, ...] = (0, 1)) -> dict:
    """Median wall time and the largest peak RSS of `repeat` fresh runs."""
    runs = [spawn(args, ok) for _ in range(repeat)]
    return {"seconds": statistics.median(r.seconds for r in runs),
            "runs_s": [r.seconds for r in runs], "peak_rss_mb": max(r.peak_rss_mb for r in runs),
            "rc": runs[-1].rc}


def end_to_end(data: Path, work: Path, repeat: int) -> dict:
    """`cchc evaluate` to CSV, Parquet and JSON files, `cchc report` to HTML and a PDF
    summary."""
    out = {}
    for fmt, times in (("csv", repeat), ("parquet", repeat), ("json", 1)):  # JSON: once
        target = work / f"results.{fmt}"
        out[f"evaluate_{fmt}"] = timed(
            [CCHC, "evaluate", *inputs(data), "--format", fmt, "--output", str(target)], times)
        out[f"evaluate_{fmt}"]["bytes"] = target.stat().st_size
        target.unlink()
    html, pdf = work / "report.html", work / "report.pdf"
    out["report_html"] = timed(
        [CCHC, "report", *inputs(data), "--format", "html", "--output", str(html)], repeat, (0,))
    out["report_html"]["bytes"] = html.stat().st_size
    out["report_pdf"] = timed([CCHC, "report", *inputs(data), "--format", "pdf", "--detail",
                               "summary", "--output", str(pdf)], 1, (0,))
    out["report_pdf"]["bytes"] = pdf.stat().st_size
    return out


def compare(cchc: Path, zen: Path) -> dict:
    """Every record of both engines side by side: same status, same numbers (1e-9 relative)."""
    keys = ["target", "unit", "period"]
    a, b = pl.read_parquet(cchc), pl.read_parquet(zen)
    both = a.join(b, on=keys, how="full", suffix="_zen", coalesce=True)
    differ = both.filter(pl.col("status").ne_missing(pl.col("status_zen")))
    numeric = both.filter(pl.col("status").is_in(["not_applicable", "no_data", "invalid"]).not_())
    worst = {}
    for col in ("actual", "expected"):
        diff = (pl.col(col) - pl.col(f"{col}_zen")).abs() / pl.max_horizontal(
            pl.col(col).abs(), pl.lit(1.0))
        worst[col] = numeric.select(diff.max()).item() or 0.0
    return {"cchc_rows": a.height, "zen_rows": b.height, "joined": both.height,
            "status_differs": differ.height,
            "examples": differ.head(5).to_dicts(), "max_rel_diff": worst}


def series(work: Path, base: dict, repeat: int, units: float = 1.0,
           points: list[dict] | None = None, saved=None) -> list[dict]:
    """Core evaluate time as units, periods and targets each vary alone; end-to-end CSV time
    too along units (the whole series end to end would not fit in ten minutes). `points`
    already measured are kept; `saved(points)` is called after each new one."""
    points = [p for p in points or [] if p["scale"] != 1.0]
    done = {(p["dim"], p["scale"]) for p in points}
    for dim in ("units", "periods", "targets"):
        for scale in UNIT_SERIES if dim == "units" else SERIES:
            if scale == 1.0:
                points.append({"dim": dim, "scale": 1.0, **base})
                continue
            if (dim, scale) in done:
                continue
            scales = {"units": units, "periods": 1.0, "targets": 1.0}
            scales[dim] *= scale
            data = generate(work, **scales)
            core = spawn([PY, "-m", "bench.measure", "inproc", str(data), "--repeat",
                          str(repeat)]).json()
            e2e = None
            if dim == "units":
                e2e = timed([CCHC, "evaluate", *inputs(data), "--format", "csv", "--output",
                             str(work / "series.csv")], 3)["seconds"]
            points.append({"dim": dim, "scale": scale,
                           "evaluations": manifest(data)["evaluations"],
                           "core_s": core["evaluate_s"], "e2e_csv_s": e2e})
            shutil.rmtree(data)
            if saved is not None:
                saved(points)
    order = {d: i for i, d in enumerate(("units", "periods", "targets"))}
    return sorted(points, key=lambda p: (order[p["dim"]], p["scale"]))


BYTECODE = ("compiled", "source")


def bytecode(setting: str) -> str:
    """Make every child start cchc_rules as `setting` says, and return it. `compiled`: its
    bytecode written first (`python -m compileall`, into the __pycache__ folders git
    ignores), as pip does when it installs a wheel, so no child compiles a module (where
    PYTHONDONTWRITEBYTECODE is set, each would otherwise compile all of them at its start,
    about 0.1 s). `source`: those folders removed and PYTHONDONTWRITEBYTECODE set, so
    every child compiles cchc_rules from source (a checkout run with that setting)."""
    package = HERE.parent / "cchc_rules"
    if setting == "compiled":
        spawn([PY, "-m", "compileall", "-q", str(package)])
    else:
        for cache in package.rglob("__pycache__"):
            shutil.rmtree(cache)
        ENV["PYTHONDONTWRITEBYTECODE"] = "1"
    return setting


STEPS = ("core", "e2e", "floor", "scoring", "zen", "lean", "compare", "render", "quarters",
         "profile", "series")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    ap.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--work", type=Path, help="scratch folder (default: a temporary one); "
                    "measurements are kept in WORK/measurements.json")
    ap.add_argument("--scale", type=float, default=1.0, help="units scale of the main run")
    ap.add_argument("--no-series", action="store_true", help="skip the scaling series")
    ap.add_argument("--bytecode", choices=BYTECODE, default="compiled",
                    help="compiled (the default): cchc_rules' bytecode compiled first, as pip "
                    "compiles an installed wheel's; source: every child compiles cchc_rules "
                    "from source at its start (no __pycache__, PYTHONDONTWRITEBYTECODE=1)")
    ap.add_argument("--steps", default=",".join(STEPS),
                    help="the steps to run now (a shared machine can take them one at a time "
                    "with --work): " + ", ".join(STEPS))
    a = ap.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    saved = work / "measurements.json"
    m = json.loads(saved.read_text(encoding="utf-8")) if saved.exists() else {}
    steps = [s for s in a.steps.split(",") if s and not (s == "series" and a.no_series)]
    started, load_before = time.perf_counter(), os.getloadavg()
    step = _stepper(started)
    step(f"bytecode: {a.bytecode}")
    m["bytecode"] = bytecode(a.bytecode)
    data = work / "main"
    if not (data / "manifest.json").exists():
        step("generating")
        m["generate_s"] = spawn([PY, "-m", "bench.generate", "--out", str(data),
                                 "--scale-units", str(a.scale)]).seconds
    for name in steps:
        step(name)
        m[name] = _STEP[name](data, work, m)
        m.setdefault("load", {})[name] = os.getloadavg()
        saved.write_text(json.dumps(m), encoding="utf-8")
    step("writing")
    text = report.render(
        machine=report.machine(HERE.parent, load_before, os.getloadavg()),
        workload=manifest(data), m=m, total_s=time.perf_counter() - started)
    a.output.write_text(text + _appended(a.output), encoding="utf-8")
    step(f"wrote {a.output}")
    if a.work is None:
        shutil.rmtree(work, ignore_errors=True)


def _core(data: Path, work: Path, m: dict) -> dict:
    return spawn([PY, "-m", "bench.measure", "inproc", str(data), "--repeat", "3",
                  "--results", str(work / "cchc.parquet")]).json()


def _scoring(data: Path, work: Path, m: dict) -> dict:
    """Spec §7 on the scored variant (40 indicators): score() in process and the JSON of its
    three lists, then what scoring adds end to end: `cchc evaluate --format json` with the
    scored ruleset against the plain one, fresh processes alternated (3 each, medians)."""
    scored = spawn([PY, "-m", "bench.measure", "scoring", str(data), "--repeat", "3"]).json()
    runs: dict[str, list[Child]] = {"plain_json": [], "evaluate_json": []}
    size: dict[str, int] = {}
    out = work / "scoring.json"
    for _ in range(3):
        for key, ruleset in (("plain_json", "ruleset.yaml"),
                             ("evaluate_json", "ruleset-scored.yaml")):
            runs[key].append(spawn([CCHC, "evaluate", str(data / ruleset), *inputs(data)[1:],
                                    "--format", "json", "--output", str(out)], (0, 1)))
            size[key] = out.stat().st_size
            out.unlink()
    for key, done in runs.items():
        scored[key] = {"seconds": statistics.median(r.seconds for r in done),
                       "cpu_s": statistics.median(r.cpu_s for r in done),
                       "runs_s": [r.seconds for r in done],
                       "peak_rss_mb": max(r.peak_rss_mb for r in done), "bytes": size[key]}
    return scored


FLOOR_FORMATS = ("parquet", "csv")


def floor(data: Path, work: Path, repeat: int = 3) -> dict:
    """Issue 28: each end-to-end `cchc evaluate` (Parquet, CSV) beside its floor, all in this
    step: interpreter start (`python -c pass`) plus the import of cchc_rules and polars
    (which the floor's own reading and writing need), polars reading
    the same inputs, the core (`evaluate()`), polars writing the same results. Every part is
    the median of `repeat`; the end-to-end runs alternate with the parts' children. Then
    `repeat` more runs of each format timed phase by phase (bench/timeline.py), to set
    beside the floor's parts; the run's work warm, repeated in one process (bench.measure
    warm-run); and what a page touched the first time costs on this machine (bench.measure
    first-touch), to price the pages the run touches and the floor's warm parts do not."""
    results = work / "floor-results.parquet"
    e2e: dict[str, list[Child]] = {fmt: [] for fmt in FLOOR_FORMATS}
    starts: list[Child] = []
    imports: list[Child] = []
    for _ in range(repeat):
        for fmt in FLOOR_FORMATS:
            target = results if fmt == "parquet" else work / "floor-results.csv"
            e2e[fmt].append(spawn([CCHC, "evaluate", *inputs(data), "--format", fmt,
                                   "--output", str(target)], (0, 1)))
        starts.append(spawn([PY, "-c", "pass"]))
        imports.append(spawn([PY, "-c", "import cchc_rules, polars"]))
    core = spawn([PY, "-m", "bench.measure", "inproc", str(data), "--repeat",
                  str(repeat)]).json()
    read = spawn([PY, "-m", "bench.measure", "floor-read", str(data), "--repeat",
                  str(repeat)]).json()
    write = spawn([PY, "-m", "bench.measure", "floor-write", str(data), "--results",
                   str(results), "--repeat", str(repeat)]).json()
    # the run phase by phase (bench/timeline.py): what it pays beside each part of its floor
    phases = {fmt: timeline(data, fmt, repeat, work / f"timeline.{fmt}", ENV)
              for fmt in FLOOR_FORMATS}
    # the same work warm: runs after a first in one process (no interpreter start, imports,
    # first touches of memory or exit): how much of the excess is the work itself
    warm = {fmt: spawn([PY, "-m", "bench.measure", "warm-run", str(data), "--format", fmt,
                        "--repeat", str(repeat)]).json() for fmt in FLOOR_FORMATS}
    # what a page touched the first time costs here (a fresh process each: it happens once)
    touches = [spawn([PY, "-m", "bench.measure", "first-touch"]).json() for _ in range(repeat)]
    (work / "floor-results.csv").unlink()
    results.unlink()
    def median(children: list[Child], what: str = "seconds") -> float:
        return statistics.median(getattr(c, what) for c in children)
    out = {"python_s": median(starts), "python_cpu_s": median(starts, "cpu_s"),
           "import_s": median(imports) - median(starts),
           "import_cpu_s": median(imports, "cpu_s") - median(starts, "cpu_s"),
           "read_csv_s": read["csv_s"], "read_csv_cpu_s": read["csv_cpu_s"],
           "read_units_s": read["units_s"], "read_units_cpu_s": read["units_cpu_s"],
           "core_s": core["evaluate_s"], "core_cpu_s": core["evaluate_cpu_s"],
           "core_runs_s": core["evaluate_runs_s"],
           "read_data_s": core["read_data_s"], "results_s": core["results_s"],
           "page_us": statistics.median(t["page_us"] for t in touches),
           "page_runs_us": [t["page_us"] for t in touches], "page_mib": touches[0]["mib"],
           # the pages the floor's warm parts touch the first time (medians of their calls)
           "floor_faults": {"read": read["csv_faults"] + read["units_faults"],
                            "core": core["evaluate_faults"],
                            **{fmt: write[f"{fmt}_faults"] for fmt in FLOOR_FORMATS}}}
    for fmt in FLOOR_FORMATS:
        floor_s, floor_cpu = (sum(out[f"{part}{kind}"] for part in (
            "python", "import", "read_csv", "read_units", "core")) + write[f"{fmt}{kind}"]
            for kind in ("_s", "_cpu_s"))
        seconds, cpu = median(e2e[fmt]), median(e2e[fmt], "cpu_s")
        out[fmt] = {"seconds": seconds, "runs_s": [r.seconds for r in e2e[fmt]], "cpu_s": cpu,
                    "peak_rss_mb": max(r.peak_rss_mb for r in e2e[fmt]),
                    "write_s": write[f"{fmt}_s"], "write_cpu_s": write[f"{fmt}_cpu_s"],
                    "write_runs_s": write[f"{fmt}_runs_s"], "floor_s": floor_s,
                    "floor_cpu_s": floor_cpu, "ratio": seconds / floor_s,
                    "cpu_ratio": cpu / floor_cpu, "timeline": phases[fmt],
                    "warm": warm[fmt]}
    return out


def _zen(data: Path, work: Path, m: dict) -> dict:
    zen = spawn([PY, "-m", "bench.measure", "zen", str(data), "--results",
                 str(work / "zen.parquet")])
    return {**zen.json(), "wall_s": zen.seconds, "child_rss_mb": zen.peak_rss_mb}


def _lean(data: Path, work: Path, m: dict) -> dict:
    runs = [spawn([PY, "-m", "bench.measure", "lean", str(data)]).json() for _ in range(3)]
    return {**runs[-1], "evaluate_runs_s": [r["evaluate_s"] for r in runs],
            "evaluate_s": statistics.median(r["evaluate_s"] for r in runs)}


def _series(data: Path, work: Path, m: dict) -> list[dict]:
    base = {"evaluations": manifest(data)["evaluations"], "core_s": m["core"]["evaluate_s"],
            "e2e_csv_s": m["e2e"]["evaluate_csv"]["seconds"]}
    saved = work / "measurements.json"

    def keep(points: list[dict]) -> None:   # a long series survives an interruption
        saved.write_text(json.dumps({**m, "series": points}), encoding="utf-8")
    return series(work, base, repeat=3, units=manifest(data).get("scale_units", 1.0),
                  points=m.get("series"), saved=keep)


_STEP = {
    "core": _core,
    "e2e": lambda data, work, m: end_to_end(data, work, repeat=3),
    "floor": lambda data, work, m: {**floor(data, work), "bytecode": m.get("bytecode")},
    "scoring": _scoring,
    "zen": _zen,
    "lean": _lean,
    "compare": lambda data, work, m: compare(work / "cchc.parquet", work / "zen.parquet"),
    "render": lambda data, work, m: spawn([PY, "-m", "bench.measure", "render",
                                           str(data)]).json(),
    "quarters": lambda data, work, m: spawn([PY, "-m", "bench.measure", "quarters", str(data),
                                             "--repeat", "3"]).json(),
    "profile": lambda data, work, m: spawn([PY, "-m", "bench.measure", "profile",
                                            str(data)]).json(),
    "series": _series,
}


# Headings of what `make bench` writes (and wrote before); any other `## ` section of
# RESULTS.md was appended by another benchmark (serve latency, …) and is kept below ours.
OURS = ("Machine", "Workload", "Timings", "National run", "The floor",
        "cchc against zen-engine",
        "Quarterly-to-yearly", "Scaling", "Goals", "Profile", "Findings")


def _appended(path: Path) -> str:
    """The sections other benchmarks appended to RESULTS.md at `path`: those after the
    copy of FINDINGS.md (report.FINDINGS_END), or in a file written before that mark, from
    the first `## ` heading that is not ours."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    _, marked, after = text.partition(report.FINDINGS_END)
    lines = (after if marked else text).splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("## ") and not line[3:].startswith(OURS):
            return "\n" + "".join(lines[i:])
    return ""


def _stepper(started: float):
    def step(what: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {what}", file=sys.stderr, flush=True)
    return step


if __name__ == "__main__":
    main()
