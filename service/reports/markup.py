"""Turn legal's Markdown-like section text into a small, safe HTML subset."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")


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
    for line in (text or "").splitlines():
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        wanted = "ul" if bullet else "ol" if numbered else None
        if list_tag and wanted != list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None
        if wanted:
            if list_tag is None:
                out.append(f"<{wanted}>")
                list_tag = wanted
            match = bullet or numbered
            assert match is not None
            out.append(f"<li>{_inline(match.group(1), unknown)}</li>")
        elif heading := _HEADING.match(line):
            out.append(f'<h4 class="text-heading">{_inline(heading.group(1), unknown)}</h4>')
        elif line.strip():
            out.append(f"<p>{_inline(line.strip(), unknown)}</p>")
    if list_tag:
        out.append(f"</{list_tag}>")
    # Every fragment above was built from escaped text and fixed tags only.
    return Markup("\n".join(out))
