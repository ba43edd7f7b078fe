"""`xborder users ...` and `xborder tokens ...` from the shell."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import select
from sqlmodel import col

from service.audit.models import AuditEvent
from service.cli import main
from service.db import session_scope


def cli(app: Flask, *args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app), input=stdin)


def test_users_create_list_disable(app: Flask) -> None:
    made = cli(
        app,
        "users",
        "create",
        "Ann@Example.test",
        "--role",
        "legal",
        "--password",
        "a long enough password",
    )
    assert made.exit_code == 0, made.output
    assert "ann@example.test (legal)" in made.output and "long enough" not in made.output
    generated = cli(app, "users", "create", "bob@example.test", "--role", "viewer")
    assert generated.exit_code == 0 and "password (shown once):" in generated.output
    password = generated.output.strip().splitlines()[-1]
    assert len(password) >= 12
    login = app.test_client().post(
        "/auth/login", json={"email": "bob@example.test", "password": password}
    )
    assert login.status_code == 200
    listed = cli(app, "users", "list")
    assert "ann@example.test\tlegal\tactive" in listed.output
    assert cli(app, "users", "disable", "bob@example.test").exit_code == 0
    assert "bob@example.test" not in cli(app, "users", "list").output
    assert "bob@example.test\tviewer\tdisabled" in cli(app, "users", "list", "--all").output
    dup = cli(app, "users", "create", "ann@example.test", "--role", "legal", "--password", "x" * 12)
    assert dup.exit_code == 1 and "exists" in dup.output
    short = cli(app, "users", "create", "c@example.test", "--role", "legal", "--password", "short")
    assert short.exit_code == 1 and "Use 12 to" in short.output
    with app.app_context(), session_scope() as session:
        actors = set(
            session.execute(
                select(col(AuditEvent.actor)).where(col(AuditEvent.action) != "sign_in")
            ).scalars()
        )
    assert actors and all(a.startswith("cli") for a in actors)  # bob's sign-in is bob's own


def test_tokens_create_prints_the_token_alone_on_the_last_line(app: Flask) -> None:
    cli(
        app,
        "users",
        "create",
        "dev@example.test",
        "--role",
        "procurement",
        "--password",
        "a long enough password",
    )
    made = cli(
        app, "tokens", "create", "--email", "dev@example.test", "--expires", "7", "--name", "ci"
    )
    assert made.exit_code == 0, made.output
    token = made.output.rstrip("\n").splitlines()[-1]
    assert token.startswith("xb_") and " " not in token
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["email"] == "dev@example.test"
    listed = cli(app, "tokens", "list", "--email", "dev@example.test")
    assert "\tci\t" in listed.output and "active" in listed.output and token not in listed.output
    token_id = listed.output.split("\t", 1)[0]
    assert cli(app, "tokens", "revoke", token_id).exit_code == 0
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    assert "revoked" in cli(app, "tokens", "list", "--all").output
    missing = cli(app, "tokens", "create", "--email", "nobody@example.test")
    assert missing.exit_code == 1 and "No user" in missing.output
