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
