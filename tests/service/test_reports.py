"""Assessment reports: HTML and PDF content, page furniture, CJK, and the locked-down fetcher."""

from __future__ import annotations

import copy
import io
import json
import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from markupsafe import escape
from marshmallow import ValidationError
from pypdf import PdfReader

import vendor_data
from assessments.catalog.reference import default_reference
from assessments.documents import KINDS, build_assessment, build_checklists
from assessments.engine import evaluate
from assessments.rules.loader import default_rules
from assessments.transfers import apply_vendor_defaults, evaluation_to_dict, parse_transfer
from service.reports.fetcher import HTML, AssetOnlyFetcher, FetchRefused
from service.reports.rendering import render_html, render_pdf
from tests.helpers import REPORT_CHAPTERS

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "documents_sample.json"
PAYLOADS = (
    '<img src="http://attacker.test/leak.png">',
    '<img src="file:///etc/passwd">',
    "<div style=\"background: url('https://attacker.test/css.png')\">x</div>",
    '<link rel="stylesheet" href="http://attacker.test/s.css">',
    "<style>@import url(http://attacker.test/i.css);</style>",
    '<svg><image href="file:///etc/hostname"/></svg>',
)
PAYLOAD = " ".join(PAYLOADS)


class RecordingFetcher(AssetOnlyFetcher):
    """The production fetcher, remembering every URL weasyprint asks it for."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        """Record, then defer to the production policy."""
        self.urls.append(url)
        return super().fetch(url, headers)


def evaluate_transfer(transfer: dict[str, Any], vendor: dict[str, Any] | None) -> dict[str, Any]:
    """The engine's Evaluation dict for a Transfer dict, with registry defaults from the vendor."""
    reference = default_reference()
    data = apply_vendor_defaults(transfer, vendor) if vendor else transfer
    parsed = parse_transfer(data, today=date(2026, 11, 22), reference=reference)
    return evaluation_to_dict(evaluate(parsed, default_rules(), reference))


def _sample() -> dict[str, Any]:
    """The sample review, its catalog vendor record and the engine's evaluation."""
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    path = vendor_data.DATA_DIR / "vendors" / f"{data['vendor']}.yaml"
    vendor = yaml.safe_load(path.read_text(encoding="utf-8"))
    evaluation = evaluate_transfer(data["review"]["transfer"], vendor)
    return {"review": data["review"], "vendor": vendor, "evaluation": evaluation}


def _document(kind: str, language: str = "en") -> dict[str, Any]:
    data = _sample()
    doc = build_assessment(
        kind, data["review"], data["evaluation"], data["vendor"], language=language
    )
    doc["checklists"] = build_checklists(
        data["evaluation"], data["review"], data["vendor"], language
    )
    return doc


def _text(pdf: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def _has_cjk_font() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return False
    return "CJK SC" in out.stdout


@pytest.fixture(scope="module")
def pipia_pdf() -> tuple[dict[str, Any], bytes]:
    doc = _document("pipia")
    return doc, render_pdf(doc)


def test_pipia_pdf_has_every_heading_citation_and_page_numbers(
    pipia_pdf: tuple[dict[str, Any], bytes],
) -> None:
    doc, pdf = pipia_pdf
    reader, pages = _text(pdf)
    total = len(reader.pages)
    assert 12 <= total <= 30
    text = " ".join(pages)
    for section in doc["sections"]:
        assert f"{section['number']}. {section['title']}" in text
    for heading in ("Contents", *REPORT_CHAPTERS, "Risk map", "The evaluation as run"):
        assert heading in text
    squeezed = text.replace(" ", "")
    for rule in doc["rules"]:
        assert rule["citation"].replace(" ", "") in squeezed  # citations wrap in table cells
    assert "China CAC Security Assessment" in text
    # Cover page has no running footer; every other page says "Page n of N".
    assert "Page 1 of" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in page
    assert "CONFIDENTIAL — PREPARED FOR LEGAL REVIEW" in pages[1]


def test_table_of_contents_has_page_numbers(pipia_pdf: tuple[dict[str, Any], bytes]) -> None:
    doc, pdf = pipia_pdf
    _, pages = _text(pdf)
    contents = pages[1]
    for section in doc["sections"][:3]:
        match = re.search(re.escape(section["title"]) + r"[ .]*(\d+)", contents)
        assert match, section["title"]
        page = int(match.group(1))
        assert section["title"] in pages[page - 1]


def test_cover_page_carries_title_parties_version_status(
    pipia_pdf: tuple[dict[str, Any], bytes],
) -> None:
    _, pdf = pipia_pdf
    _, pages = _text(pdf)
    cover = pages[0]
    for text in (
        "Personal Information Protection Impact Assessment",
        "Ningbo Jus Internet Technology",
        "Firebase (Google LLC)",
        "Draft",
        "2026-11-22",
    ):
        assert text in cover


@pytest.mark.parametrize("kind", ["dpia", "tia"])
def test_dpia_and_tia_render(kind: str) -> None:
    doc = _document(kind)
    _, pages = _text(render_pdf(doc))
    text = " ".join(pages)
    for section in doc["sections"]:
        assert section["title"] in text
    if kind == "dpia":
        assert "WP248" in text


def test_chinese_pipia_pdf_has_chinese_headings() -> None:
    if not _has_cjk_font():
        pytest.skip(
            "no Simplified Chinese font; install one (Debian: apt-get install fonts-noto-cjk)"
        )
    doc = _document("pipia", "zh")
    reader, pages = _text(render_pdf(doc))
    text = "".join("".join(page.split()) for page in pages)
    for heading in (
        "个人信息保护影响评估报告",
        "目录",
        "评估概述",
        "风险登记表",
        "评估结论",
        "个人信息权益维护的渠道是否通畅",
    ):
        assert heading in text
    total = len(reader.pages)
    assert f"第2页，共{total}页" in text
    fonts = {
        str(font.get("/BaseFont"))
        for page in reader.pages
        for font in (page.get("/Resources") or {}).get("/Font", {}).values()
        for font in [font.get_object()]
    }
    assert any("CJK" in name for name in fonts)


def _poison(value: Any) -> Any:
    """Every string in a structure replaced by itself plus the payloads."""
    if isinstance(value, dict):
        return {k: _poison(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v) for v in value]
    if isinstance(value, str):
        return f"{value} {PAYLOAD}"
    return value


def test_payloads_in_every_free_text_field_are_escaped_and_never_fetched() -> None:
    data = _sample()
    review = copy.deepcopy(data["review"])
    for key in ("requester", "business_owner", "purpose"):
        review[key] = f"{review[key]} {PAYLOAD}"
    for side in ("exporter", "importer"):
        review["transfer"][side]["name"] += f" {PAYLOAD}"
    vendor = _poison(data["vendor"])
    evaluation = copy.deepcopy(data["evaluation"])
    for result in evaluation["regimes"].values():
        result["why"] += f" {PAYLOAD}"
        result["questions"] = [f"{q} {PAYLOAD}" for q in result["questions"]]
        result["rules"] = _poison(result["rules"])
        result["obligations"] = _poison(result["obligations"])
    doc = build_assessment("pipia", review, evaluation, vendor)
    for section in doc["sections"]:
        section["text"] += f"\n{PAYLOAD}"
    doc["risks"].append(
        {
            "id": "R9",
            "category": "rights",
            "risk": PAYLOAD,
            "likelihood": 2,
            "severity": 2,
            "measure": PAYLOAD,
            "residual": 1,
            "owner": PAYLOAD,
        }
    )
    doc["checklists"] = _poison(build_checklists(evaluation, review, vendor))
    doc["meta"]["submitted_by"] = PAYLOAD

    html = render_html(doc)
    assert "attacker.test" in html  # the text is there ...
    for payload in PAYLOADS:
        assert payload not in html  # ... but never as markup
    assert "&lt;img src=&#34;http://attacker.test/leak.png&#34;&gt;" in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert html.count("<img") == 1  # the packaged mark, inline
    assert '<img class="mark" src="data:image/svg+xml;base64,' in html
    assert "<img" not in render_html(doc, for_pdf=True).replace(
        '<img class="mark" src="xborder-asset:mark.svg" alt="">', ""
    )

    fetcher = RecordingFetcher()
    pdf = render_pdf(doc, url_fetcher=fetcher)
    assert fetcher.urls == ["xborder-asset:mark.svg"]
    _, pages = _text(pdf)
    assert '<img src="file:///etc/passwd">' in " ".join(pages)  # shown as text


def test_fetcher_refuses_everything_but_packaged_assets() -> None:
    fetcher = AssetOnlyFetcher()
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1/",
        "https://example.org/x.css",
        "data:text/plain,hello",
        "ftp://example.org/x",
        "xborder-asset:../rendering.py",
        "xborder-asset:/etc/passwd",
        "xborder-asset:",
        "xborder-asset:missing.css",
    ):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    response = fetcher.fetch("xborder-asset:mark.svg")
    assert response.content_type == "image/svg+xml"
    assert b"<svg" in response.read()


def test_raw_markup_reaching_weasyprint_fetches_nothing() -> None:
    """Defence in depth: even markup that bypassed escaping cannot load anything."""
    fetcher = RecordingFetcher()
    html = (
        '<link rel="stylesheet" href="http://attacker.test/s.css">'
        "<style>@import url(file:///etc/passwd); p { background: url(http://attacker.test/b) }"
        '</style><p>x</p><img src="file:///etc/passwd"><img src="http://attacker.test/i.png">'
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
    )
    HTML(string=html, base_url="xborder-asset:", url_fetcher=fetcher).write_pdf()
    assert fetcher.urls  # weasyprint asked ...
    assert all(not url.startswith("xborder-asset:") for url in fetcher.urls)  # ... and got nothing


def test_every_golden_scenario_renders_every_kind(shared_dir: Path) -> None:
    scenarios = yaml.safe_load((shared_dir / "golden" / "scenarios.yaml").read_text("utf-8"))
    rendered = 0
    for scenario in scenarios:
        review = {
            "id": scenario["id"],
            "transfer": scenario["transfer"],
            "requester": "legal",
            "business_owner": None,
            "purpose": scenario["why"],
        }
        try:
            evaluation = evaluate_transfer(scenario["transfer"], None)
        except ValidationError:  # a scenario the engine rejects is the engine's test to report
            continue
        checklists = build_checklists(evaluation, review, None)
        for kind in KINDS:
            doc = build_assessment(kind, review, evaluation, None)
            doc["checklists"] = checklists
            html = render_html(doc)
            for rule in doc["rules"]:
                assert str(escape(rule["citation"])) in html
            for checklist in checklists:
                assert str(escape(checklist["title"])) in html
            rendered += 1
    assert rendered >= 3 * 10
