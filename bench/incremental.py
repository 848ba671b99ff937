"""Benchmark of incremental counting (issue 24; docs/records.md §8).

    python -m bench.incremental [--rows 60000000] [--data /tmp/cchc-bench-incremental]
                                [--keep] [--findings bench/FINDINGS.md]

Generates (with DuckDB SQL, no Python loop) a year of dossiers, 1 December 2025 to 30
November 2026, in time order as a daily export is, for one large province of 253 units on
three levels, into one Parquet file; then counts the Decision 766 figures (the shipped
qd766-records.yaml with `periods: [month]`, plus a target on the previous month) as of
1 December 2026 00:00 three ways, each in a fresh process:

- full: every period counted (no --period: the run before issue 24, and still the run
  without --period);
- month: `--period 2026-11`, counting only what that month's results need;
- month, warm cache: `--period 2026-11 --cache FILE`, the cache written by the previous
  night's run (as of 30 November 2026 12:00, when November was still running).

The month's results and figures must be identical in the three. The data file is deleted at
the end unless --keep. A section of bench/FINDINGS.md is replaced (or appended) with the
table and the machine's load.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "rulesets/national/qd766-records.yaml"
HEADING = "## Incremental counting: the latest month of a 60 M-row year (issue 24)"
MONTH, AS_OF, NIGHT_BEFORE = "2026-11", "2026-12-01T00:00", "2026-11-30T12:00"
# Months only, as bench.records: quarters and the year are then summed from months (spec
# §5). With the shipped [month, quarter, year], the full recount of 60 M rows stops with
# DuckDB's "Out of Memory" at cchc's 600 MB limit (FINDINGS.md); the month alone does not.
PERIODS = "periods: [month]"
PREVIOUS = """\
  - id: BENCH-PREV
    title: Tiến độ không giảm so với tháng trước
    area: procedures
    metric: progress_rate
    change: absolute
    baseline: {period: previous}
    milestones: [{by: "2026", op: ">=", value: 0}]
"""

# One row per dossier, in order of reception: row i is received at the i-th share of the
# year less an hour, plus up to an hour; every other column from hashes of i (no Python
# loop). As an export taken at 1 December 2026 00:00 is: nothing received or resolved
# after it (a later resolution is still open), so no date is in the future of any run.
GENERATE = """
COPY (
  WITH u AS (SELECT list_value({units}) AS ids),
  base AS (
    SELECT i,
      TIMESTAMP '2025-12-01 00:00:00' + to_microseconds(CAST(
        i * ((365 * 86400 - 3600) * 1000000.0 / {rows}) + hash(i, 1) % 3600000000 AS BIGINT))
        AS received,
      (hash(i, 2) % 1000) / 1000.0 AS a, (hash(i, 3) % 1000) / 1000.0 AS b,
      (hash(i, 4) % 1000) / 1000.0 AS c
    FROM range({rows}) AS t(i))
  SELECT 'HS-' || CAST(i AS VARCHAR) AS ma_ho_so,
    list_extract(u.ids, CAST(1 + hash(i, 5) % {count} AS INTEGER)) AS ma_don_vi,
    'TTHC-' || CAST(hash(i, 6) % 60 AS VARCHAR) AS ma_tthc,
    CAST(1 + floor(a * 3) AS INTEGER) AS kenh_thuc_hien,
    received AS ngay_tiep_nhan,
    received + to_days(CAST(3 + floor(b * 12) AS INTEGER)) AS ngay_hen_tra,
    CASE WHEN c < 0.08 OR received + to_microseconds(CAST(c * 16 * 86400000000 AS BIGINT))
                          >= TIMESTAMP '2026-12-01 00:00:00' THEN NULL
         ELSE received + to_microseconds(CAST(c * 16 * 86400000000 AS BIGINT)) END
      AS ngay_ket_thuc_xu_ly,
    a < 0.4 AS co_nghia_vu_tai_chinh,
    a < 0.4 AND b < 0.6 AS thanh_toan_truc_tuyen,
    CASE WHEN b < 0.3 THEN NULL ELSE CAST(1 + floor(c * 3) AS INTEGER) END
      AS muc_do_hai_long
  FROM base, u
) TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)
"""


def units() -> list[tuple[str, str, str, str]]:
    """One province, 12 districts, 20 communes each: (id, name, level, parent)."""
    out = [("T01", "Tỉnh 01", "province", "")]
    for d in range(1, 13):
        did = f"T01-H{d:02d}"
        out.append((did, f"Huyện {d:02d}", "district", "T01"))
        out += [(f"{did}-X{c:03d}", f"Xã {d:02d}.{c:03d}", "commune", did)
                for c in range(1, 21)]
    return out


def generate(folder: Path, rows: int) -> float:
    """The data file, units.csv and the ruleset in `folder`; the seconds it took."""
    import duckdb
    folder.mkdir(parents=True, exist_ok=True)
    table = units()
    (folder / "units.csv").write_text("id,name,level,parent\n" + "".join(
        ",".join(u) + "\n" for u in table), encoding="utf-8")
    text = RULESET.read_text(encoding="utf-8").replace(
        "periods: [month, quarter, year]", PERIODS)
    (folder / "ruleset.yaml").write_text(text.replace("  - id: QD766-2.1", PREVIOUS +
                                                      "  - id: QD766-2.1", 1), "utf-8")
    path = folder / "dossiers.parquet"
    if path.exists():
        return 0.0
    started = time.perf_counter()
    con = duckdb.connect(config={"memory_limit": "1GB"})
    ids = ", ".join(f"'{u[0]}'" for u in table)
    con.execute(GENERATE.format(units=ids, rows=rows, count=len(table),
                                path=str(path) + ".part"))
    con.close()
    os.replace(str(path) + ".part", path)
    return time.perf_counter() - started


CHILD = """
import json, sys, time, resource
from datetime import datetime
from pathlib import Path
from cchc_rules.pipeline import Session
folder, out, period, as_of, cache = sys.argv[1:6]
started, cpu = time.perf_counter(), time.process_time()
ev = Session().evaluate(Path(folder) / "ruleset.yaml", [], Path(folder) / "units.csv",
                        records=[f"dossiers={folder}/dossiers.parquet"],
                        as_of=datetime.fromisoformat(as_of),
                        periods=[period] if period != "-" else None,
                        cache=cache if cache != "-" else None)
results = [r for r in ev.records() if r["period"] == "{month}"]
values = ev.values.filter(ev.values["period"] == "{month}").sort("unit", "metric")
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
counting = ev.figures.records.counting
Path(out).write_text(json.dumps({{"seconds": seconds, "cpu": cpu,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "results": results, "values": values.select("unit", "metric", "value").rows(),
    "counting": counting}}, default=str))
""".replace("{month}", MONTH)


def run(folder: Path, name: str, period: str | None, as_of: str, cache: Path | None) -> dict:
    out = folder / f"{name}.json"
    subprocess.run([sys.executable, "-c", CHILD.replace("{{", "{").replace("}}", "}"),
                    str(folder), str(out), period or "-", as_of,
                    str(cache) if cache else "-"], check=True, cwd=ROOT)
    return json.loads(out.read_text())


def alike(a, b) -> bool:
    """Equal, numbers to 1e-12 relative (a mean's last bit follows DuckDB's summing order)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(alike(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(alike(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() \
        else "?"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=60_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/cchc-bench-incremental"))
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument("--findings", type=Path, default=ROOT / "bench/FINDINGS.md")
    args = parser.parse_args(argv)
    free = shutil.disk_usage(args.data.parent if args.data.parent.exists() else "/").free
    if free < args.rows * 60:   # about 25 bytes a row in zstd Parquet, and room to spare
        sys.exit(f"bench.incremental: {free / 1e9:.1f} GB free, need {args.rows * 60 / 1e9:.1f}")
    took = generate(args.data, args.rows)
    size = (args.data / "dossiers.parquet").stat().st_size
    print(f"generated {args.rows:,} rows ({size / 1e9:.2f} GB) in {took:.0f} s", flush=True)
    cache = args.data / "cache.parquet"
    cache.unlink(missing_ok=True)
    rows, loads = {}, {}
    for name, period, as_of, kept in (
            ("full", None, AS_OF, None),
            ("month", MONTH, AS_OF, None),
            ("night before (fills the cache)", MONTH, NIGHT_BEFORE, cache),
            ("month, warm cache", MONTH, AS_OF, cache)):
        loads[name] = load()
        rows[name] = run(args.data, re.sub(r"\W+", "-", name), period, as_of, kept)
        print(f"{name}: {rows[name]['seconds']:.1f} s (CPU {rows[name]['cpu']:.1f} s, "
              f"load {loads[name]})", flush=True)
    full = rows["full"]
    same = {name: alike(r["results"], full["results"]) and alike(r["values"], full["values"])
            for name, r in rows.items() if name != "night before (fills the cache)"}
    report(args, rows, loads, same, size, took)
    if not args.keep:
        shutil.rmtree(args.data)
    if not all(same.values()):
        sys.exit("bench.incremental: the month's figures differ from the full recount")


def report(args, rows: dict, loads: dict, same: dict, size: int, took: float) -> None:
    lines = [HEADING, "",
             f"{args.rows:,} dossiers received 2025-12-01 … 2026-11-30 (one Parquet file, "
             f"{size / 1e9:.2f} GB, generated by DuckDB SQL in {took:.0f} s), 253 units on "
             "three levels, qd766-records.yaml with `periods: [month]` plus a "
             "target on the previous month, as of 2026-12-01 00:00; "
             f"`python -m bench.incremental`, each run a fresh process, {os.cpu_count()} "
             "cores shared with other work (load: the 1-minute load average at the start).",
             "", "| run | wall s | CPU s | peak RSS MB | load | periods counted | "
             "cache hits | month identical to full |", "| --- | ---: | ---: | ---: | ---: | "
             "--- | ---: | --- |"]
    for name, r in rows.items():
        (said,) = r["counting"]
        counted = sorted({p for ps in said["counted"].values() for p in ps})
        hits = said.get("cache", {}).get("hits", "")
        lines.append(f"| {name} | {r['seconds']:.1f} | {r['cpu']:.1f} | {r['rss_mb']:.0f} | "
                     f"{loads[name]} | {len(counted)} ({', '.join(counted[:4])}"
                     f"{' …' if len(counted) > 4 else ''}) | {hits} | "
                     f"{'yes' if same.get(name, True) else 'NO'} |")
    text = args.findings.read_text(encoding="utf-8") if args.findings.exists() else ""
    section = "\n".join(lines) + "\n"
    if HEADING in text:
        head, _, rest = text.partition(HEADING)
        tail = rest[rest.find("\n## "):] if "\n## " in rest else ""
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    args.findings.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
