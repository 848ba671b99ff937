"""Draft stage: a plan document (.docx, text PDF, .txt) read into blocks of text, each with
its place (page or paragraph), and every reason it cannot be read as one positioned line:
password-protected, corrupt, no text layer (a scan), too long, not a supported type.
"""
from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import CchcError, Position, Problem
from ..files import read_capped
from ..messages import _

MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 300           # plans run 10–40 pages; a 500-page file is not a plan
MAX_CHARS = 1_500_000     # about 300 pages of text, for .docx and .txt (no pages to count)
SUFFIXES = (".docx", ".pdf", ".txt")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # an encrypted .docx, or an old binary .doc


@dataclass(frozen=True)
class Block:
    """A paragraph or a heading as written, with where it stands: `page` (PDF) or the
    paragraph number `paragraph` (.docx, .txt; 1-based, counting non-empty ones)."""

    text: str
    heading: bool
    paragraph: int
    page: int | None = None
    line: int | None = None   # .txt: the line it starts on

    def place(self) -> str:
        if self.page is not None:
            return _("page {page}").format(page=self.page)
        return _("paragraph {n}").format(n=self.paragraph)


@dataclass
class Document:
    file: str
    blocks: list[Block]
    warnings: list[Problem]
    pages: int | None = None


def read_document(path: Path) -> Document:
    """The blocks of the plan at `path`; CchcError with one positioned line otherwise."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CchcError.one("IO03", _("cannot draft from a '{suffix}' file").format(
            suffix=suffix or path.name), Position(file),
            _("give a .docx, a .pdf with a text layer, or a .txt"))
    data = read_capped(path, MAX_BYTES)
    if suffix == ".docx":
        document = _docx(file, data)
    elif suffix == ".pdf":
        document = _pdf(file, data)
    else:
        document = _txt(file, data)
    chars = sum(len(b.text) for b in document.blocks)
    if chars > MAX_CHARS:
        raise CchcError.one("DRF04", _("the document holds {chars:,} characters, more than "
                                       "{limit:,} (about {pages} pages)").format(
            chars=chars, limit=MAX_CHARS, pages=MAX_PAGES), Position(file),
            _("draft from the part that states the targets"))
    return document


def _txt(file: str, data: bytes) -> Document:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise CchcError.one("DRF01", _("not UTF-8 text (byte {byte:#04x})").format(
            byte=data[err.start]), Position(file, line), _("save the text as UTF-8")) from None
    blocks: list[Block] = []
    for number, written in enumerate(text.splitlines(), 1):
        if written.strip():
            blocks.append(Block(written.strip(), _looks_like_heading(written.strip()),
                                len(blocks) + 1, line=number))
    return Document(file, blocks, [])


def _docx(file: str, data: bytes) -> Document:
    if data.startswith(_OLE):
        raise CchcError.one("DRF02", _("the document is password-protected (or an old "
                                       "binary .doc)"), Position(file),
                            _("save it as .docx without a password"))
    try:
        from docx import Document as open_docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - a dependency of the package
        raise CchcError.one("DRF01", _("python-docx is not installed"), Position(file)) from None
    try:
        document = open_docx(io.BytesIO(data))
        paragraphs = [(p.text, (p.style.name or "") if p.style is not None else "")
                      for p in document.paragraphs]
        for table in document.tables:   # targets are often listed in a table
            for row in table.rows:
                cells = [c.text.strip() for c in row.cells]
                unique = [c for i, c in enumerate(cells) if c and c not in cells[:i]]
                if unique:
                    paragraphs.append((" ".join(unique), "table"))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, TypeError,
            AttributeError, IndexError, OSError, SyntaxError) as err:
        # lxml's XMLSyntaxError is a SyntaxError: a damaged part of the package
        raise CchcError.one("DRF01", _("not a readable .docx: {reason}").format(
            reason=_short(err)), Position(file), _("open it in Word and save it again")) \
            from None
    blocks: list[Block] = []
    for text, style in paragraphs:
        text = text.strip()
        if text:
            heading = style.lower().startswith(("heading", "title")) or \
                _looks_like_heading(text)
            blocks.append(Block(text, heading, len(blocks) + 1))
    return Document(file, blocks, [])


def _pdf(file: str, data: bytes) -> Document:
    # pypdf logs what it repairs ("EOF marker not found") to stderr; the user gets one
    # positioned line instead, so its logger is silenced while the file is read
    log = logging.getLogger("pypdf")
    was = log.level
    log.setLevel(logging.CRITICAL)
    try:
        return _read_pdf(file, data)
    finally:
        log.setLevel(was)


def _read_pdf(file: str, data: bytes) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError
    failures = (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError,
                AssertionError, RecursionError, OSError, ZeroDivisionError)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:   # an owner password alone still opens
                opened = bool(reader.decrypt(""))
            except DependencyError:
                opened = False
            if not opened:
                raise CchcError.one("DRF02", _("the PDF is password-protected"),
                                    Position(file), _("save a copy without a password"))
        pages = len(reader.pages)
        if pages > MAX_PAGES:
            raise CchcError.one("DRF04", _("the document has {pages} pages, more than "
                                           "{limit}").format(pages=pages, limit=MAX_PAGES),
                                Position(file), _("draft from the part that states the targets"))
        texts = [page.extract_text() or "" for page in reader.pages]
    except failures as err:
        raise CchcError.one("DRF01", _("not a readable PDF: {reason}").format(
            reason=_short(err)), Position(file)) from None
    if not any(t.strip() for t in texts):
        raise CchcError.one("DRF03", _("the PDF has no text layer (a scanned document?)"),
                            Position(file), _("run text recognition (OCR) on it first, or "
                                              "give the .docx"))
    blocks: list[Block] = []
    warnings = []
    empty = [n for n, t in enumerate(texts, 1) if not t.strip()]
    if empty:
        warnings.append(Problem("DRF06", _("{n} page(s) without a text layer were skipped: "
                                           "{pages}").format(
            n=len(empty), pages=", ".join(map(str, empty[:10])) + (" …" if len(empty) > 10
                                                                     else "")),
            Position(file), severity="warning"))
    for number, text in enumerate(texts, 1):
        for paragraph, heading in _pdf_paragraphs(text):
            blocks.append(Block(paragraph, heading, len(blocks) + 1, page=number))
    return Document(file, blocks, warnings, pages)


_ROMAN = re.compile(r"^(?:[IVX]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s")
_BULLET = re.compile(r"^[-+•*–]\s")


def _looks_like_heading(text: str) -> bool:
    """A short line with no closing punctuation, in capitals or numbered (I., 1., a)), or a
    'Giai đoạn 2026–2027' line."""
    if len(text) > 160 or text.endswith((".", ";", ",")):
        return False
    letters = [c for c in text if c.isalpha()]
    upper = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8
    return upper or bool(_ROMAN.match(text)) or text.lower().startswith("giai đoạn") \
        or text.endswith(":")


def _pdf_paragraphs(text: str) -> list[tuple[str, bool]]:
    """A page's lines joined back into paragraphs: a line that closes a sentence and a next
    line that opens one (capital, number, bullet) end a paragraph; headings stand alone."""
    out: list[tuple[str, bool]] = []
    current: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            if current:
                out.append((" ".join(current), False))
                current = []
            continue
        opens = line[:1].isupper() or line[:1].isdigit() or bool(_BULLET.match(line))
        if _looks_like_heading(line) and (not current or current[-1].endswith((".", ":", ";"))):
            if current:
                out.append((" ".join(current), False))
                current = []
            out.append((line, True))
            continue
        if current and opens and current[-1].endswith((".", ":", ";", "!", "?")):
            out.append((" ".join(current), False))
            current = []
        current.append(line)
    if current:
        out.append((" ".join(current), False))
    return out


def _short(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text if len(text) <= 120 else text[:117] + "..."
