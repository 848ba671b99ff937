"""The PDF report: Vietnamese text and numbers, embedded fonts, and no fetch outside its folders."""
from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest
from factory import evaluation
from pypdf import PdfReader

from cchc_rules.render.pdf import RestrictedFetcher, render_pdf


@pytest.fixture(scope="module")
def ham_tan(tmp_path_factory: pytest.TempPathFactory):
    return evaluation(tmp_path_factory.mktemp("pdf"))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def fonts_of(pdf: bytes) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font the pages use."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            parts = [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]
            descriptors = [p["/FontDescriptor"].get_object() for p in parts
                           if "/FontDescriptor" in p]
            found[str(font["/BaseFont"])] = any(
                key in d for d in descriptors for key in ("/FontFile", "/FontFile2",
                                                          "/FontFile3"))
    return sorted(found.items())


def test_vietnamese_pdf_text_numbers_pages_and_fonts(ham_tan, tmp_path: Path) -> None:
    pdf, warnings = render_pdf(ham_tan, tmp_path / "r.pdf")
    assert pdf.startswith(b"%PDF") and warnings == []
    reader = PdfReader(io.BytesIO(pdf))
    text = text_of(pdf)
    for expected in ("Huyện Hàm Tân", "Tỉnh Bình Thuận", "TTHC-06", "TTHC-LATE", "4.917",
                     "47,18%", "31/03/2024", "Chưa đến hạn",
                     f"Trang 1/{len(reader.pages)}", f"Trang 2/{len(reader.pages)}"):
        assert expected in text, expected
    fonts = fonts_of(pdf)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert any("DejaVu" in name for name, _ in fonts), fonts
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == \
        (210, 297)


def test_english_pdf_same_input_same_bytes(ham_tan, tmp_path: Path) -> None:
    pdf, _ = render_pdf(ham_tan, tmp_path / "r.pdf", lang="en")
    assert render_pdf(ham_tan, tmp_path / "r.pdf", lang="en")[0] == pdf  # same bytes
    text = text_of(pdf)
    for expected in ("Huyện Hàm Tân", "4,917", "47.18%", "Pending", "Page 1/"):
        assert expected in text, expected


def test_template_cannot_reach_network_or_other_files(ham_tan, tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    own = tmp_path / "templates"
    own.mkdir()
    (own / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" '
                                  'height="10"><rect width="10" height="10"/></svg>')
    (own / "report.html.j2").write_text(
        '{% extends "default:report.html.j2" %}{% block head %}'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        '<style>@import url("file:///etc/passwd");</style>{% endblock %}'
        '{% block cover %}<img src="http://127.0.0.1:9/x.png">'
        f'<img src="http://127.0.0.1:{port}/y.png"><img src="file:///etc/passwd">'
        '<object data="../../../../etc/passwd"></object>'
        '<img src="logo.svg"><h1 class="title">{{ ruleset.title }}</h1>{% endblock %}',
        encoding="utf-8")
    try:
        pdf, warnings = render_pdf(ham_tan, tmp_path / "out" / "r.pdf", template_dir=own)
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
    refused = " ".join(w.message for w in warnings)
    for url in ("http://127.0.0.1:9/x.png", f"http://127.0.0.1:{port}/x.css",
                "file:///etc/passwd"):
        assert url in refused, refused
    assert "logo.svg" not in refused
    assert all(w.code == "RPT10" and w.severity == "warning" for w in warnings)
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    assert passwd.split(":")[0] + ":x:" not in text_of(pdf)
    assert "Kế hoạch cải cách hành chính huyện Hàm Tân năm 2024" in text_of(pdf)


def test_fetcher_allows_only_data_and_its_roots(tmp_path: Path) -> None:
    fetcher = RestrictedFetcher([tmp_path])
    (tmp_path / "a.css").write_text("p {}")
    assert fetcher.allows((tmp_path / "a.css").as_uri())
    assert fetcher.allows("data:text/css,p{}")
    for url in ((tmp_path / ".." / "x").resolve().as_uri(), "file:///etc/passwd",
                "http://127.0.0.1:9/x.png", "https://example.org/f.woff2",
                "file://otherhost" + str(tmp_path / "a.css"), "ftp://127.0.0.1/x"):
        assert not fetcher.allows(url), url
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.fetch((tmp_path / "a.css").as_uri()).read() == b"p {}"
