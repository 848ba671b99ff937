"""Hostile PDF templates (issue 15, item 2): no local file is embedded as an attachment
unless it lies inside a templates folder; each refusal is an RPT10 warning."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from cchc_rules.render.pdf import RestrictedFetcher, html_to_pdf


def attachments(pdf: bytes) -> dict[str, list[bytes]]:
    return dict(PdfReader(io.BytesIO(pdf)).attachments)


def page(*links: str) -> str:
    return ("<html><head><meta charset='utf-8'>" + "".join(links) +
            "</head><body><p>Báo cáo</p><p><a rel='attachment' href='file:///etc/hostname'>"
            "x</a></p></body></html>")


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    out, tpl = tmp_path / "out", tmp_path / "tpl"
    out.mkdir()
    tpl.mkdir()
    (out / "secret.txt").write_text("SECRET beside the output", encoding="utf-8")
    (tpl / "notes.txt").write_text("allowed notes", encoding="utf-8")
    os.symlink(out / "secret.txt", tpl / "alias.txt")
    return out, tpl


def test_attachments_outside_the_template_folders_are_refused(folders) -> None:
    out, tpl = folders
    secret = (out / "secret.txt").as_uri()
    html = page(f"<link rel='attachment' href='{secret}'>",
                "<link rel='attachment' href='alias.txt'>",
                "<link rel='attachment' href='file:///etc/passwd'>",
                "<link rel='attachment' href='notes.txt'>")
    pdf, warnings = html_to_pdf(html, out / "r.pdf", tpl)
    embedded = attachments(pdf)
    assert list(embedded) == ["notes.txt"], embedded  # the positive control: inside tpl
    assert embedded["notes.txt"] == [b"allowed notes"]
    assert all(b"SECRET" not in b"".join(v) for v in embedded.values())
    refused = [w.message for w in warnings]
    assert all(w.code == "RPT10" and w.severity == "warning" for w in warnings)
    for url in (secret, (tpl / "alias.txt").as_uri(), "file:///etc/passwd",
                "file:///etc/hostname"):
        assert any(url in m for m in refused), (url, refused)


def test_fetcher_refuses_the_output_folder_and_special_files(folders, tmp_path: Path) -> None:
    out, tpl = folders
    os.mkfifo(tpl / "pipe")
    fetcher = RestrictedFetcher([tpl])
    assert fetcher.allows((tpl / "notes.txt").as_uri())
    for path in (out / "secret.txt", tpl / "alias.txt", tpl / "pipe", tpl / "missing.txt"):
        assert not fetcher.allows(path.as_uri()), path
