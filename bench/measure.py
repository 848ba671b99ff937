"""Benchmark children: each measurement runs in a fresh process so its peak RSS is its own.

`python -m bench.measure inproc|quarters|zen|lean|render|scoring|profile|floor-read|floor-write
DIR [--repeat N] [--results FILE]` (and `warm-run DIR --format F`, `first-touch` with no DIR)
prints one JSON object on
stdout; bench/run.py starts these and reads it.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import resource
import statistics
import sys
import time
from pathlib import Path

COMPARED = ("target", "unit", "period", "status", "actual", "expected")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _faults() -> int:
    """The page faults this process has taken so far (each a page touched the first time)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _units_file(data_dir: Path) -> Path:
    return data_dir / "units.yaml"


def inproc(data_dir: Path, repeat: int, results: Path | None) -> dict:
    """load_ruleset + read_data once, then evaluate `repeat` times (the core figure)."""
    from cchc_rules import evaluate, load_ruleset, read_data

    t0 = time.perf_counter()
    ruleset = load_ruleset(data_dir / "ruleset.yaml")
    t1 = time.perf_counter()
    figures = read_data([data_dir / "data.csv"], units_file=_units_file(data_dir))
    t2 = time.perf_counter()
    runs, long_runs, cpus, faults, ev = [], [], [], [], None
    for _ in range(repeat):
        ev = None  # let the last run's frames go first: peak RSS is one evaluation's
        start, tick, touched = time.perf_counter(), time.process_time(), _faults()
        ev = evaluate(ruleset, figures)
        runs.append(time.perf_counter() - start)
        cpus.append(time.process_time() - tick)
        faults.append(_faults() - touched)
        start = time.perf_counter()
        ev.results  # noqa: B018  (the long results frame, built on first read)
        long_runs.append(time.perf_counter() - start)
    if results is not None:
        ev.results.select(COMPARED).write_parquet(results)
    return {"load_ruleset_s": t1 - t0, "read_data_s": t2 - t1, "evaluate_runs_s": runs,
            "evaluate_s": statistics.median(runs), "evaluate_cpu_s": statistics.median(cpus),
            "evaluate_faults": statistics.median(faults),
            "results_runs_s": long_runs,
            "results_s": statistics.median(long_runs), "results": ev.results.height,
            "checks": ev.checks.height, "summary": _counts(ev.results, "status"),
            "check_summary": _counts(ev.checks, "status"), "peak_rss_mb": _rss_mb()}


def quarters_ruleset(data_dir: Path) -> Path:
    """The national ruleset with spec §5 `over_time` on every raw count, beside it."""
    import yaml

    from bench.workload import OVER_TIME

    path = data_dir / "ruleset-quarters.yaml"
    if not path.exists():
        doc = yaml.safe_load((data_dir / "ruleset.yaml").read_text(encoding="utf-8"))
        for name, how in OVER_TIME.items():
            doc["metrics"][name]["over_time"] = how
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    return path


def quarters(data_dir: Path, repeat: int) -> dict:
    """Issue 10's variant: the 12 months of every unit derived into the quarters and the
    year (timeroll.py), every target evaluated on those five periods; the national run
    (the same figures, months as reported) timed in the same process for the ratio."""
    from bench.workload import QUARTERS_AND_YEAR
    from cchc_rules import evaluate, load_ruleset, read_data

    figures = read_data([data_dir / "data.csv"], units_file=_units_file(data_dir))
    plain = load_ruleset(data_dir / "ruleset.yaml")
    rolled = load_ruleset(quarters_ruleset(data_dir))
    national, derived, ev = [], [], None
    for _ in range(repeat):
        for runs, run in ((national, lambda: evaluate(plain, figures)),
                          (derived, lambda: evaluate(rolled, figures,
                                                     periods=list(QUARTERS_AND_YEAR)))):
            ev = None
            start = time.perf_counter()
            ev = run()
            ev.results  # noqa: B018  (both with their long results)
            runs.append(time.perf_counter() - start)
    return {"national_runs_s": national, "quarters_runs_s": derived,
            "national_s": statistics.median(national), "quarters_s": statistics.median(derived),
            "quarters_results": ev.results.height, "summary": _counts(ev.results, "status"),
            "peak_rss_mb": _rss_mb()}


def render(data_dir: Path, formats: list[str]) -> dict:
    """`table` and `junit` of the national run, each written as `cchc evaluate` writes it
    (to a file), timed after one evaluation whose long results are already built."""
    import tempfile

    from cchc_rules import evaluate, load_ruleset, read_data
    from cchc_rules.render import write

    ev = evaluate(load_ruleset(data_dir / "ruleset.yaml"),
                  read_data([data_dir / "data.csv"], units_file=_units_file(data_dir)))
    ev.results  # noqa: B018
    out = {}
    for fmt in formats:
        with tempfile.TemporaryFile() as handle:
            start, tick = time.perf_counter(), time.process_time()
            write(fmt, ev, handle)
            out[fmt] = {"seconds": time.perf_counter() - start,
                        "cpu_s": time.process_time() - tick, "bytes": handle.tell()}
    out["peak_rss_mb"] = _rss_mb()
    return out


def scoring(data_dir: Path, repeat: int) -> dict:
    """The spec §7 stage on the scored variant (ruleset-scored.yaml, 40 indicators):
    evaluate once (and read the results, as every output does), then `score()` `repeat`
    times and the JSON of its three lists once, to a file. The first read of the figures
    list (`Evaluation.values`, built for scoring only) is timed on its own."""
    import tempfile

    from cchc_rules import evaluate, load_ruleset, read_data
    from cchc_rules.render.json import _scored

    ruleset = load_ruleset(data_dir / "ruleset-scored.yaml")
    figures = read_data([data_dir / "data.csv"], units_file=_units_file(data_dir))
    ev = evaluate(ruleset, figures)
    ev.results  # noqa: B018
    start = time.perf_counter()
    ev.values  # noqa: B018
    values_s = time.perf_counter() - start
    runs, cpu = [], []
    for _ in range(repeat):
        ev._scores = None
        start, tick = time.perf_counter(), time.process_time()
        scores = ev.scores()
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - tick)
    with tempfile.TemporaryFile() as sink:
        start, tick = time.perf_counter(), time.process_time()
        for name in ("scores", "groups", "rankings"):
            _scored(name)(ev, sink)
        sink.flush()
        json_s, json_cpu = time.perf_counter() - start, time.process_time() - tick
        json_bytes = sink.tell()
    wide = scores.wide("scores")
    rows = wide.keys.height * len(wide.ids) if wide is not None else scores.scores.height
    return {"score_runs_s": runs, "score_s": statistics.median(runs),
            "score_cpu_s": statistics.median(cpu), "values_s": values_s, "json_s": json_s,
            "json_cpu_s": json_cpu, "json_bytes": json_bytes,
            "indicators": len(ruleset.model.scoring.indicators), "score_rows": rows,
            "ranking_rows": scores.rankings.height, "peak_rss_mb": _rss_mb()}


def floor_read(data_dir: Path, repeat: int) -> dict:
    """The least reading the national run's inputs needs: polars' own CSV reader on the
    figures (every column as polars infers it) and PyYAML's C composer on the units file
    (the nodes with their line and column, nothing built from them: polars reads no YAML).
    Medians of `repeat` in this process."""
    import gc

    import polars as pl
    import yaml

    gc.disable()   # as the CLI runs
    text = _units_file(data_dir).read_text(encoding="utf-8")
    out: dict = {}
    for name, run in (("csv", lambda: pl.read_csv(data_dir / "data.csv")),
                      ("units", lambda: yaml.compose(text, Loader=yaml.CSafeLoader))):
        out.update(_timed(name, run, repeat))
    return out


def _timed(name: str, run, repeat: int) -> dict:
    """`{name}_s`, `{name}_cpu_s` and `{name}_faults`, medians of `repeat` calls (wall,
    process CPU of all threads, pages touched the first time), with the wall times of every
    run."""
    walls, cpus, faults = [], [], []
    for _ in range(repeat):
        start, tick, touched = time.perf_counter(), time.process_time(), _faults()
        run()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - tick)
        faults.append(_faults() - touched)
    return {f"{name}_runs_s": walls, f"{name}_s": statistics.median(walls),
            f"{name}_cpu_s": statistics.median(cpus), f"{name}_faults": statistics.median(faults)}


def warm_run(data_dir: Path, fmt: str, repeat: int) -> dict:
    """`cchc evaluate --format fmt --output FILE`'s work, as the CLI does it (a pipeline
    Session: load the ruleset, read, evaluate, render through `atomic_open`), `repeat` + 1
    times in this one process, gc off and the in-memory engine as the CLI sets them: the
    first run cold, the others warm — imported, its allocator's pages reused, nothing of the
    last run kept (a new Session each time: the ruleset is loaded again). Their median is the
    run's own work without what a fresh process adds (the interpreter, the imports, first
    touches of memory, the exit)."""
    import gc
    import os
    import tempfile

    gc.disable()
    os.environ.setdefault("POLARS_ENGINE_AFFINITY", "in-memory")
    from cchc_rules.output import atomic_open
    from cchc_rules.pipeline import Session

    walls, cpus, faults = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat + 1):
            start, tick, touched = time.perf_counter(), time.process_time(), _faults()
            session = Session()
            evaluation = session.evaluate(data_dir / "ruleset.yaml", [data_dir / "data.csv"],
                                          _units_file(data_dir))
            with atomic_open(Path(tmp) / f"results.{fmt}", "wb") as out:
                session.render(evaluation, fmt, out)
            del evaluation
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - tick)
            faults.append(_faults() - touched)
    return {"first_s": walls[0], "first_faults": faults[0], "runs_s": walls[1:],
            "seconds": statistics.median(walls[1:]), "cpu_s": statistics.median(cpus[1:]),
            "faults": statistics.median(faults[1:])}


# How much memory `first_touch` fills: large enough that its faults outnumber the noise of
# a fresh interpreter's, small beside the national run's ~480 MB.
TOUCHED_MIB = 256


def first_touch() -> dict:
    """What a page touched the first time costs on this machine: polars fills a Float64
    column of TOUCHED_MIB MiB on fresh pages (the kernel zeroes and maps each one on its
    first write: a page fault), frees it, then fills the same size again on the pages its
    allocator kept (no fault), three times. The first fill's extra time over the quickest
    refill, per page fault, is the cost of one first touch; run in a fresh process each time
    (a process touches fresh pages only once)."""
    import polars as pl

    rows = TOUCHED_MIB * 1024 * 1024 // 8

    def fill() -> tuple[float, int]:
        start, touched = time.perf_counter(), _faults()
        column = pl.repeat(1.5, rows, dtype=pl.Float64, eager=True)
        seconds, faults = time.perf_counter() - start, _faults() - touched
        del column
        return seconds, faults
    cold, faults = fill()
    warm = min(fill()[0] for _ in range(3))
    return {"mib": TOUCHED_MIB, "cold_s": cold, "warm_s": warm, "faults": faults,
            "page_us": (cold - warm) / faults * 1e6 if faults else 0.0}


def floor_write(results: Path, repeat: int) -> dict:
    """The least writing the national run's results need: the rows `cchc evaluate --format
    parquet` wrote (read back, untimed) written by polars alone, as Parquet (zstd) and as
    CSV, to a file each; medians of `repeat` in this process."""
    import tempfile

    import polars as pl

    frame = pl.read_parquet(results)
    out: dict = {"rows": frame.height}
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "floor"
        out.update(_timed("parquet", lambda: frame.write_parquet(target, compression="zstd"),
                          repeat))
        out.update(_timed("csv", lambda: frame.write_csv(target), repeat))
    return out


def _counts(frame, column: str) -> dict[str, int]:
    return dict(sorted(frame[column].value_counts().iter_rows()))


def zen(data_dir: Path, results: Path | None) -> dict:
    from bench import zen as zen_run

    run = zen_run.run(data_dir)
    if results is not None:
        run.results.select(COMPARED).write_parquet(results)
    return {"prepare_s": run.prepare_s, "evaluate_s": run.evaluate_s, "collect_s": run.collect_s,
            "records": run.records, "summary": _counts(run.results, "status"),
            "peak_rss_mb": _rss_mb()}


def lean(data_dir: Path) -> dict:
    from bench import zen as zen_run

    run = zen_run.lean_run(data_dir)
    return {"prepare_s": run.prepare_s, "evaluate_s": run.evaluate_s, "records": run.records,
            "answers": run.answers, "met": run.met, "peak_rss_mb": _rss_mb()}


def profile(data_dir: Path, top: int = 15) -> dict:
    """Where `read_data` + `evaluate` spend their time, after a warm-up run: polars queries by
    the cchc line that started them (plain wall time), then cProfile of both."""
    from cchc_rules import evaluate, load_ruleset, read_data

    ruleset = load_ruleset(data_dir / "ruleset.yaml")

    def read():
        return read_data([data_dir / "data.csv"], units_file=_units_file(data_dir))

    figures = read()
    evaluate(ruleset, figures)
    read_sites = _collect_sites(read)
    eval_sites = _collect_sites(lambda: evaluate(ruleset, figures))
    prof = cProfile.Profile()
    prof.enable()
    evaluate(ruleset, read())
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{_short(file)}:{line}({name})", "calls": calls,
                     "self_s": tottime, "cum_s": cumtime})
    by_self = sorted(rows, key=lambda r: -r["self_s"])[:top]
    own = [r for r in rows if "cchc_rules/" in r["function"]]
    by_cum = sorted(own, key=lambda r: -r["cum_s"])[:top]
    return {"total_s": total, "by_self": by_self, "by_cumulative_cchc": by_cum,
            "read_sites": read_sites, "evaluate_sites": eval_sites}


def _collect_sites(run) -> list[dict]:
    """Wall time of every polars query (lazy or eager), summed by the cchc line that started
    it: which query is slow, without the profiler's overhead."""
    import polars as pl

    spent: dict[str, list[float]] = {}

    def wrap(original):
        def timed(self, *args, **kwargs):
            site = _site()
            start = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                spent.setdefault(site, []).append(time.perf_counter() - start)
        return timed

    # Eager DataFrame methods run through _collect_eager; lazy queries through collect.
    originals = {name: getattr(pl.LazyFrame, name) for name in ("collect", "_collect_eager")}
    for name, original in originals.items():
        setattr(pl.LazyFrame, name, wrap(original))
    try:
        start = time.perf_counter()
        run()
        total = time.perf_counter() - start
    finally:
        for name, original in originals.items():
            setattr(pl.LazyFrame, name, original)
    rows = [{"site": k, "calls": len(v), "seconds": sum(v), "pct": 100 * sum(v) / total}
            for k, v in spent.items()]
    inside = sum(r["seconds"] for r in rows)
    return [{"site": "whole call", "calls": 1, "seconds": total, "pct": 100.0},
            *sorted(rows, key=lambda r: -r["seconds"]),
            {"site": "outside polars queries (Python, pivot, Series ops)", "calls": 0,
             "seconds": total - inside, "pct": 100 * (total - inside) / total}]


def _site() -> str:
    """The innermost cchc_rules line on the stack."""
    frame = sys._getframe(2)
    while frame is not None and "cchc_rules" not in frame.f_code.co_filename:
        frame = frame.f_back
    if frame is None:
        return "(outside cchc_rules)"
    return f"{_short(frame.f_code.co_filename)}:{frame.f_lineno}({frame.f_code.co_name})"


def _short(file: str) -> str:
    for marker in ("site-packages/", "/work/main/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.measure")
    ap.add_argument("what", choices=["inproc", "quarters", "zen", "lean", "render", "scoring",
                                     "profile", "floor-read", "floor-write", "first-touch",
                                     "warm-run"])
    ap.add_argument("data_dir", type=Path, nargs="?")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--results", type=Path)
    ap.add_argument("--formats", default="table,junit")
    ap.add_argument("--format", default="parquet", help="warm-run: the output format")
    a = ap.parse_args(argv)
    if a.what == "inproc":
        out = inproc(a.data_dir, a.repeat, a.results)
    elif a.what == "quarters":
        out = quarters(a.data_dir, a.repeat)
    elif a.what == "zen":
        out = zen(a.data_dir, a.results)
    elif a.what == "lean":
        out = lean(a.data_dir)
    elif a.what == "render":
        out = render(a.data_dir, a.formats.split(","))
    elif a.what == "scoring":
        out = scoring(a.data_dir, a.repeat)
    elif a.what == "floor-read":
        out = floor_read(a.data_dir, a.repeat)
    elif a.what == "floor-write":
        out = floor_write(a.results, a.repeat)
    elif a.what == "first-touch":
        out = first_touch()
    elif a.what == "warm-run":
        out = warm_run(a.data_dir, a.format, a.repeat)
    else:
        out = profile(a.data_dir)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
