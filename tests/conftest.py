"""Shared fixtures: `make_ruleset(**overrides)` writes a ruleset (or a variant) to tmp_path."""
from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

# Two noisy cores: hypothesis deadlines would fail on timing, not on behaviour.
settings.register_profile(
    "cchc", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("cchc")

# Hàm Tân district one-stop figures (Q1/2024: 4,917 received, 246 online) and the
# Tuyên Quang online-rate target (12% in 2021, ≥ 50% by 2025, ≥ 80% by 2030).
BASE_RULESET: dict[str, Any] = {
    "ruleset": "test-ham-tan",
    "title": "Bộ chỉ tiêu thử nghiệm",
    "issuer": "UBND tỉnh Tuyên Quang",
    "metrics": {
        "received": {"label": "Tổng số hồ sơ tiếp nhận", "unit": "count"},
        "received_online": {"label": "Hồ sơ tiếp nhận trực tuyến", "unit": "count"},
        "received_direct": {"label": "Hồ sơ tiếp nhận trực tiếp, bưu chính", "unit": "count"},
        "carried_over": {"label": "Hồ sơ kỳ trước chuyển qua", "unit": "count"},
        "online_rate": {"label": "Tỷ lệ hồ sơ tiếp nhận trực tuyến", "unit": "percent",
                        "formula": "received_online / received * 100"},
        "salaried_staff": {"label": "Biên chế sự nghiệp", "unit": "count"},
    },
    "checks": [
        {"id": "received-breakdown",
         "assert": "received == received_online + received_direct + carried_over"},
    ],
    "targets": [
        {"id": "TTHC-06", "title": "Tỷ lệ hồ sơ giải quyết trực tuyến", "area": "procedures",
         "metric": "online_rate", "levels": ["province", "district"],
         "baseline": {"period": "2021", "value": 12},
         "milestones": [{"by": "2025", "op": ">=", "value": 50},
                        {"by": "2030", "op": ">=", "value": 80}],
         "source": "Đề án, mục II.2"},
        {"id": "TCBM-02", "title": "Giảm tối thiểu 10% biên chế sự nghiệp",
         "area": "organization", "metric": "salaried_staff", "change": "percent",
         "baseline": {"period": "2021"},
         "milestones": [{"by": "2025", "op": "<=", "value": -10}]},
    ],
}

MakeRuleset = Callable[..., Path]


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


@pytest.fixture
def make_ruleset(tmp_path: Path) -> MakeRuleset:
    """Write a ruleset file and return its path.

    `make_ruleset()` is the valid base; keyword overrides replace top-level keys (None
    removes one); `text=` writes the given text verbatim; `name=` picks the file name.
    """
    def make(name: str = "ruleset.yaml", text: str | None = None, **overrides: Any) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            data = copy.deepcopy(BASE_RULESET)
            for key, value in overrides.items():
                if value is None:
                    data.pop(key, None)
                else:
                    data[key] = value
            text = dump(data)
        path.write_text(text, encoding="utf-8")
        return path
    return make


@pytest.fixture
def base_ruleset() -> dict[str, Any]:
    """A fresh deep copy of the valid base ruleset, to mutate in a test."""
    return copy.deepcopy(BASE_RULESET)
