"""`xborder catalog validate|stats|update|import-list`: check the catalog, summarise it, load
it, and compare an official list file (CSL, TCF GVL, DPF) with the registry (--apply writes)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

import vendor_data
from assessments.catalog import Catalog, read_catalog
from assessments.catalog.coverage import fact_coverage, stale_facts
from assessments.catalog.lists import KINDS
from service.catalog.lists import diff_to_plain, import_list
from service.catalog.services import snapshot_catalog, update_catalog
from service.clikit import INPUT_FILE, domain_command, dumps
from service.db import session_scope
from service.reference.services import get_reference

_catalog_dir = click.option(
    "--catalog-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Catalog directory (default: the vendor_data/ shipped with xborder).",
)


def _read(catalog_dir: Path | None) -> Catalog:
    return read_catalog(catalog_dir or Path(vendor_data.DATA_DIR))


@click.command("validate")
@_catalog_dir
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on the strict checks too (openable sources for every fact, ...).",
)
@click.option("--warnings", "show_warnings", is_flag=True, help="List the strict-check warnings.")
def validate_command(catalog_dir: Path | None, strict: bool, show_warnings: bool) -> None:
    """Check every catalog file; print each problem as file:line: message."""
    catalog = read_catalog(catalog_dir or Path(vendor_data.DATA_DIR), strict=strict)
    for problem in catalog.problems:
        click.echo(str(problem))
    if show_warnings:
        for warning in catalog.warnings:
            click.echo(str(warning))
    if catalog.problems:
        raise click.exceptions.Exit(1)
    tail = (
        f"; {len(catalog.warnings)} warning(s) from strict checks (--warnings lists them, "
        "--strict fails on them)"
        if catalog.warnings
        else ""
    )
    click.echo(f"catalog {catalog.version}: {len(catalog.vendors)} vendors, no problems{tail}")


@click.command("stats")
@_catalog_dir
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@click.option(
    "--stale", is_flag=True, help="List the facts not re-checked against a source in 12 months."
)
def stats_command(catalog_dir: Path | None, as_json: bool, stale: bool) -> None:
    """Summarise the catalog: fact coverage against issue 12's targets (with the vendors
    that miss each fact), vendors by category, HQ country and status."""

    catalog = _read(catalog_dir)
    if stale:
        rows = stale_facts(catalog.vendors, date.today())
        if as_json:
            click.echo(dumps([asdict(r) for r in rows]))
            return
        for row in rows:
            when = row.checked.isoformat() if row.checked else "never dated"
            click.echo(f"{row.slug}: {row.fact} (last checked {when}: {row.source})")
        click.echo(f"{len(rows)} fact(s) not re-checked in 12 months")
        return
    numbers = catalog_stats(catalog)
    if as_json:
        click.echo(dumps(numbers))
        return
    click.echo(f"catalog {numbers['version']}: {numbers['vendors']} vendors")
    if numbers["problems"]:
        click.echo(f"  {numbers['problems']} problem(s): run `xborder catalog validate`")
    click.echo("coverage (issue 12 targets):")
    for row in numbers["facts"].values():
        target = f">= {row['target']:g}%" if row["target"] is not None else "where stated"
        mark = {True: "ok", False: "BELOW", None: ""}[row["meets_target"]]
        click.echo(
            f"  {row['label']:<54} {row['have']:>4}/{row['of']:<4} {row['percent']:>5.1f}%"
            f"  target {target:<12} {mark}"
        )
        if row["missing"]:
            click.echo(f"    missing: {', '.join(row['missing'])}")
    for label, key in (
        ("facts", "coverage"),
        ("by category", "by_category"),
        ("by HQ country", "by_hq_country"),
        ("by status", "by_status"),
    ):
        click.echo(f"{label}:")
        for name, count in numbers[key].items():
            click.echo(f"  {name:<28} {count}")


def catalog_stats(catalog: Catalog) -> dict[str, Any]:
    """Coverage numbers for a catalog: counts per category, HQ country, status and fact."""
    vendors = catalog.vendors

    def count(predicate: Any) -> int:
        return sum(1 for v in vendors if predicate(v))

    def ranked(counter: Counter[str]) -> dict[str, int]:
        return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

    facts = {
        row.key: {
            "label": row.label,
            "have": row.have,
            "of": row.of,
            "percent": row.percent,
            "target": row.target,
            "meets_target": row.meets_target,
            "missing": list(row.missing),
        }
        for row in fact_coverage(vendors)
    }
    return {
        "version": catalog.version,
        "vendors": len(vendors),
        "problems": len(catalog.problems),
        "warnings": len(catalog.warnings),
        "facts": facts,
        "coverage": {
            "hq_country": count(lambda v: v.hq_country),
            "legal_entities": count(lambda v: v.legal_entities),
            "processing_countries": count(lambda v: v.processing_countries),
            "data_categories": count(lambda v: v.data_categories),
            "sdk_signatures": count(lambda v: v.sdk),
            "chinese_or_cyrillic_alias": count(lambda v: any(_non_latin(n) for n in v.names)),
            "dpf_known": count(lambda v: v.dpf_certified is not None),
            "sanctioned": count(lambda v: v.sanctioned),
            "doj_covered_candidates": count(lambda v: v.covered_person_candidate),
            "url_sources": count(lambda v: any(s.url for s in v.sources)),
        },
        "by_category": ranked(Counter(v.category for v in vendors)),
        "by_hq_country": ranked(Counter(v.hq_country or "unknown" for v in vendors)),
        "by_status": ranked(Counter(v.status.value for v in vendors)),
    }


def _non_latin(name: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u0400" <= ch <= "\u04ff" for ch in name)


@click.command("update")
@with_appcontext
def update_command() -> None:
    """Bring new and changed catalog vendors into the registry, keeping local edits."""
    data_dir = Path(current_app.config["CATALOG_DIR"])
    with session_scope() as session:
        report = update_catalog(
            session=session, snapshot=snapshot_catalog(data_dir), reference=get_reference()
        )
    click.echo(
        f"catalog {report.version}: {len(report.created)} created, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.kept_local_edits)} kept with local edits"
    )
    for slug in report.kept_local_edits:
        click.echo(f"  kept local edit: {slug}")


@click.command("import-list")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=INPUT_FILE)
@click.option(
    "--avil",
    type=INPUT_FILE,
    help="tcf_gvl only: the Additional Vendor Information List (JSON) of the same day.",
)
@click.option(
    "--retrieved",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day you downloaded FILE (default: the date the file states, else today).",
)
@click.option("--apply", "apply_", is_flag=True, help="Write the changes (each one audited).")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@domain_command
def import_list_command(
    kind: str,
    file: Path,
    avil: Path | None,
    retrieved: datetime | None,
    apply_: bool,
    as_json: bool,
) -> None:
    """Compare a downloaded official list with the registry: KIND is csl (US Consolidated
    Screening List, CSV or JSON), tcf_gvl (IAB TCF Global Vendor List v3) or dpf (a DPF list
    export, CSV). Prints new, changed and removed facts and the entries matching no vendor;
    nothing changes without --apply."""
    with session_scope() as session:
        result = import_list(
            session=session,
            kind=kind,
            data=file.read_bytes(),
            filename=file.name,
            reference=get_reference(),
            extra=avil.read_bytes() if avil else None,
            retrieved=retrieved.date() if retrieved else None,
            apply=apply_,
        )
        if not apply_:
            session.rollback()
    plain = diff_to_plain(result)
    if as_json:
        click.echo(dumps(plain))
        return
    click.echo(
        f"{plain['kind']} ({plain['source']}, {plain['date']}): {plain['entries']} entries, "
        f"{len(plain['changes'])} fact change(s), {len(plain['unmatched'])} unmatched"
    )
    for change in plain["changes"]:
        click.echo(
            f"  {change['change']:<9} {change['slug']}: {change['fact']} "
            f"{_short(change['before'])} -> {_short(change['after'])}  "
            f"[{change['entry']}; {change['source']}; {change['date']}]"
        )
    for skipped in plain["skipped"]:
        click.echo(f"  skipped   {skipped['slug']}: {skipped['entry']} ({skipped['reason']})")
    for entry in plain["unmatched"]:
        click.echo(f"  unmatched {entry}")
    if apply_:
        click.echo(f"applied: {len(plain['updated'])} vendor(s) updated, each audited")
    else:
        click.echo("nothing changed (run with --apply to write these changes)")


def _short(value: Any) -> str:
    text = "-" if value is None else str(value)
    return text if len(text) <= 120 else text[:117] + "..."


@click.group("catalog")
def catalog() -> None:
    """The shipped vendor catalog: validate it, summarise it, bring it into the registry."""


for _command in (validate_command, stats_command, update_command, import_list_command):
    catalog.add_command(_command)
