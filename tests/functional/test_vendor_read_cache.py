"""`GET /api/v1/vendors/<slug>` keeps each vendor's body per stamp (id, version, updated_at,
registry_version): after every write path the read serves exactly what a fresh load and dump
of the row gives, with the row's ETag."""

from __future__ import annotations

import json

import pytest
from flask import Flask, jsonify
from flask.testing import FlaskClient
from sqlalchemy import select, text

from service.db import session_scope
from service.reference.services import get_reference
from service.vendors import services
from service.vendors.io import upsert
from service.vendors.models import Vendor
from service.vendors.schemas import VendorSchema
from service.vendors.views import vendor_etag
from tests.helpers import Headers

STRIPE = {"slug": "stripe", "name": "Stripe", "hq_country": "US", "description": "Payments."}


@pytest.fixture
def admin(auth: Headers) -> dict[str, str]:
    return auth("admin")


def fresh(app: Flask, slug: str) -> tuple[bytes, str]:
    """The body and ETag a read builds from the row as it is now, bypassing any kept body."""
    with app.test_request_context(), session_scope() as session:
        vendor = services.get_vendor(session=session, slug=slug)
        return jsonify(VendorSchema().dump(vendor)).get_data(), vendor_etag(vendor)


def served(client: FlaskClient, headers: dict[str, str], slug: str) -> tuple[bytes, str]:
    read = client.get(f"/api/v1/vendors/{slug}", headers=headers)
    assert read.status_code == 200
    assert read.content_type == "application/json"
    return read.get_data(), read.headers["ETag"]


def check(app: Flask, client: FlaskClient, headers: dict[str, str], before: bytes) -> bytes:
    """The read serves the row as it is (twice: a built body, then a kept one), and it changed."""
    first = served(client, headers, "stripe")
    assert first == served(client, headers, "stripe") == fresh(app, "stripe")
    assert first[0] != before
    return first[0]


def test_every_write_path_changes_what_the_read_serves(
    app: Flask, client: FlaskClient, admin: dict[str, str]
) -> None:
    created = client.post("/api/v1/vendors", json=STRIPE, headers=admin)
    assert created.status_code == 201
    body, etag = served(client, admin, "stripe")
    assert etag == created.headers["ETag"]
    assert (body, etag) == fresh(app, "stripe")
    assert json.loads(body)["description"] == "Payments."

    # The API's PATCH.
    patched = client.patch(
        "/api/v1/vendors/stripe",
        json={"description": "Card payments."},
        headers={**admin, "If-Match": etag},
    )
    assert patched.status_code == 200
    body = check(app, client, admin, body)
    assert json.loads(body)["description"] == "Card payments."

    # update_vendor as the CLI, the catalog update and the list import call it.
    for changes, kwargs in (
        ({"dpf_certified": True}, {}),
        ({"description": "From the catalog."}, {"from_catalog": ("v9", "h" * 64)}),
        ({"hq_country": "IE"}, {"action": "list_import"}),
    ):
        with app.app_context(), session_scope() as session:
            vendor = services.get_vendor(session=session, slug="stripe")
            services.update_vendor(
                session=session,
                vendor=vendor,
                changes=changes,
                reference=get_reference(),
                **kwargs,  # type: ignore[arg-type]
            )
        body = check(app, client, admin, body)
    assert json.loads(body)["catalog_version"] == "v9"

    # The bulk import, updating an existing vendor by slug.
    with app.app_context(), session_scope() as session:
        report = upsert.import_file(
            session=session,
            data=json.dumps([{**STRIPE, "description": "Imported."}]).encode(),
            fmt="json",
            reference=get_reference(),
        )
    assert report.updated == ["stripe"]
    body = check(app, client, admin, body)
    assert json.loads(body)["description"] == "Imported."

    # Archiving through the API.
    etag = served(client, admin, "stripe")[1]
    archived = client.delete("/api/v1/vendors/stripe", headers={**admin, "If-Match": etag})
    assert archived.status_code == 204
    body = check(app, client, admin, body)
    assert json.loads(body)["archived"] is True


def test_a_vendor_rebuilt_under_the_same_id_and_version_is_read_anew(
    app: Flask, client: FlaskClient, admin: dict[str, str]
) -> None:
    assert client.post("/api/v1/vendors", json=STRIPE, headers=admin).status_code == 201
    body, _ = served(client, admin, "stripe")
    with app.app_context(), session_scope() as session:
        vendor_id = services.get_vendor(session=session, slug="stripe").id
        for table in ("vendor_alias", "vendor_facet"):
            session.execute(text(f"DELETE FROM {table} WHERE vendor_id = :id"), {"id": vendor_id})
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("DELETE FROM vendor_fts WHERE rowid = :id"), {"id": vendor_id})
        session.execute(text("DELETE FROM vendor WHERE id = :id"), {"id": vendor_id})
        session.execute(text("UPDATE registry_state SET version = 0"))
    again = {**STRIPE, "description": "A different vendor now."}
    assert client.post("/api/v1/vendors", json=again, headers=admin).status_code == 201
    with app.app_context(), session_scope() as session:
        vendor = services.get_vendor(session=session, slug="stripe")
        if vendor.id != vendor_id:
            pytest.skip("this database did not reuse the id")
        assert vendor.version == 1
    body = check(app, client, admin, body)
    assert json.loads(body)["description"] == "A different vendor now."


def test_an_unknown_slug_is_404(client: FlaskClient, admin: dict[str, str]) -> None:
    read = client.get("/api/v1/vendors/nope", headers=admin)
    assert read.status_code == 404
    assert read.content_type == "application/problem+json"


def test_a_first_read_serves_the_schema_dump_of_the_record_for_every_shipped_vendor(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    """A body not kept yet is dumped from a Core snapshot of the row, not the ORM record: it is
    byte for byte what the response schema gives for the record, derived fields included
    (`sanctioned`, `status`), for each shipped vendor."""
    headers = auth("viewer")
    with catalog_app.app_context(), session_scope() as session:
        slugs = session.scalars(select(Vendor.slug).order_by(Vendor.slug)).all()
    assert len(slugs) >= 350
    sanctioned = 0
    for slug in slugs:
        body, etag = served(catalog_client, headers, slug)
        assert (body, etag) == fresh(catalog_app, slug), slug
        sanctioned += json.loads(body)["sanctioned"]
    assert sanctioned > 0  # the derived field was exercised
