"""`cchc init`: the starter files validate, evaluate and pass their own tests; nothing is
overwritten."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from factory import cchc

from cchc_rules.cli import main


def test_init_then_validate_evaluate_and_test_in_a_fresh_folder(tmp_path):
    folder = tmp_path / "ke-hoach"
    result = cchc("init", str(folder))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md", "don-vi.yaml", "ke-hoach-cchc.test.yaml", "ke-hoach-cchc.yaml",
        "ruleset.schema.json", "so-lieu-2024-q1.yaml"]
    ruleset = folder / "ke-hoach-cchc.yaml"
    assert ruleset.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=./ruleset.schema.json\n")
    assert cchc("validate", str(ruleset)).exit_code == 0
    evaluated = cchc("evaluate", str(ruleset), "--units", str(folder / "don-vi.yaml"),
                     "--data", str(folder / "so-lieu-2024-q1.yaml"), "--format", "csv")
    assert evaluated.exit_code == 1  # TTHC-06 is off track: a failing status, by design
    assert "TTHC-06" in evaluated.stdout and "off_track" in evaluated.stdout
    tested = cchc("test", str(folder))
    assert tested.exit_code == 0, tested.output
    assert "1 passed, 0 failed" in tested.output


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path):
    folder = tmp_path / "co-san"
    folder.mkdir()
    (folder / "ke-hoach-cchc.yaml").write_text("# mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(folder)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{folder / 'ke-hoach-cchc.yaml'}: error IO05 the file already exists; cchc init does "
        "not overwrite [choose an empty folder, or move the file away]"]
    assert [p.name for p in folder.iterdir()] == ["ke-hoach-cchc.yaml"]
    assert (folder / "ke-hoach-cchc.yaml").read_text(encoding="utf-8") == "# mine\n"


def test_the_starter_schema_is_the_one_cchc_schema_prints(tmp_path: Path):
    cchc("init", str(tmp_path / "a"))
    assert (tmp_path / "a" / "ruleset.schema.json").read_text(encoding="utf-8").strip() == \
        cchc("schema").stdout.strip()
