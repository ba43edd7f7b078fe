"""`xborder reviews list|reevaluate`: stored reviews from the shell."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import click
from flask import current_app, g

from assessments.types import REGIMES
from service.clikit import domain_command, dumps
from service.db import session_scope
from service.reviews import services
from service.reviews.models import OPEN_STATUSES, STATUSES
from service.transfers.services import get_rulebook, today


@click.group()
def reviews() -> None:
    """Vendor reviews: list them, re-evaluate the open ones after a rule change."""


def _row(view: services.ReviewView) -> dict[str, Any]:
    return {
        "id": view.review.id,
        "status": view.review.status,
        "vendor": view.vendor.slug,
        "exporter": view.review.exporter_name,
        "verdicts": view.review.verdicts(),
        "level": view.review.overall_level,
        "as_of": view.review.as_of.isoformat(),
        "rules_version": view.review.rules_version,
        "warnings": [w["message"] for w in view.warnings],
    }


@reviews.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only reviews with this status.")
@click.option("--vendor", help="Only reviews of this vendor (slug).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@domain_command
def reviews_list(status: str | None, vendor: str | None, limit: int, as_json: bool) -> None:
    """List reviews, newest change first, with their verdict per regime."""
    args: dict[str, Any] = {"status": status, "vendor": vendor, "per_page": limit}
    with session_scope(current_app) as session:
        page = services.list_reviews(session=session, args=args)
        rows = [_row(v) for v in page.items]
    if as_json:
        click.echo(dumps({"total": page.total, "items": rows}))
        return
    regimes = " ".join(f"{code:<19}" for code in REGIMES)
    click.echo(f"{'id':>6}  {'status':<10} {'vendor':<24} {regimes} exporter")
    for r in rows:
        verdicts = " ".join(f"{r['verdicts'][code]:<19}" for code in REGIMES)
        click.echo(
            f"{r['id']:>6}  {r['status']:<10} {r['vendor'][:24]:<24} {verdicts} {r['exporter']}"
        )
        for warning in r["warnings"]:
            click.echo(f"{'':>8}WARNING: {warning}")
    click.echo(f"{len(rows)} of {page.total} reviews")


@reviews.command("reevaluate")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Day whose law applies to reviews that pin none (default: today, UTC).",
)
@click.option("--json", "as_json", is_flag=True, help="The report as JSON.")
@domain_command
def reviews_reevaluate(as_of: Any, as_json: bool) -> None:
    """Re-evaluate every open review under the current rules; report the verdicts that changed."""
    day: date = as_of.date() if as_of else today()
    rulebook = get_rulebook()
    with session_scope(current_app) as session:
        total = services.count_open_reviews(session=session)
        with click.progressbar(
            length=total, label=f"Re-evaluating {total} open reviews", file=sys.stderr
        ) as bar:
            report = services.reevaluate_open_reviews(
                session=session, rulebook=rulebook, day=day, actor=g.actor, progress=bar.update
            )
    if as_json:
        click.echo(dumps(_report_json(report)))
        return
    click.echo(
        f"rules {report.rules_version}: {report.evaluated} open reviews re-evaluated "
        f"({', '.join(OPEN_STATUSES)}), {len(report.changed)} verdicts changed, "
        f"{len(report.failed)} failed"
    )
    for c in report.changed:
        click.echo(
            f"  review {c.review_id} ({c.exporter} -> {c.vendor}) {c.regime}: "
            f"{_show(c.before)} -> {_show(c.after)}"
        )
    for review_id, problem in report.failed.items():
        click.echo(
            f"  review {review_id} not re-evaluated: {json.dumps(problem, ensure_ascii=False)}"
        )


def _show(outcome: tuple[str, str | None]) -> str:
    verdict, mechanism = outcome
    return f"{verdict} ({mechanism})" if mechanism else verdict


def _report_json(report: services.ReevaluationReport) -> dict[str, Any]:
    return {
        "rules_version": report.rules_version,
        "evaluated": report.evaluated,
        "changed": [
            {
                "review": c.review_id,
                "vendor": c.vendor,
                "exporter": c.exporter,
                "regime": c.regime,
                "before": {"verdict": c.before[0], "mechanism": c.before[1]},
                "after": {"verdict": c.after[0], "mechanism": c.after[1]},
            }
            for c in report.changed
        ],
        "failed": {str(k): v for k, v in report.failed.items()},
    }
