"""The audit trail: one event per committed change, none for a failed one; the read API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.audit.models import AuditEvent
from service.db import session_scope
from service.models import utcnow
from service.vendors import search as vendor_search
from tests.helpers import Headers

STRIPE = {"slug": "stripe", "name": "Stripe", "hq_country": "US"}


def events(app: Flask, **filters: str) -> list[AuditEvent]:
    with app.app_context(), session_scope() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)  # type: ignore[arg-type]
        for key, value in filters.items():
            query = query.where(getattr(AuditEvent, key) == value)
        return list(session.execute(query).scalars())


def count(app: Flask) -> int:
    with app.app_context(), session_scope() as session:
        return int(session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def test_every_committed_change_has_exactly_one_event(
    app: Flask, client: FlaskClient, auth: Headers
) -> None:
    admin = auth("admin")
    actor = client.get("/api/v1/me", headers=admin).get_json()["email"]
    start = count(app)

    def vendor_patch() -> Any:
        etag = client.get("/api/v1/vendors/stripe", headers=admin).headers["ETag"]
        return client.patch(
            "/api/v1/vendors/stripe",
            json={"description": "Payments"},
            headers={**admin, "If-Match": etag},
        )

    def vendor_archive() -> Any:
        etag = client.get("/api/v1/vendors/stripe", headers=admin).headers["ETag"]
        return client.delete("/api/v1/vendors/stripe", headers={**admin, "If-Match": etag})

    def user_patch() -> Any:
        uid = client.get("/api/v1/users?role=viewer", headers=admin).get_json()["items"][0]["id"]
        etag = client.get(f"/api/v1/users/{uid}", headers=admin).headers["ETag"]
        return client.patch(
            f"/api/v1/users/{uid}", json={"role": "legal"}, headers={**admin, "If-Match": etag}
        )

    def token_revoke() -> Any:
        tid = client.get("/api/v1/tokens", headers=admin).get_json()[0]["id"]
        return client.delete(f"/api/v1/tokens/{tid}", headers=admin)  # the newest: made above

    steps: list[tuple[str, str, Callable[[], Any]]] = [
        ("vendor", "create", lambda: client.post("/api/v1/vendors", json=STRIPE, headers=admin)),
        ("vendor", "update", vendor_patch),
        ("vendor", "archive", vendor_archive),
        (
            "user",
            "create",
            lambda: client.post(
                "/api/v1/users", json={"email": "v@example.test", "role": "viewer"}, headers=admin
            ),
        ),
        ("user", "update", user_patch),
        ("token", "create", lambda: client.post("/api/v1/tokens", json={}, headers=admin)),
        ("token", "revoke", token_revoke),
    ]
    for object_type, action, step in steps:
        before = count(app)
        response = step()
        assert response.status_code < 300, (object_type, action, response.get_data(as_text=True))
        new = events(app)[before:]
        assert [(e.object_type, e.action) for e in new] == [(object_type, action)]
        assert new[0].actor == actor
    assert count(app) > start


def test_failed_changes_leave_no_event(
    app: Flask, client: FlaskClient, auth: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = auth("admin")
    assert client.post("/api/v1/vendors", json=STRIPE, headers=admin).status_code == 201
    start = count(app)
    clash = {"slug": "stripe-2", "name": "Other", "aliases": ["STRIPE"]}
    assert client.post("/api/v1/vendors", json=clash, headers=admin).status_code == 409
    dup = {"email": client.get("/api/v1/me", headers=admin).get_json()["email"], "role": "viewer"}
    assert client.post("/api/v1/users", json=dup, headers=admin).status_code == 409
    stale = client.patch(
        "/api/v1/vendors/stripe", json={"notes": "x"}, headers={**admin, "If-Match": '"stale"'}
    )
    assert stale.status_code == 412
    assert count(app) == start

    # A crash after the event was added but before the commit: nothing of it survives.
    def explode(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(vendor_search, "fts_index", explode)
    crashed = client.post("/api/v1/vendors", json={"slug": "adyen", "name": "Adyen"}, headers=admin)
    assert crashed.status_code == 500
    assert count(app) == start
    assert client.get("/api/v1/vendors/adyen", headers=admin).status_code == 404


def test_audit_api_filters_pages_and_is_for_legal_and_admin(
    app: Flask, client: FlaskClient, auth: Headers
) -> None:
    legal = auth("legal")
    for i in range(5):
        body = {"slug": f"v{i}", "name": f"Vendor {i}"}
        assert client.post("/api/v1/vendors", json=body, headers=legal).status_code == 201
    page = client.get("/api/v1/audit?object_type=vendor&per_page=2", headers=legal)
    assert page.status_code == 200
    data = page.get_json()
    assert data["total"] == 5 and len(data["items"]) == 2 and page.headers["X-Total-Count"] == "5"
    assert [e["object_id"] for e in data["items"]] == ["v4", "v3"]  # newest first
    assert 'rel="next"' in page.headers["Link"]
    one = client.get("/api/v1/audit?object_type=vendor&object_id=v2", headers=legal).get_json()
    assert one["total"] == 1 and one["items"][0]["changes"]["name"] == {
        "before": None,
        "after": "Vendor 2",
    }
    actor = one["items"][0]["actor"]
    by_actor = client.get(
        "/api/v1/audit",
        query_string={"actor": actor, "action": "create", "object_type": "vendor"},
        headers=legal,
    ).get_json()
    assert by_actor["total"] == 5
    now = utcnow()
    window = {"since": (now - timedelta(minutes=5)).isoformat(), "until": now.isoformat()}
    recent = client.get(
        "/api/v1/audit", query_string={**window, "object_type": "vendor"}, headers=legal
    ).get_json()
    assert recent["total"] == 5
    future = {"since": (now + timedelta(hours=1)).isoformat()}
    assert client.get("/api/v1/audit", query_string=future, headers=legal).get_json()["total"] == 0
    backwards = {"since": now.isoformat(), "until": (now - timedelta(hours=1)).isoformat()}
    assert client.get("/api/v1/audit", query_string=backwards, headers=legal).status_code == 422
    assert client.get("/api/v1/audit", headers=auth("admin")).status_code == 200
    assert client.get("/api/v1/audit", headers=auth("procurement")).status_code == 403
    assert client.get("/api/v1/audit", headers=auth("viewer")).status_code == 403
    assert client.get("/api/v1/audit").status_code == 401


def test_no_route_edits_or_deletes_an_event(app: Flask, client: FlaskClient, auth: Headers) -> None:
    audit_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/audit")]
    assert audit_rules
    for rule in audit_rules:
        assert (rule.methods or set()) <= {"GET", "HEAD", "OPTIONS"}, rule
    admin = auth("admin")
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/api/v1/audit", json={}, headers=admin).status_code == 405
        assert getattr(client, method)("/api/v1/audit/1", json={}, headers=admin).status_code in {
            404,
            405,
        }
