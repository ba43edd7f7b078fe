"""Render an assessment document to HTML (Jinja2, autoescaped) and to PDF (weasyprint)."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from service.reports.assets import ASSET_SCHEME, STATIC_DIR, TEMPLATES_DIR
from service.reports.markup import render_text

_SURROGATES = re.compile("[\ud800-\udfff]")
# Font stacks: Noto CJK when installed (Debian: fonts-noto-cjk), DejaVu otherwise. Fonts come
# from the system through fontconfig; nothing is ever downloaded.
FONTS: dict[str, dict[str, str]] = {
    "en": {
        "serif": '"DejaVu Serif", "Noto Serif CJK SC", serif',
        "sans": '"DejaVu Sans", "Noto Sans CJK SC", sans-serif',
    },
    "zh": {
        "serif": '"Noto Serif CJK SC", "Noto Sans CJK SC", "DejaVu Serif", serif',
        "sans": '"Noto Sans CJK SC", "DejaVu Sans", sans-serif',
    },
}


@cache
def _environment() -> Environment:
    """The Jinja2 environment for reports: autoescaped, strict about undefined names."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["text"] = render_text
    env.filters["scale"] = _scale
    return env


def _scale(value: object, labels: Mapping[str, Any]) -> str:
    """A CNIL 1-4 rating with its word, or the unknown marker."""
    if value in (None, ""):
        return str(labels["unknown"])
    return str(labels["scale_values"].get(str(value), value))


def _risk_map(risks: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Risk ids placed on a severity x likelihood grid, and those not yet placed."""
    cells: dict[str, list[str]] = {}
    unplaced = []
    for risk in risks:
        severity, likelihood = risk.get("severity"), risk.get("likelihood")
        if severity in (1, 2, 3, 4) and likelihood in (1, 2, 3, 4):
            cells.setdefault(f"{severity}-{likelihood}", []).append(str(risk.get("id")))
        else:
            unplaced.append(str(risk.get("id")))
    return {"cells": cells, "unplaced": unplaced}


@cache
def _mark_data_uri() -> str:
    """The packaged mark as a data: URI, for HTML that a browser shows."""
    svg = (STATIC_DIR / "mark.svg").read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def report_context(document: Mapping[str, Any], *, for_pdf: bool = False) -> dict[str, Any]:
    """The plain values the report template sees."""
    language = str(document.get("language") or "en")
    labels: Mapping[str, Any] = document["labels"]
    meta = {"version": 1, "status": "draft", "date": document.get("as_of"), **document["meta"]}
    return {
        "doc": document,
        "labels": labels,
        "meta": meta,
        "status_label": labels["status_values"].get(meta["status"], meta["status"]),
        "checklists": list(document.get("checklists") or []),
        "fonts": FONTS.get(language, FONTS["en"]),
        "risk_map": _risk_map(list(document.get("risks") or [])),
        "unknown": str(labels["unknown"]),
        "css": (STATIC_DIR / "report.css").read_text(encoding="utf-8"),
        # weasyprint loads packaged assets through AssetOnlyFetcher; a browser gets them inline.
        "mark_src": f"{ASSET_SCHEME}mark.svg" if for_pdf else _mark_data_uri(),
    }


def render_template(name: str, context: Mapping[str, Any]) -> str:
    """One report template (templates/NAME) rendered with plain values, autoescaped."""
    html = _environment().get_template(name).render(**context)
    # Lone surrogates (possible in JSON input) cannot be encoded; show them as U+FFFD.
    return _SURROGATES.sub("\ufffd", html)


def render_html(document: Mapping[str, Any], *, for_pdf: bool = False) -> str:
    """The report as a standalone HTML page (styles and images inline, nothing external)."""
    return render_template("report.html.j2", report_context(document, for_pdf=for_pdf))


def html_to_pdf(html: str, *, url_fetcher: Any = None) -> bytes:
    """PDF bytes of a report page; weasyprint may load nothing but this package's assets."""
    from service.reports.fetcher import HTML, AssetOnlyFetcher

    fetcher = url_fetcher or AssetOnlyFetcher()
    pdf = HTML(string=html, base_url=ASSET_SCHEME, url_fetcher=fetcher).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def render_pdf(document: Mapping[str, Any], *, url_fetcher: Any = None) -> bytes:
    """The report as PDF bytes; weasyprint may load nothing but this package's assets."""
    return html_to_pdf(render_html(document, for_pdf=True), url_fetcher=url_fetcher)
