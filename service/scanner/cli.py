"""`xborder scan FILE [--json]`: scan a privacy policy against the registry and print it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import current_app

from assessments.scanner.extract import ExtractionError, extract_text
from service.clikit import INPUT_FILE, domain_command, dumps, wrap
from service.db import session_scope
from service.scanner.services import Policy, matcher_cache, pdf_limits, scan_policy


def _terms(title: str, hits: list[dict[str, Any]]) -> list[str]:
    if not hits:
        return []
    lines = [f"{title}:"]
    for hit in hits:
        said = sorted({s["text"] for s in hit["spans"]})
        lines.append(wrap(f"{hit['id']}: {', '.join(said)}", "  "))
    return lines


def render_report(report: dict[str, Any]) -> str:
    """A readable report: vendors with evidence, then data, recipients, transfers, ages, laws."""
    language = report["language"]
    lines = [
        f"{report['characters']} characters ({report['format']}), language {language['code']} "
        f"({language['confidence']:.2f}), registry {report['catalog_version']}",
        "",
        f"Vendors disclosed ({len(report['vendors'])}):",
    ]
    for hit in report["vendors"]:
        hows = sorted({m["how"] for m in hit["matches"]})
        said = sorted({m["span"]["text"] for m in hit["matches"]})
        lines.append(
            f"  {hit['slug']:<28} {hit['confidence']:.2f}  as {', '.join(said)} ({', '.join(hows)})"
        )
        lines.append(wrap(f"“{hit['evidence']}”", "      "))
    if not report["vendors"]:
        lines.append("  none named")
    if report["candidates"]:
        lines.append("Named but not in the registry (candidates to add):")
        for cand in report["candidates"]:
            lines.append(f"  {cand['name']}  [{cand['cue']}]")
            lines.append(wrap(f"“{cand['evidence']}”", "      "))
    if report["own_entities"]:
        lines.append(
            "The policy's own company: " + "; ".join(e["name"] for e in report["own_entities"])
        )
    lines.append("")
    lines += _terms("Recipients by kind (vendor categories)", report["vendor_categories"])
    lines += _terms("Other recipients", report["other_recipients"])
    lines += _terms("Data categories", report["data_categories"])
    if report["cross_border"]:
        lines.append("Cross-border statements:")
        for statement in report["cross_border"]:
            places = sorted({p["id"] for p in statement["places"]})
            flags = [f for f in ("storage_in_prc", "in_principle") if statement[f]]
            head = f"places {', '.join(places) or '-'}; mechanisms "
            head += f"{', '.join(statement['mechanisms']) or '-'}"
            lines.append("  " + head + (f"; {', '.join(flags)}" if flags else ""))
            lines.append(wrap(f"“{statement['span']['text']}”", "      "))
    lines += _terms("Mechanisms and safeguards named", report["mechanisms"])
    if report["children"]:
        ages = {
            f"{a['kind']} {a['age']}" + (f"-{a['max_age']}" if a["max_age"] else ""): a["span"][
                "text"
            ]
            for a in report["children"]
        }
        said = [f"{age} (“{text}”)" for age, text in ages.items()]
        lines.append(wrap("Children: " + "; ".join(said), ""))
    lines += _terms("Laws cited", report["laws"])
    if report["articles"]:
        cited = [f"{a['law'].upper()} {a['article']}" for a in report["articles"]]
        lines.append(wrap("Articles: " + ", ".join(dict.fromkeys(cited)), ""))
    if report["rights"]:
        lines.append(wrap("Rights: " + ", ".join(h["id"] for h in report["rights"]), ""))
    for note in report["template_notes"]:
        lines.append(wrap(f"Drafting note left in the text (ignored): {note['text']}", ""))
    if report.get("diff"):
        result = report["diff"]
        lines += ["", f"Against the reviews of {result['exporter']}:"]
        lines.append(
            f"  disclosed, not reviewed: {', '.join(result['disclosed_not_reviewed']) or '-'}"
        )
        lines.append(
            f"  reviewed, not disclosed: {', '.join(result['reviewed_not_disclosed']) or '-'}"
        )
    return "\n".join(lines)


@click.command("scan")
@click.argument("file", type=INPUT_FILE)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "html", "pdf"]),
    help="How to read FILE (default: from its name and first bytes).",
)
@click.option("--review", "review_id", type=int, help="Compare with this review's exporter.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@domain_command
def scan(file: Path, fmt: str | None, review_id: int | None, as_json: bool) -> None:
    """Scan the privacy policy in FILE (text, HTML or PDF) against the vendor registry."""
    try:
        extracted = extract_text(
            file.read_bytes(), format=fmt, filename=file.name, pdf_limits=pdf_limits(current_app)
        )
    except ExtractionError as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    policy = Policy(extracted.text, extracted.format, review_id)
    with session_scope() as session:
        report = scan_policy(session=session, cache=matcher_cache(current_app), policy=policy)
    if as_json:
        click.echo(dumps(report))
    else:
        click.echo(render_report(report))
