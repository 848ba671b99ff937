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
LINEAR_MAX_EXPONENT = 1.15  # fitted time ~ scale^k; above this growth is worse than linear
LINEAR_MAX_DOUBLING = 2.3   # t(2x) / t(1x); catches a knee the fit over four points hides


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


RSS_GOAL_MIB = 1.5e9 / 2**20  # "1.5 GB" read strictly: 1.5 × 10⁹ bytes = 1,431 MiB


def _mb(mib: float) -> str:
    return f"{mib:,.0f} MiB"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def render(*, machine: dict, workload: dict, generate_s: float, core: dict, e2e: dict,
           zen: dict, agreement: dict, profile: dict, series: list[dict],
           total_s: float, scored: dict | None = None) -> str:
    n = workload["evaluations"]
    loaded = core["load_ruleset_s"] + core["read_data_s"] + core["evaluate_s"]
    zen_total = zen["prepare_s"] + zen["evaluate_s"] + zen["collect_s"]
    csv_s = e2e["evaluate_csv"]["seconds"]
    cchc_rss = max(core["peak_rss_mb"], *(e2e[k]["peak_rss_mb"] for k in e2e))
    lines = [
        "# Benchmark results", "",
        f"Written by `make bench` (`python -m bench.run`) on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {total_s:.0f} s. Do not edit by hand: "
        "the hand-written analysis lives in `bench/FINDINGS.md` and is copied in below.", "",
        "## Machine", "", *_table(["", ""], [[k, v] for k, v in machine.items()]), "",
        "## Workload", "",
        f"`python -m bench.generate --seed {workload['seed']}` ({_s(generate_s)}): "
        f"{workload['provinces']} provinces (figures only by roll-up), {workload['communes']:,} "
        f"communes reporting {len(RAW)} raw counts each month, "
        f"{len(workload['periods'])} months ({workload['periods'][0]}..{workload['periods'][-1]}), "
        f"{workload['targets']} targets over 8 derived rates, 2 identity checks: "
        f"**{n:,} target evaluations** from {workload['data_rows']:,} data rows "
        f"({len(workload['broken'])} rows deliberately break an identity, "
        f"{len(workload['blank'])} leave the survey blank).", "",
        "## Timings", "",
        "Small things are the median of repeated fresh runs, big ones run once or twice; every "
        "row is a fresh process, peak RSS is that process's own (`wait4`).", "",
        *_table(["measurement", "time", "target evaluations/s", "peak RSS"], [
            ["in-process `evaluate()` only (core, median of "
             f"{len(core['evaluate_runs_s'])})", _s(core["evaluate_s"]),
             _rate(n, core["evaluate_s"]), _mb(core["peak_rss_mb"])],
            ["in-process `load_ruleset` + `read_data` + `evaluate`", _s(loaded),
             _rate(n, loaded), "(same process)"],
            *[[f"`cchc evaluate … --format {f} --output FILE` (end to end, median of "
               f"{len(e2e[k]['runs_s'])}; {e2e[k]['bytes'] / 1e6:.0f} MB written)",
               _s(e2e[k]["seconds"]), _rate(n, e2e[k]["seconds"]), _mb(e2e[k]["peak_rss_mb"])]
              for f, k in (("csv", "evaluate_csv"), ("json", "evaluate_json"))],
            *_scoring_rows(scored, e2e),
            ["`cchc report --format html` (all units; "
             f"{e2e['report_html']['bytes'] / 1e6:.1f} MB)", _s(e2e["report_html"]["seconds"]),
             "", _mb(e2e["report_html"]["peak_rss_mb"])],
            ["`cchc report --format pdf --detail summary` "
             f"({e2e['report_pdf']['bytes'] / 1e6:.1f} MB)", _s(e2e["report_pdf"]["seconds"]),
             "", _mb(e2e["report_pdf"]["peak_rss_mb"])],
            ["zen-engine `evaluate_batch` only", _s(zen["evaluate_s"]),
             _rate(n, zen["evaluate_s"]), ""],
            ["zen-engine with roll-up, contexts and reading responses", _s(zen_total),
             _rate(n, zen_total), _mb(zen["peak_rss_mb"])],
        ]), "",
        f"In-process phases: `load_ruleset` {_s(core['load_ruleset_s'])}, `read_data` "
        f"{_s(core['read_data_s'])}, `evaluate` runs "
        + ", ".join(_s(x) for x in core["evaluate_runs_s"]) + f". Statuses: {core['summary']}; "
        f"checks: {core['check_summary']}.", "",
        *_zen_section(zen, agreement, csv_s, zen_total),
        *_series_section(series),
        *_goals(n, core, e2e, zen, csv_s, cchc_rss, series),
        *_profile_section(profile),
    ]
    findings = HERE / "FINDINGS.md"
    if findings.exists():
        lines += ["", findings.read_text(encoding="utf-8").rstrip()]
    return "\n".join(lines) + "\n"



def _zen_section(zen: dict, agreement: dict, csv_s: float, zen_total: float) -> list[str]:
    same = agreement["joined"] - agreement["status_differs"]
    out = [
        "## cchc against zen-engine", "",
        "`bench/zen.py` encodes the same ruleset as one JDM decision: a first-hit decision table "
        "picks the milestone in force for (target, period end); expression nodes compute the "
        "target's rate from the raw figures (null → `no_data`, zero denominator → `invalid`), "
        "the `change` against the baseline, the trajectory's expected value and the status. "
        "Roll-up is done for zen beforehand with polars (province sums, null unless every "
        "commune reports) and is *not* in its `evaluate_batch` time; cchc's end-to-end time "
        "includes process start, CSV parsing, roll-up, checks and writing every row. "
        "Requests are Python dicts (faster than JSON strings for this binding), one "
        "`evaluate_batch` call per target.", "",
        f"- cchc end to end (CSV) {_s(csv_s)} vs zen `evaluate_batch` alone "
        f"{_s(zen['evaluate_s'])}: **{zen['evaluate_s'] / csv_s:.1f}×**; vs zen with "
        f"preparation {_s(zen_total)}: {zen_total / csv_s:.1f}×.",
        f"- Agreement over all {agreement['joined']:,} records (full join on target, unit, "
        f"period; cchc {agreement['cchc_rows']:,} rows, zen {agreement['zen_rows']:,}): "
        f"{same:,} same status, {agreement['status_differs']:,} differ; largest relative "
        f"difference in `actual` {agreement['max_rel_diff']['actual']:.1e}, in `expected` "
        f"{agreement['max_rel_diff']['expected']:.1e}.",
    ]
    if agreement["examples"]:
        out += ["- First differing records:", "", "```",
                *[str(e) for e in agreement["examples"]], "```"]
    return [*out, ""]


def _series_section(points: list[dict]) -> list[str]:
    if not points:
        return []
    rows, fits = [], []
    for dim in ("units", "periods", "targets"):
        mine = [p for p in points if p["dim"] == dim]
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
            "of 2; units only, to keep `make bench` within ten minutes).", "",
            *_table(["dimension", "scale", "evaluations", "core", "core rate", "end to end"],
                    rows), "",
            "Fitted exponent k in time ∝ scaleᵏ (least squares on logs; 1 = linear):", "",
            *_table(["dimension", "core k", "core t(2×)/t(1×)", "end-to-end k"], fits), ""]


def _goals(n, core, e2e, zen, csv_s, rss, series) -> list[str]:
    def mark(ok: bool) -> str:
        return "met" if ok else "**not met**"
    dims = ("units", "periods", "targets")
    ks = [fit_exponent([(p["scale"], p["core_s"]) for p in series if p["dim"] == d])
          for d in dims] if series else []
    at = {(p["dim"], p["scale"]): p["core_s"] for p in series}
    doubling = [at[(d, 2.0)] / at[(d, 1.0)] for d in dims if (d, 2.0) in at and (d, 1.0) in at]
    speed = zen["evaluate_s"] / csv_s
    per_s = n / core["evaluate_s"]
    rows = [
        ["end-to-end CSV ≥ 5× faster than zen-engine (its `evaluate_batch` alone)",
         f"{speed:.1f}×", mark(speed >= 5)],
        ["in-process core ≥ 50 M target evaluations/s", f"{per_s / 1e6:.2f} M/s",
         mark(per_s >= 50e6)],
        [f"peak RSS < 1.5 GB = {RSS_GOAL_MIB:,.0f} MiB (largest cchc process)", _mb(rss),
         mark(rss < RSS_GOAL_MIB)],
        ["HTML report of all units < 10 s", _s(e2e["report_html"]["seconds"]),
         mark(e2e["report_html"]["seconds"] < 10)],
        ["PDF summary < 60 s", _s(e2e["report_pdf"]["seconds"]),
         mark(e2e["report_pdf"]["seconds"] < 60)],
        ["time linear in units × periods × targets (core: fitted k ≤ "
         f"{LINEAR_MAX_EXPONENT} and t(2×)/t(1×) ≤ {LINEAR_MAX_DOUBLING} in each dimension)",
         ("k " + ", ".join(f"{k:.2f}" for k in ks) + "; t(2×)/t(1×) "
          + ", ".join(f"{r:.2f}" for r in doubling)) if ks else "not measured",
         mark(max(ks) <= LINEAR_MAX_EXPONENT and max(doubling, default=0) <= LINEAR_MAX_DOUBLING)
         if ks else "not measured"],
    ]
    return ["## Goals", "", *_table(["goal", "measured", "status"], rows), ""]


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
    plain, with_scores = e2e["evaluate_json"], scored["evaluate_json"]
    added = with_scores["seconds"] - plain["seconds"]
    return [
        [f"in-process `score()`: {scored['indicators']} indicators, "
         f"{scored['score_rows']:,} indicator rows, {scored['ranking_rows']:,} ranked (median "
         f"of {len(scored['score_runs_s'])}; CPU {_s(scored['score_cpu_s'])})",
         _s(scored["score_s"]), "", _mb(scored["peak_rss_mb"])],
        [f"in-process JSON of `scores`, `groups`, `rankings` ({scored['json_bytes'] / 1e6:.0f}"
         " MB)", _s(scored["json_s"]), "", "(same process)"],
        ["`cchc evaluate … --format json` with the 40 scoring indicators (end to end, 1 run; "
         f"{with_scores['bytes'] / 1e6:.0f} MB; {'+' if added >= 0 else '−'}{_s(abs(added))} "
         "on the plain JSON run)", _s(with_scores["seconds"]), "",
         _mb(with_scores["peak_rss_mb"])],
    ]
