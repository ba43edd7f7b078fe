"""Sign-in, sessions, CSRF, users and API tokens: services, HTTP and the first-start admin."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service import errors
from service.audit.models import AuditEvent
from service.auth import passwords, services
from service.auth.bootstrap import create_first_admin
from service.auth.models import ApiToken, User
from service.db import session_scope
from service.models import utcnow
from tests.helpers import Headers, assert_problem

PASSWORD = "correct horse battery"


def make_user(app: Flask, email: str, role: str = "legal", password: str = PASSWORD) -> User:
    """A user with a password, committed."""
    with app.app_context(), session_scope() as session:
        return services.create_user(session=session, email=email, role=role, password=password)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/auth/login", json={"email": email, "password": password})


def audit_text(app: Flask) -> str:
    with app.app_context(), session_scope() as session:
        events = session.execute(select(AuditEvent)).scalars().all()
        return repr([(e.actor, e.action, e.object_id, e.changes) for e in events])


# ---- passwords -------------------------------------------------------------------------------


@pytest.mark.usefixtures("shipped_password_hashing")
def test_passwords_are_argon2id_and_verify() -> None:
    hashed = passwords.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in hashed
    assert passwords.verify_password(hashed, PASSWORD)
    assert not passwords.verify_password(hashed, PASSWORD + "x")
    assert not passwords.verify_password(None, PASSWORD)  # dummy hash path, always false
    assert not passwords.verify_password("not a hash", PASSWORD)


def test_unknown_email_takes_the_same_verify_path(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(app, "known@example.test")
    calls: list[str | None] = []
    real = passwords.verify_password

    def spy(password_hash: str | None, password: str) -> bool:
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr("service.auth.services.verify_password", spy)
    with app.app_context(), session_scope() as session:
        assert services.authenticate(session=session, email="nobody@x.test", password="x") is None
        assert (
            services.authenticate(session=session, email="known@example.test", password="x") is None
        )
        assert services.authenticate(session=session, email="KNOWN@example.test", password=PASSWORD)
    assert len(calls) == 3 and calls[0] is None and calls[1] is not None


# ---- sign-in, sessions, CSRF -----------------------------------------------------------------


@pytest.mark.usefixtures("shipped_password_hashing")
def test_sign_in_upgrades_a_hash_made_with_older_argon2_parameters(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, "old@example.test")
    weaker = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    with app.app_context(), session_scope() as session:
        user = session.execute(select(User).where(User.email == "old@example.test")).scalar_one()
        user.password_hash = weaker.hash(PASSWORD)
    assert login(client, "old@example.test", PASSWORD + "x").status_code == 401
    with app.app_context(), session_scope() as session:
        stored = session.execute(select(User).where(User.email == "old@example.test")).scalar_one()
        assert passwords.needs_rehash(str(stored.password_hash))  # a failed sign-in changes nothing
    assert login(client, "old@example.test").status_code == 200
    with app.app_context(), session_scope() as session:
        stored = session.execute(select(User).where(User.email == "old@example.test")).scalar_one()
        upgraded = str(stored.password_hash)
    assert not passwords.needs_rehash(upgraded) and passwords.verify_password(upgraded, PASSWORD)
    assert "'password_rehash', 'old@example.test'" in audit_text(app)
    assert login(app.test_client(), "old@example.test").status_code == 200  # the new hash works


def test_login_json_sets_a_safe_cookie_and_me_answers(app: Flask, client: FlaskClient) -> None:
    make_user(app, "ana@example.test", "legal")
    response = login(client, "Ana@Example.test")
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["email"] == "ana@example.test" and body["csrf_token"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    me = client.get("/api/v1/me").get_json()
    assert me["email"] == "ana@example.test" and me["auth_method"] == "session"
    assert me["csrf_token"] == body["csrf_token"]
    assert "password_hash" not in me


def test_cookie_is_secure_when_configured_or_over_https(make_app: Callable[..., Flask]) -> None:
    app = make_app(SESSION_COOKIE_SECURE=True)
    make_user(app, "sec@example.test")
    assert "Secure" in login(app.test_client(), "sec@example.test").headers["Set-Cookie"]
    plain = make_app()
    over_https = plain.test_client().post(
        "/auth/login",
        json={"email": "sec@example.test", "password": PASSWORD},
        base_url="https://localhost",
    )
    assert "Secure" in over_https.headers["Set-Cookie"]


def test_failed_logins_say_the_same_for_unknown_email_wrong_password_and_disabled(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, "kim@example.test")
    make_user(app, "off@example.test")
    with app.app_context(), session_scope() as session:
        user = services.get_user_by_email(session=session, email="off@example.test")
        services.disable_user(session=session, user=user)
    bodies = [
        assert_problem(login(client, "nobody@example.test"), 401),
        assert_problem(login(client, "kim@example.test", "wrong password!"), 401),
        assert_problem(login(client, "off@example.test"), 401),
    ]
    assert len({(b["title"], b["detail"]) for b in bodies}) == 1
    assert "Set-Cookie" not in login(client, "nobody@example.test").headers


def test_form_login_needs_csrf_and_redirects_only_locally(app: Flask, client: FlaskClient) -> None:
    make_user(app, "form@example.test")
    form = {"email": "form@example.test", "password": PASSWORD, "next": "/reviews/1"}
    assert_problem(client.post("/auth/login", data=form), 403)  # no token in a session yet
    with client.session_transaction() as sess:
        sess["csrf_token"] = "tok"
    assert_problem(client.post("/auth/login", data={**form, "csrf_token": "other"}), 403)
    ok = client.post("/auth/login", data={**form, "csrf_token": "tok"})
    assert ok.status_code == 303 and ok.headers["Location"] == "/reviews/1"
    with client.session_transaction() as sess:
        sess["csrf_token"] = "tok2"
    evil = client.post(
        "/auth/login", data={**form, "next": "//evil.example/x", "csrf_token": "tok2"}
    )
    assert evil.status_code == 303 and evil.headers["Location"] == "/"


def test_cookie_writes_need_the_csrf_token_and_bearer_calls_do_not(
    app: Flask, client: FlaskClient, auth: Headers
) -> None:
    make_user(app, "boss@example.test", "admin")
    token = login(client, "boss@example.test").get_json()["csrf_token"]
    body = {"email": "new@example.test", "role": "viewer", "password": "a long password"}
    assert_problem(client.post("/api/v1/users", json=body), 403)
    assert_problem(client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": "x"}), 403)
    created = client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": token})
    assert created.status_code == 201
    # reads need no token; Bearer writes need none either
    assert client.get("/api/v1/users").status_code == 200
    other = app.test_client().post(
        "/api/v1/users", json={**body, "email": "n2@example.test"}, headers=auth("admin")
    )
    assert other.status_code == 201


def test_csrf_token_is_a_jinja_global(app: Flask) -> None:
    with app.test_request_context("/"):
        rendered = app.jinja_env.from_string(
            '<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">'
        ).render()
        from flask import session

        assert session["csrf_token"] in rendered


def test_logout_ends_the_session(app: Flask, client: FlaskClient) -> None:
    make_user(app, "out@example.test")
    token = login(client, "out@example.test").get_json()["csrf_token"]
    assert_problem(client.post("/auth/logout"), 403)  # a foreign page cannot sign you out
    assert client.post("/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    assert_problem(client.get("/api/v1/me"), 401)


def test_password_change_or_disable_ends_existing_sessions(app: Flask, client: FlaskClient) -> None:
    user = make_user(app, "rot@example.test")
    login(client, "rot@example.test")
    assert client.get("/api/v1/me").status_code == 200
    with app.app_context(), session_scope() as session:
        fresh = services.get_user(session=session, user_id=user.id or 0)
        services.update_user(session=session, user=fresh, changes={"password": "another password"})
    assert_problem(client.get("/api/v1/me"), 401)
    login(client, "rot@example.test", "another password")
    with app.app_context(), session_scope() as session:
        fresh = services.get_user(session=session, user_id=user.id or 0)
        services.disable_user(session=session, user=fresh)
    assert_problem(client.get("/api/v1/me"), 401)


# ---- tokens ----------------------------------------------------------------------------------


def test_tokens_are_stored_hashed_expire_revoke_and_note_last_use(app: Flask) -> None:
    user = make_user(app, "tok@example.test")
    with app.app_context(), session_scope() as session:
        owner = services.get_user(session=session, user_id=user.id or 0)
        token, plain = services.create_token(session=session, user=owner, expires_in_days=1)
    assert plain.startswith("xb_") and len(plain) > 40
    with app.app_context(), session_scope() as session:
        stored = session.get(ApiToken, token.id)
        assert stored is not None and plain not in repr(stored.model_dump())
        assert stored.token_hash == services.hash_token(plain)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me", headers=headers).get_json()["auth_method"] == "token"
    with app.app_context(), session_scope() as session:
        stored = session.get(ApiToken, token.id)
        assert stored is not None and stored.last_used_at is not None
        later = utcnow() + timedelta(days=2)
        assert services.user_for_token(session=session, plain=plain, now=later) is None
        services.revoke_token(session=session, token=stored, owner=owner)
    assert_problem(client.get("/api/v1/me", headers=headers), 401)
    assert plain not in audit_text(app)


def test_token_use_is_written_at_most_once_a_minute(app: Flask) -> None:
    user = make_user(app, "often@example.test")
    with app.app_context(), session_scope() as session:
        owner = services.get_user(session=session, user_id=user.id or 0)
        token, plain = services.create_token(session=session, user=owner)
    headers = {"Authorization": f"Bearer {plain}"}
    client = app.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context(), session_scope() as session:
        first = session.get(ApiToken, token.id)
        assert first is not None and first.last_used_at is not None
        noted = first.last_used_at
    for _ in range(3):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context(), session_scope() as session:
        stored = session.get(ApiToken, token.id)
        assert stored is not None and stored.last_used_at == noted  # no write per request
        checked = services.check_token(session=session, plain=plain)
        assert checked is not None and checked.last_used_at == noted
        soon = noted + services.TOKEN_TOUCH_INTERVAL / 2
        assert not services.note_token_use(session=session, token=checked, now=soon)
        later = noted + services.TOKEN_TOUCH_INTERVAL
        assert services.note_token_use(session=session, token=checked, now=later)
    with app.app_context(), session_scope() as session:
        stored = session.get(ApiToken, token.id)
        assert stored is not None and stored.last_used_at == later


def test_token_api_shows_the_value_once_and_users_manage_only_their_own(
    client: FlaskClient, auth: Headers
) -> None:
    legal, viewer, admin = auth("legal"), auth("viewer"), auth("admin")
    created = client.post(
        "/api/v1/tokens", json={"name": "ci", "expires_in_days": 30}, headers=legal
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["token"].startswith("xb_") and body["expires_at"] and body["active"]
    listed = client.get("/api/v1/tokens", headers=legal).get_json()
    assert {t["id"] for t in listed} >= {body["id"]}
    assert all("token" not in t for t in listed)
    assert_problem(client.get(f"/api/v1/tokens/{body['id']}", headers=viewer), 403)
    assert_problem(client.delete(f"/api/v1/tokens/{body['id']}", headers=viewer), 403)
    everyone = client.get("/api/v1/tokens", headers=admin).get_json()
    assert len(everyone) >= 4  # every fixture user's token plus the new one
    assert client.delete(f"/api/v1/tokens/{body['id']}", headers=legal).status_code == 204
    assert_problem(
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"}), 401
    )
    revoked = client.get("/api/v1/tokens?include_revoked=true", headers=legal).get_json()
    assert any(t["id"] == body["id"] and t["revoked_at"] for t in revoked)


def test_admin_issues_a_token_for_another_user(
    app: Flask, client: FlaskClient, auth: Headers
) -> None:
    user = make_user(app, "robot@example.test", "procurement")
    issued = client.post("/api/v1/tokens", json={"user_id": user.id}, headers=auth("admin"))
    assert issued.status_code == 201 and issued.get_json()["user"] == "robot@example.test"
    assert_problem(
        client.post("/api/v1/tokens", json={"user_id": user.id}, headers=auth("legal")), 403
    )


# ---- users API -------------------------------------------------------------------------------


def test_admin_creates_lists_edits_and_disables_users(client: FlaskClient, auth: Headers) -> None:
    admin = auth("admin")
    created = client.post(
        "/api/v1/users", json={"email": "Lee@Example.test", "role": "legal"}, headers=admin
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["user"]["email"] == "lee@example.test" and len(body["initial_password"]) >= 12
    uid = body["user"]["id"]
    assert login(client, "lee@example.test", body["initial_password"]).status_code == 200
    dup = client.post(
        "/api/v1/users", json={"email": "lee@example.test", "role": "legal"}, headers=admin
    )
    assert assert_problem(dup, 409)["errors"] == {"email": ["Taken."]}
    short = client.post(
        "/api/v1/users",
        json={"email": "s@example.test", "role": "legal", "password": "short"},
        headers=admin,
    )
    assert "password" in assert_problem(short, 422)["errors"]
    page = client.get("/api/v1/users?role=legal", headers=admin)
    assert page.headers["X-Total-Count"] == str(page.get_json()["total"])
    assert all(u["role"] == "legal" for u in page.get_json()["items"])
    etag = client.get(f"/api/v1/users/{uid}", headers=admin).headers["ETag"]
    assert_problem(
        client.patch(f"/api/v1/users/{uid}", json={"disabled": True}, headers=admin), 428
    )
    done = client.patch(
        f"/api/v1/users/{uid}", json={"disabled": True}, headers={**admin, "If-Match": etag}
    )
    assert done.status_code == 200 and done.get_json()["disabled"] is True
    stale = client.patch(
        f"/api/v1/users/{uid}", json={"name": "x"}, headers={**admin, "If-Match": etag}
    )
    assert_problem(stale, 412)
    assert_problem(login(client, "lee@example.test", body["initial_password"]), 401)


def test_the_last_admin_cannot_be_disabled_or_demoted(app: Flask) -> None:
    only = make_user(app, "root@example.test", "admin")
    with app.app_context(), session_scope() as session:
        user = services.get_user(session=session, user_id=only.id or 0)
        for changes in ({"disabled": True}, {"role": "legal"}):
            with pytest.raises(errors.Conflict):
                services.update_user(session=session, user=user, changes=changes)
            session.rollback()
            user = services.get_user(session=session, user_id=only.id or 0)


def test_the_user_list_pages_as_every_list_does(client: FlaskClient, auth: Headers) -> None:
    """GET /users sends X-Total-Count and a Link header (first, prev, next, last, the filters
    kept), as docs/api.md says every list does."""
    admin = auth("admin")
    for _ in range(3):
        auth("legal")
    first = client.get("/api/v1/users?role=legal&per_page=2", headers=admin)
    assert first.status_code == 200 and first.headers["X-Total-Count"] == "3"
    link = first.headers["Link"]
    assert 'rel="next"' in link and "page=2" in link and "role=legal" in link
    assert 'rel="prev"' not in link and 'rel="last"' in link
    last = client.get("/api/v1/users?role=legal&per_page=2&page=2", headers=admin)
    assert len(last.get_json()["items"]) == 1 and last.headers["X-Total-Count"] == "3"
    assert 'rel="prev"' in last.headers["Link"] and 'rel="next"' not in last.headers["Link"]


def test_users_api_is_admin_only(client: FlaskClient, auth: Headers) -> None:
    assert_problem(client.get("/api/v1/users"), 401)
    for role in ("legal", "procurement", "viewer"):
        assert_problem(client.get("/api/v1/users", headers=auth(role)), 403)


# ---- secrets stay out of logs, errors and the audit trail ------------------------------------


def test_passwords_and_tokens_never_reach_logs_errors_or_audit(
    app: Flask, client: FlaskClient, auth: Headers, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "a very secret passphrase"
    admin = auth("admin")
    made = client.post(
        "/api/v1/users",
        json={"email": "sec@example.test", "role": "viewer", "password": secret},
        headers=admin,
    )
    uid = made.get_json()["user"]["id"]
    etag = made.headers["ETag"]
    client.patch(
        f"/api/v1/users/{uid}", json={"password": secret + "2"}, headers={**admin, "If-Match": etag}
    )
    bad = client.post("/auth/login", json={"email": "sec@example.test", "password": secret})
    token = client.post("/api/v1/tokens", json={}, headers=admin).get_json()["token"]
    invalid = client.post(
        "/api/v1/users", json={"email": "bad", "role": "viewer", "password": secret}, headers=admin
    )
    texts = [
        caplog.text,
        audit_text(app),
        bad.get_data(as_text=True),
        invalid.get_data(as_text=True),
    ]
    for text in texts:
        assert secret not in text and token not in text and "$argon2" not in text
    assert "set_password" in audit_text(app)


# ---- first start -----------------------------------------------------------------------------


def test_first_start_creates_an_admin_once_and_prints_secrets_once(
    app: Flask, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert create_first_admin(app) is not None
    err = capsys.readouterr().err
    password = re.search(r"password:\s+(\S+)", err)
    token = re.search(r"API token:\s+(\S+)", err)
    assert password and token
    assert password.group(1) not in caplog.text and token.group(1) not in caplog.text
    client = app.test_client()
    assert login(client, "admin@localhost", password.group(1)).status_code == 200
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token.group(1)}"})
    assert me.get_json()["role"] == "admin"
    assert create_first_admin(app) is None
    assert capsys.readouterr().err == ""


def test_first_start_uses_the_configured_admin(
    make_app: Callable[..., Flask], capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(ADMIN_EMAIL="ops@example.test", ADMIN_PASSWORD="chosen by the operator")
    create_first_admin(app)
    err = capsys.readouterr().err
    assert "ops@example.test" in err and "chosen by the operator" not in err
    assert "xb_" not in err
    assert login(app.test_client(), "ops@example.test", "chosen by the operator").status_code == 200


def test_first_start_does_nothing_when_a_user_exists(
    app: Flask, make_token: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    make_token("viewer")
    assert create_first_admin(app) is None
    with app.app_context(), session_scope() as session:
        assert session.execute(select(func.count()).select_from(User)).scalar_one() == 1
    assert capsys.readouterr().err == ""


def test_ids_beyond_any_integer_column_are_not_found(client: FlaskClient, auth: Headers) -> None:
    admin = auth("admin")
    for url in ("/api/v1/users/1531311083306", "/api/v1/tokens/99999999999999999999"):
        assert client.get(url, headers=admin).status_code == 404
    assert client.post("/api/v1/tokens", json={"user_id": 2**40}, headers=admin).status_code == 422
