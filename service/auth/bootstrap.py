"""First start: create an admin when there is no user at all, and show its secrets once."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from service.auth.models import User
from service.auth.passwords import generate_password
from service.auth.services import create_token, create_user
from service.db import session_scope

DEFAULT_ADMIN_EMAIL = "admin@localhost"


def create_first_admin(app: Flask) -> User | None:
    """Create the first admin (ADMIN_EMAIL/ADMIN_PASSWORD, else generated) if no user exists.

    Generated secrets go to the console (stderr) once, never through logging; with
    ADMIN_PASSWORD set, nothing secret is printed and no token is made.
    """
    email = app.config.get("ADMIN_EMAIL") or DEFAULT_ADMIN_EMAIL
    given = app.config.get("ADMIN_PASSWORD")
    password = given or generate_password()
    try:
        with session_scope(app) as session:
            if session.execute(select(func.count()).select_from(User)).scalar_one():
                return None
            user = create_user(session=session, email=email, role="admin", password=password)
            plain = (
                None if given else create_token(session=session, user=user, name="first start")[1]
            )
    except IntegrityError:  # another worker created it at the same moment
        return None
    if plain is None:
        click.echo(
            f"xborder: created admin {user.email} with the password from XBORDER_ADMIN_PASSWORD.",
            err=True,
        )
        return user
    click.echo(
        "\n".join(
            [
                "xborder: first start - created an admin. Shown ONCE here, stored nowhere:",
                f"  email:     {user.email}",
                f"  password:  {password}",
                f"  API token: {plain}",
                "  Sign in at /login, or send 'Authorization: Bearer <token>'.",
            ]
        ),
        err=True,
    )
    return user
