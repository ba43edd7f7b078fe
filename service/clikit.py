"""What every command-line module shares: JSON and wrapped text output, the audit actor,
running in the app.

A leaf module: domain CLI modules import it, and it imports none of them (service/cli.py
names the domain commands lazily), so the command groups form no import circle.
"""

from __future__ import annotations

import getpass
import json
import textwrap
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import current_app, g
from flask.cli import with_appcontext

from service import errors

F = TypeVar("F", bound=Callable[..., Any])

# The types of the commands' file arguments and options (each given as a pathlib.Path).
INPUT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)  # a file to read
OUTPUT_FILE = click.Path(dir_okay=False, path_type=Path)  # a file to write


WIDTH = 100  # the columns of the commands' text output


def wrap(text: str, indent: str) -> str:
    """Text for the terminal: its whitespace folded, wrapped at WIDTH, the first line after
    `indent` (a bullet or spaces) and the others aligned under the text, not the bullet."""
    return textwrap.fill(
        " ".join(text.split()),
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=" " * len(indent),
    )


def dumps(data: Any) -> str:
    """JSON for CLI output."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def cli_actor() -> str:
    """Who the audit trail names for a shell command."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli"


def _finish_jobs() -> None:
    """Without a broker, jobs the command started (a re-assessment after `catalog update`,
    ...) run on this process's threads: wait for them before the process exits."""
    jobs = current_app.extensions.get("xborder.jobs")
    if jobs is not None and jobs.embedded:
        click.echo("waiting for the background jobs this command started...", err=True)
        jobs.join()


def domain_command(func: F) -> F:
    """Run inside the app, audit as the shell user, and turn domain errors into CLI errors."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.actor = cli_actor()
        try:
            result = func(*args, **kwargs)
            _finish_jobs()
            return result
        except errors.DomainError as exc:
            details = "".join(
                f"\n  {field}: {'; '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
                for field, msgs in (exc.errors or {}).items()
            )
            raise click.ClickException(f"{exc.detail}{details}") from None

    return with_appcontext(wrapper)  # type: ignore[return-value]
