"""Benchmark input: a seeded generator of the national monthly one-stop-shop workload.

`python -m bench.generate --out DIR [--scale-units 1] [--scale-periods 1] [--scale-targets 1]
[--seed 1]`
writes ruleset.yaml, units.yaml, units.csv, data.csv (wide) and manifest.json into DIR.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bench.workload import (
    COMMUNES,
    PROVINCES,
    RAW,
    TARGETS,
    Target,
    ruleset_document,
    scaled_targets,
    scoring_document,
)

BROKEN_SHARE = 0.001   # commune-months with a deliberate typo that breaks an identity
BLANK_SHARE = 0.0005   # commune-months that did not run the satisfaction survey
_SYLLABLES = ("An", "Bình", "Cát", "Đông", "Hòa", "Hưng", "Lạc", "Long", "Minh", "Mỹ", "Nam",
              "Phú", "Phước", "Quang", "Tân", "Thạnh", "Thuận", "Tiến", "Trung", "Vĩnh", "Xuân")
_SEASON = (1.1, 0.7, 1.05, 1.0, 1.0, 0.95, 0.95, 1.0, 1.05, 1.05, 1.1, 1.2)  # Tết in Feb


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    level: str
    parent: str | None


@dataclass
class Workload:
    units: list[Unit]
    periods: list[str]
    rows: list[dict[str, int | None]]   # one per commune and month, keys unit, period, RAW
    targets: tuple[Target, ...] = TARGETS
    broken: list[dict] = field(default_factory=list)
    blank: list[dict] = field(default_factory=list)

    @property
    def evaluations(self) -> int:
        return len(self.units) * len(self.periods) * len(self.targets)


def make_periods(scale: float) -> list[str]:
    months = max(1, round(12 * scale))
    return [f"{2025 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]


def make_units(rng: random.Random, scale: float) -> list[Unit]:
    """Provinces (no own figures) and their communes; the commune count follows the scale."""
    n_prov = max(1, round(len(PROVINCES) * scale))
    n_comm = max(n_prov, round(COMMUNES * scale))
    provinces = []
    for i in range(n_prov):
        pid, name = PROVINCES[i % len(PROVINCES)]
        copy = i // len(PROVINCES)
        provinces.append(Unit(f"{pid}-{copy + 1}" if copy else pid,
                              f"{name} ({copy + 1})" if copy else name, "province", None))
    weights = [rng.uniform(0.5, 1.6) for _ in provinces]
    counts = _apportion(n_comm, weights)
    units = list(provinces)
    for prov, count in zip(provinces, counts, strict=True):
        for j in range(count):
            kind = "Phường" if rng.random() < 0.2 else "Xã"
            name = f"{kind} {rng.choice(_SYLLABLES)} {rng.choice(_SYLLABLES)}"
            units.append(Unit(f"{prov.id}-x{j + 1:03d}", name, "commune", prov.id))
    return units


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of `total` by `weights`, at least one each."""
    rest = total - len(weights)
    raw = [w / sum(weights) * rest for w in weights]
    counts = [1 + math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - math.floor(raw[i]), reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _share(rng: random.Random, n: int, p: float) -> int:
    """Binomial(n, p) by its normal approximation, clamped to 0..n (fast and seeded)."""
    if n <= 0:
        return 0
    p = min(1.0, max(0.0, p))
    k = round(n * p + rng.gauss(0.0, math.sqrt(n * p * (1 - p))))
    return min(n, max(0, k))


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def _commune_rows(rng: random.Random, unit: Unit, periods: list[str]) -> list[dict]:
    """One commune's months; counts chain (carried over = last month's pending)."""
    size = min(900.0, max(30.0, rng.lognormvariate(math.log(170), 0.55)))
    p_online, p_pay = rng.uniform(0.25, 0.6), rng.uniform(0.15, 0.5)
    p_late, p_overdue = rng.uniform(0.005, 0.07), rng.uniform(0.003, 0.04)
    p_pending, p_fee = rng.uniform(0.08, 0.2), rng.uniform(0.2, 0.4)
    p_digital, p_survey = rng.uniform(0.5, 0.97), rng.uniform(0.05, 0.3)
    p_sat, p_fix = rng.uniform(0.78, 0.99), rng.uniform(0.7, 1.0)
    complaints_rate = rng.uniform(0.002, 0.02)
    carried = None
    rows = []
    for m, period in enumerate(periods):
        growth = m * 0.012
        new = max(5, round(size * _SEASON[m % 12] * rng.gauss(1.0, 0.12)))
        online = _share(rng, new, p_online + growth)
        if carried is None:
            carried = _share(rng, new, p_pending)
        received = new + carried
        overdue = _share(rng, received, p_overdue)
        late = _share(rng, received - overdue, p_late)
        pending = _share(rng, received - overdue - late, p_pending)
        on_time = received - overdue - late - pending
        fee = _share(rng, new, p_fee)
        complaints = _poisson(rng, size * complaints_rate)
        survey = _share(rng, on_time + late, p_survey)
        rows.append({
            "unit": unit.id, "period": period, "received": received,
            "received_online": online, "received_direct": new - online, "carried_over": carried,
            "resolved_on_time": on_time, "resolved_late": late, "pending_in_time": pending,
            "pending_overdue": overdue, "fee_dossiers": fee,
            "paid_online": _share(rng, fee, p_pay + growth),
            "results_digital": _share(rng, on_time + late, p_digital + growth / 2),
            "apology_letters": _share(rng, late, 0.6), "complaints": complaints,
            "complaints_resolved": _share(rng, complaints, p_fix),
            "survey_answers": survey, "survey_satisfied": _share(rng, survey, p_sat),
        })
        carried = pending + overdue
    return rows


def _damage(rng: random.Random, rows: list[dict], work: Workload) -> None:
    """Typing errors that break one identity each, and a few surveys not run (blank cells)."""
    n_broken = max(1, round(len(rows) * BROKEN_SHARE))
    for k, i in enumerate(sorted(rng.sample(range(len(rows)), n_broken))):
        row, delta = rows[i], rng.randint(1, 40)
        if k % 2 == 0:
            row["received_direct"] += delta
            check = "received-breakdown"
        else:
            row["pending_in_time"] += delta
            check = "received-outcome"
        work.broken.append({"unit": row["unit"], "period": row["period"], "check": check})
    taken = {(b["unit"], b["period"]) for b in work.broken}
    for i in sorted(rng.sample(range(len(rows)), round(len(rows) * BLANK_SHARE))):
        row = rows[i]
        if (row["unit"], row["period"]) in taken:
            continue
        row["survey_answers"] = row["survey_satisfied"] = None
        work.blank.append({"unit": row["unit"], "period": row["period"],
                           "metrics": ["survey_answers", "survey_satisfied"]})


def generate(scale_units: float = 1.0, scale_periods: float = 1.0, seed: int = 1,
             scale_targets: float = 1.0) -> Workload:
    """The whole workload in memory; the same arguments always give the same workload."""
    rng = random.Random(seed)
    units = make_units(rng, scale_units)
    periods = make_periods(scale_periods)
    rows = [r for u in units if u.level == "commune" for r in _commune_rows(rng, u, periods)]
    work = Workload(units, periods, rows, scaled_targets(scale_targets))
    _damage(rng, rows, work)
    return work


def write(work: Workload, out: Path, seed: int, scales: tuple[float, float, float]) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    dump = yaml.safe_dump(ruleset_document(work.targets), allow_unicode=True, sort_keys=False,
                          width=100)
    (out / "ruleset.yaml").write_text(dump, encoding="utf-8")
    # The same ruleset with 40 scoring indicators: what scoring adds is measured against it.
    scored = {**ruleset_document(work.targets), "ruleset": "bench-national-2025-scored",
              "scoring": scoring_document(work.targets)}
    (out / "ruleset-scored.yaml").write_text(
        yaml.safe_dump(scored, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    units = [{k: v for k, v in vars(u).items() if v is not None} for u in work.units]
    (out / "units.yaml").write_text(
        yaml.safe_dump({"units": units}, allow_unicode=True, sort_keys=False, width=200),
        encoding="utf-8")
    with open(out / "units.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "name", "level", "parent"])
        w.writerows([u.id, u.name, u.level, u.parent or ""] for u in work.units)
    with open(out / "data.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["unit", "period", *RAW])
        w.writerows([r["unit"], r["period"], *("" if r[k] is None else r[k] for k in RAW)]
                    for r in work.rows)
    levels = [u.level for u in work.units]
    manifest = {
        "seed": seed, "scale_units": scales[0], "scale_periods": scales[1],
        "scale_targets": scales[2], "target_ids": [t.id for t in work.targets],
        "provinces": levels.count("province"), "communes": levels.count("commune"),
        "periods": work.periods, "targets": len(work.targets), "data_rows": len(work.rows),
        "evaluations": work.evaluations, "broken": work.broken, "blank": work.blank,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--scale-units", type=float, default=1.0)
    ap.add_argument("--scale-periods", type=float, default=1.0)
    ap.add_argument("--scale-targets", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    scales = (a.scale_units, a.scale_periods, a.scale_targets)
    if min(scales) <= 0:
        ap.error("scales must be positive")
    m = write(generate(*scales[:2], a.seed, a.scale_targets), a.out, a.seed, scales)
    print(f"{a.out}: {m['provinces']} provinces, {m['communes']} communes, "
          f"{len(m['periods'])} periods, {m['targets']} targets = {m['evaluations']:,} "
          f"target evaluations; {m['data_rows']:,} data rows, {len(m['broken'])} broken")


if __name__ == "__main__":
    main()
