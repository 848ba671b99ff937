"""Benchmark output: the machine description and bench/RESULTS.md from one run's measurements."""
from __future__ import annotations

import math
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.workload import RAW

HERE = Path(__file__).resolve().parent


def machine(repo: Path, load_before: tuple, load_after: tuple) -> dict[str, str]:
    """What ran the benchmark; the load averages show whether the machine was shared."""
    cpu = _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown"
    mem_kb = _first("/proc/meminfo", "MemTotal")
    ram = f"{int(mem_kb.split()[0]) / 1024 ** 2:.1f} GiB" if mem_kb else "unknown"
    os_name = _first("/etc/os-release", "PRETTY_NAME", sep="=").strip('"') or platform.system()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "CPU": cpu, "cores": f"{os.cpu_count()} logical ({usable} usable by this process)",
        "RAM": ram, "OS": f"{os_name}, kernel {platform.release()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "polars": version("polars"), "zen-engine": version("zen-engine"),
        "cchc-rules": f"{version('cchc-rules')} at commit {_git(repo)}",
        "load average (1/5/15 min)": "before " + "/".join(f"{x:.1f}" for x in load_before)
        + ", after " + "/".join(f"{x:.1f}" for x in load_after),
    }


def _first(path: str, key: str, sep: str = ":") -> str:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    for line in lines:
        name, _, value = line.partition(sep)
        if name.strip() == key:
            return value.strip()
    return ""


def _git(repo: Path) -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                              check=False)
        return done.stdout.strip()
    dirty = git("status", "--porcelain", "--untracked-files=no", "cchc_rules", "bench")
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" + local changes" if dirty else "")


def fit_exponent(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of ln(time) over ln(scale): 1 is linear, 2 quadratic."""
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(max(y, 1e-9)) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def _s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def _rate(n: int, seconds: float) -> str:
    per = n / seconds if seconds else float("inf")
    return f"{per / 1e6:.2f} M/s" if per >= 1e6 else f"{per / 1e3:.0f} k/s"


def _mb(mib: float) -> str:
    return f"{mib:,.0f} MiB"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def _e2e_row(label: str, run: dict | None, n: int | None) -> list[str]:
    if not run:
        return [label, "not measured", "", ""]
    size = f"; {run['bytes'] / 1e6:.1f} MB" if "bytes" in run else ""
    return [f"{label} (median of {len(run['runs_s'])}{size})", _s(run["seconds"]),
            _rate(n, run["seconds"]) if n else "", _mb(run["peak_rss_mb"])]


def render(*, machine: dict, workload: dict, m: dict, total_s: float) -> str:
    """RESULTS.md from the measurements `m` of bench/run.py (steps not run are left out)."""
    n = workload["evaluations"]
    core, e2e = m.get("core"), m.get("e2e", {})
    lines = [
        "# Benchmark results", "",
        f"Written by `make bench` (`python -m bench.run`) on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC ({total_s:.0f} s for the last steps). Do not "
        "edit by hand: the hand-written analysis lives in `bench/FINDINGS.md` and is copied "
        "in below.", "",
        "## Machine", "", *_table(["", ""], [[k, v] for k, v in machine.items()]), "",
        "Load average (1/5/15 min) after each step: " + "; ".join(
            f"{k} {'/'.join(f'{x:.1f}' for x in v)}" for k, v in m.get("load", {}).items())
        + ". A load near or above the 2 cores means other work shared the machine: "
        "absolute times are then noisy, so compare ratios measured in one run.", "",
        "## Workload", "",
        f"`python -m bench.generate --seed {workload['seed']}`: "
        f"{workload['provinces']} provinces (figures only by roll-up), {workload['communes']:,} "
        f"communes reporting {len(RAW)} raw counts each month, "
        f"{len(workload['periods'])} months ({workload['periods'][0]}..{workload['periods'][-1]}), "
        f"{workload['targets']} targets over 8 derived rates, 2 identity checks: "
        f"**{n:,} target evaluations** from {workload['data_rows']:,} data rows "
        f"({len(workload['broken'])} rows deliberately break an identity, "
        f"{len(workload['blank'])} leave the survey blank).", "",
        "## National run", "",
        "Every row is a fresh process; peak RSS is that process's own (`wait4`).", "",
        *_table(["measurement", "time", "target evaluations/s", "peak RSS"], [
            *([["in-process `evaluate()`: every status, computed wide (core, median of "
                f"{len(core['evaluate_runs_s'])})", _s(core["evaluate_s"]),
                _rate(n, core["evaluate_s"]), _mb(core["peak_rss_mb"])],
               ["then the long results frame, built when first read (median of "
                f"{len(core['results_runs_s'])})", _s(core["results_s"]), "", ""],
               ["in-process `load_ruleset` + `read_data` + `evaluate` + results",
                _s(core["load_ruleset_s"] + core["read_data_s"] + core["evaluate_s"]
                   + core["results_s"]), "", "(same process)"]] if core else []),
            *[_e2e_row(f"`cchc evaluate … --format {f} --output FILE`, end to end",
                       e2e.get(f"evaluate_{f}"), n) for f in ("csv", "parquet", "json")],
            *(_scoring_rows(m["scoring"], e2e) if "scoring" in m else []),
            _e2e_row("`cchc report --format html`, all units", e2e.get("report_html"), None),
            _e2e_row("`cchc report --format pdf --detail summary`", e2e.get("report_pdf"),
                     None),
            *_render_rows(m.get("render")),
            *_zen_rows(m.get("zen"), m.get("lean"), n),
        ]), "",
    ]
    if core:
        lines += [f"In-process phases: `load_ruleset` {_s(core['load_ruleset_s'])}, "
                  f"`read_data` {_s(core['read_data_s'])}, `evaluate` runs "
                  + ", ".join(_s(x) for x in core["evaluate_runs_s"]) + ", results frame "
                  + ", ".join(_s(x) for x in core["results_runs_s"])
                  + f". Statuses: {core['summary']}; checks: {core['check_summary']}.", ""]
    lines += [*_floor_section(m.get("floor")), *_zen_section(m, e2e),
              *_quarters_section(m.get("quarters")),
              *_series_section(m.get("series") or []), *_goals(n, m),
              *(_profile_section(m["profile"]) if "profile" in m else [])]
    findings = HERE / "FINDINGS.md"
    if findings.exists():
        lines += ["", findings.read_text(encoding="utf-8").rstrip()]
    return "\n".join([*lines, "", FINDINGS_END]) + "\n"


# Ends what `render` writes (FINDINGS.md's copy last): bench/run.py keeps only the sections
# other benchmarks appended after it, never FINDINGS.md's own `## ` sections a second time.
FINDINGS_END = "<!-- end of bench/FINDINGS.md: the sections below are other benchmarks' -->"


def _with(floor: dict, measured: str) -> list[str]:
    """The floor step's formats (Parquet, then CSV) whose runs have `measured` (a timeline,
    the warm work)."""
    return [f for f in ("parquet", "csv") if measured in floor.get(f, {})]


def floor_table(floor: dict) -> list[str]:
    """Issue 28: each end-to-end run beside its floor (interpreter and imports, polars
    reading the inputs, the core, polars writing the results), their sum and the ratio;
    wall time and CPU time (user + system, all threads) side by side."""
    formats = [f for f in ("parquet", "csv") if f in floor]

    def both(wall: float, cpu: float) -> str:
        return f"{_s(wall)} / {_s(cpu)}"
    common = [
        ["interpreter start (`python -c pass`)", "python"],
        ["import of cchc_rules and polars", "import"],
        ["polars reading the figures CSV (`pl.read_csv`)", "read_csv"],
        ["PyYAML's C composer on the units file (nodes with line and column)", "read_units"],
        ["the core: in-process `evaluate()`", "core"],
    ]
    rows = [[label, *[both(floor[f"{key}_s"], floor[f"{key}_cpu_s"])] * len(formats)]
            for label, key in common]
    rows.append(["polars writing the same results (Parquet zstd / CSV)",
                 *[both(floor[f]["write_s"], floor[f]["write_cpu_s"]) for f in formats]])
    rows.append(["**the floor** (sum)",
                 *[f"**{both(floor[f]['floor_s'], floor[f]['floor_cpu_s'])}**"
                   for f in formats]])
    rows.append(["`cchc evaluate --format …` end to end (median of "
                 f"{len(floor[formats[0]]['runs_s'])}; wall runs "
                 + "; ".join(", ".join(_s(x) for x in floor[f]["runs_s"]) for f in formats)
                 + ")", *[both(floor[f]["seconds"], floor[f]["cpu_s"]) for f in formats]])
    rows.append(["end to end / floor",
                 *[f"**{floor[f]['ratio']:.2f}×** / {floor[f]['cpu_ratio']:.2f}×"
                   for f in formats]])
    return _table(["part (wall / CPU)", *[f"`--format {f}`" for f in formats]], rows)


# The run's phases (bench/timeline.py) against the floor's part each stands beside (None: a
# phase the floor has no part for: it is all beyond the floor).
PHASES = (
    ("interpreter start", ("interpreter start",), "python"),
    ("imports (the CLI, polars, the rest a run needs)",
     ("import the CLI", "import polars", "import the rest"), "import"),
    ("load and check the ruleset", ("load the ruleset",), None),
    ("read the figures and the units", ("read the figures",), "read"),
    ("`evaluate()`, cold", ("evaluate()",), "core"),
    ("the long results and the writer; the output's flush, fsync and rename",
     ("render and write", "close the output"), "write"),
    ("the exit (the kernel frees the process)", ("exit",), None),
)


def phase_table(floor: dict) -> list[str]:
    """Issue 28: each format's run phase by phase (medians of fresh runs timed by
    bench/timeline.py) beside the floor's part for that phase, and what the run pays beyond
    it: where the ratio of the table above comes from."""
    formats = _with(floor, "timeline")
    if not formats:
        return []

    def part(key: str | None, fmt: str) -> float:
        if key is None:
            return 0.0
        if key == "read":
            return floor["read_csv_s"] + floor["read_units_s"]
        return floor[fmt]["write_s"] if key == "write" else floor[f"{key}_s"]
    rows, sums = [], {f: [0.0, 0.0] for f in formats}
    for label, names, key in PHASES:
        row = [label]
        for fmt in formats:
            took = {p["phase"]: p["seconds"] for p in floor[fmt]["timeline"]["phases"]}
            run, least = sum(took.get(name, 0.0) for name in names), part(key, fmt)
            sums[fmt][0] += run
            sums[fmt][1] += least
            row += [_s(run), _s(least) if key else "—", f"{run - least:+.3f} s"]
        rows.append(row)
    rows.append(["**sum**", *[cell for fmt in formats for cell in (
        f"**{_s(sums[fmt][0])}**", f"**{_s(sums[fmt][1])}**",
        f"**{sums[fmt][0] - sums[fmt][1]:+.3f} s**")]])
    header = ["phase (wall, medians)"] + [cell for fmt in formats for cell in (
        f"`--format {fmt}`", "its floor's part", "beyond")]
    return _table(header, rows)


# The run's phases after its imports: the floor's own import part is a fresh process too,
# touching the same interpreter and library pages, so only these are set against its warm
# parts (bench/timeline.py's names).
AFTER_IMPORTS = ("load the ruleset", "read the figures", "evaluate()", "render and write",
                 "close the output")


def touch_table(floor: dict) -> list[str]:
    """Issue 28: the pages each run touches the first time after its imports (bench/
    timeline.py's medians), priced at what one first touch costs on this machine (bench.
    measure first-touch), beside the pages the floor's warm reading, core and writing touch,
    what the run pays beyond its floor, and what the 1.5× goal allows beyond it."""
    formats = _with(floor, "timeline")
    if not formats or "page_us" not in floor:
        return []
    cost = floor["page_us"] / 1e6
    warm = floor["floor_faults"]

    def run_pages(fmt: str) -> float:
        return sum(p["faults"] for p in floor[fmt]["timeline"]["phases"]
                   if p["phase"] in AFTER_IMPORTS)

    def floor_pages(fmt: str) -> float:
        return warm["read"] + warm["core"] + warm[fmt]
    runs = ", ".join(f"{us:.2f}" for us in floor["page_runs_us"])
    rows = [
        [f"a page touched the first time (median of {len(floor['page_runs_us'])} fresh "
         f"processes: {runs} µs)", *[f"{floor['page_us']:.2f} µs"] * len(formats)],
        ["pages the run touches after its imports (ruleset, reading, `evaluate()`, results "
         "and writer)", *[f"{run_pages(f):,.0f}" for f in formats]],
        ["the same, priced", *[_s(run_pages(f) * cost) for f in formats]],
        ["pages the floor's reading, core and writing touch (warm medians), priced",
         *[f"{floor_pages(f):,.0f}: {_s(floor_pages(f) * cost)}" for f in formats]],
        ["the run beyond its floor (end to end − floor)",
         *[f"{floor[f]['seconds'] - floor[f]['floor_s']:+.3f} s" for f in formats]],
        ["what 1.5× the floor allows beyond it (half the floor)",
         *[_s(floor[f]["floor_s"] / 2) for f in formats]],
    ]
    return _table(["first touches", *[f"`--format {f}`" for f in formats]], rows)


def warm_table(floor: dict) -> list[str]:
    """Issue 28: each run's own work warm (bench.measure warm-run: after a first run in one
    process) beside the floor's work parts (polars reading, the core, polars writing), and
    the ratio the run would have if a fresh process added nothing to that work: the
    interpreter and the floor's imports plus the warm work, over the floor."""
    formats = _with(floor, "warm")
    if not formats:
        return []

    def work(fmt: str) -> float:
        return (floor["read_csv_s"] + floor["read_units_s"] + floor["core_s"]
                + floor[fmt]["write_s"])

    def start() -> float:
        return floor["python_s"] + floor["import_s"]
    warm = {f: floor[f]["warm"] for f in formats}
    runs = len(warm[formats[0]]["runs_s"])
    rows = [
        [f"the run's work warm (load, read, evaluate, write; median of {runs} runs after a "
         "first in one process)", *[_s(warm[f]["seconds"]) for f in formats]],
        ["the first of them, in the same process", *[_s(warm[f]["first_s"]) for f in formats]],
        ["the floor's work parts (polars reading, the core, polars writing)",
         *[_s(work(f)) for f in formats]],
        ["warm work / the floor's work parts",
         *[f"{warm[f]['seconds'] / work(f):.2f}×" for f in formats]],
        ["(interpreter + the floor's imports + the warm work) / the floor",
         *[f"**{(start() + warm[f]['seconds']) / floor[f]['floor_s']:.2f}×**"
           for f in formats]],
    ]
    return _table(["the same work, warm", *[f"`--format {f}`" for f in formats]], rows)


def _floor_section(floor: dict | None) -> list[str]:
    if not floor:
        return []
    return ["## The floor (issue 28)", "",
            "Each end-to-end run beside the least its parts need, all measured in this step "
            "(medians of 3; the end-to-end runs alternate with the parts' children). The "
            "floor's reading and writing are polars alone on the same inputs and the same "
            "result rows. Wall time is what the goal is written in; CPU time (user + "
            "system, all threads) says the same on a shared machine, where waiting for a "
            "core inflates wall time. cchc's in-process `read_data` took "
            f"{_s(floor['read_data_s'])} and building the long results "
            f"{_s(floor['results_s'])} in the core's child. {_bytecode(floor)}", "",
            *floor_table(floor), "", *_phases_text(floor), *_warm_text(floor),
            *_touches_text(floor)]


def _captioned(caption: str, table: list[str]) -> list[str]:
    """`table` after its caption paragraph; nothing when the table was not measured."""
    return [caption, "", *table, ""] if table else []


def _phases_text(floor: dict) -> list[str]:
    table = phase_table(floor)
    runs = len(floor["parquet" if "parquet" in floor else "csv"]["timeline"]["totals_s"]) \
        if table else 0
    return _captioned(
        "The same runs phase by phase (`python -m bench.timeline`: "
        f"{runs} more fresh runs of each format, timed at the pipeline's stages; the "
        "interpreter's start is read in the kernel's 10 ms ticks), each phase beside "
        "the part of the floor it stands for. The phases' medians need not add up to "
        "the end-to-end median above.", table)


def _warm_text(floor: dict) -> list[str]:
    return _captioned(
        "The same work in a warm process (`python -m bench.measure warm-run`: a pipeline "
        "Session loads, reads, evaluates and writes through `atomic_open` as the CLI does, "
        "several times in one process; a new Session each time): what is left of the "
        "excess when the interpreter, the imports, first touches of memory and the exit "
        "cost nothing.", warm_table(floor))


def _touches_text(floor: dict) -> list[str]:
    return _captioned(
        "The floor's parts are medians of calls repeated in one process: after the first, "
        "polars' allocator hands each call the pages the last one touched. A run is one "
        "fresh process, and each page it uses costs a page fault the first time (the kernel "
        "zeroes and maps it). Priced at what that costs here (`python -m bench.measure "
        f"first-touch`: polars filling {floor.get('page_mib')} MiB on fresh pages against "
        "refilling the same ones):", touch_table(floor))


def _bytecode(floor: dict) -> str:
    """How the children started cchc_rules (bench.run --bytecode)."""
    setting = floor.get("bytecode")
    if setting == "compiled":
        return ("cchc_rules' bytecode was compiled before the step (`python -m compileall`), "
                "as pip compiles an installed wheel's: no child compiled a module.")
    if setting == "source":
        return ("Every child compiled cchc_rules from source at its start (no bytecode, "
                "PYTHONDONTWRITEBYTECODE=1): about 0.1 s more than an installed wheel.")
    return "The bytecode setting of this run was not recorded."


def _render_rows(render: dict | None) -> list[list[str]]:
    if not render:
        return []
    return [[f"`--format {fmt}` of the national run, written in process after `evaluate` "
             f"({render[fmt]['bytes'] / 1e6:.0f} MB)", _s(render[fmt]["seconds"]), "",
             _mb(render["peak_rss_mb"]) if fmt == "junit" else ""]
            for fmt in ("table", "junit") if fmt in render]


def _zen_rows(zen: dict | None, lean: dict | None, n: int) -> list[list[str]]:
    rows = []
    if lean:
        rows.append([f"leanest zen peer: one `evaluate_batch` of {lean['records']:,} "
                     f"unit-period records, met/not-met only (median of "
                     f"{len(lean['evaluate_runs_s'])})", _s(lean["evaluate_s"]),
                     _rate(n, lean["evaluate_s"]), _mb(lean["peak_rss_mb"])])
    if zen:
        total = zen["prepare_s"] + zen["evaluate_s"] + zen["collect_s"]
        rows += [["full zen port (`bench/zen.py`): `evaluate_batch` only",
                  _s(zen["evaluate_s"]), _rate(n, zen["evaluate_s"]), ""],
                 ["full zen port with roll-up, contexts and reading responses", _s(total),
                  _rate(n, total), _mb(zen["peak_rss_mb"])]]
    return rows


def _zen_section(m: dict, e2e: dict) -> list[str]:
    zen, lean, agreement = m.get("zen"), m.get("lean"), m.get("compare")
    csv = e2e.get("evaluate_csv")
    if not csv or not (zen or lean):
        return []
    csv_s = csv["seconds"]
    out = ["## cchc against zen-engine", "",
           "Two peers, both given the province sums ready-made (polars, untimed), so their "
           "times leave out roll-up, reading and writing; cchc's end-to-end time includes "
           "process start, CSV parsing, roll-up, checks and writing every row.", ""]
    if lean:
        out += ["- **Leanest peer** (`bench/zen.py lean_decision`): one JDM decision, input → "
                "one expression node → output; the node holds 40 expressions, one per target, "
                "`<the rate's formula inlined to raw figures> <op> <first milestone>` behind "
                "the least guard zen needs (no blank figure, denominator above zero; zen fails "
                "a record otherwise). One `evaluate_batch` over the unit-period rows as dicts; "
                "no trajectory, no status, no output file. cchc end to end (CSV) "
                f"{_s(csv_s)} vs its `evaluate_batch` {_s(lean['evaluate_s'])}: "
                f"**{lean['evaluate_s'] / csv_s:.1f}×** ({lean['met']:,} of "
                f"{lean['answers']:,} answers true)."]
    if zen:
        total = zen["prepare_s"] + zen["evaluate_s"] + zen["collect_s"]
        out += ["- **Full port** (`bench/zen.py decision`): a first-hit decision table picks "
                "the milestone in force for (target, period end); expression nodes compute "
                "the rate (null → `no_data`, zero denominator → `invalid`), the `change`, the "
                "trajectory's expected value and the status; one `evaluate_batch` per target. "
                f"cchc end to end (CSV) {_s(csv_s)} vs its `evaluate_batch` "
                f"{_s(zen['evaluate_s'])}: **{zen['evaluate_s'] / csv_s:.1f}×**; with "
                f"preparation {_s(total)}: {total / csv_s:.1f}×."]
    if agreement:
        same = agreement["joined"] - agreement["status_differs"]
        out.append(
            f"- Agreement with the full port over all {agreement['joined']:,} records (full "
            f"join on target, unit, period; cchc {agreement['cchc_rows']:,} rows, zen "
            f"{agreement['zen_rows']:,}): {same:,} same status, "
            f"{agreement['status_differs']:,} differ; largest relative difference in "
            f"`actual` {agreement['max_rel_diff']['actual']:.1e}, in `expected` "
            f"{agreement['max_rel_diff']['expected']:.1e}.")
        if agreement["examples"]:
            out += ["- First differing records:", "", "```",
                    *[str(e) for e in agreement["examples"]], "```"]
    return [*out, ""]


def _quarters_section(q: dict | None) -> list[str]:
    if not q:
        return []
    return ["## Quarterly-to-yearly variant (issue 10)", "",
            "The same figures and ruleset with spec §5 `over_time` on every raw count (sums; "
            "`carried_over` first, pending stocks last): each unit's 12 months derived into "
            "the four quarters and the year (timeroll.py), rolled up, and every target "
            f"evaluated on those five periods ({q['quarters_results']:,} results). In one "
            "process, alternating with the national run (months as reported), each with its "
            f"long results frame; medians of {len(q['quarters_runs_s'])}:", "",
            *_table(["run", "time", "runs"], [
                ["national (12 months as reported)", _s(q["national_s"]),
                 ", ".join(_s(x) for x in q["national_runs_s"])],
                ["quarters and year derived from the months", _s(q["quarters_s"]),
                 ", ".join(_s(x) for x in q["quarters_runs_s"])]]), "",
            f"Ratio: **{q['quarters_s'] / q['national_s']:.2f}×** the national run.", ""]


def _series_section(points: list[dict]) -> list[str]:
    if not points:
        return []
    rows, fits = [], []
    for dim in ("units", "periods", "targets"):
        mine = [p for p in points if p["dim"] == dim]
        if len(mine) < 2:   # the 1× point alone: this dimension was not measured
            continue
        for p in mine:
            e2e_s = p["e2e_csv_s"]
            rows.append([dim, f"{p['scale']:g}×", f"{p['evaluations']:,}", _s(p["core_s"]),
                         _rate(p["evaluations"], p["core_s"]),
                         "" if e2e_s is None else _s(e2e_s)])
        core = fit_exponent([(p["scale"], p["core_s"]) for p in mine])
        timed = [(p["scale"], p["e2e_csv_s"]) for p in mine if p["e2e_csv_s"] is not None]
        e2e = f"{fit_exponent(timed):.2f}" if len(timed) > 1 else ""
        at = {p["scale"]: p for p in mine}
        ratio = at[2.0]["core_s"] / at[1.0]["core_s"] if 2.0 in at and 1.0 in at else math.nan
        fits.append([dim, f"{core:.2f}", f"{ratio:.2f}", e2e])
    return ["## Scaling", "",
            "Each dimension varies alone (the others at 1×). Core = in-process `evaluate()` "
            "(median of 3 after loading); end to end = `cchc evaluate --format csv` (median "
            "of 3; units only). A dimension not listed was not measured in this run.", "",
            *_table(["dimension", "scale", "evaluations", "core", "core rate", "end to end"],
                    rows), "",
            "Fitted exponent k in time ∝ scaleᵏ (least squares on logs; 1 = linear):", "",
            *_table(["dimension", "core k", "core t(2×)/t(1×)", "end-to-end k"], fits), ""]


LINEAR_GOAL = 1.1  # issue 13: fitted exponent per dimension


def _goals(n: int, m: dict) -> list[str]:
    def mark(ok: bool | None) -> str:
        return "not measured" if ok is None else "met" if ok else "**not met**"
    core, e2e, series = m.get("core"), m.get("e2e", {}), m.get("series") or []
    csv = e2e.get("evaluate_csv")
    rows = []
    if core:
        per_s = n / core["evaluate_s"]
        rows.append(["in-process core `evaluate()` ≥ 50 M target evaluations/s",
                     f"{per_s / 1e6:.2f} M/s", mark(per_s >= 50e6)])
    for name, key, goal in (("leanest zen peer", "lean", 5), ("full zen port", "zen", 13)):
        if csv and key in m:
            ratio = m[key]["evaluate_s"] / csv["seconds"]
            rows.append([f"`cchc evaluate --format csv` end to end ≥ {goal}× faster than the "
                         f"{name}'s `evaluate_batch`", f"{ratio:.1f}×", mark(ratio >= goal)])
    for label, run, goal in (("`cchc evaluate` national (CSV)", csv, 500),
                             ("HTML report national", e2e.get("report_html"), 800)):
        if run:
            rows.append([f"peak RSS, {label} ≤ {goal} MiB", _mb(run["peak_rss_mb"]),
                         mark(run["peak_rss_mb"] <= goal)])
    for fmt in ("table", "junit"):
        if fmt in m.get("render", {}):
            took = m["render"][fmt]["seconds"]
            rows.append([f"`--format {fmt}` national ≤ 5 s", _s(took), mark(took <= 5)])
    if "report_html" in e2e:
        rows.append(["HTML report of all units < 10 s", _s(e2e["report_html"]["seconds"]),
                     mark(e2e["report_html"]["seconds"] < 10)])
    if "report_pdf" in e2e:
        rows.append(["PDF summary < 60 s", _s(e2e["report_pdf"]["seconds"]),
                     mark(e2e["report_pdf"]["seconds"] < 60)])
    if series:
        ks = {d: fit_exponent([(p["scale"], p["core_s"]) for p in series if p["dim"] == d])
              for d in ("units", "periods", "targets")
              if sum(p["dim"] == d for p in series) > 1}
        rows.append([f"core time linear: fitted exponent ≤ {LINEAR_GOAL} per dimension",
                     ", ".join(f"{d} {k:.2f}" for d, k in ks.items()),
                     mark(max(ks.values()) <= LINEAR_GOAL)])
    for fmt in ("parquet", "csv"):
        if fmt in m.get("floor", {}):
            ratio = m["floor"][fmt]["ratio"]
            rows.append([f"`cchc evaluate --format {fmt}` end to end ≤ 1.5× its floor",
                         f"{ratio:.2f}× (CPU {m['floor'][fmt]['cpu_ratio']:.2f}×)",
                         mark(ratio <= 1.5)])
    if "quarters" in m:
        q = m["quarters"]
        ratio = q["quarters_s"] / q["national_s"]
        rows.append(["quarters and year derived from 12 months ≤ 1.5× the national run",
                     f"{ratio:.2f}×", mark(ratio <= 1.5)])
    if "plain_json" in m.get("scoring", {}):  # issue 11: alternated in the scoring step
        added = m["scoring"]["evaluate_json"]["seconds"] - m["scoring"]["plain_json"]["seconds"]
        rows.append(["scoring and ranking (40 indicators) add ≤ 0.5 s to `cchc evaluate "
                     "--format json`", f"{'+' if added >= 0 else '−'}{_s(abs(added))}",
                     mark(added <= 0.5)])
    loads = [v[0] for v in m.get("load", {}).values()]
    note = []
    if loads and max(loads) > 4:
        note = [f"The machine's load average was {min(loads):.0f}–{max(loads):.0f} on its 2 "
                "cores during these steps, so absolute times (and the goals written in seconds "
                "or evaluations per second) are several times their quiet values; ratios "
                "measured in one run, and the CPU figures in the findings, are the ones to "
                "read.", ""]
    return ["## Goals", "", *note, *_table(["goal", "measured", "status"], rows), ""]


def _profile_section(profile: dict) -> list[str]:
    def fmt(rows: list[dict], key: str) -> list[list[str]]:
        return [[f"`{r['function']}`", f"{r['calls']:,}", f"{r[key]:.3f}",
                 f"{100 * r[key] / profile['total_s']:.1f}%"] for r in rows]

    def sites(rows: list[dict]) -> list[list[str]]:
        whole, *lines, outside = rows
        shown = [r for r in lines if r["pct"] >= 1.0][:12]
        rest = [r for r in lines if r not in shown]
        if rest:
            shown.append({"site": f"{len(rest)} other lines",
                          "calls": sum(r["calls"] for r in rest),
                          "seconds": sum(r["seconds"] for r in rest),
                          "pct": sum(r["pct"] for r in rest)})
        return [[f"`{r['site']}`" if r in lines or r is whole else r["site"], f"{r['calls']:,}",
                 f"{r['seconds']:.3f}", f"{r['pct']:.1f}%"] for r in [whole, *shown, outside]]
    head = ["polars work started at", "calls", "s", "share"]
    return ["## Profile", "",
            "After a warm-up run, without a profiler: the wall time of every polars query "
            "(lazy `collect` and the eager DataFrame methods, which run through it), summed "
            "by the cchc_rules line that started it.", "",
            "`read_data`:", "", *_table(head, sites(profile["read_sites"])), "",
            "`evaluate`:", "", *_table(head, sites(profile["evaluate_sites"])), "",
            f"cProfile of `read_data` + `evaluate` ({_s(profile['total_s'])} under the "
            "profiler; time inside polars shows as the Python call that started it). "
            "Most self time:", "",
            *_table(["function", "calls", "self s", "share"], fmt(profile["by_self"], "self_s")),
            "", "cchc_rules functions by cumulative time:", "",
            *_table(["function", "calls", "cum s", "share"],
                    fmt(profile["by_cumulative_cchc"], "cum_s")), ""]


def _scoring_rows(scored: dict | None, e2e: dict) -> list[list[str]]:
    """Scoring (spec §7) on the scored variant of the ruleset (40 indicators): what it adds
    to `cchc evaluate --format json` against the plain run above, measured in the same run."""
    if not scored:
        return []
    plain = scored.get("plain_json") or e2e.get("evaluate_json")
    if plain is None:
        return []
    with_scores = scored["evaluate_json"]
    added = with_scores["seconds"] - plain["seconds"]
    cpu = with_scores.get("cpu_s", 0.0) - plain.get("cpu_s", 0.0)
    values = f"; first read of the figures list {_s(scored['values_s'])}" \
        if "values_s" in scored else ""
    return [
        [f"in-process `score()`: {scored['indicators']} indicators, "
         f"{scored['score_rows']:,} indicator rows, {scored['ranking_rows']:,} ranked (median "
         f"of {len(scored['score_runs_s'])}; CPU {_s(scored['score_cpu_s'])}{values})",
         _s(scored["score_s"]), "", _mb(scored["peak_rss_mb"])],
        [f"in-process JSON of `scores`, `groups`, `rankings` ({scored['json_bytes'] / 1e6:.0f}"
         " MB" + (f"; CPU {_s(scored['json_cpu_s'])}" if "json_cpu_s" in scored else "") + ")",
         _s(scored["json_s"]), "", "(same process)"],
        ["`cchc evaluate … --format json` with the 40 scoring indicators (end to end, median "
         f"of {len(with_scores.get('runs_s', [0]))}; {with_scores['bytes'] / 1e6:.0f} MB; "
         f"{'+' if added >= 0 else '−'}{_s(abs(added))} wall, {'+' if cpu >= 0 else '−'}"
         f"{_s(abs(cpu))} CPU on the plain JSON run without scoring, alternated with it)",
         _s(with_scores["seconds"]), "", _mb(with_scores["peak_rss_mb"])],
    ]
