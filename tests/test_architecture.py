"""docs/architecture.md is the map of the package: every module is named on it, by its path
under cchc_rules/, so a newcomer who reads it finds every file, and a new module comes with
its paragraph."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cchc_rules"


def modules() -> list[str]:
    return sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
                  if p.name != "__init__.py")


def test_every_module_is_named_in_the_architecture_page() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = {m for m in modules() if m in page or f"**{m}**" in page}
    # a module of a folder's paragraph may be named by its file name alone after the folder
    missing = [m for m in modules() if m not in named and f"**{Path(m).name}**" not in page]
    assert missing == [], f"name these in docs/architecture.md: {missing}"


def test_every_folder_is_a_stage_of_the_picture() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    folders = sorted(p.name for p in PACKAGE.iterdir()
                     if p.is_dir() and (p / "__init__.py").exists())
    assert [f for f in folders if f"{f}/" not in page] == []
