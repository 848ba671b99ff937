"""Render stage edge: atomic writes."""
from __future__ import annotations

import pytest

from cchc_rules.output import atomic_open, write_atomic


def test_write_replaces_whole_file_and_leaves_no_temporaries(tmp_path):
    path = tmp_path / "out.json"
    write_atomic(path, "cũ\n")
    write_atomic(path, "mới\n")
    assert path.read_text("utf-8") == "mới\n"
    write_atomic(path, b"\x00bytes")
    assert path.read_bytes() == b"\x00bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_an_error_midway_keeps_the_old_file(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old", "utf-8")
    with pytest.raises(RuntimeError), atomic_open(path) as handle:
        handle.write("half")
        raise RuntimeError("disk full")
    assert path.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_missing_folder_is_reported_with_the_asked_name(tmp_path):
    path = tmp_path / "không-có" / "out.json"
    with pytest.raises(FileNotFoundError) as err:
        write_atomic(path, "x")
    assert err.value.filename == str(path)
