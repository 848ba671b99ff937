"""`cchc lint` counts a metric that a scoring indicator scores as used (no LNT04)."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cchc_rules.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_scored_metrics_are_not_reported_unused():
    done = CliRunner().invoke(main, ["lint", str(ROOT / "rulesets/national/qd766-2022.yaml")])
    assert "LNT04" not in done.output, done.output
    assert done.exit_code == 0
