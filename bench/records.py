"""Benchmark of figures counted from dossier records (issue 14; docs/records.md).

    python -m bench.records [--rows 10000000] [--big 50000000] [--small 1000000]
                            [--data /tmp/cchc-bench-records] [--results bench/RESULTS.md]

Generates (once) 10 M dossier rows for 3,355 units on three levels over 2025 with
`bench.dossiers`, then counts the Decision 766 figures per unit (each parent from its own
and its descendants' records) × month five ways, each in a fresh process so that its
peak RSS is its own: cchc (DuckDB, the ruleset qd766-records.yaml with `periods:
[month]`), one hand-written DuckDB query, a hand-written lazy polars group-by, pandas, and
— for the record, on 1 M rows — cchc on PostgreSQL and on Spark local. The 50 M-row run
checks that DuckDB's memory limit keeps cchc under 1 GB. The section "Records" of
bench/RESULTS.md is replaced (or appended) with the table.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "rulesets/national/qd766-records.yaml"
SHAPE = {"provinces": 5, "districts": 10, "communes": 66}   # 3,355 units
HEADING = "## Records: Decision 766 figures from dossier records"
YEAR = 2025
# metric -> the figures every way must agree on (count metrics; means compared apart)
COUNTS = ("received", "received_online", "dossiers_with_fees", "dossiers_paid_online",
          "resolved_on_time", "resolved_late", "service_rated", "service_satisfied",
          "pending_in_time", "pending_overdue")


class Clock:
    """Wall and CPU time (user + sys of every thread of the process) since made: on a
    shared machine the CPU time is what a change is judged by, the wall time is noise."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> dict:
        return {"seconds": time.perf_counter() - self.wall,
                "cpu": time.process_time() - self.cpu}


def _rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def data_dir(base: Path, rows: int) -> Path:
    """The generated records of `rows` rows (made once, kept between runs)."""
    out = base / f"rows-{rows}"
    if not (out / "units.csv").exists() or not list(out.glob("*.parquet")):
        subprocess.run([sys.executable, "-m", "bench.dossiers", "--out", str(out),
                        "--rows", str(rows), *(f"--{k}={v}" for k, v in SHAPE.items()),
                        "--chunk", "2000000"], check=True, cwd=ROOT)
    ruleset = out / "ruleset.yaml"
    if not ruleset.exists():  # months only: the 3,355 units × 12 months of the issue
        ruleset.write_text(RULESET.read_text(encoding="utf-8").replace(
            "periods: [month, quarter, year]", "periods: [month]"), encoding="utf-8")
    return out


def ancestry(folder: Path) -> list[tuple[str, str]]:
    """(unit, itself or an ancestor) pairs of the generated units."""
    import csv
    with open(folder / "units.csv", encoding="utf-8") as fh:
        parent = {r["id"]: r["parent"] or None for r in csv.DictReader(fh)}
    pairs = []
    for unit in parent:
        current = unit
        while current is not None:
            pairs.append((unit, current))
            current = parent[current]
    return pairs


# ---- the ways, each run in a child process ----------------------------------------------

def way_cchc(folder: Path, location: str) -> dict:
    from cchc_rules.figures.records import count_figures, parse_location
    from cchc_rules.pipeline import Session
    session = Session()
    ruleset = session.load_ruleset(folder / "ruleset.yaml")
    units = session.read_figures([], folder / "units.csv").units
    clock = Clock()
    got = count_figures(ruleset, [parse_location(location, ruleset.model.sources)], units,
                        now=datetime(YEAR + 1, 6, 30, tzinfo=UTC))
    spent = clock.read()
    values = got.values
    return {**spent, "sums": _sums(values["metric"], values["value"]),
            "rows": values.height}


def _sums(metrics, values) -> dict:
    out: dict[str, float] = {}
    for m, v in zip(metrics, values, strict=True):
        if m in COUNTS:
            out[m] = out.get(m, 0.0) + float(v)
    return out


# Moments as the ruleset now compares them (docs/records.md §4): on time is the resolution
# moment against the due moment; a stock is taken at the first moment after the month.
HAND_SQL = """
WITH d AS (
  SELECT ma_don_vi AS u, ngay_tiep_nhan AS r, ngay_hen_tra AS du, ngay_ket_thuc_xu_ly AS x,
         CAST(ngay_tiep_nhan AS DATE) AS rd, CAST(ngay_ket_thuc_xu_ly AS DATE) AS xd,
         kenh_thuc_hien AS k,
         co_nghia_vu_tai_chinh AS f, thanh_toan_truc_tuyen AS t, muc_do_hai_long AS h
  FROM read_parquet({files})
  WHERE ma_don_vi IS NOT NULL AND ngay_tiep_nhan IS NOT NULL
    AND NOT coalesce(ngay_hen_tra < ngay_tiep_nhan, false)
    AND NOT coalesce(ngay_ket_thuc_xu_ly < ngay_tiep_nhan, false)),
m AS (SELECT month, CAST(make_date({year}, month, 1) + INTERVAL 1 MONTH AS TIMESTAMP) AS e
      FROM range(1, 13) AS r(month)),
flows_in AS (
  SELECT g.grp AS unit, month(d.rd) AS month, count(*) AS received,
         count(*) FILTER (WHERE k = 2) AS received_online,
         count(*) FILTER (WHERE f) AS dossiers_with_fees,
         count(*) FILTER (WHERE f AND t) AS dossiers_paid_online
  FROM d JOIN g ON d.u = g.member WHERE year(d.rd) = {year} GROUP BY ALL),
flows_out AS (
  SELECT g.grp AS unit, month(d.xd) AS month,
         count(*) FILTER (WHERE x <= du) AS resolved_on_time,
         count(*) FILTER (WHERE x > du) AS resolved_late,
         avg(date_diff('day', rd, xd)) AS processing_days,
         count(*) FILTER (WHERE h IS NOT NULL) AS service_rated,
         count(*) FILTER (WHERE h >= 2) AS service_satisfied
  FROM d JOIN g ON d.u = g.member WHERE year(d.xd) = {year} GROUP BY ALL),
stocks AS (
  SELECT g.grp AS unit, m.month,
         count(*) FILTER (WHERE d.du >= m.e) AS pending_in_time,
         count(*) FILTER (WHERE d.du < m.e) AS pending_overdue
  FROM d JOIN m ON d.r < m.e AND (d.x IS NULL OR d.x >= m.e)
  JOIN g ON d.u = g.member GROUP BY ALL)
SELECT * FROM flows_in FULL JOIN flows_out USING (unit, month)
  FULL JOIN stocks USING (unit, month)
"""


def way_duckdb(folder: Path) -> dict:
    import duckdb
    import polars as pl
    con = duckdb.connect(config={"memory_limit": "1GB"})
    pairs = pl.DataFrame(ancestry(folder), schema=["member", "grp"], orient="row")
    con.register("g", pairs)
    files = "[" + ", ".join(f"'{p}'" for p in sorted(folder.glob("*.parquet"))) + "]"
    clock = Clock()
    cur = con.execute(HAND_SQL.format(files=files, year=YEAR))
    names = [c[0] for c in cur.description]
    frame = pl.DataFrame(cur.fetchall(), schema=names, orient="row")
    spent = clock.read()
    return {**spent, "sums": _wide_sums(frame), "rows": frame.height}


def _wide_sums(frame) -> dict:
    return {m: float(frame[m].fill_null(0).sum()) for m in COUNTS if m in frame.columns}


def way_polars(folder: Path) -> dict:
    import polars as pl
    pairs = pl.LazyFrame(ancestry(folder), schema=["member", "grp"], orient="row")
    clock = Clock()
    d = (pl.scan_parquet(sorted(folder.glob("*.parquet")))
         .select(u="ma_don_vi", r="ngay_tiep_nhan", du="ngay_hen_tra",
                 x="ngay_ket_thuc_xu_ly", rd=pl.col("ngay_tiep_nhan").dt.date(),
                 xd=pl.col("ngay_ket_thuc_xu_ly").dt.date(), k="kenh_thuc_hien",
                 f="co_nghia_vu_tai_chinh", t="thanh_toan_truc_tuyen", h="muc_do_hai_long")
         .filter(pl.col("u").is_not_null() & pl.col("rd").is_not_null()
                 & ~(pl.col("du") < pl.col("r")).fill_null(False)
                 & ~(pl.col("x") < pl.col("r")).fill_null(False))
         .join(pairs, left_on="u", right_on="member"))
    flows_in = (d.filter(pl.col("rd").dt.year() == YEAR)
                .group_by("grp", month=pl.col("rd").dt.month())
                .agg(received=pl.len(), received_online=(pl.col("k") == 2).sum(),
                     dossiers_with_fees=pl.col("f").sum(),
                     dossiers_paid_online=(pl.col("f") & pl.col("t")).sum()))
    flows_out = (d.filter(pl.col("xd").dt.year() == YEAR)
                 .group_by("grp", month=pl.col("xd").dt.month())
                 .agg(resolved_on_time=(pl.col("x") <= pl.col("du")).sum(),
                      resolved_late=(pl.col("x") > pl.col("du")).sum(),
                      processing_days=(pl.col("xd") - pl.col("rd")).dt.total_days().mean(),
                      service_rated=pl.col("h").is_not_null().sum(),
                      service_satisfied=(pl.col("h") >= 2).sum()))
    months = pl.LazyFrame({"month": list(range(1, 13)), "e": [
        (datetime(YEAR, m + 1, 1) if m < 12 else datetime(YEAR + 1, 1, 1))
        for m in range(1, 13)]}).with_columns(pl.col("month").cast(pl.Int8))
    stocks = (d.join_where(months, pl.col("r") < pl.col("e"))
              .filter(pl.col("x").is_null() | (pl.col("x") >= pl.col("e")))
              .group_by("grp", "month")
              .agg(pending_in_time=(pl.col("du") >= pl.col("e")).sum(),
                   pending_overdue=(pl.col("du") < pl.col("e")).sum()))
    frame = (flows_in.join(flows_out, on=["grp", "month"], how="full", coalesce=True)
             .join(stocks, on=["grp", "month"], how="full", coalesce=True)
             .collect(engine="streaming"))
    spent = clock.read()
    return {**spent, "sums": _wide_sums(frame), "rows": frame.height}


def way_pandas(folder: Path) -> dict:
    import pandas as pd
    pairs = pd.DataFrame(ancestry(folder), columns=["member", "grp"])
    clock = Clock()
    d = pd.concat([pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))],
                  ignore_index=True)
    d = pd.DataFrame({"u": d["ma_don_vi"], "r": d["ngay_tiep_nhan"], "du": d["ngay_hen_tra"],
                      "x": d["ngay_ket_thuc_xu_ly"],
                      "rd": d["ngay_tiep_nhan"].dt.normalize(),
                      "xd": d["ngay_ket_thuc_xu_ly"].dt.normalize(),
                      "k": d["kenh_thuc_hien"], "f": d["co_nghia_vu_tai_chinh"],
                      "t": d["thanh_toan_truc_tuyen"].fillna(False).astype(bool),
                      "h": d["muc_do_hai_long"]})
    bad = (d["du"] < d["r"]) | (d["x"] < d["r"])
    d = d[d["u"].notna() & d["rd"].notna() & ~bad].merge(pairs, left_on="u",
                                                         right_on="member")
    inn = d[d["rd"].dt.year == YEAR].assign(month=lambda x: x["rd"].dt.month,
                                             online=lambda x: x["k"] == 2,
                                             paid=lambda x: x["f"] & x["t"])
    flows_in = inn.groupby(["grp", "month"]).agg(
        received=("u", "size"), received_online=("online", "sum"),
        dossiers_with_fees=("f", "sum"), dossiers_paid_online=("paid", "sum"))
    out = d[d["xd"].dt.year == YEAR].assign(
        month=lambda x: x["xd"].dt.month, on_time=lambda x: x["x"] <= x["du"],
        late=lambda x: x["x"] > x["du"], days=lambda x: (x["xd"] - x["rd"]).dt.days,
        rated=lambda x: x["h"].notna(), satisfied=lambda x: x["h"] >= 2)
    flows_out = out.groupby(["grp", "month"]).agg(
        resolved_on_time=("on_time", "sum"), resolved_late=("late", "sum"),
        processing_days=("days", "mean"), service_rated=("rated", "sum"),
        service_satisfied=("satisfied", "sum"))
    parts = []
    for month in range(1, 13):
        end = pd.Timestamp(YEAR, month, 1) + pd.offsets.MonthBegin(1)
        now = d[(d["r"] < end) & (d["x"].isna() | (d["x"] >= end))]
        parts.append(now.assign(month=month, in_time=now["du"] >= end,
                                overdue=now["du"] < end)
                     .groupby(["grp", "month"]).agg(pending_in_time=("in_time", "sum"),
                                                    pending_overdue=("overdue", "sum")))
    frame = flows_in.join(flows_out, how="outer").join(pd.concat(parts), how="outer")
    spent = clock.read()
    sums = {m: float(frame[m].fillna(0).sum()) for m in COUNTS if m in frame.columns}
    return {**spent, "sums": sums, "rows": len(frame)}


def way_postgres(folder: Path) -> dict:
    """cchc counting inside a throw-away PostgreSQL cluster (tests/records_services.py)."""
    import polars as pl
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from records_services import postgres_server
    except ImportError as err:
        return {"skipped": str(err)}
    import psycopg
    frame = pl.read_parquet(sorted(folder.glob("*.parquet")))
    types = {"ma_ho_so": "text", "ma_don_vi": "text", "ma_tthc": "text",
             "kenh_thuc_hien": "integer", "ngay_tiep_nhan": "timestamp",
             "ngay_hen_tra": "timestamp", "ngay_ket_thuc_xu_ly": "timestamp",
             "co_nghia_vu_tai_chinh": "boolean", "thanh_toan_truc_tuyen": "boolean",
             "muc_do_hai_long": "integer"}
    try:
        with postgres_server() as url:
            with psycopg.connect(url, autocommit=True) as con:
                con.execute("CREATE TABLE dossiers (" + ", ".join(
                    f"{c} {t}" for c, t in types.items()) + ")")
                with con.cursor().copy("COPY dossiers FROM STDIN WITH (FORMAT csv)") as cp:
                    cp.write(frame.select(list(types)).write_csv(include_header=False))
                con.execute("ANALYZE dossiers")
            return way_cchc(folder, f"dossiers={url}?table=dossiers")
    except Exception as err:  # pytest.skip's exception too: report, do not fail the bench
        return {"skipped": f"{type(err).__name__}: {err}"}


def way_spark(folder: Path) -> dict:
    os.environ.setdefault("CCHC_SPARK_MASTER", "local[2]")
    os.environ.setdefault("CCHC_SPARK_MEMORY", "1g")
    try:
        from cchc_rules.figures.records.engines import spark_session
        start = time.perf_counter()
        spark_session()
        started = time.perf_counter() - start
    except Exception as err:
        return {"skipped": f"{type(err).__name__}: {err}"}
    got = way_cchc(folder, f"dossiers=spark:{folder}/*.parquet")
    got["start_seconds"] = started
    return got


WAYS = {"cchc": lambda f: way_cchc(f, f"dossiers={f}/*.parquet"), "duckdb": way_duckdb,
        "polars": way_polars, "pandas": way_pandas, "postgres": way_postgres,
        "spark": way_spark}


def child(way: str, folder: Path) -> None:
    result = WAYS[way](folder)
    result["peak_rss_mb"] = _rss_mb()
    print(json.dumps(result))


def run_child(way: str, folder: Path, timeout: int = 3600) -> dict:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bench.records", "--child", way,
                           "--data", str(folder)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    wall = time.perf_counter() - start
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"skipped": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    result["wall"] = wall
    print(f"{way} {folder.name}: {result}", file=sys.stderr, flush=True)
    (folder / f"result-{way}.json").write_text(json.dumps(result), encoding="utf-8")
    return result


def earlier(way: str, folder: Path) -> dict:
    """The last measurement of `way` on `folder` (--reuse), or skipped."""
    path = folder / f"result-{way}.json"
    if not path.exists():
        return {"skipped": "not run"}
    return {**json.loads(path.read_text(encoding="utf-8")), "reused": True}


# ---- the report -------------------------------------------------------------------------

def _cell(r: dict, key: str = "seconds") -> str:
    if key not in r:
        return "skipped" if "skipped" in r else ""
    return f"{r[key]:.2f} s"


def _rss(r: dict) -> str:
    return "" if "skipped" in r else f"{r['peak_rss_mb']:,.0f} MiB"


def section(results: dict, rows: int, big: int | None, small: int, load: tuple) -> str:
    cchc = results["cchc"]
    lines = [HEADING, "",
             f"Written by `python -m bench.records` (`make bench`) on "
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average before/after "
             f"{load[0]} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
             f"({platform.processor() or platform.machine()}). Each way is a fresh "
             "process; its time is the counting alone (reading included), not start-up.",
             "",
             f"Workload: `python -m bench.dossiers` — {rows:,} dossiers of 2025 for 3,355 "
             "units on three levels (5 provinces × 10 districts × 66 communes; dossiers at "
             "every level), Parquet. Figures: the Decision 766 counts of "
             "`rulesets/national/qd766-records.yaml` (received, online, fees, paid online, "
             "on time, late, mean days, rated, satisfied; pending in time and overdue at "
             "each month's end) per unit — a parent from its own and its descendants' "
             "records — × 12 months.", "",
             "| way | time | CPU | vs cchc | peak RSS | same figures |",
             "|---|---|---|---|---|---|"]
    for way, label in (("cchc", "cchc (DuckDB, generated SQL)"),
                       ("duckdb", "hand-written DuckDB SQL"),
                       ("polars", "hand-written lazy polars group-by (streaming)"),
                       ("pandas", "pandas")):
        r = results[way]
        ratio = "" if "skipped" in r or way == "cchc" else f"{r['seconds'] / cchc['seconds']:.2f}×"
        same = "" if "skipped" in r or way == "cchc" else (
            "yes" if _agree(r["sums"], cchc["sums"]) else "NO")
        lines.append(f"| {label} | {_cell(r)} | {_cell(r, 'cpu')} | {ratio} | {_rss(r)} "
                     f"| {same} |")
    if big is not None and "big" in results:
        r = results["big"]
        lines.append(f"| cchc on {big:,} rows (memory limit, spilling) | {_cell(r)} | "
                     f"{_cell(r, 'cpu')} | | {_rss(r)} | |")
    for way, label in (("postgres", "PostgreSQL 15"), ("spark", "Spark local[2]")):
        if way in results:
            r = results[way]
            extra = f" (+ {r['start_seconds']:.1f} s to start Spark)" \
                if "start_seconds" in r else ""
            lines.append(f"| cchc on {label}, {small:,} rows | {_cell(r)}{extra} | "
                         f"{_cell(r, 'cpu')} (client) | | {_rss(r)} (client) | |")
    duck, polars, pandas = results["duckdb"], results["polars"], results["pandas"]
    lines += ["", "Goals: within 1.3× of the hand-written DuckDB query "
              f"({_verdict(cchc, duck, lambda c, o: c <= 1.3 * o)}), at least as fast as the "
              f"polars group-by ({_verdict(cchc, polars, lambda c, o: c <= o)}), at least 5× "
              f"faster than pandas ({_verdict(cchc, pandas, lambda c, o: 5 * c <= o)}), peak "
              f"RSS under 1 GB ({_memory(results)}).", ""]
    return "\n".join(lines)


def _agree(a: dict, b: dict) -> bool:
    return all(abs(a.get(m, 0) - b.get(m, 0)) < 0.5 for m in COUNTS)


def _verdict(c: dict, o: dict, ok) -> str:
    if "skipped" in c or "skipped" in o:
        return "not measured"
    verdict = "met" if ok(c["seconds"], o["seconds"]) else "NOT met"
    if "cpu" in c and "cpu" in o:  # on a loaded machine wall time is noise, CPU time is not
        verdict += "; by CPU time " + ("met" if ok(c["cpu"], o["cpu"]) else "NOT met")
    return verdict


def _memory(results: dict) -> str:
    rss = [r["peak_rss_mb"] for k, r in results.items() if k in ("cchc", "big")
           and "skipped" not in r]
    return "met" if rss and max(rss) < 1024 else "NOT met" if rss else "not measured"


def write_section(path: Path, text: str) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(HEADING) + r".*?(?=\n## |\Z)", re.S)
    new = pattern.sub(lambda _: text.rstrip() + "\n", old) if pattern.search(old) else \
        old.rstrip() + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.records", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--big", type=int, default=50_000_000, help="0: skip")
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/cchc-bench-records"))
    parser.add_argument("--results", type=Path, default=ROOT / "bench/RESULTS.md")
    parser.add_argument("--ways", default="cchc,duckdb,polars,pandas,postgres,spark,big")
    parser.add_argument("--reuse", action="store_true",
                        help="ways not in --ways: their last measurement on the same data")
    parser.add_argument("--note", default="", help="a paragraph added below the table")
    parser.add_argument("--child", choices=sorted(WAYS))
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.data)
        return
    load = tuple(round(x, 1) for x in os.getloadavg())[:1]
    ways = args.ways.split(",")
    main_dir = data_dir(args.data, args.rows)
    results = {w: run_child(w, main_dir) for w in ("cchc", "duckdb", "polars", "pandas")
               if w in ways}
    for w in ("cchc", "duckdb", "polars", "pandas"):
        results.setdefault(w, earlier(w, main_dir) if args.reuse else {"skipped": "not run"})
    if args.small and ({"postgres", "spark"} & set(ways) or args.reuse):
        small_dir = data_dir(args.data, args.small)
        for w in ("postgres", "spark"):
            if w in ways:
                results[w] = run_child(w, small_dir)
            elif args.reuse:
                results[w] = earlier(w, small_dir)
    big = args.big or None
    if big and "big" in ways:
        results["big"] = run_child("cchc", data_dir(args.data, big))
    elif big and args.reuse and (args.data / f"rows-{big}" / "result-cchc.json").exists():
        results["big"] = earlier("cchc", args.data / f"rows-{big}")
    text = section(results, args.rows, big, args.small, load)
    if args.note:
        text = text.rstrip() + "\n\n" + args.note + "\n"
    write_section(args.results, text)
    print(f"wrote the records section of {args.results}", file=sys.stderr)


if __name__ == "__main__":
    main()
