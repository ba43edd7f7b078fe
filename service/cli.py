"""The `xborder` command line: serve, db, catalog, and each domain's commands.

Start-up stays cheap: the group itself imports click only. Each domain's command is named
here by its import path and imported when it runs (or shows its own help); `xborder --help`
lists them from COMMANDS without importing any. Commands that work on the registry run in an
app built by `create_cli_app` (config and an existing, migrated database; it loads no catalog,
makes no admin and migrates nothing, and has no HTTP API, web UI, weasyprint or LLM client);
`db upgrade` (`create_first_start_app`) and `serve` do the first start; `serve` builds the
whole app.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import click

# name -> ("module:attribute", the first paragraph of the command's help, which `--help`
# lists); tests/service/test_cli.py checks the listing against the imported commands.
COMMANDS: dict[str, tuple[str, str]] = {
    "activities": (
        "service.activities.cli:activities",
        "Processing activities: shared facts and one review per vendor.",
    ),
    "ask": (
        "service.assistant.cli:ask",
        "Ask the assistant a question; the answer cites the records it used.",
    ),
    "assess": (
        "service.transfers.cli:assess",
        "Evaluate the transfer in FILE (YAML or JSON) under CN, EU and US law.",
    ),
    "catalog": (
        "service.catalog.cli:catalog",
        "The shipped vendor catalog: validate it, summarise it, bring it into the registry.",
    ),
    "export": (
        "service.impact_assessments.cli:export",
        "Write the transfer register and/or the GDPR Art. 30 record of processing as Excel.",
    ),
    "report": (
        "service.impact_assessments.cli:report",
        "Write an assessment's report (PDF, HTML, DOCX), checklists (XLSX, DOCX) and filled EU "
        "SCCs (PDF, DOCX).",
    ),
    "jobs": (
        "service.jobs.cli:jobs",
        "Background jobs: list them, show one, run the periodic tick.",
    ),
    "reviews": (
        "service.reviews.cli:reviews",
        "Vendor reviews: list them, re-evaluate the open ones after a rule change.",
    ),
    "scan": (
        "service.scanner.cli:scan",
        "Scan the privacy policy in FILE (text, HTML or PDF) against the vendor registry.",
    ),
    "tokens": (
        "service.auth.cli:tokens",
        "Personal API tokens (sent as 'Authorization: Bearer <token>').",
    ),
    "users": ("service.auth.cli:users", "People who sign in, and their roles."),
    "vendors": ("service.vendors.cli:vendors", "The vendor registry in bulk."),
    "worker": (
        "service.jobs.cli:worker",
        "Run jobs from the broker in XBORDER_BROKER_URL until stopped (SIGTERM, Ctrl-C).",
    ),
}


def load_command(name: str) -> click.Command:
    """Import the command registered under name."""
    module, _, attribute = COMMANDS[name][0].partition(":")
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command)
    return command


class _LazyGroup(click.Group):
    """A group whose domain commands are imported only when one of them is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.add_command(load_command(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if _missing_database(exc):
                raise click.ClickException(_NO_DATABASE) from None
            raise

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing, with the help of commands not imported yet taken from COMMANDS."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is None:
                stand_in = click.Command(name, help=COMMANDS[name][1])  # same shortening
                rows.append((name, stand_in.get_short_help_str(limit)))
            elif not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _set_env(var: str) -> Any:
    def callback(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value:
            os.environ[var] = str(value)
        return value

    return callback


_NO_DATABASE = "No database yet: run `xborder db upgrade` (or `xborder serve`) first."


def create_cli_app() -> Any:
    """The app a command runs in: everything but the HTTP API and the web UI.

    No side effects: it creates no data directory, database, secret or admin, and migrates
    nothing (`serve` and `db upgrade` do that); an out-of-date schema is an error.
    """
    from service.app import create_app
    from service.db import get_engine, schema_current, sqlite_file

    app = create_app(serve_http=False, first_start=False)
    path = sqlite_file(app.config["DATABASE_URL"])
    if (path is None or path.exists()) and not schema_current(get_engine(app)):
        raise click.ClickException(
            "The database schema is older than this xborder: run `xborder db upgrade` first."
        )
    return app


def create_first_start_app() -> Any:
    """`db upgrade`'s app: creates the database (private), migrates, loads the catalog, and
    on an empty database makes the first admin (its secrets printed once)."""
    from service.app import create_app

    return create_app(serve_http=False)


def _missing_database(error: BaseException) -> bool:
    return "unable to open database file" in str(getattr(error, "orig", "") or "")


@click.group(cls=_LazyGroup)
@click.option(
    "--db",
    metavar="URL",
    expose_value=False,
    callback=_set_env("DATABASE_URL"),
    help="Database URL (default: SQLite in the data directory).",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    expose_value=False,
    callback=_set_env("XBORDER_DATA_DIR"),
    help="Where the embedded database lives.",
)
@click.pass_context
def main(ctx: click.Context) -> None:
    """xborder: cross-border data transfer and vendor risk assessment."""
    if ctx.obj is None:  # a test runner may hand in its own app
        from flask.cli import ScriptInfo

        ctx.obj = ScriptInfo(create_app=create_cli_app, set_debug_flag=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn workers")
@click.option("--threads", default=4, show_default=True, type=int, help="threads per worker")
@click.option("--dev", is_flag=True, help="Flask's development server with reload.")
def serve(host: str, port: int, workers: int, threads: int, dev: bool) -> None:
    """Run the service (gunicorn; --dev for Flask's server)."""
    from service.app import create_app
    from service.db import get_engine

    app = create_app()  # the whole app: API, web UI; migrates and loads the catalog first
    url = get_engine(app).url.render_as_string(hide_password=True)
    click.echo(f"xborder on http://{host}:{port}  database: {url}")
    from service.auth.limits import worker_warning

    warning = None if dev else worker_warning(app.config, workers)
    if warning:
        click.echo(warning, err=True)
    if dev:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    from service.wsgi import GunicornApp

    GunicornApp(host=host, port=port, workers=workers, threads=threads).run()


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    from flask.cli import ScriptInfo, with_appcontext

    from service.db import get_engine, upgrade

    info = click.get_current_context().find_object(ScriptInfo)
    if info is not None and info.create_app is create_cli_app:
        info.create_app = create_first_start_app  # the one command that may create the database
    with_appcontext(lambda: upgrade(get_engine()))()
    click.echo("database at head")
