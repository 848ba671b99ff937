"""Shared fixtures over tests/factory.py: `make_ruleset(**overrides)` writes a ruleset (or a
variant) to tmp_path; `files(...)` writes a ruleset and data pair and gives the CLI arguments."""
from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from factory import BASE_RULESET, CHECKS, HAM_TAN, ONLINE, cchc, dump, report, write_pair
from hypothesis import HealthCheck, settings

from cchc_rules.messages import set_language

# Two noisy cores: hypothesis deadlines would fail on timing, not on behaviour.
settings.register_profile(
    "cchc", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("cchc")

# The `slow` tests (pyproject's `markers`): national-size data, headless Chromium and PDF
# rendering. Listed here, by module or by test, so the modules need no edit; a test may also
# carry `@pytest.mark.slow` itself. `pytest -m "not slow"` skips them; `make test` runs all.
SLOW = (
    "test_browser.py::",                                    # headless Chromium
    "test_report_pdf.py::",                                 # WeasyPrint PDFs
    "test_report_cli.py::test_pdf_report_in_english_written",
    "test_rollup.py::test_national_scale_rolls_up_every_level",
    "test_bench_generate.py::test_full_scale_shape",        # the national unit tree
    "test_bench_generate.py::test_zen_port_agrees_with_cchc_on_the_generated_workload",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.rpartition("/")[2].startswith(SLOW):
            item.add_marker(pytest.mark.slow)


# Messages come in Vietnamese by default and in English with CCHC_LANG=en (docs/errors.md).
# The tests assert the English texts, so the suite runs in English, and so does every `cchc`
# it starts; a test of the Vietnamese texts asks for them (tests/test_messages*.py).
os.environ["CCHC_LANG"] = "en"
# The engine the `cchc` command runs polars on (cli.run); in-process tests see the same one.
os.environ.setdefault("POLARS_ENGINE_AFFINITY", "in-memory")


@pytest.fixture(autouse=True)
def _messages_from_the_environment():
    """Each test starts with the language the environment gives (English, above): a test
    that sets another in this thread does not leak it into the next."""
    set_language(None)
    yield
    set_language(None)


@pytest.fixture
def cli() -> Callable[..., Any]:
    """`cli("evaluate", path, "--format", "json")`: factory.cchc, `cchc` run in-process."""
    return cchc


MakeRuleset = Callable[..., Path]
SPEC_EXAMPLE_REPORTS = (report("ham-tan", "2024-Q1", **HAM_TAN),)


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


@pytest.fixture
def files(tmp_path: Path) -> Callable[..., list[str]]:
    """`files(defs, reports, checks)` writes r.yaml and d.yaml; returns `r.yaml --data d.yaml`.

    The defaults are the spec's example: TTHC-06 on Hàm Tân's Q1/2024 figures.
    """
    def write(defs=(ONLINE,), reports=SPEC_EXAMPLE_REPORTS,
              checks=(CHECKS["received-breakdown"],)) -> list[str]:
        rules, figures = write_pair(tmp_path, defs, reports, checks, ruleset_id="cli",
                                    title="CLI")
        return [str(rules), "--data", str(figures)]
    return write
