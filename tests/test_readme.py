"""The README's ten-line ruleset and its printed output stay true."""
from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from cchc_rules.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_ruleset_gives_the_output_shown(tmp_path, monkeypatch):
    text = README.read_text(encoding="utf-8")
    ruleset = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    assert len(ruleset.strip().splitlines()) <= 10
    shown = re.search(r"--data ham-tan-2024-q1.yaml\n(.*?)\n\$ echo \$\?\n(\d)", text, re.S)
    monkeypatch.chdir(tmp_path)
    Path("ham-tan-online.yaml").write_text(ruleset, encoding="utf-8")
    Path("ham-tan-2024-q1.yaml").write_text(
        "reports:\n  - {unit: ham-tan, period: 2024-Q1,"
        " values: {received: 4917, received_online: 246}}\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["evaluate", "ham-tan-online.yaml", "--data", "ham-tan-2024-q1.yaml"])
    assert result.exit_code == int(shown.group(2)), result.output
    assert result.output.strip() == shown.group(1).strip()
