"""`xborder vendors import|export`: the registry in and out as CSV, JSON or YAML."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app

from service.clikit import INPUT_FILE, OUTPUT_FILE, domain_command
from service.db import session_scope
from service.reference.services import get_reference
from service.vendors.io import export, formats, upsert

# How many rows make a file large enough to show progress.
PROGRESS_THRESHOLD = 500


@click.group()
def vendors() -> None:
    """The vendor registry in bulk."""


# What each step of an import shows on its progress bar.
STEP_LABELS: dict[upsert.ImportStep, str] = {
    "validate": "Validating {} rows",
    "write": "Writing {} vendors",
}


@contextmanager
def _progress(step: upsert.ImportStep, total: int) -> Iterator[upsert.Tick | None]:
    """A progress bar on stderr per step of a large file's import; nothing for small ones."""
    if total < PROGRESS_THRESHOLD:
        yield None
        return
    label = STEP_LABELS[step].format(total)
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


@vendors.command("import")
@click.argument("file", type=INPUT_FILE)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(tuple(formats.FORMATS)),
    help="Default: from the file's extension.",
)
@click.option("--dry-run", is_flag=True, help="Validate and list what would change; write nothing.")
@domain_command
def vendors_import(file: Path, fmt: str | None, dry_run: bool) -> None:
    """Import vendors from FILE (upsert by slug): every row valid, or nothing is written."""
    fmt = formats.detect_format(file.name, fmt)
    reference = get_reference()
    try:
        # Paused through the commit too, as before (import_file pauses around its own steps).
        with upsert.gc_paused(), session_scope(current_app) as session:
            report = upsert.import_file(
                session=session,
                data=file.read_bytes(),
                fmt=fmt,
                reference=reference,
                dry_run=dry_run,
                progress=_progress,
            )
            if dry_run:
                session.rollback()
    except formats.ImportInvalid as exc:
        for problem in exc.rows:
            click.echo(f"row {problem.row}, {problem.field}: {problem.message}", err=True)
        raise click.ClickException(exc.detail) from None
    if dry_run:
        for verb, slugs in (
            ("create", report.created),
            ("update", report.updated),
            ("unchanged", report.unchanged),
        ):
            for slug in slugs:
                click.echo(f"{verb}\t{slug}")
    prefix = "dry run, nothing written: would have " if dry_run else ""
    click.echo(
        f"{prefix}{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged"
    )


@vendors.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(tuple(formats.FORMATS)),
    help="Default: from --output's extension, else json.",
)
@click.option(
    "--output",
    "-o",
    type=OUTPUT_FILE,
    help="Write here instead of standard output.",
)
@domain_command
def vendors_export(fmt: str | None, output: Path | None) -> None:
    """Export every non-archived vendor as CSV, JSON or YAML."""
    if fmt is None:
        fmt = formats.detect_format(output.name) if output and "." in output.name else "json"
    with session_scope(current_app) as session:
        text = export.export_vendors(session=session, fmt=fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        click.echo(f"wrote {output}", err=True)
