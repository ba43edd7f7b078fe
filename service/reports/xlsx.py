"""Excel workbooks (openpyxl): the transfer register, the GDPR Art. 30 record, checklist trackers.

Plain functions of plain rows (service/impact_assessments/exports.py builds them from the
database), so a background job can call them as they are. Every sheet has a bold, frozen
header row with filters; statuses in the tracker are a drop-down list.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from assessments.documents.checklists import DONE, NOT_APPLICABLE, OPEN

HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
WRAP = Alignment(wrap_text=True, vertical="top")
REGISTER_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("id", "Review", 8),
    ("vendor", "Vendor", 24),
    ("exporter", "Exporter", 28),
    ("purpose", "Purpose", 40),
    ("status", "Review status", 12),
    ("cn_verdict", "China (PIPL): verdict", 18),
    ("cn_mechanism", "China (PIPL): mechanism", 28),
    ("eu_verdict", "EU (GDPR): verdict", 18),
    ("eu_mechanism", "EU (GDPR): mechanism", 28),
    ("us_verdict", "United States: verdict", 18),
    ("us_mechanism", "United States: mechanism", 28),
    ("overall", "Overall risk", 14),
    ("assessments", "Assessments", 30),
    ("as_of", "Law applied as of", 14),
    ("evaluated_at", "Last evaluated", 18),
    ("created_at", "Filed", 18),
    ("updated_at", "Last changed", 18),
    ("requester", "Requested by", 24),
    ("business_owner", "Owner", 24),
)
ROPA_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("id", "Review", 8),
    ("controller", "Controller (name, country) — Art. 30(1)(a)", 30),
    ("purposes", "Purposes of the processing — Art. 30(1)(b)", 40),
    ("data_subjects", "Categories of data subjects — Art. 30(1)(c)", 28),
    ("data_categories", "Categories of personal data — Art. 30(1)(c)", 36),
    ("recipients", "Recipients — Art. 30(1)(d)", 30),
    ("transfers", "Transfers to third countries and safeguards — Art. 30(1)(e)", 44),
    ("retention", "Time limits for erasure — Art. 30(1)(f)", 24),
    ("security", "Technical and organisational measures — Art. 30(1)(g)", 36),
    ("business_owner", "Owner", 22),
)


def _sheet(
    sheet: Worksheet, columns: Sequence[tuple[str, str, int]], rows: Iterable[Mapping[str, Any]]
) -> int:
    """Write a header (below anything already on the sheet) and rows; the data row count."""
    sheet.append([title for _, title, _ in columns])
    header = sheet.max_row
    for index, (_, _, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = sheet.cell(row=header, column=index)
        cell.fill, cell.font, cell.alignment = HEADER_FILL, HEADER_FONT, WRAP
    count = 0
    for row in rows:
        sheet.append([_cell(row.get(key)) for key, _, _ in columns])
        count += 1
    for cells in sheet.iter_rows(min_row=header + 1):
        for cell in cells:
            cell.alignment = WRAP
    sheet.freeze_panes = f"B{header + 1}"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{header}:{last}{header + count}"
    return count


def _cell(value: Any) -> Any:
    """A value as a cell takes it: lists joined, aware datetimes as naive UTC."""
    if isinstance(value, list | tuple):
        return "\n".join(str(item) for item in value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)
    return value


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _book(title: str) -> tuple[Workbook, Worksheet]:
    """A new workbook and its first sheet, titled."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    return book, sheet


def register_xlsx(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The transfer register: every review with its verdict and mechanism per regime."""
    book, sheet = _book("Transfer register")
    _sheet(sheet, REGISTER_COLUMNS, rows)
    for column in ("O", "P", "Q"):
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm"
    return _save(book)


def ropa_xlsx(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """A record of processing activities (GDPR Art. 30(1)) with one row per review."""
    book, sheet = _book("Art. 30 record")
    _sheet(sheet, ROPA_COLUMNS, rows)
    notes = book.create_sheet("About")
    notes.append(["Record of processing activities under GDPR Art. 30(1), one row per review."])
    notes.append(["Cells reading '[unknown — to be confirmed]' need legal's input."])
    notes.column_dimensions["A"].width = 90
    return _save(book)


def checklist_xlsx(document: Mapping[str, Any]) -> bytes:
    """Checklist trackers: a progress sheet and one sheet per checklist with a status list."""
    labels: Mapping[str, Any] = document["labels"]
    statuses = labels["item_status_values"]
    book, summary = _book("Progress")
    summary.append([str(document.get("title") or ""), str(document.get("subtitle") or "")])
    summary.append([])
    summary.append(["Checklist", "Items", "Not applicable", "Done", "Open", "Done (%)"])
    for cell in summary[3]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    summary.column_dimensions["A"].width = 60
    checklists = list(document.get("checklists") or [])
    na, done, open_ = (statuses.get(k, k) for k in (NOT_APPLICABLE, DONE, OPEN))
    for number, checklist in enumerate(checklists, start=1):
        sheet = book.create_sheet(f"Checklist {number}")
        columns = (
            ("group", "Group", 18),
            ("text", "Item", 60),
            ("citation", "Citation", 26),
            ("value", "Pre-filled", 40),
            ("status", "Status", 12),
            ("who", "Who", 14),
            ("when", "When", 18),
            ("evidence", "Evidence", 36),
        )
        rows = [
            {
                **item,
                "status": statuses.get(item["status"], item["status"]),
                "value": item.get("value")
                or (labels["unknown"] if item.get("value_unknown") else ""),
            }
            for item in checklist["items"]
        ]
        sheet.append([f"{checklist['title']} — {checklist['citation']}"])
        sheet["A1"].font = Font(bold=True, size=12)
        count = _sheet(sheet, columns, rows)
        choice = DataValidation(
            type="list", formula1='"' + ",".join((open_, done, na)) + '"', allow_blank=False
        )
        sheet.add_data_validation(choice)
        choice.add(f"E3:E{count + 2}")
        # Live counts, so progress follows the tracker as legal updates it.
        status_range = f"'{sheet.title}'!E3:E{count + 2}"
        row = summary.max_row + 1
        summary.append(
            [
                str(checklist["title"]),
                count,
                f'=COUNTIF({status_range},"{na}")',
                f'=COUNTIF({status_range},"{done}")',
                f'=COUNTIF({status_range},"{open_}")',
                f"=IF(B{row}-C{row}=0,100,ROUND(100*D{row}/(B{row}-C{row}),0))",
            ]
        )
    return _save(book)
