"""The `xborder` command line: serve, db, catalog, and each domain's commands."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from service.db import get_engine


def _set_env(var: str) -> Any:
    def callback(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value:
            os.environ[var] = str(value)
        return value

    return callback


def _create_app() -> Flask:
    from service.app import create_app

    return create_app()


@click.group(
    cls=FlaskGroup,
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    params=[
        click.Option(
            ["--db"],
            metavar="URL",
            expose_value=False,
            callback=_set_env("DATABASE_URL"),
            help="Database URL (default: SQLite in the data directory).",
        ),
        click.Option(
            ["--data-dir"],
            type=click.Path(path_type=Path),
            expose_value=False,
            callback=_set_env("XBORDER_DATA_DIR"),
            help="Where the embedded database lives.",
        ),
    ],
)
def main() -> None:
    """xborder: cross-border data transfer and vendor risk assessment."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn workers")
@click.option("--dev", is_flag=True, help="Flask's development server with reload.")
@with_appcontext
def serve(host: str, port: int, workers: int, dev: bool) -> None:
    """Run the service (gunicorn; --dev for Flask's server)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"xborder on http://{host}:{port}  database: {_safe_url(app)}")
    if dev:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    from service.wsgi import GunicornApp

    GunicornApp(host=host, port=port, workers=workers).run()


def _safe_url(app: Flask) -> str:
    return str(get_engine(app).url.render_as_string(hide_password=True))


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    from service.db import upgrade

    upgrade(get_engine())
    click.echo("database at head")


def dumps(data: Any) -> str:
    """JSON for CLI output."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def _add_domain_commands() -> None:
    """Each domain's commands; a new domain adds its import here."""
    from service.assistant.cli import ask
    from service.auth.cli import tokens, users
    from service.catalog.cli import catalog
    from service.impact_assessments.cli import export, report
    from service.reviews.cli import reviews
    from service.scanner.cli import scan
    from service.transfers.cli import assess
    from service.vendors.cli import vendors

    for group in (users, tokens, vendors, reviews, report, export, catalog):
        main.add_command(group)
    main.add_command(ask)
    main.add_command(assess)
    main.add_command(scan)


_add_domain_commands()
