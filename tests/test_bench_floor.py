"""bench/report.py: the floor table of issue 28 (each end-to-end run beside the sum of its
parts) from a run's measurements, figures checked against a plain sum."""
from __future__ import annotations

from bench import report

PARTS = {"python": (0.05, 0.04), "import": (0.30, 0.28), "read_csv": (0.03, 0.05),
         "read_units": (0.12, 0.12), "core": (0.50, 0.90)}
WRITE = {"parquet": (0.30, 0.50), "csv": (0.90, 1.60)}
E2E = {"parquet": (2.10, 3.00), "csv": (3.30, 4.20)}


def measured() -> dict:
    floor: dict = {f"{k}{kind}": v[i] for k, v in PARTS.items()
                   for i, kind in enumerate(("_s", "_cpu_s"))}
    floor |= {"read_data_s": 0.4, "results_s": 0.6}
    for fmt, (wall, cpu) in WRITE.items():
        floor_s = sum(v[0] for v in PARTS.values()) + wall
        floor_cpu = sum(v[1] for v in PARTS.values()) + cpu
        seconds, cpu_s = E2E[fmt]
        floor[fmt] = {"seconds": seconds, "runs_s": [seconds] * 3, "cpu_s": cpu_s,
                      "write_s": wall, "write_cpu_s": cpu, "floor_s": floor_s,
                      "floor_cpu_s": floor_cpu, "ratio": seconds / floor_s,
                      "cpu_ratio": cpu_s / floor_cpu}
    return floor


def test_floor_table_sums_and_ratios():
    lines = report.floor_table(measured())
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[1:] for line in lines[2:]}
    # parquet: 0.05 + 0.30 + 0.03 + 0.12 + 0.50 + 0.30 = 1.30 s wall, CPU 1.39 + 0.50 = 1.89 s
    assert rows["**the floor** (sum)"][0] == "**1.300 s / 1.890 s**"
    assert rows["**the floor** (sum)"][1].rstrip(" |") == "**1.900 s / 2.990 s**"
    assert rows["end to end / floor"][0] == "**1.62×** / 1.59×"          # 2.10/1.30, 3.00/1.89
    assert rows["end to end / floor"][1].rstrip(" |") == "**1.74×** / 1.40×"  # 3.30/1.90
    assert rows["the core: in-process `evaluate()`"][0] == "0.500 s / 0.900 s"


def test_goals_say_whether_each_run_is_within_one_and_a_half_times_its_floor():
    goals = "\n".join(report._goals(1_610_400, {"floor": measured()}))
    assert "`cchc evaluate --format parquet` end to end ≤ 1.5× its floor | 1.62× (CPU 1.59×) " \
           "| **not met**" in goals
    assert "`cchc evaluate --format csv` end to end ≤ 1.5× its floor | 1.74× (CPU 1.40×) " \
           "| **not met**" in goals


def test_the_floor_section_is_left_out_when_not_measured():
    assert report._floor_section(None) == []


def test_the_floor_says_how_cchc_rules_was_started():
    compiled = "\n".join(report._floor_section({**measured(), "bytecode": "compiled"}))
    assert "bytecode was compiled before the step (`python -m compileall`)" in compiled
    source = "\n".join(report._floor_section({**measured(), "bytecode": "source"}))
    assert "compiled cchc_rules from source at its start" in source
    assert "not recorded" in "\n".join(report._floor_section(measured()))


# One run's phases (bench/timeline.py), seconds; the CSV's output costs its fsync too.
TIMELINE = {
    "parquet": {"interpreter start": 0.02, "import the CLI": 0.06, "import polars": 0.12,
                "import the rest": 0.14, "load the ruleset": 0.02, "read the figures": 0.20,
                "evaluate()": 0.25, "render and write": 0.50, "close the output": 0.01,
                "exit": 0.04},
    "csv": {"interpreter start": 0.02, "import the CLI": 0.06, "import polars": 0.12,
            "import the rest": 0.14, "load the ruleset": 0.02, "read the figures": 0.20,
            "evaluate()": 0.25, "render and write": 1.10, "close the output": 0.20,
            "exit": 0.04},
}


def with_timeline() -> dict:
    floor = measured()
    for fmt, took in TIMELINE.items():
        phases = [{"phase": name, "seconds": s, "runs_s": [s] * 3, "faults": 0}
                  for name, s in took.items()]
        floor[fmt]["timeline"] = {"phases": phases, "total_s": sum(took.values()),
                                  "totals_s": [sum(took.values())] * 3}
    return floor


def test_each_phase_stands_beside_its_part_of_the_floor():
    lines = report.phase_table(with_timeline())
    rows = {line.split(" | ")[0].lstrip("| "): [c.strip(" |") for c in line.split(" | ")[1:]]
            for line in lines[2:]}
    # imports: 0.06 + 0.12 + 0.14 = 0.32 against the floor's 0.30
    assert rows["imports (the CLI, polars, the rest a run needs)"][:3] == [
        "0.320 s", "0.300 s", "+0.020 s"]
    # reading: 0.20 against read_csv 0.03 + the units 0.12
    assert rows["read the figures and the units"][:3] == ["0.200 s", "0.150 s", "+0.050 s"]
    # the ruleset and the exit have no part in the floor: all of them is beyond it
    assert rows["load and check the ruleset"][:3] == ["0.020 s", "—", "+0.020 s"]
    # CSV: render 1.10 + close 0.20 against polars' write 0.90
    assert rows["the long results and the writer; the output's flush, fsync and rename"][
        3:] == ["1.300 s", "0.900 s", "+0.400 s"]
    # sums: the run's phases 1.36 (Parquet) against the floor's 1.30
    run = sum(TIMELINE["parquet"].values())
    assert rows["**sum**"][:3] == [f"**{run:.3f} s**", "**1.300 s**",
                                   f"**{run - 1.30:+.3f} s**"]
    assert rows["**sum**"][3:] == ["**2.150 s**", "**1.900 s**", "**+0.250 s**"]


def test_the_phase_table_is_left_out_without_a_timeline():
    assert report.phase_table(measured()) == []
    assert "bench.timeline" not in "\n".join(report._floor_section(measured()))
    assert "bench.timeline" in "\n".join(report._floor_section(with_timeline()))


# Pages each phase touched the first time (bench/timeline.py's medians), Parquet's.
FAULTS = {"interpreter start": 1_000, "import the CLI": 2_000, "import polars": 5_000,
          "import the rest": 2_000, "load the ruleset": 400, "read the figures": 29_000,
          "evaluate()": 13_600, "render and write": 69_000, "close the output": 0, "exit": 0}


def with_touches() -> dict:
    floor = with_timeline()
    for phase in floor["parquet"]["timeline"]["phases"]:
        phase["faults"] = FAULTS[phase["phase"]]
    return floor | {"page_us": 2.0, "page_runs_us": [1.5, 2.0, 2.5], "page_mib": 256,
                    "floor_faults": {"read": 300, "core": 1_000, "parquet": 3_700, "csv": 200}}


def test_first_touches_are_priced_after_the_imports_only():
    lines = report.touch_table(with_touches())
    rows = {line.split(" | ")[0].lstrip("| "): [c.strip(" |") for c in line.split(" | ")[1:]]
            for line in lines[2:]}
    assert rows["a page touched the first time (median of 3 fresh processes: 1.50, 2.00, "
                "2.50 µs)"] == ["2.00 µs", "2.00 µs"]
    # 400 + 29,000 + 13,600 + 69,000 + 0: the interpreter's and the imports' pages are left
    # out (the floor's import part is a fresh process that touches them too)
    pages = "pages the run touches after its imports (ruleset, reading, `evaluate()`, " \
            "results and writer)"
    assert rows[pages] == ["112,000", "0"]
    assert rows["the same, priced"] == ["0.224 s", "0.000 s"]          # 112,000 × 2 µs
    # the floor's reading, core and writing: 300 + 1,000 + the format's write
    assert rows["pages the floor's reading, core and writing touch (warm medians), priced"] \
        == ["5,000: 0.010 s", "1,500: 0.003 s"]
    assert rows["the run beyond its floor (end to end − floor)"] == ["+0.800 s", "+1.400 s"]
    assert rows["what 1.5× the floor allows beyond it (half the floor)"] == [
        "0.650 s", "0.950 s"]                                          # 1.30 / 2, 1.90 / 2


def test_first_touches_are_left_out_when_not_measured():
    assert report.touch_table(with_timeline()) == []
    assert "first-touch" not in "\n".join(report._floor_section(with_timeline()))
    assert "256 MiB on fresh pages" in "\n".join(report._floor_section(with_touches()))


def test_first_touch_prices_a_fault_from_a_fresh_process():
    import json
    import subprocess
    import sys

    out = json.loads(subprocess.run([sys.executable, "-m", "bench.measure", "first-touch"],
                                    capture_output=True, text=True, check=True).stdout)
    assert out["mib"] == 256
    # a fresh process faults on the column's pages (4 KiB each, fewer with huge pages)
    assert 0 < out["faults"] <= 256 * 1024 // 4 + 1_000
    assert out["page_us"] == (out["cold_s"] - out["warm_s"]) / out["faults"] * 1e6


def with_warm() -> dict:
    floor = with_timeline()
    floor["parquet"]["warm"] = {"seconds": 0.90, "first_s": 1.20, "runs_s": [0.9, 0.9, 0.95]}
    floor["csv"]["warm"] = {"seconds": 1.60, "first_s": 1.90, "runs_s": [1.6, 1.6, 1.7]}
    return floor


def test_the_warm_work_stands_beside_the_floors_work_parts():
    lines = report.warm_table(with_warm())
    rows = {line.split(" | ")[0].lstrip("| "): [c.strip(" |") for c in line.split(" | ")[1:]]
            for line in lines[2:]}
    # the floor's work: read_csv 0.03 + units 0.12 + core 0.50 + the write (0.30 / 0.90)
    assert rows["the floor's work parts (polars reading, the core, polars writing)"] == [
        "0.950 s", "1.550 s"]
    assert rows["warm work / the floor's work parts"] == ["0.95×", "1.03×"]   # 0.90 / 0.95
    # (0.05 + 0.30 + 0.90) / 1.30 and (0.05 + 0.30 + 1.60) / 1.90
    assert rows["(interpreter + the floor's imports + the warm work) / the floor"] == [
        "**0.96×**", "**1.03×**"]
    assert report.warm_table(with_timeline()) == []
