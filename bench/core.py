"""The core's figures for issue 28, old tree against new in one sitting.

`python -m bench.core DATA_DIR OLD_TREE NEW_TREE [--repeat 3] [--what evaluate,timeroll,scorejson]`
runs each measurement in fresh processes, the two trees alternating, so both see the same
machine load, and prints per tree the median wall time and CPU time (user + system, all
threads) of:

- `evaluate`: `evaluate()` on the national workload (after one warm-up call; statuses only,
  as bench.run's core figure), and the evaluations per second;
- `timeroll`: `timeroll.derive` on the quarterly variant (months → quarters and the year);
- `scorejson`: the JSON text of the scored ruleset's three §7 lists plus `Evaluation.values`
  and `score()` (what `--format json` adds for scoring), written to a temporary file.

The load average is printed beside every figure: on a shared machine read the CPU times.
"""
from __future__ import annotations

import json
import statistics

from bench.before_after import alternate, arguments

CHILD = r'''
import json, os, resource, sys, tempfile, time
from pathlib import Path
from cchc_rules import evaluate, load_ruleset, read_data
d, what = Path(sys.argv[1]), sys.argv[2]
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
figures = read_data([d / "data.csv"], units_file=d / "units.yaml")
if what == "evaluate":
    rules = load_ruleset(d / "ruleset.yaml")
    evaluate(rules, figures)
    t, c = time.perf_counter(), cpu()
    evaluate(rules, figures)
elif what == "timeroll":
    from cchc_rules.evaluation.evaluator import _over_time
    rules = load_ruleset(d / "ruleset-quarters.yaml")
    periods = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2025"]
    _over_time(rules, figures, periods)
    t, c = time.perf_counter(), cpu()
    _over_time(rules, figures, periods)
else:
    from cchc_rules.render import json as js
    rules = load_ruleset(d / "ruleset-scored.yaml")
    ev = evaluate(rules, figures)
    ev.results
    with tempfile.TemporaryFile() as out:
        t, c = time.perf_counter(), cpu()
        for name in ("scores", "groups", "rankings"):
            js._scored(name)(ev, out)
print(json.dumps({"wall": time.perf_counter() - t, "cpu": cpu() - c,
                  "load": os.getloadavg()[0]}))
'''


def main(argv: list[str] | None = None) -> None:
    a = arguments("python -m bench.core", __doc__, "evaluate,timeroll,scorejson", argv)
    for what in a.what.split(","):
        runs = alternate({"old": a.old, "new": a.new}, a.data, what, a.repeat, CHILD,
                         {"POLARS_ENGINE_AFFINITY": "in-memory"})
        out: dict = {"what": what}
        for name, rs in runs.items():
            out[name] = {k: round(statistics.median(r[k] for r in rs), 3)
                         for k in ("wall", "cpu", "load")}
        out["ratio_wall"] = round(out["old"]["wall"] / out["new"]["wall"], 2)
        out["ratio_cpu"] = round(out["old"]["cpu"] / out["new"]["cpu"], 2)
        if what == "evaluate":
            out["evaluations_per_s"] = {n: round(1_610_400 / out[n]["wall"]) for n in runs}
        out["runs"] = runs
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
