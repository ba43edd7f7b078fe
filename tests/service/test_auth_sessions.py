"""Sessions end on the server, admins cannot demote each other to none, redirects stay local."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlmodel import col

from service.audit.models import AuditEvent
from service.auth import services
from service.auth.models import ApiToken, User
from service.db import session_scope
from tests.helpers import Headers

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a different long password"


def make_user(app: Flask, email: str, role: str = "legal") -> User:
    with app.app_context(), session_scope() as session:
        return services.create_user(session=session, email=email, role=role, password=PASSWORD)


def signed_in(app: Flask, email: str, password: str = PASSWORD) -> tuple[FlaskClient, str]:
    """A client signed in as email, and its CSRF token."""
    client = app.test_client()
    response = client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_data(as_text=True)
    return client, response.get_json()["csrf_token"]


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another client holding the same session cookie (a copied or stolen cookie)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def can_write(client: FlaskClient, csrf: str) -> int:
    """A cookie-authenticated write: creating an API token for oneself."""
    response = client.post("/api/v1/tokens", json={"name": "probe"}, headers={"X-CSRF-Token": csrf})
    return response.status_code


def test_sign_out_ends_the_session_on_the_server(app: Flask) -> None:
    make_user(app, "out@example.test")
    client, csrf = signed_in(app, "out@example.test")
    kept = copy_of(app, client)
    other_browser, other_csrf = signed_in(app, "out@example.test")
    assert kept.get("/api/v1/me").status_code == 200
    assert client.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    # The old cookie with its CSRF token neither reads nor writes, nor does any earlier session.
    assert kept.get("/api/v1/me").status_code == 401
    assert can_write(kept, csrf) in {401, 403}
    assert other_browser.get("/api/v1/me").status_code == 401
    assert can_write(other_browser, other_csrf) in {401, 403}
    with app.app_context(), session_scope() as session:
        tokens = session.execute(select(ApiToken).where(col(ApiToken.name) == "probe")).all()
        assert tokens == []
        actions = session.execute(select(col(AuditEvent.action))).scalars().all()
        assert "sign_out" in actions
    # Signing in again works.
    again, _ = signed_in(app, "out@example.test")
    assert again.get("/api/v1/me").status_code == 200


def test_re_enabling_a_user_revives_neither_cookies_nor_tokens(app: Flask, auth: Headers) -> None:
    user = make_user(app, "back@example.test")
    client, _ = signed_in(app, "back@example.test")
    with app.app_context(), session_scope() as session:
        owner = services.get_user(session=session, user_id=user.id or 0)
        _, plain = services.create_token(session=session, user=owner)
    bearer = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me").status_code == 200
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 200
    admin = auth("admin")
    url = f"/api/v1/users/{user.id}"
    for disabled in (True, False):
        etag = app.test_client().get(url, headers=admin).headers["ETag"]
        done = app.test_client().patch(
            url, json={"disabled": disabled}, headers={**admin, "If-Match": etag}
        )
        assert done.status_code == 200, done.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    signed_in(app, "back@example.test")  # the user, re-enabled, signs in afresh


def test_changing_ones_own_password_ends_the_other_sessions(app: Flask) -> None:
    make_user(app, "pw@example.test", role="viewer")
    client, csrf = signed_in(app, "pw@example.test")
    other, _ = signed_in(app, "pw@example.test")
    wrong = client.post(
        "/api/v1/me/password",
        json={"current_password": "not it at all", "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["errors"]
    short = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers={"X-CSRF-Token": csrf},
    )
    assert short.status_code == 422 and "new_password" in short.get_json()["errors"]
    assert other.get("/api/v1/me").status_code == 200  # nothing changed yet
    done = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    new_csrf = done.get_json()["csrf_token"]
    assert client.get("/api/v1/me").status_code == 200  # this session goes on
    assert can_write(client, new_csrf) == 201
    assert other.get("/api/v1/me").status_code == 401
    fail = app.test_client().post(
        "/auth/login", json={"email": "pw@example.test", "password": PASSWORD}
    )
    assert fail.status_code == 401
    signed_in(app, "pw@example.test", NEW_PASSWORD)
    with app.app_context(), session_scope() as session:
        actions = session.execute(select(col(AuditEvent.action))).scalars().all()
        assert "set_password" in actions


def test_the_account_page_changes_the_password(app: Flask) -> None:
    make_user(app, "page@example.test", role="viewer")
    client, csrf = signed_in(app, "page@example.test")
    form = {"csrf_token": csrf, "current_password": "wrong password", "new_password": NEW_PASSWORD}
    refused = client.post("/me/password", data=form)
    assert refused.status_code == 422 and "Incorrect" in refused.get_data(as_text=True)
    form["current_password"] = PASSWORD
    changed = client.post("/me/password", data=form)
    assert changed.status_code == 200 and "password is changed" in changed.get_data(as_text=True)
    assert client.get("/me").status_code == 200
    signed_in(app, "page@example.test", NEW_PASSWORD)


def test_sign_ins_are_audit_events(app: Flask) -> None:
    make_user(app, "who@example.test")
    app.test_client().post("/auth/login", json={"email": "who@example.test", "password": "nope"})
    app.test_client().post("/auth/login", json={"email": "ghost@example.test", "password": "x"})
    signed_in(app, "who@example.test")
    with app.app_context(), session_scope() as session:
        events = session.execute(
            select(AuditEvent).where(col(AuditEvent.action).startswith("sign_in"))
        ).scalars()
        seen = [(e.action, e.object_id, e.actor) for e in events]
    assert seen == [
        ("sign_in_failed", "who@example.test", "anonymous"),
        ("sign_in_failed", "ghost@example.test", "anonymous"),
        ("sign_in", "who@example.test", "who@example.test"),
    ]


def test_two_admins_demoting_each_other_leave_one_admin(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both count one other admin, then both demote: the count must be taken under a lock."""
    tokens = {}
    ids = {}
    for name in ("a", "b"):
        user = make_user(app, f"{name}@example.test", role="admin")
        with app.app_context(), session_scope() as session:
            owner = services.get_user(session=session, user_id=user.id or 0)
            tokens[name] = services.create_token(session=session, user=owner)[1]
        ids[name] = user.id
    # Hold each request after it counted the other admins, until both counted (or 2 s passed:
    # with the lock, the second request cannot count before the first commits).
    barrier = threading.Barrier(2)
    real = services._other_active_admins

    def counted_then_wait(session: Any, user: User) -> int:
        n = real(session, user)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)
        return n

    monkeypatch.setattr(services, "_other_active_admins", counted_then_wait)
    etags = {
        name: app.test_client()
        .get(f"/api/v1/users/{ids[name]}", headers={"Authorization": f"Bearer {tokens['a']}"})
        .headers["ETag"]
        for name in ("a", "b")
    }
    statuses: dict[str, int] = {}

    def demote(actor: str, target: str) -> None:
        response = app.test_client().patch(
            f"/api/v1/users/{ids[target]}",
            json={"role": "legal"},
            headers={"Authorization": f"Bearer {tokens[actor]}", "If-Match": etags[target]},
        )
        statuses[actor] = response.status_code

    threads = [
        threading.Thread(target=demote, args=("a", "b")),
        threading.Thread(target=demote, args=("b", "a")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [200, 409], statuses
    with app.app_context(), session_scope() as session:
        admins = session.execute(
            select(col(User.email)).where(col(User.role) == "admin", col(User.disabled).is_(False))
        ).all()
    assert len(admins) == 1


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "///evil.com",
        "/\\evil.com",
        "/\\/evil.com",
        "\\\\evil.com",
        "https://evil.com/",
        "/\t/evil.com",
        "/ok\r\nSet-Cookie: x=1",
        "/ok\nLocation: //evil.com",
        "evil.com",
    ],
)
def test_sign_in_next_takes_only_a_local_path(app: Flask, target: str) -> None:
    make_user(app, "nx@example.test")
    for url in ("/login", "/auth/login"):  # the page's form and the API's form answer
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
        form = {
            "email": "nx@example.test",
            "password": PASSWORD,
            "csrf_token": csrf,
            "next": target,
        }
        response = client.post(url, data=form)
        assert response.status_code == 303, response.get_data(as_text=True)
        assert response.headers["Location"] == "/", (url, response.headers["Location"])
    signed = app.test_client()
    signed.post("/auth/login", json={"email": "nx@example.test", "password": PASSWORD})
    already = signed.get("/login", query_string={"next": target})
    assert already.status_code == 303 and already.headers["Location"] == "/"


def test_sign_in_next_keeps_a_local_path(app: Flask) -> None:
    make_user(app, "lp@example.test")
    client = app.test_client()
    page = client.get("/login")
    csrf = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    form = {
        "email": "lp@example.test",
        "password": PASSWORD,
        "csrf_token": csrf,
        "next": "/reviews?status=draft",
    }
    response = client.post("/login", data=form)
    assert response.headers["Location"] == "/reviews?status=draft"


def test_the_admin_token_form_saves_name_and_expiry(app: Flask) -> None:
    make_user(app, "root@example.test", role="admin")
    owner = make_user(app, "svc@example.test", role="viewer")
    client, csrf = signed_in(app, "root@example.test")
    form = {
        "csrf_token": csrf,
        "token.user_id": str(owner.id),
        "token.name": "CI export",
        "token.expires_in_days": "30",
    }
    response = client.post("/admin/tokens", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context(), session_scope() as session:
        token = session.execute(
            select(ApiToken).where(col(ApiToken.user_id) == owner.id)
        ).scalar_one()
        assert token.name == "CI export"
        assert token.expires_at is not None
        assert 29 <= (token.expires_at - token.created_at).days <= 30
