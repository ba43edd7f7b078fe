"""Text out of an uploaded policy: plain text, HTML (visible text only) or PDF (text layer)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from assessments.scanner.errors import ExtractionError as ExtractionError
from assessments.scanner.pdf import DEFAULT_LIMITS, PdfLimits, pdf_to_text

MAX_BYTES = 5 * 1024 * 1024
FORMATS = ("text", "html", "pdf")
MEDIA_TYPES = {
    "text/plain": "text",
    "text/markdown": "text",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
}
_SUFFIXES = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html", ".pdf": "pdf"}


@dataclass(frozen=True)
class ExtractedText:
    """The text of a document and the format it was read as."""

    text: str
    format: str


def detect_format(
    data: bytes, *, media_type: str | None = None, filename: str | None = None
) -> str:
    """text, html or pdf, from the media type, else the file name, else the first bytes."""
    if media_type:
        kind = MEDIA_TYPES.get(media_type.split(";")[0].strip().lower())
        if kind:
            return kind
        if media_type.split(";")[0].strip().lower() != "application/octet-stream":
            raise ExtractionError(
                "unsupported", f"Cannot read {media_type}: use text, HTML or PDF."
            )
    if filename:
        suffix = filename[filename.rfind(".") :].lower() if "." in filename else ""
        if suffix in _SUFFIXES:
            return _SUFFIXES[suffix]
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionError("unsupported", "This is a binary file: send text, HTML or PDF.")
    return "text"


def decode_text(data: bytes) -> str:
    """Bytes to str: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_SKIP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
_BLOCK = {
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "main",
    "aside",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "hr",
    "address",
    "figcaption",
    "summary",
}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


class _VisibleText(HTMLParser):
    """Collects the text a browser would show: no scripts, styles or hidden elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    @property
    def _hidden(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")
        if tag in _VOID:
            return
        values = dict(attrs)
        hidden = (
            self._hidden
            or tag in _SKIP
            or "hidden" in values
            or values.get("aria-hidden") == "true"
            or bool(_HIDDEN_STYLE.search(values.get("style") or ""))
        )
        self._stack.append((tag, hidden))
        if tag == "li" and not hidden:
            self.parts.append("• ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML document, one block element per line."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def extract_text(
    data: bytes,
    *,
    format: str | None = None,
    media_type: str | None = None,
    filename: str | None = None,
    pdf_limits: PdfLimits = DEFAULT_LIMITS,
) -> ExtractedText:
    """Read a policy document (at most 5 MiB) as text; never fetches anything."""
    if len(data) > MAX_BYTES:
        raise ExtractionError("too_large", f"The document is larger than {MAX_BYTES} bytes.")
    kind = format or detect_format(data, media_type=media_type, filename=filename)
    if kind not in FORMATS:
        raise ExtractionError("unsupported", f"Unknown format {kind!r}: use text, html or pdf.")
    if kind == "pdf":
        return ExtractedText(pdf_to_text(data, pdf_limits), "pdf")
    text = decode_text(data)
    return ExtractedText(html_to_text(text) if kind == "html" else text, kind)
