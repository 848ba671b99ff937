"""Benchmark: what a PDF report costs as the number of targets grows (issue 15, item 11).

`python -m bench.pdf_cost --out DIR --targets 500` writes ruleset.yaml and data.yaml with
that many targets (each on its own percent metric, one district, one quarter); run
`/usr/bin/time -v cchc report DIR/ruleset.yaml --data DIR/data.yaml --format pdf
--output DIR/r.pdf --detail full|summary|auto` on them and read the maximum RSS.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import yaml


def documents(targets: int) -> tuple[dict, dict]:
    metrics: dict = {"received": {"label": "Tổng số hồ sơ tiếp nhận", "unit": "count"}}
    values: dict = {"received": 4917}
    defs = []
    for i in range(targets):
        metrics[f"done_{i}"] = {"label": f"Hồ sơ loại {i}", "unit": "count"}
        metrics[f"rate_{i}"] = {"label": f"Tỷ lệ loại {i}", "unit": "percent",
                                "formula": f"done_{i} / received * 100"}
        values[f"done_{i}"] = (i * 37) % 4917
        defs.append({"id": f"T-{i:05d}", "title": f"Chỉ tiêu số {i} về hồ sơ loại {i}",
                     "area": "procedures", "metric": f"rate_{i}",
                     "milestones": [{"by": "2025", "op": ">=", "value": 50}]})
    ruleset = {"ruleset": "pdf-cost", "title": "Đo chi phí PDF", "metrics": metrics,
               "targets": defs}
    data = {"units": [{"id": "ham-tan", "name": "Huyện Hàm Tân", "level": "district"}],
            "reports": [{"unit": "ham-tan", "period": "2024-Q1", "values": values}]}
    return ruleset, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--targets", type=int, default=500)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    ruleset, data = documents(args.targets)
    for name, doc in (("ruleset.yaml", ruleset), ("data.yaml", data)):
        (args.out / name).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")


if __name__ == "__main__":
    main()
