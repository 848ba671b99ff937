"""Where a national `cchc evaluate` spends its wall time, phase by phase (issue 28).

`python -m bench.timeline DATA_DIR [--format parquet|csv] [--repeat 5]` runs the CLI's own
entry point (`cchc_rules.cli.run`) in `repeat` fresh processes and prints, per phase, the
median milliseconds and page faults: interpreter start (from the process's start time in
/proc), the imports (the CLI's, polars', the rest a run needs), loading the ruleset, reading
the figures, `evaluate()`, the rendering (the long results and the writer), closing the
output (flush, fsync, the rename into place: output.atomic_open) and the exit (the process's
own end, measured by its parent). The interpreter's start is read in the kernel's clock
ticks (10 ms).

The floor of `bench.run --steps floor` has no phase for the imports beyond polars, the long
results, the output's fsync or the exit: this table is what the run pays beside it, so the gap
between the two can be read phase by phase (bench/FINDINGS.md).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# The child: marks taken around the pipeline's stages (pipeline.Session's methods) and at
# the CLI's exit (cli._leave), printed as JSON on stderr's last line.
CHILD = r'''
import json, os, resource, sys, time

def since_start():
    with open("/proc/self/stat") as f:
        ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        up = float(f.read().split()[0])
    return up - ticks / os.sysconf("SC_CLK_TCK")

T0, S0 = time.perf_counter(), since_start()
marks = []
def mark(label):
    marks.append((label, S0 + time.perf_counter() - T0,
                  resource.getrusage(resource.RUSAGE_SELF).ru_minflt))
mark("interpreter start")
import cchc_rules.cli as cli
mark("import the CLI")
import polars
mark("import polars")
import cchc_rules.commands.evaluate, cchc_rules.evaluation.evaluator, cchc_rules.figures.data
import cchc_rules.pipeline as pipeline, cchc_rules.render.columnar, cchc_rules.ruleset.loader
mark("import the rest")
for method, label in (("load_ruleset", "load the ruleset"), ("read_figures", "read the figures"),
                      ("evaluate_inputs", "evaluate()"), ("render", "render and write")):
    found = pipeline.Session.__dict__[method]
    def timed(*args, _f=getattr(pipeline.Session, method), _label=label, **kwargs):
        try:
            return _f(*args, **kwargs)
        finally:
            mark(_label)
    setattr(pipeline.Session, method,
            staticmethod(timed) if isinstance(found, staticmethod) else timed)
leave = cli._leave
def leaving(done):
    mark("close the output")
    sys.stderr.write("\n" + json.dumps(marks) + "\n")
    sys.stderr.flush()
    leave(done)
cli._leave = leaving
sys.argv = ["cchc", *sys.argv[1:]]
cli.run()
'''


ROOT = Path(__file__).resolve().parent.parent


def run_once(data: Path, fmt: str, output: Path, env: dict[str, str] | None = None
             ) -> list[tuple[str, float, int]]:
    """One fresh process: (phase, seconds, page faults) in order, the exit's last. `env`:
    the child's environment (default: this one's, importing cchc_rules from this tree)."""
    args = [sys.executable, "-c", CHILD, "evaluate", str(data / "ruleset.yaml"),
            "--data", str(data / "data.csv"), "--units", str(data / "units.yaml"),
            "--format", fmt, "--output", str(output)]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True,
                          env=env or {**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    marks = json.loads(done.stderr.strip().splitlines()[-1])
    phases, before, faults = [], 0.0, 0
    for label, at, total in marks:
        phases.append((label, at - before, total - faults))
        before, faults = at, total
    # the process's own end: from its last mark to its parent seeing it gone (the parent's
    # spawn time is not counted: the marks begin at the process's start time)
    phases.append(("exit", max(0.0, wall - before), 0))
    return phases


def timeline(data: Path, fmt: str, repeat: int, output: Path,
             env: dict[str, str] | None = None) -> dict:
    """`repeat` fresh runs of `cchc evaluate --format fmt`: per phase (in order), the median
    seconds and page faults, and every run's seconds; `total_s` the median of the runs'
    sums (a run's own total: the phases' medians need not add up to it)."""
    runs = [run_once(data, fmt, output, env) for _ in range(repeat)]
    output.unlink(missing_ok=True)
    phases = [{"phase": label,
               "seconds": statistics.median(run[i][1] for run in runs),
               "runs_s": [run[i][1] for run in runs],
               "faults": statistics.median(run[i][2] for run in runs)}
              for i, (label, _, _) in enumerate(runs[0])]
    return {"phases": phases,
            "total_s": statistics.median(sum(p[1] for p in run) for run in runs),
            "totals_s": [sum(p[1] for p in run) for run in runs]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.timeline")
    parser.add_argument("data", type=Path)
    parser.add_argument("--format", default="parquet", choices=("parquet", "csv"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", type=Path, default=None,
                        help="the run's output file (default: a file beside DATA)")
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    options = parser.parse_args(argv)
    output = options.output or options.data / f"timeline.{options.format}"
    found = timeline(options.data, options.format, options.repeat, output)
    if options.json:
        print(json.dumps(found))
        return
    print(f"`cchc evaluate --format {options.format}`, {options.repeat} fresh processes, "
          f"load {os.getloadavg()[0]:.2f}")
    print("| phase | ms (median) | each run | page faults |")
    print("| --- | ---: | --- | ---: |")
    for phase in found["phases"]:
        print(f"| {phase['phase']} | {1000 * phase['seconds']:.0f} | "
              f"{', '.join(f'{1000 * s:.0f}' for s in phase['runs_s'])} | "
              f"{phase['faults']:,.0f} |")
    print(f"| **total** | **{1000 * found['total_s']:.0f}** | "
          f"{', '.join(f'{1000 * t:.0f}' for t in found['totals_s'])} | |")


if __name__ == "__main__":
    main()
