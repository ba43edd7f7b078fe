"""Legal's Markdown-like section text: parsed once into blocks, rendered to safe HTML or DOCX."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_RUNS = re.compile(r"\*\*(.+?)\*\*|(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


def blocks(text: str) -> list[tuple[str, str]]:
    """(kind, line) for each line: kind is 'ul' or 'ol' (list item), 'h' (heading) or 'p'."""
    found: list[tuple[str, str]] = []
    for line in (text or "").splitlines():
        if bullet := _BULLET.match(line):
            found.append(("ul", bullet.group(1)))
        elif numbered := _NUMBERED.match(line):
            found.append(("ol", numbered.group(1)))
        elif heading := _HEADING.match(line):
            found.append(("h", heading.group(1)))
        elif line.strip():
            found.append(("p", line.strip()))
    return found


def runs(text: str) -> list[tuple[str, bool, bool]]:
    """(text, bold, italic) pieces of one line's **bold** and *italic* markup."""
    pieces: list[tuple[str, bool, bool]] = []
    position = 0
    for match in _RUNS.finditer(text):
        if match.start() > position:
            pieces.append((text[position : match.start()], False, False))
        if match.group(1) is not None:
            pieces.append((match.group(1), True, False))
        else:
            pieces.append((match.group(2), False, True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False, False))
    return pieces


def _inline(text: str, unknown: str) -> str:
    """Escape a line, then apply bold, italic and the unknown-marker highlight."""
    html = str(escape(text))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    if unknown:
        marker = str(escape(unknown))
        html = html.replace(marker, f'<span class="unknown">{marker}</span>')
    return html


def render_text(text: str, *, unknown: str = "") -> Markup:
    """Paragraphs, '-' and '1.' lists, '#' sub-headings, **bold** and *italic*; all else escaped."""
    out: list[str] = []
    list_tag: str | None = None
    for kind, line in blocks(text):
        wanted = kind if kind in ("ul", "ol") else None
        if list_tag and wanted != list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None
        if wanted:
            if list_tag is None:
                out.append(f"<{wanted}>")
                list_tag = wanted
            out.append(f"<li>{_inline(line, unknown)}</li>")
        elif kind == "h":
            out.append(f'<h4 class="text-heading">{_inline(line, unknown)}</h4>')
        else:
            out.append(f"<p>{_inline(line, unknown)}</p>")
    if list_tag:
        out.append(f"</{list_tag}>")
    # Every fragment above was built from escaped text and fixed tags only.
    return Markup("\n".join(out))
