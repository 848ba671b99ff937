"""Before/after figures for bench/FINDINGS.md: the same measurement on two source trees,
alternating in fresh processes, so both see the same machine load.

`python -m bench.before_after DATA_DIR OLD_TREE NEW_TREE [--repeat 3] [--what WHAT]`
(WHAT: evaluate, results, read — `read_data` as the CLI calls it —, an output format written
after the long results are built, or write-FORMAT: written as the CLI does, from a fresh
evaluation) prints, per tree, the median wall time and
the median CPU time (user + system, all threads) of the measured call; on a shared machine
the CPU time is the steadier of the two.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

CHILD = r'''
import gc; gc.disable()  # as the CLI runs
import json, resource, sys, time
from pathlib import Path
from cchc_rules import evaluate, load_ruleset, read_data
d, what = Path(sys.argv[1]), sys.argv[2]
rules = load_ruleset(d / "ruleset.yaml")
figures = read_data([d / "data.csv"], units_file=d / "units.yaml")
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
if what == "read":   # read_data as `cchc evaluate` calls it: the ruleset's metrics known
    from cchc_rules.pipeline import known_metrics, metric_labels
    t, c = time.perf_counter(), cpu()
    read_data([d / "data.csv"], units_file=d / "units.yaml", known_metrics=known_metrics(rules),
              metric_labels=metric_labels(rules))
elif what.startswith("write-"):   # evaluate, then the format written as the CLI writes it
    ev = evaluate(rules, figures)
    from cchc_rules.render import write
    import tempfile
    with tempfile.TemporaryFile() as out:
        t, c = time.perf_counter(), cpu()
        write(what.removeprefix("write-"), ev, out)
elif what in ("evaluate", "results"):
    t, c = time.perf_counter(), cpu()
    ev = evaluate(rules, figures)
    if what == "results":
        ev.results
else:
    ev = evaluate(rules, figures)
    ev.results
    from cchc_rules.render import write
    import tempfile
    with tempfile.TemporaryFile() as out:
        t, c = time.perf_counter(), cpu()
        write(what, ev, out)
print(json.dumps({"wall": time.perf_counter() - t, "cpu": cpu() - c,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


def run(tree: Path, data: Path, what: str, child: str = CHILD,
        env: dict[str, str] | None = None) -> dict:
    """`child` run in a fresh process on `tree`'s sources; its last line of output, a JSON
    object."""
    import subprocess
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(child)
    try:
        done = subprocess.run([sys.executable, f.name, str(data), what], capture_output=True,
                              text=True, check=True,
                              env={**os.environ, **(env or {}), "PYTHONPATH": str(tree)})
    finally:
        os.unlink(f.name)
    return json.loads(done.stdout.strip().splitlines()[-1])


def alternate(trees: dict[str, Path], data: Path, what: str, repeat: int,
              child: str = CHILD, env: dict[str, str] | None = None) -> dict[str, list[dict]]:
    """`repeat` runs of `child` per tree, the trees taking turns (both see the same load)."""
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(repeat):
        for name, tree in trees.items():
            runs[name].append(run(tree, data, what, child, env))
    return runs


def arguments(prog: str, doc: str | None, what: str,
              argv: list[str] | None) -> argparse.Namespace:
    """DATA OLD_TREE NEW_TREE [--repeat N] [--what WHAT], as every before/after script reads
    them."""
    ap = argparse.ArgumentParser(prog=prog, description=doc)
    ap.add_argument("data", type=Path)
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--what", default=what)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    a = arguments("python -m bench.before_after", __doc__, "evaluate", argv)
    runs = alternate({"old": a.old, "new": a.new}, a.data, a.what, a.repeat)
    out = {name: {key: statistics.median(r[key] for r in rs) for key in ("wall", "cpu", "rss")}
           | {"runs": rs} for name, rs in runs.items()}
    out["ratio_wall"] = out["old"]["wall"] / out["new"]["wall"]
    out["ratio_cpu"] = out["old"]["cpu"] / out["new"]["cpu"]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
