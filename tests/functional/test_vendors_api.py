"""The vendor registry API as an integrator meets it: CRUD, search, filters, ETags, errors."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.audit.models import AuditEvent
from service.db import session_scope
from service.vendors.models import Vendor, VendorAlias
from tests.helpers import Headers, assert_problem, race_two_patches

UMENG = {
    "slug": "umeng",
    "name": "Umeng+",
    "aliases": ["友盟+", "Umeng", "U-App"],
    "hq_country": "CN",
    "processing_countries": ["CN"],
    "description": "Mobile analytics and push SDKs.",
    "legal_entities": [
        {"name": "Beijing Ruixun Lingtong Technology Co., Ltd.", "country": "CN", "role": "hq"}
    ],
}
YOOMONEY = {
    "slug": "yoomoney",
    "name": "YooMoney",
    "aliases": ["Yandex.Money", "Яндекс.Деньги", "ЮMoney"],
    "hq_country": "RU",
    "processing_countries": ["RU"],
}
STRIPE = {
    "slug": "stripe",
    "name": "Stripe",
    "hq_country": "US",
    "processing_countries": ["US", "IE"],
}


def row_counts(app: Flask) -> tuple[int, int, int]:
    """Vendors, alias keys and audit events in the database."""
    with app.app_context(), session_scope() as session:
        return (
            session.execute(select(func.count()).select_from(Vendor)).scalar_one(),
            session.execute(select(func.count()).select_from(VendorAlias)).scalar_one(),
            session.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
        )


@pytest.fixture
def admin(auth: Headers) -> dict[str, str]:
    return auth("admin")


@pytest.fixture
def seeded(client: FlaskClient, admin: dict[str, str]) -> dict[str, str]:
    for body in (UMENG, YOOMONEY, STRIPE):
        assert client.post("/api/v1/vendors", json=body, headers=admin).status_code == 201
    return admin


def test_create_read_and_etag(client: FlaskClient, admin: dict[str, str]) -> None:
    created = client.post("/api/v1/vendors", json=UMENG, headers=admin)
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/v1/vendors/umeng")
    read = client.get("/api/v1/vendors/umeng", headers=admin)
    assert read.status_code == 200
    assert read.headers["ETag"] == created.headers["ETag"]
    body = read.get_json()
    assert body["name"] == "Umeng+" and body["aliases"] == UMENG["aliases"]
    assert body["status"] == {"value": "active", "since": None, "note": None}
    assert body["created_at"].endswith("+00:00")


def test_patch_needs_if_match_and_rejects_stale(
    client: FlaskClient, seeded: dict[str, str]
) -> None:
    etag = client.get("/api/v1/vendors/stripe", headers=seeded).headers["ETag"]
    assert_problem(
        client.patch("/api/v1/vendors/stripe", json={"parent": "X"}, headers=seeded), 428
    )
    ok = client.patch(
        "/api/v1/vendors/stripe",
        json={"description": "Payments"},
        headers={**seeded, "If-Match": etag},
    )
    assert ok.status_code == 200 and ok.get_json()["description"] == "Payments"
    assert ok.headers["ETag"] != etag
    stale = client.patch(
        "/api/v1/vendors/stripe", json={"description": "Lost"}, headers={**seeded, "If-Match": etag}
    )
    assert_problem(stale, 412)
    assert (
        client.get("/api/v1/vendors/stripe", headers=seeded).get_json()["description"] == "Payments"
    )


def test_concurrent_patches_with_one_etag_lose_no_update(
    app: Flask, seeded: dict[str, str]
) -> None:
    etag = app.test_client().get("/api/v1/vendors/stripe", headers=seeded).headers["ETag"]
    winner = race_two_patches(app, "/api/v1/vendors/stripe", "description", seeded, etag)
    final = app.test_client().get("/api/v1/vendors/stripe", headers=seeded).get_json()
    assert final["description"] == winner and final["version"] == 2


def test_archive_hides_from_list_and_keeps_history(
    client: FlaskClient, seeded: dict[str, str]
) -> None:
    etag = client.get("/api/v1/vendors/stripe", headers=seeded).headers["ETag"]
    assert_problem(client.delete("/api/v1/vendors/stripe", headers=seeded), 428)
    assert (
        client.delete("/api/v1/vendors/stripe", headers={**seeded, "If-Match": etag}).status_code
        == 204
    )
    listed = {v["slug"] for v in client.get("/api/v1/vendors", headers=seeded).get_json()["items"]}
    assert "stripe" not in listed
    archived = client.get("/api/v1/vendors?archived=true", headers=seeded).get_json()["items"]
    assert [v["slug"] for v in archived] == ["stripe"]
    assert client.get("/api/v1/vendors/stripe", headers=seeded).get_json()["archived"] is True


def test_every_change_is_audited(app: Flask, client: FlaskClient, seeded: dict[str, str]) -> None:
    etag = client.get("/api/v1/vendors/umeng", headers=seeded).headers["ETag"]
    client.patch(
        "/api/v1/vendors/umeng",
        json={"parent": "Alibaba Group"},
        headers={**seeded, "If-Match": etag},
    )
    with app.app_context(), session_scope() as session:
        events = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.object_type == "vendor", AuditEvent.object_id == "umeng")
                .order_by(AuditEvent.id)  # type: ignore[arg-type]
            )
            .scalars()
            .all()
        )
        assert [e.action for e in events] == ["create", "update"]
        assert events[1].changes == {"parent": {"before": None, "after": "Alibaba Group"}}
        assert events[1].actor.startswith("admin")


def test_pagination_total_and_link_headers(client: FlaskClient, seeded: dict[str, str]) -> None:
    page = client.get("/api/v1/vendors?per_page=2&page=1", headers=seeded)
    body = page.get_json()
    assert body["total"] == 3 and len(body["items"]) == 2 and page.headers["X-Total-Count"] == "3"
    assert 'rel="next"' in page.headers["Link"] and "page=2" in page.headers["Link"]
    second = client.get("/api/v1/vendors?per_page=2&page=2", headers=seeded).get_json()
    assert len(second["items"]) == 1
    names = [v["name"] for v in body["items"] + second["items"]]
    assert names == sorted(names)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hq_country=CN", ["umeng"]),
        ("processing_country=IE", ["stripe"]),
        ("sort=-name", ["yoomoney", "umeng", "stripe"]),
        ("status=active&hq_country=RU", ["yoomoney"]),
    ],
)
def test_filters_and_sort(
    client: FlaskClient, seeded: dict[str, str], query: str, expected: list[str]
) -> None:
    items = client.get(f"/api/v1/vendors?{query}", headers=seeded).get_json()["items"]
    assert [v["slug"] for v in items] == expected


@pytest.mark.parametrize(
    ("q", "slug"),
    [
        ("Umeng+", "umeng"),
        ("UMeng", "umeng"),
        ("umeng", "umeng"),
        ("友盟", "umeng"),
        ("友盟+", "umeng"),
        ("Yandex Money", "yoomoney"),
        ("yandex.money", "yoomoney"),
        ("Яндекс.Деньги", "yoomoney"),
        ("Yoomony", "yoomoney"),  # typo
        ("Strpe", "stripe"),  # typo
        ("Ruixun Lingtong", "umeng"),  # legal entity
        ("analytics", "umeng"),  # description, full text
    ],
)
def test_search_finds_variants(
    client: FlaskClient, seeded: dict[str, str], q: str, slug: str
) -> None:
    items = client.get("/api/v1/vendors", query_string={"q": q}, headers=seeded).get_json()["items"]
    assert items and items[0]["slug"] == slug


def test_search_hits_carry_their_relevance_and_plain_lists_do_not(
    client: FlaskClient, seeded: dict[str, str]
) -> None:
    hits = client.get("/api/v1/vendors?q=umeng", headers=seeded).get_json()["items"]
    assert hits[0]["slug"] == "umeng" and hits[0]["score"] == 200.0
    assert all(isinstance(hit["score"], float) for hit in hits)
    by_name = client.get("/api/v1/vendors?q=stripe&sort=name", headers=seeded).get_json()
    assert [(v["slug"], "score" in v) for v in by_name["items"]] == [("stripe", True)]
    plain = client.get("/api/v1/vendors", headers=seeded).get_json()["items"]
    assert plain and not any("score" in v for v in plain)


def test_search_with_no_match_is_empty(client: FlaskClient, seeded: dict[str, str]) -> None:
    body = client.get("/api/v1/vendors?q=zzzqqq", headers=seeded).get_json()
    assert body == {"items": [], "total": 0, "page": 1, "per_page": 20}


def test_validation_errors_are_field_level_and_write_nothing(
    app: Flask, client: FlaskClient, admin: dict[str, str]
) -> None:
    before = row_counts(app)
    body = assert_problem(
        client.post(
            "/api/v1/vendors",
            json={"slug": "Bad Slug", "hq_country": "XX", "extra": 1},
            headers=admin,
        ),
        422,
    )
    assert set(body["errors"]) == {"slug", "name", "hq_country", "extra"}
    assert row_counts(app) == before


def test_unknown_taxonomy_id_is_422(app: Flask, client: FlaskClient, admin: dict[str, str]) -> None:
    before = row_counts(app)
    body = assert_problem(
        client.post(
            "/api/v1/vendors", json={**STRIPE, "data_categories": ["not.a.category"]}, headers=admin
        ),
        422,
    )
    assert "data_categories" in body["errors"]
    assert row_counts(app) == before


def test_duplicate_slug_and_alias_are_409(
    app: Flask, client: FlaskClient, seeded: dict[str, str]
) -> None:
    before = row_counts(app)
    body = assert_problem(
        client.post("/api/v1/vendors", json={**STRIPE, "name": "Other"}, headers=seeded), 409
    )
    assert "slug" in body["errors"]
    body = assert_problem(
        client.post(
            "/api/v1/vendors",
            json={"slug": "ym2", "name": "Y", "aliases": ["Yandex Money"]},
            headers=seeded,
        ),
        409,
    )
    assert "yoomoney" in body["errors"]["aliases"][0]
    assert row_counts(app) == before


def test_patch_to_an_alias_of_another_vendor_is_409(
    app: Flask, client: FlaskClient, seeded: dict[str, str]
) -> None:
    etag = client.get("/api/v1/vendors/stripe", headers=seeded).headers["ETag"]
    before = row_counts(app)
    assert_problem(
        client.patch(
            "/api/v1/vendors/stripe",
            json={"aliases": ["UMENG"]},
            headers={**seeded, "If-Match": etag},
        ),
        409,
    )
    assert row_counts(app) == before
    assert client.get("/api/v1/vendors/stripe", headers=seeded).get_json()["aliases"] == []


def test_malformed_json_is_400(app: Flask, client: FlaskClient, admin: dict[str, str]) -> None:
    before = row_counts(app)
    assert_problem(
        client.post(
            "/api/v1/vendors", data="{nope", content_type="application/json", headers=admin
        ),
        400,
    )
    assert row_counts(app) == before


def test_wrong_content_type_is_415(app: Flask, client: FlaskClient, admin: dict[str, str]) -> None:
    before = row_counts(app)
    assert_problem(
        client.post(
            "/api/v1/vendors",
            data="slug=x",
            content_type="application/x-www-form-urlencoded",
            headers=admin,
        ),
        415,
    )
    assert row_counts(app) == before


def test_body_over_one_mebibyte_is_413(
    app: Flask, client: FlaskClient, admin: dict[str, str]
) -> None:
    before = row_counts(app)
    huge = {**STRIPE, "description": "x" * (1024 * 1024 + 10)}
    assert_problem(client.post("/api/v1/vendors", json=huge, headers=admin), 413)
    assert row_counts(app) == before


def test_unknown_vendor_is_404(client: FlaskClient, admin: dict[str, str]) -> None:
    assert_problem(client.get("/api/v1/vendors/nope", headers=admin), 404)
    assert_problem(
        client.patch("/api/v1/vendors/nope", json={}, headers={**admin, "If-Match": '"x"'}), 404
    )


def test_unknown_query_parameter_values_are_422(client: FlaskClient, admin: dict[str, str]) -> None:
    body = assert_problem(
        client.get("/api/v1/vendors?per_page=1000&sort=bogus", headers=admin), 422
    )
    assert set(body["errors"]) == {"per_page", "sort"}


def test_reads_need_credentials(client: FlaskClient) -> None:
    response = assert_problem(client.get("/api/v1/vendors"), 401)
    assert "Bearer" in response["detail"]


def test_viewer_reads_but_cannot_write(client: FlaskClient, auth: Headers) -> None:
    viewer = auth("viewer")
    assert client.get("/api/v1/vendors", headers=viewer).status_code == 200
    assert_problem(client.post("/api/v1/vendors", json=STRIPE, headers=viewer), 403)


def test_only_legal_records_facts_that_decide_verdicts(
    app: Flask, client: FlaskClient, auth: Headers
) -> None:
    """Issue 18 §4: procurement may add a vendor, but DPF participation, ownership, the
    covered-person mark and sanctions go through a review's asserted facts (pending until legal
    confirms), never straight into the registry."""
    procurement = auth("procurement")
    dpf = {"status": "active", "entity": "Stripe, Inc.", "parts": ["eu_us"]}
    dpf["checked"] = "2026-12-01"
    before = row_counts(app)
    for fact, value in (("dpf_certified", True), ("dpf", dpf), ("covered_person_candidate", False)):
        refused = client.post("/api/v1/vendors", json={**STRIPE, fact: value}, headers=procurement)
        body = assert_problem(refused, 403)
        assert fact in body["errors"]
    assert row_counts(app) == before
    assert client.post("/api/v1/vendors", json=STRIPE, headers=procurement).status_code == 201
    legal = {**STRIPE, "slug": "stripe-2", "name": "Stripe Two", "dpf_certified": True}
    assert client.post("/api/v1/vendors", json=legal, headers=auth("legal")).status_code == 201
