"""Render an assessment document (or its checklists) as an editable Word file (python-docx).

Same content as the PDF (service/reports/rendering.py reads the same document): cover,
a table-of-contents field Word fills in on opening, the summary, the sections in real
"Heading 1/2/3" styles, the risk register and map, rules, obligations, questions,
checklists, validation and the appendix as tables; running header and a "Page x of y" footer.
A plain function of the document, so a background job can call it as it is.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from service.reports.markup import blocks, runs
from service.reports.rendering import report_context

# Word picks these by name on the reader's machine; nothing is embedded or downloaded.
# Page layouts: A4 for both. The Chinese one follows GB/T 9704-2012 (党政机关公文格式), the
# layout Chinese official filings use: top margin 37 mm, left 28 mm, a 156 x 225 mm text
# block, body text 仿宋 in size 3 (16 pt), 22 lines a page (fixed 28.95 pt spacing), headings
# in 黑体.
LAYOUTS: dict[str, dict[str, Any]] = {
    "en": {
        "latin": "Calibri",
        "east_asia": "SimSun",
        "heading_east_asia": "SimSun",
        "size": 10.5,
        "line": None,
        "margins": {"top": 22, "bottom": 20, "left": 22, "right": 22},
    },
    "zh": {
        "latin": "Times New Roman",
        "east_asia": "仿宋",
        "heading_east_asia": "黑体",
        "size": 16,
        "line": 28.95,
        "margins": {"top": 37, "bottom": 35, "left": 28, "right": 26},
    },
}
UNKNOWN_COLOR = RGBColor(0xB4, 0x53, 0x09)
MUTED = RGBColor(0x55, 0x5F, 0x6D)


def set_fonts(style: Any, latin: str, east_asia: str, size: float | None = None) -> None:
    style.font.name = latin
    if size is not None:
        style.font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def word_field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES ...) that Word computes; `placeholder` shows until then."""
    _field_start(paragraph, instruction)
    paragraph.add_run(placeholder)
    _field_end(paragraph)


def _field_start(paragraph: Any, instruction: str) -> None:
    """The opening of a field whose result follows (possibly over several paragraphs)."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run._r.append(begin)
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    run = paragraph.add_run()
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(separate)


def _field_end(paragraph: Any) -> None:
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _shade(cell: Any, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


class _Writer:
    """Writes one document; keeps the labels and the unknown marker at hand."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.context = context
        self.labels: Mapping[str, Any] = context["labels"]
        self.unknown: str = context["unknown"]
        self.doc = Document()
        language = str(context["doc"].get("language") or "en")
        layout = LAYOUTS.get(language, LAYOUTS["en"])
        styles = self.doc.styles
        set_fonts(styles["Normal"], layout["latin"], layout["east_asia"], layout["size"])
        if layout["line"]:
            styles["Normal"].paragraph_format.line_spacing = Pt(layout["line"])
        for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Subtitle"):
            set_fonts(styles[name], layout["latin"], layout["heading_east_asia"])
        # Style ids resolved once: python-docx looks a style name up by scanning every style.
        self.style_ids = {
            name: styles[name].style_id
            for name in (
                "Title",
                "Subtitle",
                "Heading 1",
                "Heading 2",
                "Heading 3",
                "List Bullet",
                "List Number",
                "TOC Heading",
                "Table Grid",
            )
        }
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side, millimetres in layout["margins"].items():
            setattr(section, f"{side}_margin", Mm(millimetres))
        # Ask Word to refresh fields (contents, page numbers) when the file is opened.
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        self.doc.settings.element.append(update)

    # -------------------------------------------------------------- building blocks

    def para(
        self,
        text: str = "",
        *,
        style: str | None = None,
        italic: bool = False,
        small: bool = False,
        color: RGBColor | None = None,
    ) -> Any:
        paragraph = self.doc.add_paragraph()
        if style is not None:
            paragraph._p.get_or_add_pPr().get_or_add_pStyle().val = self.style_ids[style]
        if text:
            self._runs(paragraph, text, italic=italic, small=small, color=color)
        return paragraph

    def _runs(
        self,
        paragraph: Any,
        text: str,
        *,
        italic: bool = False,
        small: bool = False,
        color: RGBColor | None = None,
    ) -> None:
        for piece, bold, emphasis in runs(text):
            parts = piece.split(self.unknown) if self.unknown else [piece]
            for index, part in enumerate(parts):
                if index:
                    marker = paragraph.add_run(self.unknown)
                    marker.font.color.rgb = UNKNOWN_COLOR
                    marker.bold = True
                if part:
                    run = paragraph.add_run(part)
                    if bold:
                        run.bold = True
                    if emphasis or italic:
                        run.italic = True
                    if small:
                        run.font.size = Pt(8.5)
                    if color is not None:
                        run.font.color.rgb = color

    def heading(self, text: str, level: int) -> Any:
        """A paragraph in Word's own Title / Heading n style (what the contents field reads)."""
        return self.para(text, style="Title" if level == 0 else f"Heading {level}")

    def text(self, text: str) -> None:
        """Legal's Markdown-like text as Word paragraphs, lists and sub-headings."""
        for kind, line in blocks(text):
            if kind == "ul":
                self.para(line, style="List Bullet")
            elif kind == "ol":
                self.para(line, style="List Number")
            elif kind == "h":
                self.heading(line, level=3)
            else:
                self.para(line)

    def table(
        self,
        header: Sequence[str] | None,
        rows: Iterable[Sequence[Any]],
        widths: Sequence[float] | None = None,
    ) -> Any:
        rows = list(rows)
        columns = len(header) if header else (len(rows[0]) if rows else 1)
        table = self.doc.add_table(rows=0, cols=columns)
        properties = table._tbl.tblPr
        style = OxmlElement("w:tblStyle")
        style.set(qn("w:val"), self.style_ids["Table Grid"])
        properties.insert(0, style)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if header:
            cells = table.add_row().cells
            for cell, title in zip(cells, header, strict=True):
                cell.text = ""
                run = cell.paragraphs[0].add_run(str(title))
                run.bold = True
                run.font.size = Pt(9)
                _shade(cell, "E8ECF2")
            _repeat_header(table.rows[0])
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                self._runs(cell.paragraphs[0], "" if value is None else str(value), small=True)
        if widths:
            for column, width in zip(table.columns, widths, strict=False):
                column.width = Mm(width)
            if table.rows:
                for cell, width in zip(table.rows[0].cells, widths, strict=False):
                    cell.width = Mm(width)
        self.doc.add_paragraph()
        return table

    def or_unknown(self, value: Any) -> str:
        return self.unknown if value in (None, "") else str(value)

    # -------------------------------------------------------------- parts

    def header_footer(self) -> None:
        doc, meta, L = self.context["doc"], self.context["meta"], self.labels
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.text = f"{doc['short_title']} — {doc.get('company') or self.unknown}"
        header.add_run(f"\t\t{L['confidential']}").font.size = Pt(8)
        footer = section.footer.paragraphs[0]
        footer.text = (
            f"{doc.get('vendor') or self.unknown} · {L['version']} {meta['version']} · "
            f"{self.context['status_label']}\t\t{L['page']} "
        )
        word_field(footer, "PAGE", "1")
        footer.add_run(f" {L['page_of']} ")
        word_field(footer, "NUMPAGES", "1")
        if L.get("page_suffix"):
            footer.add_run(str(L["page_suffix"]))

    def cover(self) -> None:
        doc, meta, L = self.context["doc"], self.context["meta"], self.labels
        self.para(str(L["confidential"]).upper(), small=True, color=MUTED)
        self.para(str(doc["framework"]), italic=True, small=True, color=MUTED)
        self.heading(str(doc["title"]), level=0)
        self.para(str(doc["subtitle"]), style="Subtitle")
        review = doc.get("review_id")
        self.table(
            None,
            [
                (L["company"], self.or_unknown(doc.get("company"))),
                (L["vendor"], self.or_unknown(doc.get("vendor"))),
                (L["review"], self.or_unknown(review)),
                (L["version"], meta["version"]),
                (L["status"], self.context["status_label"]),
                (L["date"], self.or_unknown(meta.get("date"))),
                (L["as_of"], self.or_unknown(doc.get("as_of"))),
                (L["requester"], self.or_unknown(doc.get("requester"))),
                (L["business_owner"], self.or_unknown(doc.get("business_owner"))),
            ],
            widths=(55, 110),
        )
        if doc.get("outdated"):
            self.para(str(L["outdated"]), color=UNKNOWN_COLOR)
        self.para(
            str(L["generated"]).format(
                review=review if review is not None else "—", as_of=doc.get("as_of") or "—"
            ),
            small=True,
            color=MUTED,
        )
        self.page_break()

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def contents(self) -> None:
        """A TOC field; its result lists the chapters until Word recomputes it with pages."""
        title = self.para(str(self.labels["contents"]), style="TOC Heading")
        title.runs[0].bold = True
        self.toc = self.para()
        self.page_break()

    def _fill_contents(self) -> None:
        """The TOC field around the chapter list (done last, when every heading exists)."""
        toc = getattr(self, "toc", None)
        if toc is None:
            return
        heading = self.style_ids["Heading 1"]
        titles = [
            p.text
            for p in self.doc.paragraphs
            if p._p.pPr is not None
            and p._p.pPr.pStyle is not None
            and p._p.pPr.pStyle.val == heading
        ]
        _field_start(toc, 'TOC \\o "1-3" \\h \\z \\u')
        toc.add_run(titles[0] if titles else "")
        last = toc
        for text in titles[1:]:
            entry = OxmlElement("w:p")
            last._p.addnext(entry)
            last = Paragraph(entry, toc._parent)
            last.add_run(text)
        _field_end(last)

    def summary(self) -> None:
        doc, L = self.context["doc"], self.labels
        self.heading(str(L["summary"]), level=1)
        self.para(str(L["summary_intro"]).format(as_of=doc.get("as_of") or "—"))
        rows = []
        for row in doc["summary"]:
            level = f"{row['level_label']} {row['score']}" if row.get("level") else "—"
            mechanism = row.get("mechanism_label") or "—"
            if row.get("met"):
                mechanism += f" ({L['met']})"
            rows.append((row["name"], row["verdict_label"], mechanism, level, row["why"]))
        self.table(
            (L["regime"], L["verdict"], L["mechanism"], L["level"], L["why"]),
            rows,
            widths=(25, 22, 30, 18, 70),
        )
        overall = doc.get("overall") or {}
        if overall.get("level"):
            level = L["level_values"].get(overall["level"], overall["level"])
            self.para(f"**{L['overall']}:** {level} ({L['score']} {overall.get('score')})")
        if doc.get("unknowns"):
            self.heading(str(L["unknowns"]), level=2)
            for label in doc["unknowns"]:
                self.para(str(label), style="List Bullet")

    def sections(self) -> None:
        L = self.labels
        for section in self.context["doc"]["sections"]:
            self.heading(f"{section['number']}. {section['title']}", level=1)
            if section.get("citation"):
                self.para(str(section["citation"]), italic=True, small=True, color=MUTED)
            if section.get("guidance"):
                self.para(f"**{L['guidance']}:** {section['guidance']}", small=True, color=MUTED)
            self.text(str(section.get("text") or ""))
            if section.get("screening"):
                self.heading(str(L["wp248"]), level=2)
                self.table(
                    ("#", L["criterion"], L["criterion_status"], L["basis"]),
                    [
                        (r["number"], r["title"], r["status_label"], r["basis"])
                        for r in section["screening"]
                    ],
                    widths=(8, 75, 27, 55),
                )
            if section.get("facts"):
                self.heading(str(L["facts"]), level=2)
                self.table(
                    None,
                    [
                        (f["label"], self.unknown if f["unknown"] else f["value"])
                        for f in section["facts"]
                    ],
                    widths=(60, 105),
                )
            parts = (("findings", L["engine_findings"]), ("obligations", L["obligations"]))
            for key, title in parts:
                if section.get(key):
                    self.heading(str(title), level=2)
                    for entry in section[key]:
                        text = entry.get("explanation") or entry.get("text") or ""
                        due = f" — {L['due']}: {entry['due']}" if entry.get("due") else ""
                        self.para(f"{text} *[{entry['citation']}]*{due}", style="List Bullet")

    def risks(self) -> None:
        doc, L = self.context["doc"], self.labels
        scale = L["scale_values"]

        def rated(value: Any) -> str:
            return self.unknown if value in (None, "") else str(scale.get(str(value), value))

        self.heading(str(L["risk_register"]), level=1)
        self.para(str(L["risk_register_intro"]), small=True, color=MUTED)
        for risk in doc.get("risks") or []:
            category = L["category_values"].get(risk.get("category"), risk.get("category") or "")
            self.heading(f"{risk.get('id', '')} — {category}", level=3)
            self.para(str(risk.get("risk") or ""))
            likelihood = rated(risk.get("likelihood"))
            severity = rated(risk.get("severity"))
            self.table(
                None,
                [
                    (L["likelihood"], likelihood, risk.get("likelihood_basis") or ""),
                    (
                        L["severity"],
                        severity,
                        risk.get("severity_basis") or risk.get("basis") or "",
                    ),
                    (L["residual"], rated(risk.get("residual")), ""),
                    (L["owner"], self.or_unknown(risk.get("owner")), ""),
                ],
                widths=(30, 30, 105),
            )
            self.para(f"**{L['measure']}:**")
            if risk.get("measure"):
                self.text(str(risk["measure"]))
            else:
                self.para(self.unknown)
        self.heading(str(L["risk_map"]), level=2)
        cells = self.context["risk_map"]["cells"]
        rows = [
            [rated(severity)] + [" ".join(cells.get(f"{severity}-{lk}", [])) for lk in (1, 2, 3, 4)]
            for severity in (4, 3, 2, 1)
        ]
        self.table(
            [f"{L['severity']} \\ {L['likelihood']}"] + [rated(lk) for lk in (1, 2, 3, 4)],
            rows,
            widths=(35, 32, 32, 32, 32),
        )
        if self.context["risk_map"]["unplaced"]:
            unplaced = ", ".join(self.context["risk_map"]["unplaced"])
            self.para(f"{L['risk_map_unrated']}: {unplaced}", small=True)

    def engine(self) -> None:
        doc, L = self.context["doc"], self.labels
        names = L["regime_names"]
        self.heading(str(L["rules"]), level=1)
        if doc.get("rules"):
            self.table(
                (L["regime"], L["citation"], L["explanation"]),
                [
                    (
                        r.get("regime_name") or names.get(r["regime"], r["regime"]),
                        r["citation"],
                        r["explanation"]
                        + (f"\n{r['remediation']}" if r.get("remediation") else ""),
                    )
                    for r in doc["rules"]
                ],
                widths=(25, 40, 100),
            )
        else:
            self.para(str(L["no_rules"]))
        self.heading(str(L["obligations"]), level=1)
        if doc.get("obligations"):
            self.table(
                (L["regime"], L["obligation"], L["citation"], L["due"]),
                [
                    (
                        o.get("regime_name") or names.get(o["regime"], o["regime"]),
                        o["text"],
                        o["citation"],
                        o.get("due") or "—",
                    )
                    for o in doc["obligations"]
                ],
                widths=(25, 80, 35, 25),
            )
        else:
            self.para(str(L["no_items"]))
        self.heading(str(L["questions"]), level=1)
        if doc.get("questions"):
            self.para(str(L["questions_intro"]), small=True, color=MUTED)
            for question in doc["questions"]:
                regime = names.get(question["regime"], question["regime"])
                self.para(f"**{regime}:** {question['text']}", style="List Number")
        else:
            self.para(str(L["no_items"]))

    def checklists(self) -> None:
        L = self.labels
        statuses = L["item_status_values"]
        checklists = self.context["checklists"]
        if not checklists:
            return
        self.heading(str(L["checklists"]), level=1)
        for checklist in checklists:
            self.heading(str(checklist["title"]), level=2)
            self.para(str(checklist["citation"]), italic=True, small=True, color=MUTED)
            progress = checklist["progress"]
            self.para(
                f"{L['progress']}: {progress['done']} / {progress['applicable']} "
                f"({int(progress['percent'])}%)"
            )
            rows = []
            for item in checklist["items"]:
                text = f"**{item['group']}** — {item['text']}\n*{item['citation']}*"
                if item.get("value"):
                    text += f"\n{L['value']}: {item['value']}"
                elif item.get("value_unknown"):
                    text += f"\n{self.unknown}"
                rows.append(
                    (
                        text,
                        item.get("who") or "—",
                        item.get("when") or "—",
                        statuses.get(item["status"], item["status"]),
                        item.get("evidence") or "",
                    )
                )
            self.table(
                (L["item"], L["who"], L["when"], L["status"], L["evidence"]),
                rows,
                widths=(80, 18, 22, 17, 28),
            )

    def approval(self) -> None:
        meta, L = self.context["meta"], self.labels
        self.heading(str(L["approval"]), level=1)
        self.para(str(L["approval_intro"]))
        submitted = " · ".join(
            str(v) for v in (meta.get("submitted_by"), meta.get("submitted_at")) if v
        )
        decided = " · ".join(str(v) for v in (meta.get("decided_by"), meta.get("decided_at")) if v)
        self.table(
            None,
            [
                (L["status"], self.context["status_label"]),
                (L["version"], meta["version"]),
                (L["reviewed_by"], submitted),
                (L["approved_by"], decided),
                (f"{L['signature']} — {L['reviewed_by']}", ""),
                (f"{L['signature']} — {L['approved_by']}", ""),
            ],
            widths=(60, 105),
        )

    def appendix(self) -> None:
        doc, L = self.context["doc"], self.labels
        self.heading(str(L["appendix"]), level=1)
        parts = (
            ("review", L["appendix_review"]),
            ("vendor", L["appendix_vendor"]),
            ("evaluation", L["appendix_evaluation"]),
        )
        letter = 0
        for key, title in parts:
            rows = (doc.get("appendix") or {}).get(key)
            if not rows:
                continue
            letter += 1
            self.heading(f"{'ABC'[letter - 1]}. {title}", level=2)
            if isinstance(rows, str):  # documents generated before schema 2
                self.para(rows, small=True)
            else:
                self.table(None, [(row[0], row[1]) for row in rows], widths=(60, 105))

    def save(self) -> bytes:
        self._fill_contents()
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def render_docx(document: Mapping[str, Any]) -> bytes:
    """The whole assessment report as a .docx file."""
    writer = _Writer(report_context(document))
    writer.header_footer()
    writer.cover()
    writer.contents()
    writer.summary()
    writer.sections()
    writer.risks()
    writer.engine()
    writer.checklists()
    writer.approval()
    writer.appendix()
    return writer.save()


def render_checklists_docx(document: Mapping[str, Any]) -> bytes:
    """The assessment's contract and filing checklists alone, as a .docx file."""
    writer = _Writer(report_context(document))
    writer.header_footer()
    heading = writer.heading(str(writer.labels["checklists"]), level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.LEFT
    writer.para(str(document["subtitle"]), style="Subtitle")
    writer.checklists()
    return writer.save()
