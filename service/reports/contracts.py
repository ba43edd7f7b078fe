"""Render a filled contract (the EU SCCs of an assessment) as PDF, HTML or an editable Word file.

The contract is built from the assessment document (``document["contracts"]``, facts and
legal's options) by `assessments.documents.build_contract`; these are plain functions of the
assessment document, so a background job can call them as they are.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt

from assessments.documents import build_contract
from service.reports.docx import MUTED, UNKNOWN_COLOR, set_fonts, word_field
from service.reports.rendering import html_to_pdf, render_template

TBC = "[to be confirmed"


def contract_document(document: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The renderable contract `key` of an assessment document."""
    contract = document["contracts"][key]  # formats.render checked that it is there
    built = build_contract(
        contract,
        company=document.get("company"),
        vendor=document.get("vendor"),
        meta=document.get("meta"),
    )
    built["review_id"] = document.get("review_id")
    return built


def render_scc_html(document: Mapping[str, Any]) -> str:
    """The SCCs as a standalone HTML page."""
    doc = contract_document(document, "eu_scc")
    return render_template("contract.html.j2", {"doc": doc, "tbc": "[to be confirmed]"})


def render_scc_pdf(document: Mapping[str, Any]) -> bytes:
    """The SCCs as an A4 PDF."""
    return html_to_pdf(render_scc_html(document))


def render_scc_docx(document: Mapping[str, Any]) -> bytes:
    """The SCCs as an editable Word file: Heading styles, tables, page numbers."""
    doc = contract_document(document, "eu_scc")
    word = Document()
    set_fonts(word.styles["Normal"], "Calibri", "SimSun", 10.5)
    for section in word.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin = section.right_margin = Mm(22)
        header = section.header.paragraphs[0]
        header.text = f"{doc['title']} — {doc['company'] or ''} / {doc['vendor'] or ''}"
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("Page ")
        word_field(footer, "PAGE", "1")
        footer.add_run(" of ")
        word_field(footer, "NUMPAGES", "1")

    def para(text: str, *, level: int = 0, label: str | None = None, notes: Any = ()) -> None:
        paragraph = word.add_paragraph()
        if level:
            paragraph.paragraph_format.left_indent = Mm(8 * level)
            paragraph.paragraph_format.first_line_indent = Mm(-8)
        if label:
            paragraph.add_run(f"{label}\t")
        run = paragraph.add_run(text)
        if TBC in text and not label:
            run.bold = True
            run.font.color.rgb = UNKNOWN_COLOR
        for number in notes:
            note = paragraph.add_run(f"({number})")
            note.font.superscript = True

    def table(rows: list[tuple[str, str, bool]]) -> None:
        grid = word.add_table(rows=0, cols=2)
        grid.style = "Table Grid"
        for left, right, unknown in rows:
            cells = grid.add_row().cells
            cells[0].text = left
            cells[0].width, cells[1].width = Mm(62), Mm(104)
            run = cells[1].paragraphs[0].add_run(right)
            if unknown:
                run.bold = True
                run.font.color.rgb = UNKNOWN_COLOR

    word.add_heading(doc["title"], level=0)
    word.add_paragraph(doc["subtitle"], style="Subtitle")
    meta = doc.get("meta") or {}
    table(
        [
            ("Data exporter", doc["company"] or "", False),
            ("Data importer", doc["vendor"] or "", False),
            ("Version", f"{meta.get('version')} ({meta.get('status')}, {meta.get('date')})", False),
        ]
    )
    word.add_heading("Options selected", level=1)
    table([(row["clause"], row["choice"], TBC in row["choice"]) for row in doc["options"]])
    if doc["unknowns"]:
        para("Still to be confirmed before signature: " + "; ".join(doc["unknowns"]) + ".")
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    word.add_heading("STANDARD CONTRACTUAL CLAUSES", level=1)
    section_name = None
    for clause in doc["clauses"]:
        if clause["section"] and clause["section"] != section_name:
            section_name = clause["section"]
            word.add_heading(section_name, level=1)
        word.add_heading(f"{clause['number']} — {clause['title']}", level=2)
        for block in clause["blocks"]:
            if block["kind"] == "heading":
                word.add_heading(block["text"], level=3)
            elif block["kind"] == "pending":
                para(block["text"])
            else:
                para(
                    block["text"],
                    level=block["level"],
                    label=block.get("label"),
                    notes=block.get("notes") or (),
                )
    for note in doc["footnotes"]:
        small = word.add_paragraph().add_run(f"({note['number']}) {note['text']}")
        small.font.size = Pt(8.5)
        small.font.color.rgb = MUTED
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    word.add_heading(doc["appendix"]["heading"], level=1)
    para(f"{doc['appendix']['note_heading']} {doc['appendix']['note']}")
    for annex in doc["annexes"]:
        word.add_heading(f"{annex['annex']} — {annex['heading']}", level=2)
        for note in annex["notes"]:
            para(note)
        for part in annex["parts"]:
            if part["intro"]:
                para(part["intro"])
            table([(row["label"], row["value"], row["unknown"]) for row in part["rows"]])
    source = doc["source"]
    para(
        f"Clause texts: {source['title']}, {source['oj']} (CELEX {source['celex']}), "
        f"{source['url']}, retrieved {source['retrieved']}. {source['reuse']}."
    )
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
