"""`xborder activities list|show|create`: processing activities from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml
from flask import current_app
from marshmallow import ValidationError

from assessments.yamlio import safe_load_user
from service import errors
from service.activities import services
from service.activities.models import STATUSES
from service.activities.schemas import ActivityCreateSchema
from service.auth.services import get_user_by_email
from service.clikit import INPUT_FILE, domain_command, dumps
from service.db import session_scope
from service.transfers.services import get_rulebook, today


@click.group()
def activities() -> None:
    """Processing activities: shared facts and one review per vendor."""


@activities.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only activities with this status.")
@click.option("--vendor", help="Only activities that use this vendor (slug).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100))
@domain_command
def activities_list(status: str | None, vendor: str | None, limit: int) -> None:
    """List activities, newest change first, with their review counts."""
    args: dict[str, Any] = {"status": status, "vendor": vendor, "per_page": limit}
    with session_scope(current_app) as session:
        page = services.list_activities_with_counts(session=session, args=args)
        for view in page.items:
            a = view.activity
            exporter = (a.facts.get("exporter") or {}).get("name", "")
            click.echo(
                f"{a.id:>6}  {a.status:<8} {view.review_count:>4} reviews  {a.name}  ({exporter})"
            )
    click.echo(f"{len(page.items)} of {page.total} activities")


@activities.command("show")
@click.argument("activity_id", type=int)
@domain_command
def activities_show(activity_id: int) -> None:
    """An activity as JSON: its facts, reviews, heat map, PRC total, unknowns and gaps."""
    with session_scope(current_app) as session:
        activity = services.get_activity(session=session, activity_id=activity_id)
        views = services.activity_reviews(session=session, activity=activity)
        overview = services.overview(
            session=session, activity=activity, rulebook=get_rulebook(), day=today()
        )
        click.echo(
            dumps(
                {
                    "id": activity.id,
                    "name": activity.name,
                    "status": activity.status,
                    "facts": activity.facts,
                    "disclosures": activity.disclosures,
                    "reviews": [
                        {"id": v.review.id, "vendor": v.vendor.slug, "status": v.review.status}
                        for v in views
                    ],
                    **overview,
                }
            )
        )


@activities.command("create")
@click.argument("file", type=INPUT_FILE)
@click.option("--as", "email", required=True, help="The user who files it (their role applies).")
@domain_command
def activities_create(file: Path, email: str) -> None:
    """Create the activity in FILE (YAML or JSON, the API's body), with its vendors' reviews."""
    try:
        raw = safe_load_user(file.read_text(encoding="utf-8"))
        data = ActivityCreateSchema().load(raw if isinstance(raw, dict) else {})
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{file}: not YAML or JSON ({exc})") from None
    except ValidationError as exc:
        raise errors.ValidationFailed(
            "The activity has invalid fields.", errors=exc.messages_dict
        ) from None
    with session_scope(current_app) as session:
        user = get_user_by_email(session=session, email=email)
        activity = services.create_activity(
            session=session, data=data, user=user, rulebook=get_rulebook(), day=today()
        )
        views = services.activity_reviews(session=session, activity=activity)
        click.echo(
            f"activity {activity.id}: {activity.name}, "
            f"{len(views)} reviews ({', '.join(v.vendor.slug for v in views)})"
        )
