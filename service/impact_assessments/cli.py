"""`xborder report` and `xborder export`: write an assessment or a register to files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from service.clikit import OUTPUT_FILE, domain_command
from service.db import session_scope


@click.command("report")
@click.argument("assessment_id", type=int)
@click.option("--pdf", "pdf_path", type=OUTPUT_FILE, help="The report as PDF.")
@click.option("--html", "html_path", type=OUTPUT_FILE, help="The report as standalone HTML.")
@click.option("--docx", "docx_path", type=OUTPUT_FILE, help="The report as an editable Word file.")
@click.option("--xlsx", "xlsx_path", type=OUTPUT_FILE, help="The checklist trackers as Excel.")
@click.option(
    "--checklists-docx", "checklists_path", type=OUTPUT_FILE, help="The checklists as Word."
)
@click.option("--scc-pdf", "scc_pdf_path", type=OUTPUT_FILE, help="The filled EU SCCs as PDF.")
@click.option("--scc-docx", "scc_docx_path", type=OUTPUT_FILE, help="The filled EU SCCs as Word.")
@click.option("--version", "number", type=int, help="An earlier saved version.")
@domain_command
def report(
    assessment_id: int,
    pdf_path: Path | None,
    html_path: Path | None,
    docx_path: Path | None,
    xlsx_path: Path | None,
    checklists_path: Path | None,
    scc_pdf_path: Path | None,
    scc_docx_path: Path | None,
    number: int | None,
) -> None:
    """Write an assessment's report (PDF, HTML, DOCX), checklists (XLSX, DOCX) and filled EU
    SCCs (PDF, DOCX)."""
    from service.impact_assessments import services
    from service.reports.formats import render

    wanted = {
        "pdf": pdf_path,
        "html": html_path,
        "docx": docx_path,
        "checklists.xlsx": xlsx_path,
        "checklists.docx": checklists_path,
        "scc.pdf": scc_pdf_path,
        "scc.docx": scc_docx_path,
    }
    if not any(wanted.values()):
        raise click.UsageError(
            "Give at least one of --pdf, --html, --docx, --xlsx, --scc-pdf, --scc-docx FILE."
        )
    with session_scope(current_app) as session:
        assessment = services.get_assessment(session=session, assessment_id=assessment_id)
        document = services.report_document(session=session, assessment=assessment, number=number)
    for name, path in wanted.items():
        if path is None:
            continue
        path.write_bytes(render(document, name))
        click.echo(f"wrote {path}")


@click.command("export")
@click.option("--register", "register_path", type=OUTPUT_FILE, help="The transfer register (XLSX).")
@click.option("--ropa", "ropa_path", type=OUTPUT_FILE, help="The GDPR Art. 30 record (XLSX).")
@domain_command
def export(register_path: Path | None, ropa_path: Path | None) -> None:
    """Write the transfer register and/or the GDPR Art. 30 record of processing as Excel."""
    from service.impact_assessments import exports
    from service.reports.xlsx import register_xlsx, ropa_xlsx

    if register_path is None and ropa_path is None:
        raise click.UsageError("Give --register FILE and/or --ropa FILE.")
    with session_scope(current_app) as session:
        if register_path is not None:
            register_path.write_bytes(register_xlsx(exports.register_rows(session=session)))
            click.echo(f"wrote {register_path}")
        if ropa_path is not None:
            ropa_path.write_bytes(ropa_xlsx(exports.ropa_rows(session=session)))
            click.echo(f"wrote {ropa_path}")
