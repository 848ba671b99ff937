"""Shared inputs for the report tests: a small ruleset and Hàm Tân's real Q1/2024 figures,
run through the real pipeline (load_ruleset → read_data → evaluate)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

RULESET: dict[str, Any] = {
    "ruleset": "ham-tan-report",
    "title": "Kế hoạch cải cách hành chính huyện Hàm Tân năm 2024",
    "issuer": "UBND huyện Hàm Tân",
    "source": "Kế hoạch CCHC năm 2024 của UBND huyện Hàm Tân",
    "metrics": {
        "received": {"label": "Tổng số hồ sơ tiếp nhận", "unit": "count"},
        "received_online": {"label": "Hồ sơ tiếp nhận trực tuyến", "unit": "count"},
        "received_direct": {"label": "Hồ sơ tiếp nhận trực tiếp và qua bưu chính",
                            "unit": "count"},
        "carried_over": {"label": "Hồ sơ kỳ trước chuyển sang", "unit": "count"},
        "resolved_on_time": {"label": "Hồ sơ giải quyết đúng hạn", "unit": "count"},
        "resolved_late": {"label": "Hồ sơ giải quyết trễ hạn", "unit": "count"},
        "pending_in_time": {"label": "Hồ sơ đang giải quyết trong hạn", "unit": "count"},
        "pending_overdue": {"label": "Hồ sơ đang giải quyết quá hạn", "unit": "count"},
        "online_rate": {"label": "Tỷ lệ hồ sơ tiếp nhận trực tuyến", "unit": "percent",
                        "formula": "received_online / received * 100"},
        "late_rate": {"label": "Tỷ lệ hồ sơ trễ hẹn", "unit": "percent",
                      "formula": "(resolved_late + pending_overdue) / received * 100"},
    },
    "checks": [
        {"id": "received-breakdown", "title": "Tiếp nhận = trực tuyến + trực tiếp + kỳ trước",
         "assert": "received == received_online + received_direct + carried_over"},
        {"id": "received-split",
         "assert": "received == resolved_on_time + resolved_late + pending_in_time"
                   " + pending_overdue"},
    ],
    "targets": [
        {"id": "TTHC-06", "title": "Tỷ lệ hồ sơ giải quyết trực tuyến trên tổng số hồ sơ",
         "area": "procedures", "metric": "online_rate",
         "baseline": {"period": "2021", "value": 12},
         "milestones": [{"by": "2025", "op": ">=", "value": 50},
                        {"by": "2030", "op": ">=", "value": 80}],
         "source": "Đề án, mục II.2"},
        {"id": "TTHC-LATE", "title": "Tỷ lệ hồ sơ trễ hẹn không quá 5%",
         "area": "procedures", "metric": "late_rate",
         "milestones": [{"by": "2025", "op": "<=", "value": 5}]},
        {"id": "CDS-03", "title": "Hồ sơ trực tuyến trong khoảng 5%–20% số tiếp nhận",
         "area": "digital_government", "metric": "online_rate",
         "milestones": [{"by": "2024", "op": "between", "value": [5, 20]}]},
    ],
}

# Phòng Nội vụ huyện Hàm Tân, quý I/2024 (seeds/001): 4,917 = 246 + 2,180 + 2,491
# = 1,770 + 1,733 + 827 + 587; late rate (1,733 + 587) / 4,917 = 47.18%.
HAM_TAN_Q1 = {"received": 4917, "received_online": 246, "received_direct": 2180,
              "carried_over": 2491, "resolved_on_time": 1770, "resolved_late": 1733,
              "pending_in_time": 827, "pending_overdue": 587}


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def write_inputs(folder: Path, unit_name: str = "Huyện Hàm Tân",
                 extra_reports: list[dict[str, Any]] | None = None) -> tuple[Path, Path]:
    """The ruleset and a data file (Bình Thuận province over Hàm Tân) written to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    ruleset = folder / "ruleset.yaml"
    ruleset.write_text(dump(RULESET), encoding="utf-8")
    data = folder / "ham-tan-2024-q1.yaml"
    data.write_text(dump({
        "units": [{"id": "binh-thuan", "name": "Tỉnh Bình Thuận", "level": "province"},
                  {"id": "ham-tan", "name": unit_name, "level": "district",
                   "parent": "binh-thuan"}],
        "reports": [{"unit": "ham-tan", "period": "2024-Q1",
                     "source": "Phòng Nội vụ huyện Hàm Tân, báo cáo quý I/2024",
                     "values": HAM_TAN_Q1}, *(extra_reports or [])],
    }), encoding="utf-8")
    return ruleset, data


def evaluation(folder: Path, **kwargs: Any) -> Any:
    """The real engine's Evaluation of the inputs `write_inputs` writes."""
    from cchc_rules import evaluate
    from cchc_rules.data import read_data
    from cchc_rules.ruleset import load_ruleset

    ruleset, data = write_inputs(folder, **kwargs)
    return evaluate(load_ruleset(ruleset), read_data([data]))
