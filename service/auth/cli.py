"""`xborder users ...` and `xborder tokens ...`: accounts and API tokens from the shell."""

from __future__ import annotations

import sys

import click

from service.auth import services
from service.auth.models import ROLES
from service.auth.passwords import MIN_LENGTH, generate_password
from service.clikit import domain_command
from service.db import session_scope


@click.group()
def users() -> None:
    """People who sign in, and their roles."""


@users.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice(ROLES), required=True, help="admin, legal, procurement or viewer"
)
@click.option("--name", help="Display name.")
@click.option(
    "--password", help=f"At least {MIN_LENGTH} characters; prompted on a terminal when omitted."
)
@click.option("--generate-password", "generate", is_flag=True, help="Generate one, print it once.")
@domain_command
def users_create(
    email: str, role: str, name: str | None, password: str | None, generate: bool
) -> None:
    """Create a user (password prompted, or generated and printed once)."""
    generated = None
    if password is None:
        if sys.stdin.isatty() and not generate:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password = generated = generate_password()
    with session_scope() as session:
        user = services.create_user(
            session=session, email=email, role=role, name=name, password=password
        )
    click.echo(f"created user {user.id} {user.email} ({user.role})")
    if generated:
        click.echo("password (shown once):")
        click.echo(generated)


@users.command("list")
@click.option("--role", type=click.Choice(ROLES))
@click.option("--all", "include_disabled", is_flag=True, help="Include disabled users.")
@domain_command
def users_list(role: str | None, include_disabled: bool) -> None:
    """List users: id, email, role, state, name."""
    with session_scope() as session:
        page = services.list_users(
            session=session,
            role=role,
            disabled=None if include_disabled else False,
            per_page=100000,
        )
    for user in page.items:
        state = "disabled" if user.disabled else "active"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{state}\t{user.name or ''}")


@users.command("disable")
@click.argument("email")
@domain_command
def users_disable(email: str) -> None:
    """Disable a user: sign-in and their tokens stop working."""
    with session_scope() as session:
        user = services.get_user_by_email(session=session, email=email)
        services.disable_user(session=session, user=user)
    click.echo(f"disabled {user.email}")


@click.group()
def tokens() -> None:
    """Personal API tokens (sent as 'Authorization: Bearer <token>')."""


@tokens.command("create")
@click.option("--email", required=True, help="Whose token.")
@click.option(
    "--expires",
    type=click.IntRange(1, services.MAX_TOKEN_DAYS),
    metavar="DAYS",
    help="Expire after DAYS days (default: never).",
)
@click.option("--name", help="What the token is for.")
@domain_command
def tokens_create(email: str, expires: int | None, name: str | None) -> None:
    """Create a token; its value is printed alone on the last line, once."""
    with session_scope() as session:
        user = services.get_user_by_email(session=session, email=email)
        token, plain = services.create_token(
            session=session, user=user, name=name, expires_in_days=expires
        )
    until = token.expires_at.isoformat() if token.expires_at else "never"
    click.echo(f"token {token.id} for {user.email}, expires {until}; shown once:")
    click.echo(plain)


@tokens.command("list")
@click.option("--email", help="Only this user's tokens.")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked tokens.")
@domain_command
def tokens_list(email: str | None, include_revoked: bool) -> None:
    """List tokens: id, owner, prefix, name, expiry, last use, state."""
    with session_scope() as session:
        owner = services.get_user_by_email(session=session, email=email) if email else None
        rows = services.list_tokens(session=session, user=owner, include_revoked=include_revoked)
    for t in rows:
        state = "active" if t["active"] else ("revoked" if t["revoked_at"] else "expired")
        expires = t["expires_at"].isoformat() if t["expires_at"] else "never"
        used = t["last_used_at"].isoformat() if t["last_used_at"] else "never"
        click.echo(
            f"{t['id']}\t{t['user']}\t{t['prefix']}…\t{t['name'] or ''}\t"
            f"expires {expires}\tlast used {used}\t{state}"
        )


@tokens.command("revoke")
@click.argument("token_id", type=int)
@domain_command
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by id; it stops working at once."""
    with session_scope() as session:
        token, owner = services.get_token(session=session, token_id=token_id)
        services.revoke_token(session=session, token=token, owner=owner)
    click.echo(f"revoked token {token_id} of {owner.email}")
