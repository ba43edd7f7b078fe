"""Text no database can store, JSON too deep, dates out of range, racing writers: 4xx, not 500."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.db import session_scope
from service.vendors import services as vendor_services
from service.vendors.models import Vendor
from tests.helpers import Headers

VENDOR = {"slug": "acme", "name": "Acme Analytics", "hq_country": "US"}


def vendor_count(app: Flask) -> int:
    with app.app_context(), session_scope() as session:
        return int(session.execute(select(func.count()).select_from(Vendor)).scalar_one())


def assert_422(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    return body


@pytest.mark.parametrize(
    "raw",
    [
        '{"slug": "acme", "name": "Acme\\u0000Analytics", "hq_country": "US"}',
        '{"slug": "acme", "name": "Acme \\ud800 Analytics", "hq_country": "US"}',
        '{"slug": "acme", "name": "Acme", "hq_country": "US", "aliases": ["ok", "\\udfff"]}',
        '{"slug": "acme", "name": "Acme", "hq_country": "US", "description": "\\u0000"}',
        '{"slug": "acme", "name": "Acme", "hq_country": "US", "legal_entities": '
        '[{"name": "A\\u0000", "country": "US", "role": "hq"}]}',
    ],
)
def test_nul_and_lone_surrogates_in_json_are_refused(
    app: Flask, client: FlaskClient, auth: Headers, raw: str
) -> None:
    before = vendor_count(app)
    response = client.post(
        "/api/v1/vendors",
        data=raw,
        headers={**auth("admin"), "Content-Type": "application/json"},
    )
    body = assert_422(response)
    assert body["errors"]
    assert vendor_count(app) == before


def test_nul_in_query_path_and_form_is_refused(
    app: Flask, client: FlaskClient, auth: Headers
) -> None:
    viewer = auth("viewer")
    assert_422(client.get("/api/v1/vendors?q=ab%00c", headers=viewer))
    assert_422(client.get("/api/v1/vendors?hq_country=%00", headers=viewer))
    assert_422(client.get("/api/v1/vendors/ac%00me", headers=viewer))
    assert_422(client.get("/api/v1/audit?actor=x%00", headers=auth("legal")))
    response = client.post(
        "/auth/login", data={"email": "a\x00@example.test", "password": "x", "csrf_token": "t"}
    )
    assert response.status_code in {403, 422}  # no session yet: the CSRF check may come first
    assert client.get("/login?next=/%00").status_code in {200, 422}


def test_deep_json_is_refused(app: Flask, client: FlaskClient, auth: Headers) -> None:
    admin = {**auth("admin"), "Content-Type": "application/json"}
    deep = '{"slug": "acme", "name": "Acme", "hq_country": "US", "tags": ' + (
        "[" * 50_000 + "]" * 50_000 + "}"
    )
    response = client.post("/api/v1/vendors", data=deep, headers=admin)
    assert response.status_code in {400, 422}, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    moderately = '{"slug": "acme", "name": "Acme", "hq_country": "US", "x": ' + (
        "[" * 500 + "]" * 500 + "}"
    )
    assert_422(client.post("/api/v1/vendors", data=moderately, headers=admin))
    assert vendor_count(app) == 0


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_audit_dates_out_of_range_in_utc_are_422(
    client: FlaskClient, auth: Headers, when: str
) -> None:
    for field in ("since", "until"):
        body = assert_422(
            client.get("/api/v1/audit", query_string={field: when}, headers=auth("legal"))
        )
        assert field in body["errors"]


def test_two_writers_racing_for_one_alias_get_201_and_409(
    app: Flask, auth: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both check the aliases before either inserts them: on PostgreSQL the loser's insert
    waits, then fails on the unique key (or deadlocks): a 409, as on SQLite."""
    admins = [auth("admin"), auth("admin")]
    barrier = threading.Barrier(2)
    real = vendor_services._sync_index_rows

    def both_checked(session: Any, vendor: Any) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)
        real(session, vendor)

    monkeypatch.setattr(vendor_services, "_sync_index_rows", both_checked)
    bodies = [
        {
            "slug": "one",
            "name": "One Analytics",
            "aliases": ["Shared Kit", "Zed Kit"],
            "hq_country": "US",
        },
        {
            "slug": "two",
            "name": "Two Analytics",
            "aliases": ["Zed Kit", "Shared Kit"],
            "hq_country": "US",
        },
    ]
    statuses: list[int] = []

    def create(i: int) -> None:
        response = app.test_client().post("/api/v1/vendors", json=bodies[i], headers=admins[i])
        statuses.append(response.status_code)
        if response.status_code == 409:
            assert response.mimetype == "application/problem+json"

    threads = [threading.Thread(target=create, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409]
    assert vendor_count(app) == 1
