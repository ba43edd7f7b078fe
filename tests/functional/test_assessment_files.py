"""Editable formats over HTTP and the CLI: DOCX report and checklists, XLSX trackers and registers.

Files are read back with python-docx and openpyxl (and converted by LibreOffice where it is
installed); the cache serves a second download of the same version unchanged.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from werkzeug.test import TestResponse

from service.impact_assessments.cli import export, report
from service.reports import formats
from tests.functional.test_impact_assessments_api import (
    Headers,
    change_review,
    create,
    filer,  # noqa: F401  (fixture)
    review_id,  # noqa: F401  (fixture)
)
from tests.helpers import REPORT_CHAPTERS, assert_problem

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _docx(data: bytes) -> Any:
    return Document(io.BytesIO(data))


def _headings(document: Any, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


@pytest.fixture
def pipia(catalog_client: FlaskClient, auth: Headers, review_id: int) -> dict[str, Any]:
    """The PIPIA legal generates on the review, as the API answers it."""
    body: dict[str, Any] = create(catalog_client, auth, review_id).get_json()
    return body


def download(client: FlaskClient, auth: Headers, assessment_id: int, name: str) -> TestResponse:
    """One of an assessment's files (report.docx, checklists.xlsx, ...) as a viewer gets it."""
    return client.get(f"/api/v1/assessments/{assessment_id}/{name}", headers=auth("viewer"))


def test_docx_report_has_the_pdf_content_in_word_structures(
    catalog_client: FlaskClient,
    auth: Headers,
    review_id: int,
    pipia: dict[str, Any],
) -> None:
    response = download(catalog_client, auth, pipia["id"], "report.docx")
    assert response.status_code == 200 and response.mimetype == DOCX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"pipia-review-{review_id}-firebase-v1.docx" in disposition
    document = _docx(response.data)
    sections = pipia["document"]["sections"]
    headings = _headings(document, 1)
    assert [f"{s['number']}. {s['title']}" for s in sections] == [
        h for h in headings if h[:1].isdigit()
    ]
    for title in REPORT_CHAPTERS:
        assert title in headings
    xml = document.element.xml
    assert 'TOC \\o "1-3"' in xml  # a contents field Word fills in
    # Until Word recomputes it with page numbers, the field's result lists the chapters.
    contents = next(i for i, p in enumerate(document.paragraphs) if p.text == "Contents")
    listed = [p.text for p in document.paragraphs[contents + 1 : contents + 3]]
    assert listed == ["Summary of the evaluation", f"1. {sections[0]['title']}"]
    assert any(p.style.name == "Title" for p in document.paragraphs)
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert "PIPIA" in document.sections[0].header.paragraphs[0].text
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Section 702 of the Foreign Intelligence Surveillance Act" in text
    for rule in pipia["document"]["rules"]:
        assert rule["citation"] in cells
    assert "identifiers.device" not in text + cells and "Device identifiers" in cells
    # A Word user edits and saves: the file round-trips through python-docx.
    document.paragraphs[0].text = "Edited by legal"
    again = io.BytesIO()
    document.save(again)
    assert _docx(again.getvalue()).paragraphs[0].text == "Edited by legal"


def test_checklist_downloads_and_tracker(
    catalog_client: FlaskClient,
    auth: Headers,
    pipia: dict[str, Any],
) -> None:
    checklists = download(catalog_client, auth, pipia["id"], "checklists").get_json()
    assert checklists
    response = download(catalog_client, auth, pipia["id"], "checklists.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "Progress" and len(book.sheetnames) == 1 + len(checklists)
    sheet = book[book.sheetnames[1]]
    assert sheet["A1"].value.startswith(checklists[0]["title"])
    assert [c.value for c in sheet[2]][:5] == ["Group", "Item", "Citation", "Pre-filled", "Status"]
    items = checklists[0]["items"]
    assert [row[1].value for row in sheet.iter_rows(min_row=3)] == [i["text"] for i in items]
    assert sheet.data_validations.dataValidation[0].formula1 == '"open,done,n.a."'
    progress = book["Progress"]
    assert progress["A4"].value == checklists[0]["title"] and progress["B4"].value == len(items)
    assert str(progress["D4"].value).startswith("=COUNTIF(")
    words = download(catalog_client, auth, pipia["id"], "checklists.docx")
    assert words.status_code == 200 and words.mimetype == DOCX
    document = _docx(words.data)
    assert [checklists[0]["title"]] == _headings(document, 2)[:1]


def test_registers_list_every_review(
    catalog_client: FlaskClient,
    auth: Headers,
    review_id: int,
) -> None:
    create(catalog_client, auth, review_id)
    response = catalog_client.get("/api/v1/exports/transfer-register.xlsx", headers=auth("viewer"))
    assert response.status_code == 200 and response.mimetype == XLSX
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    assert [r["Review"] for r in rows] == [review_id]
    row = rows[0]
    assert row["China (PIPL): verdict"] == "approval required"
    assert row["China (PIPL): mechanism"] == "CAC security assessment"
    assert row["EU (GDPR): mechanism"] == "EU-US Data Privacy Framework (Art. 45)"
    assert row["Owner"] == "Mobile team" and row["Assessments"] == "PIPIA v1 (Draft)"
    assert row["Filed"] is not None and row["Law applied as of"]
    ropa = catalog_client.get("/api/v1/exports/record-of-processing.xlsx", headers=auth("viewer"))
    sheet = load_workbook(io.BytesIO(ropa.data)).active
    header = [c.value for c in sheet[1]]
    [record] = [
        dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    assert record["Controller (name, country) — Art. 30(1)(a)"].startswith(
        "Ningbo Jus Internet Technology (China)"
    )
    categories = record["Categories of personal data — Art. 30(1)(c)"]
    assert categories == "Device identifiers, Diagnostics"
    assert record["Time limits for erasure — Art. 30(1)(f)"] == "[unknown — to be confirmed]"
    assert catalog_client.get("/api/v1/exports/transfer-register.xlsx").status_code == 401


def test_second_download_is_served_from_the_cache_until_the_document_changes(
    catalog_client: FlaskClient,
    auth: Headers,
    review_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    formats.CACHE.clear()
    calls: list[str] = []
    real = formats.FORMATS["docx"]
    monkeypatch.setitem(
        formats.FORMATS,
        "docx",
        formats.Format(
            real.name,
            real.suffix,
            real.mimetype,
            real.disposition,
            lambda doc: calls.append("docx") or real.render(doc),
        ),
    )
    body = create(catalog_client, auth, review_id).get_json()
    url = f"/api/v1/assessments/{body['id']}/report.docx"
    first = catalog_client.get(url, headers=auth("viewer")).data
    second = catalog_client.get(url, headers=auth("viewer")).data
    assert first == second and calls == ["docx"]
    # Submitting changes the status the document prints: rendered again.
    etag = catalog_client.get(f"/api/v1/assessments/{body['id']}", headers=auth("legal")).headers[
        "ETag"
    ]
    moved = catalog_client.post(
        f"/api/v1/assessments/{body['id']}/transitions",
        json={"to": "in_review"},
        headers={**auth("legal"), "If-Match": etag},
    )
    assert moved.status_code == 200, moved.get_data(as_text=True)
    catalog_client.get(url, headers=auth("viewer"))
    assert calls == ["docx", "docx"]


def test_chinese_pdf_without_a_cjk_font_names_the_fix(
    catalog_client: FlaskClient,
    auth: Headers,
    review_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = create(catalog_client, auth, review_id, language="zh").get_json()
    monkeypatch.setattr(formats, "cjk_font_installed", lambda: False)
    response = download(catalog_client, auth, body["id"], "report.pdf")
    detail = assert_problem(response, 503)["detail"]
    assert "fonts-noto-cjk" in detail
    # Word and HTML use the reader's fonts: still available.
    docx = download(catalog_client, auth, body["id"], "report.docx")
    assert docx.status_code == 200


def test_cli_writes_docx_xlsx_and_registers(
    app: Flask,
    catalog_client: FlaskClient,
    auth: Headers,
    review_id: int,
    tmp_path: Path,
) -> None:
    assessment_id = create(catalog_client, auth, review_id).get_json()["id"]
    docx, xlsx = tmp_path / "a.docx", tmp_path / "a.xlsx"
    runner = app.test_cli_runner()
    result = runner.invoke(report, [str(assessment_id), "--docx", str(docx), "--xlsx", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert "Risk register" in _headings(Document(str(docx)), 1)
    assert load_workbook(xlsx).sheetnames[0] == "Progress"
    register, ropa = tmp_path / "r.xlsx", tmp_path / "p.xlsx"
    result = runner.invoke(export, ["--register", str(register), "--ropa", str(ropa)])
    assert result.exit_code == 0, result.output
    assert load_workbook(register).active["A2"].value == review_id
    assert runner.invoke(export, []).exit_code != 0


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_opens_the_docx(
    catalog_client: FlaskClient,
    auth: Headers,
    pipia: dict[str, Any],
    tmp_path: Path,
) -> None:
    data = download(catalog_client, auth, pipia["id"], "report.docx").data
    source = tmp_path / "report.docx"
    source.write_bytes(data)
    converted = libreoffice_convert(source, "pdf")
    from pypdf import PdfReader

    reader = PdfReader(str(converted))
    assert len(reader.pages) > 5
    assert "Risk register" in " ".join(p.extract_text() or "" for p in reader.pages)


def test_out_of_date_marking_and_refresh_keeps_legals_edits(
    app: Flask,
    catalog_client: FlaskClient,
    auth: Headers,
    review_id: int,
) -> None:
    legal = auth("legal")
    body = create(catalog_client, auth, review_id).get_json()
    url = f"/api/v1/assessments/{body['id']}"
    assert body["outdated"] is None
    assert_problem(
        catalog_client.post(
            f"{url}/refresh",
            headers={
                **legal,
                "If-Match": body and catalog_client.get(url, headers=legal).headers["ETag"],
            },
        ),
        409,
    )
    # Legal edits a section before the review changes.
    etag = catalog_client.get(url, headers=legal).headers["ETag"]
    edit = {"sections": [{"id": "legality", "text": "Consent under PIPL Art. 13(1)."}]}
    assert (
        catalog_client.patch(url, json=edit, headers={**legal, "If-Match": etag}).status_code == 200
    )
    # The review is re-evaluated with different facts: the assessment says it is out of date.
    change = {"transfer": {"data_subjects": [{"jurisdiction": "CN", "count": 50_000}]}}
    change_review(catalog_client, legal, review_id, change)
    current = catalog_client.get(url, headers=legal)
    stale = current.get_json()["outdated"]
    assert stale is not None and stale["latest"] and stale["generated_from"]
    pdf = catalog_client.get(f"{url}/report.docx", headers=auth("viewer"))
    assert "Out of date" in "\n".join(p.text for p in _docx(pdf.data).paragraphs)
    assert_problem(catalog_client.post(f"{url}/refresh", headers=legal), 428)
    assert_problem(
        catalog_client.post(
            f"{url}/refresh", headers={**auth("viewer"), "If-Match": current.headers["ETag"]}
        ),
        403,
    )
    refreshed = catalog_client.post(
        f"{url}/refresh", headers={**legal, "If-Match": current.headers["ETag"]}
    )
    assert refreshed.status_code == 200, refreshed.get_data(as_text=True)
    result = refreshed.get_json()
    document = result["assessment"]["document"]
    assert result["assessment"]["outdated"] is None and result["assessment"]["current_number"] == 3
    legality = next(s for s in document["sections"] if s["id"] == "legality")
    assert legality["text"] == "Consent under PIPL Art. 13(1)."  # legal's edit kept
    assert any("Legality" in k for k in result["kept"])
    # The new evaluation's facts replaced the old ones: 50,000 people, no more 2,000,000.
    overview = next(s for s in document["sections"] if s["id"] == "data")
    assert "50,000" in overview["text"] and "2,000,000" not in overview["text"]
    assert result["diff"]["from"] == 2 and result["diff"]["to"] == 3 and result["diff"]["changed"]
    assert any(s["id"] == "data" for s in result["diff"]["sections"])
    from sqlalchemy import select

    from service.audit.models import AuditEvent
    from service.db import session_scope

    with app.app_context(), session_scope() as session:
        actions = [
            e.action
            for e in session.scalars(
                select(AuditEvent).where(
                    AuditEvent.object_type == "assessment", AuditEvent.object_id == str(body["id"])
                )
            )
        ]
    assert "refresh" in actions


def libreoffice_convert(source: Path, to: str) -> Path:
    """Convert a file with headless LibreOffice; the result (`to` its suffix) lies beside it."""
    subprocess.run(
        ["soffice", "--headless", "--convert-to", to, "--outdir", str(source.parent), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return source.with_suffix(f".{to}")


def _calc_installed() -> bool:
    """Whether LibreOffice has its spreadsheet module (Calc) beside soffice."""
    soffice = shutil.which("soffice")
    return soffice is not None and (Path(soffice).resolve().parent / "libsclo.so").exists()


@pytest.mark.skipif(not _calc_installed(), reason="LibreOffice Calc not installed")
def test_libreoffice_opens_the_xlsx(
    catalog_client: FlaskClient,
    auth: Headers,
    pipia: dict[str, Any],
    tmp_path: Path,
) -> None:
    tracker = tmp_path / "tracker.xlsx"
    tracker.write_bytes(download(catalog_client, auth, pipia["id"], "checklists.xlsx").data)
    # The CSV of the first sheet (Progress) lists each checklist LibreOffice read.
    progress = libreoffice_convert(tracker, "csv").read_text(encoding="utf-8", errors="replace")
    assert pipia["checklists"][0]["title"] in progress


def test_chinese_docx_is_chinese_in_the_official_layout(
    catalog_client: FlaskClient,
    auth: Headers,
    review_id: int,
) -> None:
    from docx.oxml.ns import qn

    body = create(catalog_client, auth, review_id, language="zh").get_json()
    data = download(catalog_client, auth, body["id"], "report.docx")
    assert data.status_code == 200
    document = _docx(data.data)
    section = document.sections[0]
    # A4; GB/T 9704-2012 margins (top 37 mm, left 28 mm, text block 156 x 225 mm).
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    text_width = section.page_width.mm - section.left_margin.mm - section.right_margin.mm
    assert round(text_width) == 156
    normal = document.styles["Normal"]
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋" and normal.font.size.pt == 16
    headings = _headings(document, 1)
    assert headings[1] == f"1. {body['document']['sections'][0]['title']}"
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in headings)
