"""The per-request token check (services.check_token) and the lazily loaded token caller.

Nothing about a token is kept between requests: each request reads the token and its user
again, so a revoke, a disabled user, an expiry or a role change counts on the very next
request, in a worker that has just served that token.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select

from service import errors
from service.audit.models import AuditEvent
from service.auth import identity, services
from service.auth.models import ApiToken, User
from service.db import get_session, session_scope
from service.models import utcnow
from tests.helpers import add_vendor, assert_problem


class Issued(NamedTuple):
    """A token just issued to a new user: its id and its plain text."""

    id: int
    plain: str

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header that presents it."""
        return {"Authorization": f"Bearer {self.plain}"}


def _token(app: Flask, email: str, role: str, days: int | None = None) -> Issued:
    with app.app_context(), session_scope() as session:
        user = services.create_user(session=session, email=email, role=role)
        token, plain = services.create_token(session=session, user=user, expires_in_days=days)
        assert token.id is not None
        return Issued(token.id, plain)


def _change_user(app: Flask, email: str, **changes: object) -> None:
    with app.app_context(), session_scope() as session:
        user = services.get_user_by_email(session=session, email=email)
        services.update_user(session=session, user=user, changes=changes)


@pytest.fixture
def vendor_url(app: Flask) -> str:
    add_vendor(app, slug="acme", name="Acme Analytics", hq_country="US")
    return "/api/v1/vendors/acme"


def test_a_revoked_token_is_refused_on_the_very_next_request(
    app: Flask, client: FlaskClient, vendor_url: str
) -> None:
    issued = _token(app, "rev@example.test", "viewer")
    for _ in range(3):  # the worker has served this token and this vendor
        assert client.get(vendor_url, headers=issued.headers).status_code == 200
    assert client.delete(f"/api/v1/tokens/{issued.id}", headers=issued.headers).status_code == 204
    assert_problem(client.get(vendor_url, headers=issued.headers), 401)
    assert_problem(client.get("/api/v1/me", headers=issued.headers), 401)


def test_a_token_revoked_elsewhere_is_refused_on_the_next_request(
    app: Flask, client: FlaskClient, vendor_url: str
) -> None:
    issued = _token(app, "cli@example.test", "viewer")
    assert client.get(vendor_url, headers=issued.headers).status_code == 200
    with app.app_context(), session_scope() as session:  # as `xborder tokens revoke` would
        token, owner = services.get_token(session=session, token_id=issued.id)
        services.revoke_token(session=session, token=token, owner=owner)
    assert_problem(client.get(vendor_url, headers=issued.headers), 401)


def test_a_disabled_users_token_is_refused_on_the_next_request(
    app: Flask, client: FlaskClient, vendor_url: str
) -> None:
    headers = _token(app, "gone@example.test", "legal").headers
    assert client.get(vendor_url, headers=headers).status_code == 200
    _change_user(app, "gone@example.test", disabled=True)
    assert_problem(client.get(vendor_url, headers=headers), 401)
    # Re-enabling does not revive it: disabling revoked the user's tokens for good.
    _change_user(app, "gone@example.test", disabled=False)
    assert_problem(client.get(vendor_url, headers=headers), 401)


def test_a_role_change_counts_on_the_next_request(app: Flask, client: FlaskClient) -> None:
    _token(app, "keep@example.test", "admin")  # so the other admin may be demoted
    headers = _token(app, "boss@example.test", "admin").headers
    assert client.get("/api/v1/users", headers=headers).status_code == 200
    _change_user(app, "boss@example.test", role="viewer")
    assert_problem(client.get("/api/v1/users", headers=headers), 403)
    assert client.get("/api/v1/me", headers=headers).get_json()["role"] == "viewer"


def test_an_expired_token_is_refused(app: Flask) -> None:
    token_id, plain = _token(app, "old@example.test", "viewer", days=1)
    with app.app_context(), session_scope() as session:
        found = services.check_token(session=session, plain=plain)
        assert found is not None and found.id == token_id and found.role == "viewer"
        assert found.email == "old@example.test"
        later = utcnow() + timedelta(days=1, seconds=1)
        assert services.check_token(session=session, plain=plain, now=later) is None
        assert services.check_token(session=session, plain=plain + "x") is None


def test_a_token_callers_user_is_loaded_only_when_asked_for(app: Flask) -> None:
    headers = _token(app, "lazy@example.test", "legal").headers
    with app.test_request_context("/api/v1/me", headers=headers):
        identity.load_current_user()
        assert g.auth_method == "token" and g.token_caller.role == "legal"
        assert "current_user" in g
        assert not get_session().identity_map  # no User built yet
        user = g.get("current_user")
        assert isinstance(user, User) and user.email == "lazy@example.test"
        assert g.current_user is user and user in get_session()  # one User, in the session
    with app.test_request_context("/api/v1/me"):
        identity.load_current_user()
        assert g.current_user is None and g.get("current_user") is None
        assert "token_caller" not in g


def test_a_user_disabled_after_the_check_is_not_acted_for(app: Flask) -> None:
    headers = _token(app, "race@example.test", "legal").headers
    with app.test_request_context("/api/v1/vendors", method="POST", headers=headers):
        identity.load_current_user()
        _change_user(app, "race@example.test", disabled=True)
        with pytest.raises(errors.Unauthorized):
            _ = g.current_user


def test_a_token_callers_writes_are_audited_as_them(app: Flask, client: FlaskClient) -> None:
    headers = _token(app, "writer@example.test", "legal").headers
    body = {"slug": "newco", "name": "Newco Mail", "hq_country": "DE"}
    assert client.post("/api/v1/vendors", json=body, headers=headers).status_code == 201
    with app.app_context(), session_scope() as session:
        actors = session.execute(
            select(AuditEvent.actor).where(AuditEvent.object_type == "vendor")
        ).scalars()
        assert list(actors) == ["writer@example.test"]
        token = session.execute(select(ApiToken)).scalars().one()
        assert token.last_used_at is not None
