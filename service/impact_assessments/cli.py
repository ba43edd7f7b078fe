"""`xborder report`: render an assessment's report to a file."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from service.clikit import domain_command
from service.db import session_scope


@click.command("report")
@click.argument("assessment_id", type=int)
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--version", "number", type=int, help="An earlier saved version.")
@domain_command
def report(
    assessment_id: int, pdf_path: Path | None, html_path: Path | None, number: int | None
) -> None:
    """Write an assessment's report as PDF and/or HTML."""
    from service.impact_assessments import services
    from service.reports.rendering import render_html, render_pdf

    if pdf_path is None and html_path is None:
        raise click.UsageError("Give --pdf FILE and/or --html FILE.")
    with session_scope(current_app) as session:
        assessment = services.get_assessment(session=session, assessment_id=assessment_id)
        document = services.report_document(session=session, assessment=assessment, number=number)
    if pdf_path is not None:
        pdf_path.write_bytes(render_pdf(document))
        click.echo(f"wrote {pdf_path}")
    if html_path is not None:
        html_path.write_text(render_html(document), encoding="utf-8")
        click.echo(f"wrote {html_path}")
